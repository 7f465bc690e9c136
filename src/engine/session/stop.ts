// Stop a session (idempotent) and reap expired ones: the namespace goes, and with it everything.
import { SessionNotFoundError } from '../errors.ts';
import type { Kube } from '../kube.ts';
import { getSession, listSessions } from './find.ts';
import { removeSessionKubeconfig } from './kubeconfig.ts';
import type { SessionInfo } from './types.ts';

/** Idempotent: a session that is already gone is not an error. */
export async function stopSession(kube: Kube, session: string | SessionInfo): Promise<void> {
  let ns: string;
  try {
    ns = (await getSession(kube, session)).namespace;
  } catch (e) {
    if (e instanceof SessionNotFoundError) return;
    throw e;
  }
  await deleteSessionNamespace(kube, ns);
}

/** Stop every session whose expiry has passed; returns what was reaped. */
export async function reapExpired(kube: Kube, now: Date): Promise<SessionInfo[]> {
  const expired = (await listSessions(kube)).filter(
    (s) => s.phase === 'Active' && new Date(s.expiresAt).getTime() <= now.getTime(),
  );
  for (const s of expired) await deleteSessionNamespace(kube, s.namespace);
  return expired;
}

export async function deleteSessionNamespace(kube: Kube, namespace: string): Promise<void> {
  // the namespace first (a terminating namespace accepts no new pods, so controllers cannot replace
  // them), then its pods without grace: `sleep` as PID 1 ignores SIGTERM and would hold it for 30 s
  await kube.deleteNamespace(namespace);
  await kube.deletePodsNow(namespace).catch(() => undefined);
  removeSessionKubeconfig(namespace);
}
