// A session is a namespace: its labels and annotations hold the session's state, so a restarted server
// finds it again. Names, labels and reading a SessionInfo back from a namespace.
import { createHash, randomBytes } from 'node:crypto';
import type { V1Namespace } from '@kubernetes/client-node';
import { TERMINAL_CONTAINER, TERMINAL_POD, TERMINAL_WORKDIR } from '../terminal.ts';
import { ANNOTATION_NODE_PORTS, parseNodePorts } from '../node-ports.ts';
import type { SessionInfo } from './types.ts';

export const LABEL_LAB = 'sidecar-labs.dev/lab';
export const LABEL_SESSION = 'sidecar-labs.dev/session';
export const ANNOTATION_EXPIRES = 'sidecar-labs.dev/expires-at';
export const ANNOTATION_TERMINAL = 'sidecar-labs.dev/terminal';

/** Where the learner's shell runs, for a session with a terminal. */
export const TERMINAL_INFO = { pod: TERMINAL_POD, container: TERMINAL_CONTAINER, workdir: TERMINAL_WORKDIR };

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
    terminal: ann[ANNOTATION_TERMINAL] === 'true' ? TERMINAL_INFO : undefined,
    phase: ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating' ? 'Terminating' : 'Active',
    nodePorts: parseNodePorts(ann[ANNOTATION_NODE_PORTS]),
    annotations: ann,
  };
}
