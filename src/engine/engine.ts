// The Engine: lab sessions on a cluster, a thin facade over one action per file in session/ (start,
// reset, stop, extend, check, apply, provision, …). A session is a namespace labelled with its lab,
// session id and expiry (so a restarted server finds it again), the lab's setup applied into it by
// server-side apply, optionally a learner terminal, and the checks of each step. Start cleans up after
// itself on any failure, timeout or cancel; reset and stop are idempotent.
import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig, type ClusterChoice } from '../kube/index.ts';
import { NODE_PORTS, nodePortBase } from '../kube/index.ts';
import type { ClusterNetwork } from './budget.ts';
import type { CheckContext, CheckResult } from './checks.ts';
import { Kube } from './kube.ts';
import { loadLab, defaultLabsDir, type Lab, type KubeObject } from './load.ts';
import { applyChange } from './session/apply.ts';
import { checkStep, detectMistake, findMistakeOf, findStep, sessionCheckContext } from './session/check.ts';
import type { EngineCore } from './session/core.ts';
import { annotateSession, extendSession } from './session/extend.ts';
import { readClusterNetwork } from './session/fence.ts';
import { getSession, listSessions } from './session/find.ts';
import { assertNamespaced } from './session/guard.ts';
import { scriptEnv, sessionKubeconfig } from './session/kubeconfig.ts';
import { resetSession } from './session/reset.ts';
import { startSession } from './session/start.ts';
import { reapExpired, stopSession } from './session/stop.ts';
import type {
  ChangeOptions,
  CheckStepOptions,
  ProgressEvent,
  SessionInfo,
  StartOptions,
  StepResult,
} from './session/types.ts';

export {
  LABEL_LAB,
  LABEL_SESSION,
  ANNOTATION_EXPIRES,
  ANNOTATION_TERMINAL,
  newSessionId,
  namespaceFor,
} from './session/info.ts';
export type {
  ProgressEvent,
  SessionInfo,
  StepResult,
  StartOptions,
  ChangeOptions,
  CheckStepOptions,
} from './session/types.ts';
export type { MistakeFound } from './mistakes.ts';

export interface EngineOptions {
  choice?: ClusterChoice;
  labsDir?: string;
  /** For tests: a KubeConfig to use instead of loadKubeConfig(choice). */
  kubeConfig?: { kc: KubeConfig; path: string; describe: string };
}

export class Engine implements EngineCore {
  readonly kube: Kube;
  readonly labsDir: string;
  readonly choice: ClusterChoice;
  /** The kubeconfig file the engine uses (the base of per-session copies). */
  readonly kubeconfigPath: string;
  private readonly labs = new Map<string, Lab>();
  private nodeHostCache?: Promise<string>;
  private networkCache?: Promise<ClusterNetwork>;

  constructor(opts: EngineOptions = {}) {
    this.choice = opts.choice ?? 'kind';
    const loaded = opts.kubeConfig ?? loadKubeConfig(this.choice);
    this.kube = new Kube(loaded.kc, loaded.describe);
    this.kubeconfigPath = loaded.path;
    this.labsDir = opts.labsDir ?? defaultLabsDir();
  }

  lab(slug: string): Lab {
    let lab = this.labs.get(slug);
    if (!lab) {
      lab = loadLab(slug, this.labsDir);
      this.labs.set(slug, lab);
    }
    return lab;
  }

  // ---------------------------------------------------------------- sessions (session/*.ts)

  startSession(slug: string, opts: StartOptions = {}): Promise<SessionInfo> {
    return startSession(this, slug, opts);
  }

  /** Sessions on the cluster, from namespace labels (a restarted server finds them again). */
  listSessions(): Promise<SessionInfo[]> {
    return listSessions(this.kube);
  }

  /** Find a session by its id or its namespace. */
  getSession(idOrNamespace: string | SessionInfo): Promise<SessionInfo> {
    return getSession(this.kube, idOrNamespace);
  }

  /** Push the expiry out (the lab server calls this on activity). */
  extendSession(session: string | SessionInfo, ttlSeconds: number): Promise<SessionInfo> {
    return extendSession(this.kube, session, ttlSeconds);
  }

  /** Merge annotations into a session's namespace (workshop progress, learner). null removes one. */
  annotateSession(
    session: string | SessionInfo,
    annotations: Record<string, string | null>,
    labels?: Record<string, string | null>,
  ): Promise<void> {
    return annotateSession(this.kube, session, annotations, labels);
  }

  /** Idempotent: a session that is already gone is not an error. */
  stopSession(session: string | SessionInfo): Promise<void> {
    return stopSession(this.kube, session);
  }

  /** Stop every session whose expiry has passed; returns what was reaped. */
  reapExpired(now: Date = new Date()): Promise<SessionInfo[]> {
    return reapExpired(this.kube, now);
  }

  /** Back to the state right after start: everything the learner or the solutions made is removed, setup re-applied. */
  resetSession(
    session: string | SessionInfo,
    opts: { onProgress?: (ev: ProgressEvent) => void; signal?: AbortSignal } = {},
  ): Promise<SessionInfo> {
    return resetSession(this, session, opts);
  }

  // ---------------------------------------------------------------- steps

  checkStep(session: string | SessionInfo, stepId: string, opts: CheckStepOptions = {}): Promise<StepResult> {
    return checkStep(this, session, stepId, opts);
  }

  /** The detecting checks of one listed mistake (validate proves its diagnosis). */
  detectMistake(
    session: string | SessionInfo,
    stepId: string,
    mistakeId: string,
    opts: CheckStepOptions = {},
  ): Promise<CheckResult[]> {
    return detectMistake(this, session, stepId, mistakeId, opts);
  }

  /** Apply a step's solution: its manifests (server-side apply), then its commands in the lab folder. */
  async applySolution(session: string | SessionInfo, stepId: string, opts: ChangeOptions = {}): Promise<void> {
    const s = await this.getSession(session);
    const lab = this.lab(s.slug);
    await applyChange(this.kube, s, lab, findStep(lab, stepId).solution, opts);
  }

  /** Make one of a step's listed mistakes, the way a learner would (validate proves its diagnosis). */
  async applyMistake(
    session: string | SessionInfo,
    stepId: string,
    mistakeId: string,
    opts: ChangeOptions = {},
  ): Promise<void> {
    const s = await this.getSession(session);
    const lab = this.lab(s.slug);
    await applyChange(this.kube, s, lab, findMistakeOf(lab, stepId, mistakeId).apply, opts);
  }

  // ---------------------------------------------------------------- helpers

  /** Environment for solution commands and script checks: kubectl defaults to the session namespace. */
  scriptEnv(namespace: string): Record<string, string> {
    return scriptEnv(this.kube, namespace);
  }

  /** A session's check context (its namespace, lab folder, kubeconfig and NodePorts). */
  checkContext(session: SessionInfo): CheckContext {
    return sessionCheckContext(this, session, this.lab(session.slug));
  }

  /** A private copy of the engine's kubeconfig whose current context names the session namespace. */
  sessionKubeconfig(namespace: string): string {
    return sessionKubeconfig(this.kube, namespace);
  }

  /** Refuse (before anything is applied) objects that are cluster-scoped or name another namespace. */
  assertNamespaced(objects: KubeObject[]): Promise<void> {
    return assertNamespaced(this.kube, objects);
  }

  // ---------------------------------------------------------------- EngineCore: cluster facts, read once

  clusterNetwork(): Promise<ClusterNetwork> {
    this.networkCache ??= readClusterNetwork(this.kube).catch((e) => {
      this.networkCache = undefined;
      throw e;
    });
    return this.networkCache;
  }

  nodeHost(): Promise<string> {
    // kind maps NodePorts to 127.0.0.1 on the host (unless SIDECAR_LABS_NODE_PORT_BASE moved them: a
    // second cluster); any other cluster: a node's InternalIP
    this.nodeHostCache ??=
      this.choice === 'kind' && nodePortBase() === NODE_PORTS[0]
        ? Promise.resolve('127.0.0.1')
        : this.kube
            .listNodes()
            .then((l) => l[0]?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1');
    return this.nodeHostCache;
  }
}
