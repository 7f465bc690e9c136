// The one place that knows the lab engine's API (src/engine/index.ts): it turns the engine into the
// small LabEnginePort the server is written against, and engine errors into learner-facing LabErrors.
import {
  Engine,
  LABEL_SESSION,
  listLabSlugs,
  type CheckResult as EngineCheck,
  type MistakeFound,
  type Kube,
  type SessionInfo,
} from '../engine/index.ts';
import type { ClusterChoice } from '../kube/index.ts';
import { UserError } from '../errors.ts';
import { httpError } from './http-util.ts';
import {
  LabError,
  type CheckResult,
  type LabEnginePort,
  type OnProgress,
  type SessionRecord,
  type StartExtras,
  type TerminalTarget,
} from './engine-port.ts';

/** Engine and cluster errors as LabErrors, worded and given a status by the one table in http-util.ts. */
export function toLabError(err: unknown): unknown {
  if (err instanceof LabError || !(err instanceof UserError)) return err;
  const { status, message, fix } = httpError(err);
  return new LabError(message, { status, fix, kind: err.kind });
}

/** One answer for the Check button from the results of every check of the step. */
export function summarizeChecks(checks: EngineCheck[], mistake?: MistakeFound): CheckResult {
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) {
    return { ok: true, message: checks.map((c) => `✓ ${c.message}`).join('\n') };
  }
  const first = failed[0]!;
  return {
    ok: false,
    message: checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.message}`).join('\n'),
    hint: first.hint,
    observed: first.observed,
    ...(mistake ? { diagnosis: { id: mistake.id, title: mistake.title, text: mistake.diagnosis } } : {}),
  };
}

function toRecord(info: SessionInfo): SessionRecord {
  return {
    id: info.sessionId,
    slug: info.slug,
    namespace: info.namespace,
    expiresAt: new Date(info.expiresAt),
    createdAt: new Date(info.createdAt),
  };
}

export interface EngineAdapterOptions {
  choice?: ClusterChoice;
  labsDir?: string;
  /** Lifetime given to a new session's namespace before activity extends it. */
  ttlSeconds: number;
  /** allocate: a NodePort per session (workshops); lesson (default): the lab's own numbers. */
  nodePorts?: 'lesson' | 'allocate';
  /** A warm pool to claim ready sessions from (workshop --reserve); undefined result = start cold. */
  claim?: (engine: Engine, slug: string, extras: StartExtras | undefined) => Promise<SessionInfo | undefined>;
}

export class EngineAdapter implements LabEnginePort {
  private engine: Engine | undefined;
  private readonly opts: EngineAdapterOptions;
  /** The engine's view of each session, so calls need no namespace lookup. */
  private readonly infos = new Map<string, SessionInfo>();

  constructor(opts: EngineAdapterOptions) {
    this.opts = opts;
  }

  /**
   * The engine, created on first use: the server must start (and serve the course) even when no cluster
   * exists yet; the panel then says how to create one.
   */
  private get(): Engine {
    this.engine ??= new Engine({ choice: this.opts.choice, labsDir: this.opts.labsDir });
    return this.engine;
  }

  /** The engine's door to the cluster (the terminal's exec uses the same connection). */
  kube(): Kube {
    return this.get().kube;
  }

  /** Watch a namespace's Pods or Services (the live Pod view); returns a stop function. */
  watchObjects(
    namespace: string,
    resource: 'pods' | 'services',
    onChange: (items: unknown[]) => void,
    onError: (e: unknown) => void,
  ): () => void {
    return this.get().kube.watchCollection(namespace, resource, onChange, onError);
  }

  labSlugs(): string[] {
    return listLabSlugs(this.opts.labsDir);
  }

  private info(s: SessionRecord): SessionInfo | string {
    return this.infos.get(s.id) ?? s.namespace;
  }

  private async wrap<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw toLabError(err);
    }
  }

  private stepId(s: SessionRecord, step: number): string {
    const steps = this.get().lab(s.slug).steps;
    const found = steps[step];
    if (!found) throw new LabError(`lab "${s.slug}" has no step ${step + 1} (it has ${steps.length})`, { status: 400 });
    return found.id;
  }

  /** The engine itself (workshop mode: the warm pool and the roster use it directly). */
  engineNow(): Engine {
    return this.get();
  }

  startSession(slug: string, onProgress: OnProgress, extras?: StartExtras): Promise<SessionRecord> {
    return this.wrap(async () => {
      const claimed = await this.opts.claim?.(this.get(), slug, extras);
      if (claimed) onProgress({ phase: 'ready', message: 'lab ready (from the warm pool)', done: 1, total: 1 });
      const info =
        claimed ??
        (await this.get().startSession(slug, {
          terminal: true,
          ttlSeconds: this.opts.ttlSeconds,
          onProgress,
          nodePorts: this.opts.nodePorts,
          ...extras,
        }));
      this.infos.set(info.sessionId, info);
      return toRecord(info);
    });
  }

  findSession(id: string): Promise<SessionRecord | undefined> {
    return this.wrap(async () => {
      if (!/^[A-Za-z0-9._-]{1,63}$/.test(id)) return undefined;
      const list = await this.get().kube.listNamespaces(`${LABEL_SESSION}=${id}`);
      const ns = list.find(
        (n) =>
          !n.metadata?.deletionTimestamp &&
          n.metadata?.annotations?.['sidecar-labs.dev/terminal'] === 'true' &&
          n.metadata?.annotations?.['sidecar-labs.dev/pool'] !== 'ready',
      );
      if (!ns) return undefined;
      const info = await this.get().getSession(ns.metadata!.name!);
      this.infos.set(info.sessionId, info);
      return toRecord(info);
    });
  }

  checkStep(s: SessionRecord, step: number): Promise<CheckResult> {
    return this.wrap(async () => {
      const r = await this.get().checkStep(this.info(s), this.stepId(s, step), { mode: 'quick' });
      return summarizeChecks(r.checks, r.mistake);
    });
  }

  applySolution(s: SessionRecord, step: number, onProgress: OnProgress): Promise<void> {
    return this.wrap(() => this.get().applySolution(this.info(s), this.stepId(s, step), { onProgress }));
  }

  resetSession(s: SessionRecord, onProgress: OnProgress): Promise<void> {
    return this.wrap(async () => {
      await this.get().resetSession(this.info(s), { onProgress });
    });
  }

  stopSession(s: SessionRecord): Promise<void> {
    return this.wrap(async () => {
      await this.get().stopSession(this.info(s));
      this.infos.delete(s.id);
    });
  }

  listSessions(): Promise<SessionRecord[]> {
    return this.wrap(async () => {
      // warm-pool sessions nobody claimed yet are not anyone's: the idle sweep must not stop them
      const list = (await this.get().listSessions()).filter(
        (i) => i.phase === 'Active' && i.terminal && i.annotations?.['sidecar-labs.dev/pool'] !== 'ready',
      );
      for (const info of list) this.infos.set(info.sessionId, info);
      return list.map(toRecord);
    });
  }

  reapExpired(): Promise<string[]> {
    return this.wrap(async () => {
      const reaped = await this.get().reapExpired();
      for (const info of reaped) this.infos.delete(info.sessionId);
      return reaped.map((i) => i.sessionId);
    });
  }

  extendSession(s: SessionRecord, expiresAt: Date): Promise<void> {
    return this.wrap(async () => {
      const ttl = Math.max(60, Math.round((expiresAt.getTime() - Date.now()) / 1000));
      const info = await this.get().extendSession(this.info(s), ttl);
      this.infos.set(s.id, info);
    });
  }

  terminalTarget(s: SessionRecord): TerminalTarget {
    const t = this.infos.get(s.id)?.terminal;
    return { namespace: s.namespace, pod: t?.pod ?? 'terminal', container: t?.container ?? 'terminal' };
  }
}
