// The warm pool (workshop --reserve N): N ready sessions per lab — namespace, setup applied and
// settled, toolbox running — so Start only has to claim one. A pool session is an ordinary session
// namespace with the label `sidecar-labs.dev/pool=ready`; claiming it relabels it with the learner's
// new session id in one optimistic-concurrency patch (two server processes can never claim the same
// one), and the pool refills in the background, one session at a time, within the session cap.
import { LABEL_LAB, LABEL_SESSION, ANNOTATION_EXPIRES, newSessionId, type Engine, type SessionInfo } from './engine.ts';
import { apiCode } from './kube.ts';

export const LABEL_POOL = 'sidecar-labs.dev/pool';

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
  log?: (line: string) => void;
}

export interface Claimed {
  info: SessionInfo;
  ms: number;
}

export class WarmPool {
  private readonly engine: Engine;
  private readonly opts: PoolOptions;
  private filling = false;
  private timer: NodeJS.Timeout | undefined;
  stopped = false;

  constructor(engine: Engine, opts: PoolOptions) {
    this.engine = engine;
    this.opts = opts;
  }

  /** Ready pool namespaces, per lab (from the cluster: every server process sees the same pool). */
  async ready(): Promise<Map<string, string[]>> {
    const list = await this.engine.kube.listNamespaces(`${LABEL_POOL}=ready,${LABEL_LAB}`);
    const out = new Map<string, string[]>();
    for (const ns of list) {
      if (ns.metadata?.deletionTimestamp) continue;
      const slug = ns.metadata?.labels?.[LABEL_LAB] ?? '';
      out.set(slug, [...(out.get(slug) ?? []), ns.metadata!.name!]);
    }
    return out;
  }

  /** Take a ready session of `slug` for a learner, or undefined when the pool has none. */
  async claim(
    slug: string,
    extras: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
  ): Promise<SessionInfo | undefined> {
    const kube = this.engine.kube;
    const list = await kube.listNamespaces(`${LABEL_POOL}=ready,${LABEL_LAB}=${slug}`);
    const sessionId = newSessionId();
    const expires = new Date(Date.now() + this.opts.ttlSeconds * 1000).toISOString();
    for (const ns of list.filter((n) => !n.metadata?.deletionTimestamp)) {
      try {
        // resourceVersion makes the patch conditional: a concurrent claim of the same one gets 409
        await kube.mergePatch({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: ns.metadata!.name!,
            resourceVersion: ns.metadata!.resourceVersion,
            labels: { ...extras.labels, [LABEL_SESSION]: sessionId, [LABEL_POOL]: null as unknown as string },
            annotations: {
              ...extras.annotations,
              [ANNOTATION_EXPIRES]: expires,
              [LABEL_POOL]: null as unknown as string,
            },
          },
        });
      } catch (e) {
        if (apiCode(e) === 409 || apiCode(e) === 404) continue;
        throw e;
      }
      this.kick();
      return this.engine.getSession(ns.metadata!.name!);
    }
    this.kick();
    return undefined;
  }

  /** Keep refilling: now, after every claim, and every `everyMs`. */
  start(everyMs = 10_000): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  /** Start a refill unless one runs (one session at a time: the cluster's CPU is the learners'). */
  kick(): void {
    if (this.filling || this.stopped) return;
    this.filling = true;
    this.fill()
      .catch((e: unknown) => this.opts.log?.(`warm pool: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`))
      .finally(() => {
        this.filling = false;
      });
  }

  /** Add sessions until every lab has `reserve` ready ones (or the cap says no). */
  async fill(): Promise<number> {
    let made = 0;
    for (;;) {
      if (this.stopped) return made;
      const ready = await this.ready();
      const size = [...ready.values()].reduce((n, l) => n + l.length, 0);
      // the lab with the fewest ready sessions first: every lab gets its first one early
      const count = (s: string) => ready.get(s)?.length ?? 0;
      const slug = [...this.opts.slugs].sort((a, b) => count(a) - count(b)).find((s) => count(s) < this.opts.reserve);
      if (!slug || !this.opts.roomFor(size)) return made;
      await this.engine.startSession(slug, {
        sessionId: `pool-${newSessionId().slice(0, 20)}`,
        terminal: true,
        nodePorts: 'allocate',
        ttlSeconds: this.opts.poolTtlSeconds ?? 2 * 3600, // a server gone for good leaves nothing for long
        labels: { [LABEL_POOL]: 'ready' },
        annotations: { [LABEL_POOL]: 'ready' },
      });
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
