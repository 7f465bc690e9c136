// The Engine: lab sessions on a cluster. A session is a namespace labelled with its lab, session id and
// expiry (so a restarted server finds it again), the lab's setup applied into it by server-side apply,
// optionally a learner terminal, and the checks of each step. Start cleans up after itself on any
// failure, timeout or cancel; reset and stop are idempotent.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, type V1Namespace, type V1Pod, type KubernetesObject } from '@kubernetes/client-node';
import { loadKubeConfig, type ClusterChoice } from '../cluster/kubeconfig.ts';
import { NODE_PORTS, nodePortBase } from '../cluster/kind.ts';
import { loadLab, defaultLabsDir, setupObjects, type Lab, type KubeObject } from './load.ts';
import type { Mistake, Step } from './schema.ts';
import { Kube, apiCode, apiMessage, runShell } from './kube.ts';
import { runCheck, type CheckContext, type CheckResult } from './checks.ts';
import { findMistake, type MistakeFound } from './mistakes.ts';
import { waitForPods, targetsFor, type PodTarget } from './wait.ts';
import { budgetObjects, forClient, QUOTA_NAME, type ClusterNetwork } from './budget.ts';
import {
  terminalObjects,
  INFRA_LABEL,
  TERMINAL_POD,
  TERMINAL_CONTAINER,
  TOOLBOX_IMAGE,
  TERMINAL_WORKDIR,
} from './terminal.ts';
import {
  AbortedError,
  CommandFailedError,
  EngineError,
  ImageMissingError,
  ManifestRefusedError,
  SessionNotFoundError,
  StepNotFoundError,
} from './errors.ts';
import {
  ANNOTATION_NODE_PORTS,
  nodePortEnv,
  parseNodePorts,
  pickNodePorts,
  rewriteFiles,
  rewriteObjects,
  sessionCheck,
  usedPorts,
  type NodePortMap,
} from './node-ports.ts';

export const LABEL_LAB = 'sidecar-labs.dev/lab';
export const LABEL_SESSION = 'sidecar-labs.dev/session';
export const ANNOTATION_EXPIRES = 'sidecar-labs.dev/expires-at';
export const ANNOTATION_TERMINAL = 'sidecar-labs.dev/terminal';

export interface ProgressEvent {
  phase: 'namespace' | 'apply' | 'wait' | 'ready' | 'error';
  message: string;
  done: number;
  total: number;
}

/** Reports one step of starting a session (see ProgressEvent). */
type StartProgress = (phase: ProgressEvent['phase'], message: string, done?: number, total?: number) => void;

export interface SessionInfo {
  sessionId: string;
  slug: string;
  namespace: string;
  createdAt: string;
  expiresAt: string;
  /** Present when the session has a terminal: exec `bash` into this pod/container. */
  terminal?: { pod: string; container: string; workdir: string };
  /** 'Terminating' while the namespace is being deleted. */
  phase: 'Active' | 'Terminating';
  /** The session's NodePorts by name (absent when the lab declares none). */
  nodePorts?: NodePortMap;
  /** Every annotation of the namespace (workshop mode keeps the learner and progress there). */
  annotations?: Record<string, string>;
}

export interface StepResult {
  stepId: string;
  ok: boolean;
  checks: CheckResult[];
  /** When the step does not pass and the namespace shows one of the step's listed mistakes: that one. */
  mistake?: MistakeFound;
}

export type { MistakeFound } from './mistakes.ts';

export interface StartOptions {
  sessionId?: string;
  ttlSeconds?: number;
  terminal?: boolean;
  signal?: AbortSignal;
  onProgress?: (ev: ProgressEvent) => void;
  /** Seconds to wait for setup pods (default 180). */
  readyTimeoutSeconds?: number;
  /** lesson (default): the NodePorts the lab's manifests name; allocate: a free one per name (workshops). */
  nodePorts?: 'lesson' | 'allocate';
  /** Extra namespace labels and annotations (workshop: the learner, a warm-pool marker). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EngineOptions {
  choice?: ClusterChoice;
  labsDir?: string;
  /** For tests: a KubeConfig to use instead of loadKubeConfig(choice). */
  kubeConfig?: { kc: KubeConfig; path: string; describe: string };
}

export interface ChangeOptions {
  onProgress?: (ev: ProgressEvent) => void;
  signal?: AbortSignal;
  commandTimeoutSeconds?: number;
}

export interface CheckStepOptions {
  /** quick (default): is it done now? wait: poll each check up to its timeout (CI after a solution). */
  mode?: 'quick' | 'wait';
  signal?: AbortSignal;
}

const DEFAULT_TTL = 2 * 60 * 60;

export function newSessionId(): string {
  // 120 random bits, lower-case base32-ish: unguessable, and valid as a label value
  return randomBytes(15)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x');
}

/** The namespace name does not reveal the session id (it is only a hash prefix of it). */
export function namespaceFor(slug: string, sessionId: string): string {
  const h = createHash('sha256').update(sessionId).digest('hex').slice(0, 8);
  return `lab-${slug}`.slice(0, 50).replace(/-+$/, '') + `-${h}`;
}

export function sessionFromNamespace(ns: V1Namespace): SessionInfo | undefined {
  const labels = ns.metadata?.labels ?? {};
  const ann = ns.metadata?.annotations ?? {};
  if (!labels[LABEL_SESSION] || !labels[LABEL_LAB]) return undefined;
  return {
    sessionId: labels[LABEL_SESSION],
    slug: labels[LABEL_LAB],
    namespace: ns.metadata!.name!,
    createdAt: new Date(ns.metadata?.creationTimestamp ?? Date.now()).toISOString(),
    expiresAt: ann[ANNOTATION_EXPIRES] ?? new Date(0).toISOString(),
    terminal:
      ann[ANNOTATION_TERMINAL] === 'true'
        ? { pod: TERMINAL_POD, container: TERMINAL_CONTAINER, workdir: TERMINAL_WORKDIR }
        : undefined,
    phase: ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating' ? 'Terminating' : 'Active',
    nodePorts: parseNodePorts(ann[ANNOTATION_NODE_PORTS]),
    annotations: ann,
  };
}

/** Kinds a learner (or a lab) can leave in a namespace; reset removes them. */
const RESETTABLE: [string, string][] = [
  ['batch/v1', 'CronJob'],
  ['batch/v1', 'Job'],
  ['apps/v1', 'Deployment'],
  ['apps/v1', 'StatefulSet'],
  ['apps/v1', 'DaemonSet'],
  ['apps/v1', 'ReplicaSet'],
  ['v1', 'ReplicationController'],
  ['v1', 'Pod'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'PersistentVolumeClaim'],
  ['v1', 'ServiceAccount'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['networking.k8s.io/v1', 'Ingress'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['policy/v1', 'PodDisruptionBudget'],
];
/** Created by Kubernetes itself in every namespace. */
const BUILTIN = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);

export class Engine {
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

  // ---------------------------------------------------------------- sessions

  async startSession(slug: string, opts: StartOptions = {}): Promise<SessionInfo> {
    const lab = this.lab(slug);
    const progress: StartProgress = (phase, message, done = 0, total = 0) =>
      opts.onProgress?.({ phase, message, done, total });
    const sessionId = opts.sessionId ?? newSessionId();
    if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(sessionId))
      throw new EngineError(`session id "${sessionId}" must be a valid label value`);
    const namespace = namespaceFor(slug, sessionId);
    const nodePorts = await this.sessionNodePorts(lab, opts.nodePorts);
    const setup = rewriteObjects(setupObjects(lab), lab.nodePorts, nodePorts);
    const infra = opts.terminal ? this.terminalFor(namespace, lab, nodePorts) : [];

    await this.assertStartable(lab, setup, opts);

    const created = new Date();
    const expires = new Date(created.getTime() + (opts.ttlSeconds ?? DEFAULT_TTL) * 1000);
    progress('namespace', `creating namespace ${namespace}`, 0, 1);
    await this.createSessionNamespace(lab, namespace, sessionId, expires, nodePorts, opts);
    progress('namespace', `namespace ${namespace} created`, 1, 1);

    try {
      await this.applyBudget(namespace, opts.signal);
      const objects = [...infra, ...setup];
      await this.applyAll(
        namespace,
        objects,
        (done, total, what) => progress('apply', `applied ${what}`, done, total),
        opts.signal,
      );
      await this.waitForSessionPods(lab, namespace, setup, opts, progress);
      this.sessionKubeconfig(namespace);
      const info: SessionInfo = {
        sessionId,
        slug,
        namespace,
        createdAt: created.toISOString(),
        expiresAt: expires.toISOString(),
        terminal: opts.terminal
          ? { pod: TERMINAL_POD, container: TERMINAL_CONTAINER, workdir: TERMINAL_WORKDIR }
          : undefined,
        phase: 'Active',
        nodePorts,
      };
      progress('ready', 'lab ready', 1, 1);
      return info;
    } catch (e) {
      // nothing left behind: a half-started session is removed before the error reaches the caller
      const err = opts.signal?.aborted && !(e instanceof EngineError) ? new AbortedError('starting the lab') : e;
      progress('error', err instanceof Error ? err.message : String(err));
      await this.deleteNamespace(namespace).catch(() => undefined);
      throw err;
    }
  }

  /** Waits for the terminal (if any) and the setup's pods to be ready and stay up, reporting progress. */
  private async waitForSessionPods(
    lab: Lab,
    namespace: string,
    setup: KubeObject[],
    opts: StartOptions,
    progress: StartProgress,
  ): Promise<void> {
    const targets: PodTarget[] = [
      ...(opts.terminal ? [{ label: 'terminal', name: TERMINAL_POD, replicas: 1 }] : []),
      ...targetsFor(setup, lab.setup.wait),
    ];
    if (targets.length) progress('wait', `waiting for ${targets.map((t) => t.label).join(', ')}`, 0, targets.length);
    await waitForPods(this.kube, namespace, targets, {
      settleMs: lab.setup.settle * 1000,
      timeoutMs: (opts.readyTimeoutSeconds ?? 180) * 1000,
      signal: opts.signal,
      onState: (s) =>
        progress(
          'wait',
          s.ready ? 'pods ready, making sure they stay up' : `waiting for ${s.waitingFor.join('; ')}`,
          s.done,
          s.total,
        ),
    });
  }

  /** Everything that can be refused is refused before anything exists. */
  private async assertStartable(lab: Lab, setup: KubeObject[], opts: StartOptions): Promise<void> {
    const version = await this.kube.ping();
    const [wantMajor, wantMinor] = lab.minKubernetes.split('.').map(Number);
    if (
      version.major > 0 &&
      (version.major < wantMajor || (version.major === wantMajor && version.minor < wantMinor))
    ) {
      throw new EngineError(
        `lab "${lab.slug}" needs Kubernetes ${lab.minKubernetes} or newer; the cluster runs ${version.gitVersion}. Use the lab cluster (\`npx sidecar-labs cluster up\`) or a newer one`,
      );
    }
    await this.assertNamespaced([
      ...setup,
      ...lab.steps.flatMap((s) =>
        [...s.solution.manifests, ...s.mistakes.flatMap((m) => m.apply.manifests)].flatMap(
          (m) => lab.manifests[m] ?? [],
        ),
      ),
    ]);
    await this.assertImagesPresent([...lab.images, ...(opts.terminal ? [TOOLBOX_IMAGE] : [])]);
    opts.signal?.throwIfAborted();
  }

  /** The session's namespace, whose labels and annotations are the session's state. */
  private async createSessionNamespace(
    lab: Lab,
    namespace: string,
    sessionId: string,
    expires: Date,
    nodePorts: NodePortMap | undefined,
    opts: StartOptions,
  ): Promise<void> {
    try {
      await this.kube.call(() =>
        this.kube.core.createNamespace({
          body: {
            metadata: {
              name: namespace,
              labels: {
                [LABEL_LAB]: lab.slug,
                [LABEL_SESSION]: sessionId,
                'app.kubernetes.io/managed-by': 'sidecar-labs',
                // no privileged pods, host paths or host network: nothing reaches the node from a lab
                'pod-security.kubernetes.io/enforce': 'baseline',
                ...opts.labels,
              },
              annotations: {
                ...opts.annotations,
                [ANNOTATION_EXPIRES]: expires.toISOString(),
                ...(opts.terminal ? { [ANNOTATION_TERMINAL]: 'true' } : {}),
                ...(nodePorts ? { [ANNOTATION_NODE_PORTS]: JSON.stringify(nodePorts) } : {}),
              },
            },
          },
        }),
      );
    } catch (e) {
      if (apiCode(e) === 409)
        throw new EngineError(`session "${sessionId}" of lab "${lab.slug}" already exists (namespace ${namespace})`);
      throw e;
    }
  }

  /** Sessions on the cluster, from namespace labels (a restarted server finds them again). */
  async listSessions(): Promise<SessionInfo[]> {
    const list = await this.kube.call(() =>
      this.kube.core.listNamespace({ labelSelector: `${LABEL_SESSION},${LABEL_LAB}` }),
    );
    return list.items.map(sessionFromNamespace).filter((s): s is SessionInfo => !!s);
  }

  /** Find a session by its id or its namespace. */
  async getSession(idOrNamespace: string | SessionInfo): Promise<SessionInfo> {
    if (typeof idOrNamespace !== 'string') return idOrNamespace;
    const ns = await this.kube.orNull(() => this.kube.core.readNamespace({ name: idOrNamespace }));
    const direct = ns && sessionFromNamespace(ns);
    if (direct) return direct;
    if (!/^[A-Za-z0-9._-]{1,63}$/.test(idOrNamespace)) throw new SessionNotFoundError(idOrNamespace);
    const list = await this.kube.call(() =>
      this.kube.core.listNamespace({ labelSelector: `${LABEL_SESSION}=${idOrNamespace}` }),
    );
    const found = list.items.map(sessionFromNamespace).find((s) => s);
    if (!found) throw new SessionNotFoundError(idOrNamespace);
    return found;
  }

  /** Push the expiry out (the lab server calls this on activity). */
  async extendSession(session: string | SessionInfo, ttlSeconds: number): Promise<SessionInfo> {
    const s = await this.getSession(session);
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
    await this.kube.mergePatch({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: s.namespace, annotations: { [ANNOTATION_EXPIRES]: expiresAt } },
    });
    return { ...s, expiresAt };
  }

  /** Idempotent: a session that is already gone is not an error. */
  async stopSession(session: string | SessionInfo): Promise<void> {
    let ns: string;
    try {
      ns = (await this.getSession(session)).namespace;
    } catch (e) {
      if (e instanceof SessionNotFoundError) return;
      throw e;
    }
    await this.deleteNamespace(ns);
  }

  /** Stop every session whose expiry has passed; returns what was reaped. */
  async reapExpired(now: Date = new Date()): Promise<SessionInfo[]> {
    const expired = (await this.listSessions()).filter(
      (s) => s.phase === 'Active' && new Date(s.expiresAt).getTime() <= now.getTime(),
    );
    for (const s of expired) await this.deleteNamespace(s.namespace);
    return expired;
  }

  /** Back to the state right after start: everything the learner or the solutions made is removed, setup re-applied. */
  async resetSession(
    session: string | SessionInfo,
    opts: { onProgress?: (ev: ProgressEvent) => void; signal?: AbortSignal } = {},
  ): Promise<SessionInfo> {
    const s = await this.getSession(session);
    const lab = this.lab(s.slug);
    const progress = (phase: ProgressEvent['phase'], message: string, done = 0, total = 0) =>
      opts.onProgress?.({ phase, message, done, total });
    try {
      progress('namespace', 'removing what the lab created', 0, 1);
      await this.deleteNonInfra(s.namespace);
      progress('namespace', 'lab objects removed', 1, 1);
      const setup = rewriteObjects(setupObjects(lab), lab.nodePorts, s.nodePorts);
      const infra = s.terminal ? this.terminalFor(s.namespace, lab, s.nodePorts) : [];
      await this.applyBudget(s.namespace, opts.signal);
      await this.applyAll(
        s.namespace,
        [...infra, ...setup],
        (done, total, what) => progress('apply', `applied ${what}`, done, total),
        opts.signal,
      );
      const targets: PodTarget[] = [
        ...(s.terminal ? [{ label: 'terminal', name: TERMINAL_POD, replicas: 1 }] : []),
        ...targetsFor(setup, lab.setup.wait),
      ];
      await waitForPods(this.kube, s.namespace, targets, {
        settleMs: lab.setup.settle * 1000,
        timeoutMs: 180_000,
        signal: opts.signal,
        onState: (st) =>
          progress('wait', st.ready ? 'pods ready' : `waiting for ${st.waitingFor.join('; ')}`, st.done, st.total),
      });
      progress('ready', 'lab reset', 1, 1);
      return s;
    } catch (e) {
      progress('error', e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  // ---------------------------------------------------------------- steps

  async checkStep(session: string | SessionInfo, stepId: string, opts: CheckStepOptions = {}): Promise<StepResult> {
    const s = await this.getSession(session);
    const lab = this.lab(s.slug);
    const step = this.step(lab, stepId);
    const ctx = this.checkContext(s.namespace, lab);
    // in order: a later check may rely on an earlier one (an HTTP request, then its line in a log)
    const checks: CheckResult[] = [];
    for (const c of step.checks) {
      const mine = sessionCheck(c, lab.nodePorts, s.nodePorts, !!s.terminal);
      checks.push(await runCheck(mine, ctx, { mode: opts.mode ?? 'quick', signal: opts.signal }));
    }
    const ok = checks.every((c) => c.ok);
    const mistake = ok ? undefined : await findMistake(step.mistakes, ctx, opts.signal);
    return { stepId, ok, checks, ...(mistake ? { mistake } : {}) };
  }

  /**
   * The detecting checks of one listed mistake (validate: after applying the mistake, `wait` polls
   * each until it passes or times out, so the mistake has shown before the step is checked).
   */
  async detectMistake(
    session: string | SessionInfo,
    stepId: string,
    mistakeId: string,
    opts: CheckStepOptions = {},
  ): Promise<CheckResult[]> {
    const s = await this.getSession(session);
    const lab = this.lab(s.slug);
    const ctx = this.checkContext(s.namespace, lab);
    const results: CheckResult[] = [];
    for (const c of this.mistake(lab, stepId, mistakeId).detect) {
      const mine = sessionCheck(c, lab.nodePorts, s.nodePorts, !!s.terminal);
      results.push(await runCheck(mine, ctx, { mode: opts.mode ?? 'quick', signal: opts.signal }));
    }
    return results;
  }

  /** Apply a step's solution: its manifests (server-side apply), then its commands in the lab folder. */
  async applySolution(session: string | SessionInfo, stepId: string, opts: ChangeOptions = {}): Promise<void> {
    const s = await this.getSession(session);
    const lab = this.lab(s.slug);
    await this.applyChange(s, lab, this.step(lab, stepId).solution, opts);
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
    await this.applyChange(s, lab, this.mistake(lab, stepId, mistakeId).apply, opts);
  }

  private step(lab: Lab, stepId: string): Step {
    const step = lab.steps.find((x) => x.id === stepId);
    if (!step)
      throw new StepNotFoundError(
        lab.slug,
        stepId,
        lab.steps.map((x) => x.id),
      );
    return step;
  }

  private mistake(lab: Lab, stepId: string, mistakeId: string): Mistake {
    const step = this.step(lab, stepId);
    const m = step.mistakes.find((x) => x.id === mistakeId);
    if (!m)
      throw new EngineError(
        `step "${stepId}" of lab "${lab.slug}" lists no mistake "${mistakeId}" (it lists: ${step.mistakes.map((x) => x.id).join(', ') || 'none'})`,
      );
    return m;
  }

  /** Manifests (server-side apply), then commands in the lab folder with the session's kubeconfig. */
  private async applyChange(
    s: SessionInfo,
    lab: Lab,
    change: { manifests: string[]; commands: string[] },
    opts: ChangeOptions,
  ): Promise<void> {
    const objects = rewriteObjects(
      change.manifests.flatMap((m) => lab.manifests[m] ?? []),
      lab.nodePorts,
      s.nodePorts,
    );
    const total = objects.length + change.commands.length;
    let done = 0;
    const progress = (message: string) => opts.onProgress?.({ phase: 'apply', message, done, total });
    await this.applyAll(
      s.namespace,
      objects,
      (_d, _t, what) => {
        done++;
        progress(`applied ${what}`);
      },
      opts.signal,
    );
    const env = { ...this.scriptEnv(s.namespace), ...nodePortEnv(lab.nodePorts, s.nodePorts) };
    for (const cmd of change.commands) {
      opts.signal?.throwIfAborted();
      const r = await runShell(cmd, {
        env,
        cwd: lab.dir,
        timeoutMs: (opts.commandTimeoutSeconds ?? 120) * 1000,
        signal: opts.signal,
      });
      if (r.exitCode !== 0) throw new CommandFailedError(cmd, r.exitCode, r.output);
      done++;
      progress(`ran ${cmd.split('\n')[0]}`);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Merge annotations into a session's namespace (workshop progress, learner). null removes one. */
  async annotateSession(
    session: string | SessionInfo,
    annotations: Record<string, string | null>,
    labels?: Record<string, string | null>,
  ): Promise<void> {
    const s = await this.getSession(session);
    await this.kube.mergePatch({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: s.namespace,
        annotations: annotations as Record<string, string>,
        ...(labels ? { labels: labels as Record<string, string> } : {}),
      },
    });
  }

  private terminalFor(namespace: string, lab: Lab, nodePorts: NodePortMap | undefined): KubeObject[] {
    return terminalObjects(
      namespace,
      rewriteFiles(lab.files, lab.nodePorts, nodePorts),
      nodePortEnv(lab.nodePorts, nodePorts),
    );
  }

  /** The lesson's NodePorts, or free ones: not held by any Service nor promised to another session. */
  private async sessionNodePorts(lab: Lab, mode: StartOptions['nodePorts']): Promise<NodePortMap | undefined> {
    const names = Object.keys(lab.nodePorts);
    if (names.length === 0) return undefined;
    if (mode !== 'allocate') return { ...lab.nodePorts };
    const [services, namespaces] = await Promise.all([
      this.kube.call(() => this.kube.core.listServiceForAllNamespaces()),
      this.kube.call(() => this.kube.core.listNamespace({ labelSelector: LABEL_LAB })),
    ]);
    const used = usedPorts(
      services.items,
      namespaces.items.map((n) => n.metadata?.annotations?.[ANNOTATION_NODE_PORTS]),
    );
    return pickNodePorts(names, used);
  }

  /** Environment for solution commands and script checks: kubectl defaults to the session namespace. */
  scriptEnv(namespace: string): Record<string, string> {
    return { KUBECONFIG: this.sessionKubeconfig(namespace), NAMESPACE: namespace };
  }

  checkContext(namespace: string, lab: Lab): CheckContext {
    return { ops: this.kube, namespace, nodeHost: () => this.nodeHost(), env: this.scriptEnv(namespace), cwd: lab.dir };
  }

  /**
   * A private copy of the engine's kubeconfig whose current context names the session namespace, so a
   * plain `kubectl get pods` in a solution or script acts there (more robust than remembering -n).
   */
  sessionKubeconfig(namespace: string): string {
    const dir = join(tmpdir(), 'sidecar-labs-sessions');
    const file = join(dir, `${namespace}.kubeconfig`);
    if (existsSync(file)) return file;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const src = this.kube.kc;
    const copy = new KubeConfig();
    const current = src.getCurrentContext();
    copy.loadFromOptions({
      clusters: src.clusters,
      users: src.users,
      contexts: src.contexts.map((c) => (c.name === current ? { ...c, namespace } : c)),
      currentContext: current,
    });
    writeFileSync(file, copy.exportConfig(), { mode: 0o600 });
    return file;
  }

  /** The namespace's quota, limits and network fence (budget.ts), applied before any pod exists. */
  private async applyBudget(namespace: string, signal?: AbortSignal): Promise<void> {
    this.networkCache ??= this.clusterNetwork().catch((e) => {
      this.networkCache = undefined;
      throw e;
    });
    const labels = { [INFRA_LABEL]: 'true', 'app.kubernetes.io/part-of': 'sidecar-labs' };
    const objects = budgetObjects(await this.networkCache, labels);
    signal?.throwIfAborted();
    // three independent objects of known namespaced kinds: applied together
    await Promise.all(
      objects.map((o) =>
        this.kube
          .apply({ ...forClient(structuredClone(o)), metadata: { ...o.metadata, namespace } } as KubernetesObject)
          .catch((e) => {
            throw e instanceof EngineError
              ? e
              : new EngineError(`cannot apply ${o.kind} "${o.metadata.name}": ${apiMessage(e)}`);
          }),
      ),
    );
    // the quota admits no pod until its controller has counted the namespace (a few milliseconds)
    for (let i = 0; i < 100; i++) {
      const q = await this.kube.call(() => this.kube.core.readNamespacedResourceQuota({ name: QUOTA_NAME, namespace }));
      if (q.status?.hard) return;
      signal?.throwIfAborted();
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Where the API server listens and which addresses are pods', for the NetworkPolicy. */
  private async clusterNetwork(): Promise<ClusterNetwork> {
    const [svc, eps, nodes] = await Promise.all([
      this.kube.call(() => this.kube.core.readNamespacedService({ name: 'kubernetes', namespace: 'default' })),
      this.kube.call(() =>
        this.kube.objects.list(
          'discovery.k8s.io/v1',
          'EndpointSlice',
          'default',
          undefined,
          undefined,
          undefined,
          undefined,
          'kubernetes.io/service-name=kubernetes',
        ),
      ),
      this.kube.call(() => this.kube.core.listNode()),
    ]);
    const apiEndpoints = (
      eps.items as Array<{ endpoints?: Array<{ addresses?: string[] }>; ports?: Array<{ port?: number }> }>
    ).flatMap((s) =>
      (s.endpoints ?? []).flatMap((e) =>
        (e.addresses ?? []).flatMap((ip) => (s.ports ?? []).map((p) => ({ ip, port: p.port ?? 443 }))),
      ),
    );
    const ip = svc.spec?.clusterIP;
    return {
      apiEndpoints,
      apiService: ip && ip !== 'None' ? { ip, port: svc.spec?.ports?.[0]?.port ?? 443 } : undefined,
      podCidrs: [...new Set(nodes.items.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])))],
    };
  }

  private async nodeHost(): Promise<string> {
    // kind maps NodePorts to 127.0.0.1 on the host (unless SIDECAR_LABS_NODE_PORT_BASE moved them: a
    // second cluster); any other cluster: a node's InternalIP
    this.nodeHostCache ??=
      this.choice === 'kind' && nodePortBase() === NODE_PORTS[0]
        ? Promise.resolve('127.0.0.1')
        : this.kube
            .call(() => this.kube.core.listNode())
            .then((l) => l.items[0]?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '127.0.0.1');
    return this.nodeHostCache;
  }

  /** Refuse (before anything is applied) objects that are cluster-scoped or name another namespace. */
  async assertNamespaced(objects: KubeObject[]): Promise<void> {
    const problems: string[] = [];
    for (const o of objects) {
      const what = `${o.kind} "${o.metadata?.name}"`;
      if (o.metadata?.namespace)
        problems.push(`${what} names namespace "${o.metadata.namespace}": a lab may only act in its own namespace`);
      const namespaced = await this.kube.isNamespaced(o.apiVersion, o.kind);
      if (namespaced === false)
        problems.push(
          `${what} is cluster-scoped (${o.apiVersion} ${o.kind}): a lab may only create objects inside its own namespace`,
        );
      if (namespaced === undefined) problems.push(`${what}: the cluster does not know ${o.apiVersion} ${o.kind}`);
    }
    if (problems.length)
      throw new ManifestRefusedError(`refused the lab's manifests, nothing was applied:\n  ${problems.join('\n  ')}`);
  }

  /**
   * On kind (offline) every image must already be on the node; other clusters may pull, and so may a kind
   * cluster that pulls through a registry mirror (SIDECAR_LABS_REGISTRY_MIRROR, as for `cluster up`).
   */
  private async assertImagesPresent(images: string[]): Promise<void> {
    if (this.choice !== 'kind' || process.env.SIDECAR_LABS_REGISTRY_MIRROR) return;
    const nodes = await this.kube.call(() => this.kube.core.listNode());
    const have = new Set(nodes.items.flatMap((n) => n.status?.images ?? []).flatMap((i) => i.names ?? []));
    const missing = [...new Set(images)].filter(
      (img) =>
        !have.has(img) &&
        !have.has(img.replace(/^docker\.io\/library\//, '')) &&
        !have.has(img.replace(/^docker\.io\//, '')),
    );
    if (missing.length) throw new ImageMissingError(missing);
  }

  private async applyAll(
    namespace: string,
    objects: KubeObject[],
    onApplied: (done: number, total: number, what: string) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.assertNamespaced(objects);
    let done = 0;
    for (const o of objects) {
      signal?.throwIfAborted();
      const body = structuredClone(o) as KubernetesObject;
      body.metadata = { ...body.metadata, namespace };
      try {
        await this.kube.apply(body);
      } catch (e) {
        if (e instanceof EngineError) throw e;
        throw new EngineError(`cannot apply ${o.kind} "${o.metadata.name}": ${apiMessage(e)}`);
      }
      onApplied(++done, objects.length, `${o.kind.toLowerCase()}/${o.metadata.name}`);
    }
  }

  private async deleteNonInfra(namespace: string): Promise<void> {
    for (const [apiVersion, kind] of RESETTABLE) {
      const list = await this.kube.call(() =>
        this.kube.objects.list(
          apiVersion,
          kind,
          namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          `!${INFRA_LABEL}`,
        ),
      );
      for (const item of list.items) {
        if (BUILTIN.has(`${kind}/${item.metadata?.name}`)) continue;
        if ((item.metadata?.ownerReferences ?? []).some((r) => r.controller)) continue; // its owner's deletion takes it along
        const grace = kind === 'Pod' ? 0 : undefined;
        await this.kube
          .call(() =>
            this.kube.objects.delete(
              { apiVersion, kind, metadata: { name: item.metadata!.name!, namespace } },
              undefined,
              undefined,
              grace,
              undefined,
              'Background',
            ),
          )
          .catch((e) => {
            if (apiCode(e) !== 404) throw e;
          });
      }
    }
    // owned pods (of Jobs, ReplicaSets) go with their owners in the background: remove them now too
    const pods = await this.kube.listPods(namespace, `!${INFRA_LABEL}`);
    await Promise.all(
      pods.map((p: V1Pod) =>
        this.kube
          .call(() => this.kube.core.deleteNamespacedPod({ name: p.metadata!.name!, namespace, gracePeriodSeconds: 0 }))
          .catch((e) => {
            if (apiCode(e) !== 404) throw e;
          }),
      ),
    );
  }

  private async deleteNamespace(namespace: string): Promise<void> {
    // the namespace first (a terminating namespace accepts no new pods, so controllers cannot replace
    // them), then its pods without grace: `sleep` as PID 1 ignores SIGTERM and would hold it for 30 s
    await this.kube
      .call(() => this.kube.core.deleteNamespace({ name: namespace, propagationPolicy: 'Background' }))
      .catch((e) => {
        if (apiCode(e) !== 404) throw e;
      });
    await this.kube
      .call(() => this.kube.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }))
      .catch(() => undefined);
    const file = join(tmpdir(), 'sidecar-labs-sessions', `${namespace}.kubeconfig`);
    rmSync(file, { force: true });
  }
}
