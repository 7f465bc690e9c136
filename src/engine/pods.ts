// Reading pod status in plain words: is it ready (native sidecars included), since when, and if not, why
// (an image that is not in the cluster, a crash loop, still starting). Pure functions over V1Pod, so the
// unit tests feed them recorded statuses.
import type { V1Pod, V1ContainerStatus } from '@kubernetes/client-node';

export const IMAGE_ERRORS = new Set(['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName']);

export interface ContainerView {
  name: string;
  init: boolean;
  /** An init container with restartPolicy: Always (a native sidecar). */
  sidecar: boolean;
  image: string;
  status?: V1ContainerStatus;
}

export function containersOf(pod: V1Pod): ContainerView[] {
  const byName = new Map<string, V1ContainerStatus>();
  for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])])
    byName.set(s.name, s);
  const init = (pod.spec?.initContainers ?? []).map((c) => ({
    name: c.name,
    init: true,
    sidecar: c.restartPolicy === 'Always',
    image: c.image ?? '',
    status: byName.get(c.name),
  }));
  const main = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name,
    init: false,
    sidecar: false,
    image: c.image ?? '',
    status: byName.get(c.name),
  }));
  return [...init, ...main];
}

function ms(t: Date | string | undefined): number | undefined {
  if (!t) return undefined;
  const v = new Date(t).getTime();
  return Number.isNaN(v) ? undefined : v;
}

export function describeState(s: V1ContainerStatus | undefined): string {
  if (!s) return 'not created yet';
  if (s.state?.running)
    return s.ready
      ? 'running, ready'
      : s.started === false
        ? 'running, not started (startup probe)'
        : 'running, not ready';
  if (s.state?.waiting)
    return `waiting (${s.state.waiting.reason ?? 'unknown'}${s.state.waiting.message ? `: ${s.state.waiting.message.slice(0, 160)}` : ''})`;
  if (s.state?.terminated) {
    const t = s.state.terminated;
    return `terminated (${t.reason ?? 'exit'} ${t.exitCode})`;
  }
  return 'unknown state';
}

export interface Trouble {
  kind: 'image' | 'crash';
  container: string;
  image: string;
  reason: string;
}

/** Something that will not fix itself by waiting. */
export function podTrouble(pod: V1Pod): Trouble | undefined {
  for (const c of containersOf(pod)) {
    const s = c.status;
    if (!s) continue;
    const waiting = s.state?.waiting?.reason;
    if (waiting && IMAGE_ERRORS.has(waiting))
      return { kind: 'image', container: c.name, image: c.image, reason: waiting };
    const restartable = !c.init || c.sidecar;
    if (!restartable) {
      // a classic init container that failed: the pod is stuck behind it
      if (s.state?.terminated && s.state.terminated.exitCode !== 0 && pod.spec?.restartPolicy === 'Never') {
        return { kind: 'crash', container: c.name, image: c.image, reason: `exit code ${s.state.terminated.exitCode}` };
      }
      if (waiting === 'CrashLoopBackOff')
        return { kind: 'crash', container: c.name, image: c.image, reason: 'CrashLoopBackOff' };
      continue;
    }
    if ((s.restartCount ?? 0) >= 1 && !s.state?.running) {
      const last = s.lastState?.terminated ?? s.state?.terminated;
      const why = last ? `${last.reason ?? 'exited'}, exit code ${last.exitCode}` : (waiting ?? 'not running');
      return {
        kind: 'crash',
        container: c.name,
        image: c.image,
        reason: `restarted ${s.restartCount} time${s.restartCount === 1 ? '' : 's'}: ${why}`,
      };
    }
    if (s.state?.terminated && s.state.terminated.exitCode !== 0 && pod.spec?.restartPolicy === 'Never') {
      return { kind: 'crash', container: c.name, image: c.image, reason: `exit code ${s.state.terminated.exitCode}` };
    }
    if (
      waiting === 'CreateContainerError' ||
      waiting === 'CreateContainerConfigError' ||
      waiting === 'RunContainerError'
    ) {
      return {
        kind: 'crash',
        container: c.name,
        image: c.image,
        reason: `${waiting}: ${s.state?.waiting?.message ?? ''}`.trim(),
      };
    }
  }
  return undefined;
}

export interface Readiness {
  ready: boolean;
  /** Since when every container has been ready (epoch ms), when ready. */
  sinceMs?: number;
  /** Human summary, e.g. `nginx: running, ready; sidecar: waiting (CrashLoopBackOff)`. */
  summary: string;
  notReady: string[];
}

/** Ready = every regular container ready and every native sidecar started and ready; classic init containers done. */
export function podReadiness(pod: V1Pod): Readiness {
  const parts: string[] = [];
  const notReady: string[] = [];
  let since = 0;
  for (const c of containersOf(pod)) {
    const s = c.status;
    parts.push(`${c.name}: ${describeState(s)}`);
    if (c.init && !c.sidecar) {
      if (!(s?.state?.terminated && s.state.terminated.exitCode === 0)) notReady.push(c.name);
      continue;
    }
    const ok = !!s?.state?.running && s.ready === true && s.started !== false;
    if (!ok) notReady.push(c.name);
    else since = Math.max(since, ms(s?.state?.running?.startedAt) ?? 0);
  }
  const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const condReady = cond?.status === 'True';
  if (!condReady && notReady.length === 0) notReady.push('(pod Ready condition)');
  if (condReady) since = Math.max(since, ms(cond?.lastTransitionTime) ?? 0);
  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting) notReady.push('(pod is being deleted)');
  const ready = notReady.length === 0;
  return { ready, sinceMs: ready && since > 0 ? since : undefined, summary: parts.join('; '), notReady };
}
