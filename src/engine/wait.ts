// Waiting for a session's pods with a watch (no sleep loops): ready when every awaited pod has been ready
// for the settle window; an image that is not in the cluster or a crash loop ends the wait at once with
// an error that says what to do.
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import type { KubeObject } from './load.ts';
import { podReadiness, podTrouble } from './pods.ts';
import { lastLogLines } from './checks.ts';
import { AbortedError, CrashLoopError, ImageMissingError, TimeoutError } from './errors.ts';
import { isUserError } from '../errors.ts';

/** Which pods a wait is about: a pod by name, or the pods a workload selects (with how many it wants). */
export interface PodTarget {
  label: string;
  name?: string;
  selector?: Record<string, string>;
  replicas: number;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'ReplicationController']);

export function targetsFor(objects: KubeObject[], which: 'all' | 'none' | string[]): PodTarget[] {
  if (which === 'none') return [];
  const out: PodTarget[] = [];
  for (const o of objects) {
    const ref = `${o.kind}/${o.metadata.name}`;
    if (Array.isArray(which) && !which.includes(ref)) continue;
    if (o.kind === 'Pod') out.push({ label: `pod ${o.metadata.name}`, name: o.metadata.name, replicas: 1 });
    else if (WORKLOADS.has(o.kind)) {
      const spec = (o.spec ?? {}) as {
        replicas?: number;
        selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
      };
      const sel = (spec.selector && 'matchLabels' in spec.selector ? spec.selector.matchLabels : spec.selector) as
        Record<string, string> | undefined;
      if (sel) out.push({ label: ref, selector: sel, replicas: o.kind === 'DaemonSet' ? 1 : (spec.replicas ?? 1) });
    }
  }
  return out;
}

function selects(pod: V1Pod, t: PodTarget): boolean {
  if (t.name) return pod.metadata?.name === t.name;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(t.selector ?? {}).every(([k, v]) => labels[k] === v);
}

export interface WaitState {
  ready: boolean;
  /** Ready since (epoch ms), when ready. */
  sinceMs?: number;
  done: number;
  total: number;
  waitingFor: string[];
  trouble?: { pod: string; container: string; kind: 'image' | 'crash'; image: string; reason: string };
}

/** Pure: where a set of targets stands, given the namespace's pods. */
export function evaluateTargets(targets: PodTarget[], pods: V1Pod[]): WaitState {
  let done = 0;
  let since = 0;
  const waitingFor: string[] = [];
  for (const t of targets) {
    const mine = pods.filter((p) => selects(p, t) && !p.metadata?.deletionTimestamp);
    for (const p of mine) {
      const trouble = podTrouble(p);
      if (trouble)
        return {
          ready: false,
          done,
          total: targets.length,
          waitingFor,
          trouble: { pod: p.metadata?.name ?? '', ...trouble },
        };
    }
    const ready = mine.map(podReadiness).filter((r) => r.ready);
    if (ready.length >= t.replicas) {
      done++;
      for (const r of ready) since = Math.max(since, r.sinceMs ?? 0);
    } else {
      const notReady = mine.map((p) => `${p.metadata?.name}: ${podReadiness(p).summary}`);
      waitingFor.push(mine.length ? `${t.label} (${notReady.join(' | ')})` : `${t.label} (no pod yet)`);
    }
  }
  return { ready: done === targets.length, sinceMs: since || undefined, done, total: targets.length, waitingFor };
}

export interface WaitOptions {
  settleMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  onState?: (s: WaitState) => void;
}

export async function waitForPods(
  kube: Kube,
  namespace: string,
  targets: PodTarget[],
  opts: WaitOptions,
): Promise<void> {
  if (targets.length === 0) return;
  let last: WaitState | undefined;
  let stop: (() => void) | undefined;
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  let timeout: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = false;
      let pods: V1Pod[] = [];
      const finish = (e?: Error) => {
        if (finished) return;
        finished = true;
        if (e) reject(e);
        else resolve();
      };
      const evaluate = () => {
        if (finished) return;
        const s = evaluateTargets(targets, pods);
        if (!last || s.done !== last.done || s.waitingFor.join() !== last.waitingFor.join()) opts.onState?.(s);
        last = s;
        if (s.trouble) {
          const t = s.trouble;
          if (t.kind === 'image')
            finish(new ImageMissingError([t.image], `pod ${t.pod}, container ${t.container}: ${t.reason}`));
          else {
            lastLogLines(kube, namespace, t.pod, t.container).then((log) =>
              finish(
                new CrashLoopError(
                  t.pod,
                  t.container,
                  t.reason,
                  log.split('\n').filter((l) => l.trim()),
                ),
              ),
            );
          }
          return;
        }
        if (settleTimer) clearTimeout(settleTimer);
        settleTimer = undefined;
        if (s.ready) {
          const heldFor = Date.now() - (s.sinceMs ?? Date.now());
          if (heldFor >= opts.settleMs) finish();
          // re-evaluate when the settle window is over, unless a pod event comes first
          else settleTimer = setTimeout(evaluate, opts.settleMs - heldFor + 50);
        }
      };
      timeout = setTimeout(() => {
        finish(
          new TimeoutError(
            `pods not ready after ${Math.round(opts.timeoutMs / 1000)}s: ${(last?.waitingFor ?? ['(no pods seen)']).join('; ')}`,
          ),
        );
      }, opts.timeoutMs);
      onAbort = () => finish(new AbortedError('waiting for the lab'));
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      stop = kube.watchCollection<V1Pod>(
        `/api/v1/namespaces/${namespace}/pods`,
        (items) => {
          pods = items;
          evaluate();
        },
        (e) => {
          if (isUserError(e, 'cluster-unreachable')) finish(e);
        },
      );
    });
  } finally {
    stop?.();
    if (settleTimer) clearTimeout(settleTimer);
    if (timeout) clearTimeout(timeout);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
  }
}
