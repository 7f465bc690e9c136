// Start a session: refuse what can be refused, create the labelled namespace, provision it; on any
// failure, timeout or cancel the half-started namespace is removed before the error reaches the caller.
import { apiCode } from '../kube.ts';
import type { Lab } from '../load.ts';
import { AbortedError, EngineError } from '../errors.ts';
import { ANNOTATION_NODE_PORTS, pickNodePorts, usedPorts, type NodePortMap } from '../node-ports.ts';
import type { EngineCore } from './core.ts';
import { assertStartable } from './guard.ts';
import {
  ANNOTATION_EXPIRES,
  ANNOTATION_TERMINAL,
  LABEL_LAB,
  LABEL_SESSION,
  TERMINAL_INFO,
  namespaceFor,
  newSessionId,
} from './info.ts';
import { provision, sessionSetup } from './provision.ts';
import { deleteSessionNamespace } from './stop.ts';
import { progressTo, type SessionInfo, type StartOptions } from './types.ts';

const DEFAULT_TTL = 2 * 60 * 60;

export async function startSession(core: EngineCore, slug: string, opts: StartOptions = {}): Promise<SessionInfo> {
  const lab = core.lab(slug);
  const progress = progressTo(opts.onProgress);
  const sessionId = opts.sessionId ?? newSessionId();
  if (!/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(sessionId))
    throw new EngineError(`session id "${sessionId}" must be a valid label value`);
  const namespace = namespaceFor(slug, sessionId);
  const nodePorts = await sessionNodePorts(core, lab, opts.nodePorts);
  const target = { lab, namespace, nodePorts, terminal: !!opts.terminal };
  await assertStartable(core, lab, sessionSetup(target), opts);

  const created = new Date();
  const expires = new Date(created.getTime() + (opts.ttlSeconds ?? DEFAULT_TTL) * 1000);
  progress('namespace', `creating namespace ${namespace}`, 0, 1);
  await createSessionNamespace(core, { lab, namespace, sessionId, expires, nodePorts }, opts);
  progress('namespace', `namespace ${namespace} created`, 1, 1);
  try {
    await provision(core, target, { progress, signal: opts.signal, readyTimeoutSeconds: opts.readyTimeoutSeconds });
    progress('ready', 'lab ready', 1, 1);
    return {
      sessionId,
      slug,
      namespace,
      createdAt: created.toISOString(),
      expiresAt: expires.toISOString(),
      terminal: opts.terminal ? TERMINAL_INFO : undefined,
      phase: 'Active',
      nodePorts,
    };
  } catch (e) {
    // nothing left behind: a half-started session is removed before the error reaches the caller
    const err = opts.signal?.aborted && !(e instanceof EngineError) ? new AbortedError('starting the lab') : e;
    progress('error', err instanceof Error ? err.message : String(err));
    await deleteSessionNamespace(core.kube, namespace).catch(() => undefined);
    throw err;
  }
}

interface NewNamespace {
  lab: Lab;
  namespace: string;
  sessionId: string;
  expires: Date;
  nodePorts: NodePortMap | undefined;
}

/** The session's namespace, whose labels and annotations are the session's state. */
async function createSessionNamespace(core: EngineCore, n: NewNamespace, opts: StartOptions): Promise<void> {
  try {
    await core.kube.createNamespace({
      name: n.namespace,
      labels: {
        [LABEL_LAB]: n.lab.slug,
        [LABEL_SESSION]: n.sessionId,
        'app.kubernetes.io/managed-by': 'sidecar-labs',
        // no privileged pods, host paths or host network: nothing reaches the node from a lab
        'pod-security.kubernetes.io/enforce': 'baseline',
        ...opts.labels,
      },
      annotations: {
        ...opts.annotations,
        [ANNOTATION_EXPIRES]: n.expires.toISOString(),
        ...(opts.terminal ? { [ANNOTATION_TERMINAL]: 'true' } : {}),
        ...(n.nodePorts ? { [ANNOTATION_NODE_PORTS]: JSON.stringify(n.nodePorts) } : {}),
      },
    });
  } catch (e) {
    if (apiCode(e) === 409)
      throw new EngineError(
        `session "${n.sessionId}" of lab "${n.lab.slug}" already exists (namespace ${n.namespace})`,
      );
    throw e;
  }
}

/** The lesson's NodePorts, or free ones: not held by any Service nor promised to another session. */
async function sessionNodePorts(
  core: EngineCore,
  lab: Lab,
  mode: StartOptions['nodePorts'],
): Promise<NodePortMap | undefined> {
  const names = Object.keys(lab.nodePorts);
  if (names.length === 0) return undefined;
  if (mode !== 'allocate') return { ...lab.nodePorts };
  const [services, namespaces] = await Promise.all([core.kube.listAllServices(), core.kube.listNamespaces(LABEL_LAB)]);
  const used = usedPorts(
    services,
    namespaces.map((n) => n.metadata?.annotations?.[ANNOTATION_NODE_PORTS]),
  );
  return pickNodePorts(names, used);
}
