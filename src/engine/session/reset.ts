// Reset a session: back to the state right after start. Everything the learner or the solutions made is
// removed (infra objects stay), then the same provisioning path as start runs again.
import type { Kube } from '../kube.ts';
import { INFRA_LABEL } from '../terminal.ts';
import type { EngineCore } from './core.ts';
import { getSession } from './find.ts';
import { provision } from './provision.ts';
import { progressTo, type ProgressEvent, type SessionInfo } from './types.ts';

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

export async function resetSession(
  core: EngineCore,
  session: string | SessionInfo,
  opts: { onProgress?: (ev: ProgressEvent) => void; signal?: AbortSignal } = {},
): Promise<SessionInfo> {
  const s = await getSession(core.kube, session);
  const lab = core.lab(s.slug);
  const progress = progressTo(opts.onProgress);
  try {
    progress('namespace', 'removing what the lab created', 0, 1);
    await deleteNonInfra(core.kube, s.namespace);
    progress('namespace', 'lab objects removed', 1, 1);
    const target = { lab, namespace: s.namespace, nodePorts: s.nodePorts, terminal: !!s.terminal };
    await provision(core, target, { progress, signal: opts.signal });
    progress('ready', 'lab reset', 1, 1);
    return s;
  } catch (e) {
    progress('error', e instanceof Error ? e.message : String(e));
    throw e;
  }
}

async function deleteNonInfra(kube: Kube, namespace: string): Promise<void> {
  for (const [apiVersion, kind] of RESETTABLE) {
    const items = await kube.listObjects(apiVersion, kind, namespace, `!${INFRA_LABEL}`);
    for (const item of items) {
      if (BUILTIN.has(`${kind}/${item.metadata?.name}`)) continue;
      if ((item.metadata?.ownerReferences ?? []).some((r) => r.controller)) continue; // its owner's deletion takes it along
      await kube.deleteObject(apiVersion, kind, namespace, item.metadata!.name!, kind === 'Pod' ? 0 : undefined);
    }
  }
  // owned pods (of Jobs, ReplicaSets) go with their owners in the background: remove them now too
  const pods = await kube.listPods(namespace, `!${INFRA_LABEL}`);
  await Promise.all(pods.map((p) => kube.deletePodsNow(namespace, p.metadata!.name!)));
}
