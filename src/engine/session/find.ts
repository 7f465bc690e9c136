// Finding sessions: all of them (from namespace labels), or one by session id or namespace name.
import { SessionNotFoundError } from '../errors.ts';
import type { Kube } from '../kube.ts';
import { LABEL_LAB, LABEL_SESSION, sessionFromNamespace } from './info.ts';
import type { SessionInfo } from './types.ts';

/** Sessions on the cluster, from namespace labels (a restarted server finds them again). */
export async function listSessions(kube: Kube): Promise<SessionInfo[]> {
  const list = await kube.listNamespaces(`${LABEL_SESSION},${LABEL_LAB}`);
  return list.map(sessionFromNamespace).filter((s): s is SessionInfo => !!s);
}

/** Find a session by its id or its namespace. */
export async function getSession(kube: Kube, idOrNamespace: string | SessionInfo): Promise<SessionInfo> {
  if (typeof idOrNamespace !== 'string') return idOrNamespace;
  const ns = await kube.readNamespace(idOrNamespace);
  const direct = ns && sessionFromNamespace(ns);
  if (direct) return direct;
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(idOrNamespace)) throw new SessionNotFoundError(idOrNamespace);
  const list = await kube.listNamespaces(`${LABEL_SESSION}=${idOrNamespace}`);
  const found = list.map(sessionFromNamespace).find((s) => s);
  if (!found) throw new SessionNotFoundError(idOrNamespace);
  return found;
}
