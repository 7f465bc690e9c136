// The warm pool (workshop --reserve N): N ready sessions per lab — namespace, setup applied and
// settled, toolbox running — so Start only has to claim one. A pool session is an ordinary session
// namespace with the label `sidecar-labs.dev/pool=ready`; claiming it relabels it with the learner's
// new session id in one optimistic-concurrency patch (two server processes can never claim the same
// one), and the pool refills in the background, one session at a time, within the session cap.
//
// A claim costs one API call: the ready list comes from a namespace watch (pool-ready.ts), the patch
// is conditional on the resourceVersion the watch saw, and its answer is the session (no re-read).
// Refill waits until claims have been quiet for a moment, so a room pressing Start together is not
// slowed down by the pool building replacements on the same CPU.
import { LABEL_LAB, LABEL_SESSION, ANNOTATION_EXPIRES, newSessionId } from './engine.ts';
import { sessionFromNamespace } from './session/info.ts';
import type { Engine, SessionInfo } from './engine.ts';
import { apiCode } from './kube.ts';
import { ReadyList, type ReadyEntry } from './pool-ready.ts';

export type { ReadyEntry };

export const LABEL_POOL = 'sidecar-labs.dev/pool';

/**
 * The ready list from a random place: claims arriving together (in one process or several) each
 * try a different one first instead of all racing for the oldest and retrying after a 409.
 */
export function spread<T>(list: T[], random: () => number = Math.random): T[] {
  const at = Math.floor(random() * list.length);
  return [...list.slice(at), ...list.slice(0, at)];
}

export interface PoolOptions {
  /** Ready sessions to keep per lab. */
  reserve: number;
  slugs: string[];
  /** Lifetime of a pool namespace (refreshed when claimed). */
  poolTtlSeconds?: number;
  /** Lifetime a claimed session starts with. */
  ttlSeconds: number;
  /** May one more namespace be created now? (session cap: live sessions + pool). */
  roomFor: (poolSize: number) => boolean;
  /** Quiet time after the last claim before refilling starts (default 3 s). */
  refillDelayMs?: number;
  /** Called with every ready pool session after each watch event (the server opens their shells ahead). */
  onReady?: (ready: ReadyEntry[]) => void;
  log?: (line: string) => void;
}

/** Where one claim spent its time (the bench and the server log print it). */
export interface ClaimTiming {
  listMs: number;
  patchMs: number;
  tries: number;
  fromWatch: boolean;
}

type Extras = { labels?: Record<string, string>; annotations?: Record<string, string> };

export class WarmPool {
  private readonly engine: Engine;
  private readonly opts: PoolOptions;
  private filling = false;
  private timer: NodeJS.Timeout | undefined;
  private delayed: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;
  readonly readyList = new ReadyList(LABEL_POOL, LABEL_LAB);
  stopped = false;

  constructor(engine: Engine, opts: PoolOptions) {
    this.engine = engine;
    this.opts = opts;
  }

  /** Ready pool namespaces, per lab, listed from the cluster (every server process sees the same pool). */
  async ready(): Promise<Map<string, string[]>> {
    const items = await this.engine.kube.listNamespaces(`${LABEL_POOL}=ready,${LABEL_LAB}`);
    const out = new Map<string, string[]>();
    for (const ns of items) {
      if (ns.metadata?.deletionTimestamp) continue;
      const slug = ns.metadata?.labels?.[LABEL_LAB] ?? '';
      out.set(slug, [...(out.get(slug) ?? []), ns.metadata!.name!]);
    }
    return out;
  }

  /** The claimable ones of `slug`: from the watch once it is in sync, else one list call. */
  private async candidates(slug: string): Promise<{ list: ReadyEntry[]; fromWatch: boolean }> {
    if (this.readyList.isSynced) return { list: spread(this.readyList.candidates(slug)), fromWatch: true };
    const once = new ReadyList(LABEL_POOL, LABEL_LAB);
    once.snapshot(await this.engine.kube.listNamespaces(`${LABEL_POOL}=ready,${LABEL_LAB}=${slug}`));
    return { list: spread(once.candidates(slug)), fromWatch: false };
  }

  /** Take a ready session of `slug` for a learner, or undefined when the pool has none. */
  async claim(slug: string, extras: Extras = {}): Promise<SessionInfo | undefined> {
    return (await this.claimTimed(slug, extras)).info;
  }

  /** claim, and where it spent its time. */
  async claimTimed(slug: string, extras: Extras = {}): Promise<{ info?: SessionInfo; timing: ClaimTiming }> {
    const t0 = performance.now();
    try {
      const { list, fromWatch } = await this.candidates(slug);
      const timing: ClaimTiming = { listMs: performance.now() - t0, patchMs: 0, tries: 0, fromWatch };
      for (const entry of list) {
        const t1 = performance.now();
        timing.tries++;
        const info = await this.take(entry, extras).finally(() => (timing.patchMs += performance.now() - t1));
        if (info) return { info, timing };
      }
      return { timing };
    } finally {
      this.kickLater();
    }
  }

  /** One conditional patch: the session, or undefined when someone else was first (or it is gone). */
  private async take(entry: ReadyEntry, extras: Extras): Promise<SessionInfo | undefined> {
    const sessionId = newSessionId();
    const expires = new Date(Date.now() + this.opts.ttlSeconds * 1000).toISOString();
    try {
      // resourceVersion makes the patch conditional: a concurrent claim of the same one gets 409
      const ns = await this.engine.kube.mergePatch({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: entry.name,
          resourceVersion: entry.resourceVersion || undefined,
          labels: { ...extras.labels, [LABEL_SESSION]: sessionId, [LABEL_POOL]: null as unknown as string },
          annotations: {
            ...extras.annotations,
            [ANNOTATION_EXPIRES]: expires,
            [LABEL_POOL]: null as unknown as string,
          },
        },
      });
      this.readyList.claimed(entry.name);
      return sessionFromNamespace(ns) ?? (await this.engine.getSession(entry.name));
    } catch (e) {
      if (apiCode(e) === 409 || apiCode(e) === 404) {
        this.readyList.drop(entry.name);
        return undefined;
      }
      throw e;
    }
  }

  /** Watch the pool, and keep refilling: now, after claims (once quiet), and every `everyMs`. */
  start(everyMs = 10_000): void {
    this.stopWatch ??= this.engine.kube.watchNamespaces(
      { label: `${LABEL_POOL}=ready,${LABEL_LAB}` },
      (items) => {
        this.readyList.snapshot(items);
        this.opts.onReady?.(this.readyList.all());
      },
      (e) => {
        this.readyList.unsync();
        this.opts.log?.(`warm pool: watch: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      },
    );
    this.kick();
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    if (this.timer) clearInterval(this.timer);
    if (this.delayed) clearTimeout(this.delayed);
  }

  /** Refill once claims have been quiet for refillDelayMs (each claim pushes it back, up to 4 times that). */
  kickLater(): void {
    if (this.stopped) return;
    const delay = this.opts.refillDelayMs ?? 3000;
    if (this.delayed) clearTimeout(this.delayed);
    this.delayed = setTimeout(() => {
      this.delayed = undefined;
      this.kick();
    }, delay);
    this.delayed.unref();
  }

  /** Start a refill unless one runs (one session at a time: the cluster's CPU is the learners'). */
  kick(): void {
    if (this.filling || this.stopped || this.delayed) return;
    this.filling = true;
    this.fill()
      .catch((e: unknown) => this.opts.log?.(`warm pool: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`))
      .finally(() => {
        this.filling = false;
      });
  }

  /**
   * Delete `filling` pool sessions older than `olderThanMs`: a server stopped in the middle of a fill
   * left them (a fill takes at most the setup wait, 3 minutes).
   */
  async removeOrphans(olderThanMs = 10 * 60_000, now = Date.now()): Promise<number> {
    const filling = await this.engine.kube.listNamespaces(`${LABEL_POOL}=filling,${LABEL_LAB}`);
    let n = 0;
    for (const ns of filling) {
      const created = new Date(ns.metadata?.creationTimestamp ?? now).getTime();
      if (ns.metadata?.deletionTimestamp || now - created < olderThanMs) continue;
      await this.engine.stopSession(ns.metadata!.name!);
      n++;
    }
    return n;
  }

  /** Add sessions until every lab has `reserve` ready ones (or the cap says no). */
  async fill(): Promise<number> {
    await this.removeOrphans();
    let made = 0;
    for (;;) {
      // claims going on: let them have the API server and the CPU; the next kick comes after them
      if (this.stopped || this.delayed) return made;
      const ready = await this.ready();
      const size = [...ready.values()].reduce((n, l) => n + l.length, 0);
      // the lab with the fewest ready sessions first: every lab gets its first one early
      const count = (s: string) => ready.get(s)?.length ?? 0;
      const slug = [...this.opts.slugs].sort((a, b) => count(a) - count(b)).find((s) => count(s) < this.opts.reserve);
      if (!slug || !this.opts.roomFor(size)) return made;
      // labelled `filling` until setup has settled and the toolbox runs: only then can it be claimed
      const info = await this.engine.startSession(slug, {
        sessionId: `pool-${newSessionId().slice(0, 20)}`,
        terminal: true,
        nodePorts: 'allocate',
        ttlSeconds: this.opts.poolTtlSeconds ?? 2 * 3600, // a server gone for good leaves nothing for long
        labels: { [LABEL_POOL]: 'filling' },
        annotations: { [LABEL_POOL]: 'ready' },
      });
      try {
        await this.engine.kube.mergePatch({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: info.namespace, labels: { [LABEL_POOL]: 'ready' } },
        });
      } catch (e) {
        await this.engine.stopSession(info).catch(() => undefined); // never a `filling` one left behind
        throw e;
      }
      made++;
    }
  }

  /** Delete every ready pool session (the workshop ends). */
  async drain(): Promise<number> {
    const ready = await this.ready();
    let n = 0;
    for (const names of ready.values())
      for (const ns of names) {
        await this.engine.stopSession(ns);
        n++;
      }
    return n;
  }
}
