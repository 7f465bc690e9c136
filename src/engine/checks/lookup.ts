// Shared by the check types that look at pods and containers: finding the pods a check names, the
// "does not exist yet" and "has no container" answers, running-since, and what a crash loop printed.
// Written once here so every check words them the same way.
import type { V1Pod } from '@kubernetes/client-node';
import { containersOf, describeState, podTrouble, type ContainerView } from '../pods.ts';
import type { ProbeContext, ClusterOps, ProbeResult } from './types.ts';

export interface PodRef {
  pod?: string;
  selector?: string;
}

/** `pod "web"` or `pods matching "app=web"`. */
export const podName = (ref: PodRef) => (ref.pod ? `pod "${ref.pod}"` : `pods matching "${ref.selector}"`);

export const doesNotExist = (what: string): ProbeResult => ({ ok: false, message: `${what} does not exist yet` });

export function clip(s: string, n = 600): string {
  const t = s.trimEnd();
  return t.length > n ? `…${t.slice(t.length - n)}` : t;
}

export async function resolvePods(ctx: ProbeContext, ref: PodRef): Promise<V1Pod[]> {
  if (ref.pod) {
    const p = await ctx.ops.readPod(ctx.namespace, ref.pod);
    return p ? [p] : [];
  }
  return ctx.ops.listPods(ctx.namespace, ref.selector);
}

/** One pod to run a command in or read logs from: a running one if any. */
export async function onePod(ctx: ProbeContext, ref: PodRef): Promise<V1Pod | ProbeResult> {
  const pods = await resolvePods(ctx, ref);
  if (pods.length === 0) return doesNotExist(podName(ref));
  return pods.find((p) => p.status?.phase === 'Running') ?? pods[0];
}

export const isPod = (x: V1Pod | ProbeResult): x is V1Pod => 'metadata' in x;

export function defaultContainer(pod: V1Pod, name?: string): string {
  return name ?? pod.spec?.containers?.[0]?.name ?? '';
}

/** The named container (regular or init), or the "has no container" answer. */
export function findContainer(pod: V1Pod, name: string): ContainerView | ProbeResult {
  const all = containersOf(pod);
  const c = all.find((x) => x.name === name);
  if (c) return c;
  return {
    ok: false,
    message: `pod "${pod.metadata?.name}" has no container "${name}" (it has ${all.map((x) => x.name).join(', ')})`,
  };
}

export const isContainer = (x: ContainerView | ProbeResult): x is ContainerView => 'init' in x;

/** Exec needs a running container: say so in words instead of the API's "unable to upgrade connection". */
export function notRunning(pod: V1Pod, container: string): ProbeResult | undefined {
  const c = findContainer(pod, container);
  if (!isContainer(c)) return c;
  if (!c.status?.state?.running)
    return {
      ok: false,
      message: `container "${container}" of pod "${pod.metadata?.name}" is not running: ${describeState(c.status)}`,
    };
  return undefined;
}

/** Epoch ms the container has been running since, or undefined when it is not running. */
export function runningSince(c: ContainerView): number | undefined {
  const running = c.status?.state?.running;
  return running ? new Date(running.startedAt ?? 0).getTime() : undefined;
}

/** A container that should be running and is not: its state, and crash details when there are any. */
export async function containerDown(
  ctx: ProbeContext,
  pod: V1Pod,
  c: ContainerView,
  observed?: string,
): Promise<ProbeResult> {
  const t = await troubleDetails(ctx, pod);
  return {
    ok: false,
    message: `container "${c.name}" is ${describeState(c.status)}`,
    hint: t.hint,
    observed: t.observed ?? observed,
  };
}

/**
 * Judges every pod a check names, in turn: the first failure, or since when (the latest of the times
 * `judge` returns) the condition has held for all of them.
 */
export async function everyPod(
  ctx: ProbeContext,
  ref: PodRef,
  judge: (pod: V1Pod) => Promise<ProbeResult | number>,
): Promise<{ fail: ProbeResult } | { pods: V1Pod[]; heldSinceMs?: number }> {
  const pods = await resolvePods(ctx, ref);
  if (pods.length === 0) return { fail: doesNotExist(podName(ref)) };
  let since = 0;
  for (const p of pods) {
    const v = await judge(p);
    if (typeof v !== 'number') return { fail: v };
    since = Math.max(since, v);
  }
  return { pods, heldSinceMs: since || undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The last lines a crashed container printed: its previous run, else the current one. Right after a
 * crash the kubelet sometimes answers "unable to retrieve container logs": ask again a moment later.
 */
export async function lastLogLines(
  ops: Pick<ClusterOps, 'logs'>,
  namespace: string,
  pod: string,
  container: string,
  lines = 10,
): Promise<string> {
  for (let attempt = 0; attempt < 4; attempt++) {
    for (const previous of [true, false]) {
      try {
        const text = await ops.logs(namespace, pod, container, { previous, tailLines: lines });
        if (/^unable to retrieve container logs/.test(text)) continue;
        if (text.trim() || !previous) return text.trim();
      } catch {
        /* no such run: try the other */
      }
    }
    await sleep(750);
  }
  return '';
}

/** When a container is crash-looping, its previous run's last lines are the most useful thing to show. */
export async function troubleDetails(
  ctx: ProbeContext,
  pod: V1Pod,
): Promise<{ hint?: string; observed?: string; message?: string }> {
  const t = podTrouble(pod);
  if (!t) return {};
  const name = pod.metadata?.name ?? '';
  if (t.kind === 'image') {
    return {
      message: `container "${t.container}" cannot start: image ${t.image} is not in the cluster (${t.reason})`,
      hint: `run \`npx sidecar-labs cluster up\` (or \`kind load docker-image ${t.image} --name sidecar-labs\`), or check the image name`,
    };
  }
  const logs = await lastLogLines(ctx.ops, ctx.namespace, name, t.container);
  return {
    message: `container "${t.container}" of pod "${name}" keeps crashing (${t.reason})`,
    observed: logs ? `last log lines of ${t.container}:\n${clip(logs)}` : undefined,
    hint: `look at \`kubectl logs ${name} -c ${t.container} --previous\` and \`kubectl describe pod ${name}\``,
  };
}
