// The one place that knows the lab engine's API (src/engine/index.ts): it turns the engine into the
// small LabEnginePort the server is written against, and engine errors into learner-facing LabErrors.
import {
  Engine,
  EngineError,
  listLabSlugs,
  type CheckResult as EngineCheck,
  type SessionInfo,
} from '../engine/index.ts';
import type { ClusterChoice } from '../cluster/kubeconfig.ts';
import { LabError, type CheckResult, type LabEnginePort, type OnProgress, type SessionRecord, type TerminalTarget } from './engine-port.ts';

const CLUSTER_FIX = 'start the cluster with `npx sidecar-labs cluster up` (Docker must be running), then press "Start lab" again';

/** Engine errors carry a `kind`; map each to an HTTP status and, where it helps, the next step. */
export function toLabError(err: unknown): unknown {
  if (err instanceof LabError) return err;
  const name = (err as Error | undefined)?.name;
  if (name === 'NoClusterError') {
    return new LabError('No Kubernetes cluster is set up for the labs yet.', { status: 503, fix: CLUSTER_FIX });
  }
  if (!(err instanceof EngineError)) return err;
  switch (err.kind) {
    case 'cluster-unreachable':
      return new LabError('The lab cluster does not answer.', { status: 503, fix: CLUSTER_FIX });
    case 'image-missing':
      return new LabError(err.message, { status: 503 });
    case 'session-not-found':
      return new LabError('This lab session is not running any more.', { status: 404, fix: 'press "Start lab" to begin a new one' });
    case 'lab-not-found':
      return new LabError(err.message, { status: 404 });
    case 'step-not-found':
      return new LabError(err.message, { status: 400 });
    case 'crash-loop':
      return new LabError(err.message, { status: 500, fix: 'press "Reset lab" to go back to the start of the lab' });
    default:
      return new LabError(err.message, { status: 500, fix: 'try again, or press "Reset lab"' });
  }
}

/** One answer for the Check button from the results of every check of the step. */
export function summarizeChecks(checks: EngineCheck[]): CheckResult {
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
  };
}

function toRecord(info: SessionInfo): SessionRecord {
  return { id: info.sessionId, slug: info.slug, namespace: info.namespace, expiresAt: new Date(info.expiresAt) };
}

export interface EngineAdapterOptions {
  choice?: ClusterChoice;
  labsDir?: string;
  /** Lifetime given to a new session's namespace before activity extends it. */
  ttlSeconds: number;
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

  /** The engine's KubeConfig (the terminal's exec uses the same connection settings). */
  kubeConfig() {
    return this.get().kube.kc;
  }

  /** Watch a namespace's Pods or Services (the live Pod view); returns a stop function. */
  watchObjects(namespace: string, resource: 'pods' | 'services', onChange: (items: unknown[]) => void, onError: (e: unknown) => void): () => void {
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`;
    return this.get().kube.watchCollection(path, onChange, onError);
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

  startSession(slug: string, onProgress: OnProgress): Promise<SessionRecord> {
    return this.wrap(async () => {
      const info = await this.get().startSession(slug, { terminal: true, ttlSeconds: this.opts.ttlSeconds, onProgress });
      this.infos.set(info.sessionId, info);
      return toRecord(info);
    });
  }

  checkStep(s: SessionRecord, step: number): Promise<CheckResult> {
    return this.wrap(async () => summarizeChecks((await this.get().checkStep(this.info(s), this.stepId(s, step), { mode: 'quick' })).checks));
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
      const list = (await this.get().listSessions()).filter((i) => i.phase === 'Active' && i.terminal);
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
