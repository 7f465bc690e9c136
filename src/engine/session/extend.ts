// Changing a live session's state, which lives in its namespace's annotations and labels: the expiry
// (pushed out on activity) and workshop marks (learner, progress).
import type { Kube } from '../kube.ts';
import { getSession } from './find.ts';
import { ANNOTATION_EXPIRES } from './info.ts';
import type { SessionInfo } from './types.ts';

/** Push the expiry out (the lab server calls this on activity). */
export async function extendSession(
  kube: Kube,
  session: string | SessionInfo,
  ttlSeconds: number,
): Promise<SessionInfo> {
  const s = await getSession(kube, session);
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
  await kube.mergePatch({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: s.namespace, annotations: { [ANNOTATION_EXPIRES]: expiresAt } },
  });
  return { ...s, expiresAt };
}

/** Merge annotations (and labels) into a session's namespace. null removes one. */
export async function annotateSession(
  kube: Kube,
  session: string | SessionInfo,
  annotations: Record<string, string | null>,
  labels?: Record<string, string | null>,
): Promise<void> {
  const s = await getSession(kube, session);
  await kube.mergePatch({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: s.namespace,
      annotations: annotations as Record<string, string>,
      ...(labels ? { labels: labels as Record<string, string> } : {}),
    },
  });
}
