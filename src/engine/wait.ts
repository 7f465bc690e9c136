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

type Trouble = NonNullable<WaitState['trouble']>;

/** Ends a wait on a pod that cannot start: a missing image at once, a crash loop with its last log lines. */
function failOnTrouble(kube: Kube, namespace: string, t: Trouble, finish: (e: Error) => void): void {
  if (t.kind === 'image')
    finish(new ImageMissingError([t.image], `pod ${t.pod}, container ${t.container}: ${t.reason}`));
  else
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

function timeoutError(opts: WaitOptions, last: WaitState | undefined): TimeoutError {
  return new TimeoutError(
    `pods not ready after ${Math.round(opts.timeoutMs / 1000)}s: ${(last?.waitingFor ?? ['(no pods seen)']).join('; ')}`,
  );
}

/** One wait: the pods as the watch last saw them, and the watch, timers and abort listener to release after it. */
class PodWait {
  private readonly kube: Kube;
  private readonly namespace: string;
  private readonly targets: PodTarget[];
  private readonly opts: WaitOptions;
  private finished = false;
  private pods: V1Pod[] = [];
  private last: WaitState | undefined;
  private stop: (() => void) | undefined;
  private settleTimer: ReturnType<typeof setTimeout> | undefined;
  private timeout: ReturnType<typeof setTimeout> | undefined;
  private onAbort: (() => void) | undefined;
  private settled: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(kube: Kube, namespace: string, targets: PodTarget[], opts: WaitOptions) {
    this.kube = kube;
    this.namespace = namespace;
    this.targets = targets;
    this.opts = opts;
  }

  /** Resolves once every target stayed ready for the settle window; rejects on trouble, timeout, abort, lost cluster. */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.settled = { resolve, reject };
      this.timeout = setTimeout(() => this.finish(timeoutError(this.opts, this.last)), this.opts.timeoutMs);
      this.onAbort = () => this.finish(new AbortedError('waiting for the lab'));
      if (this.opts.signal?.aborted) return this.onAbort();
      this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.stop = this.kube.watchCollection<V1Pod>(
        this.namespace,
        'pods',
        (items) => {
          this.pods = items;
          this.evaluate();
        },
        (e) => {
          if (isUserError(e, 'cluster-unreachable')) this.finish(e);
        },
      );
    });
  }

  /** Stops the watch, the timers and the abort listener. */
  release(): void {
    this.stop?.();
    if (this.settleTimer) clearTimeout(this.settleTimer);
    if (this.timeout) clearTimeout(this.timeout);
    if (this.onAbort) this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  private finish(e?: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (e) this.settled?.reject(e);
    else this.settled?.resolve();
  }

  private evaluate(): void {
    if (this.finished) return;
    const s = evaluateTargets(this.targets, this.pods);
    const last = this.last;
    if (!last || s.done !== last.done || s.waitingFor.join() !== last.waitingFor.join()) this.opts.onState?.(s);
    this.last = s;
    if (s.trouble) return failOnTrouble(this.kube, this.namespace, s.trouble, (e) => this.finish(e));
    this.settle(s);
  }

  /** Done once the targets have stayed ready for the settle window; until then, look again when it is over. */
  private settle(s: WaitState): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = undefined;
    if (!s.ready) return;
    const heldFor = Date.now() - (s.sinceMs ?? Date.now());
    if (heldFor >= this.opts.settleMs) this.finish();
    // re-evaluate when the settle window is over, unless a pod event comes first
    else this.settleTimer = setTimeout(() => this.evaluate(), this.opts.settleMs - heldFor + 50);
  }
}

export async function waitForPods(
  kube: Kube,
  namespace: string,
  targets: PodTarget[],
  opts: WaitOptions,
): Promise<void> {
  if (targets.length === 0) return;
  const wait = new PodWait(kube, namespace, targets, opts);
  try {
    await wait.run();
  } finally {
    wait.release();
  }
}
