// The namespace's quota, limits and network fence (../budget.ts), applied before any pod exists (see
// provision.ts), and the cluster facts the NetworkPolicy needs (read once per Engine).
import type { KubernetesObject } from '@kubernetes/client-node';
import { budgetObjects, forClient, QUOTA_NAME, type ClusterNetwork } from '../budget.ts';
import type { Kube } from '../kube.ts';
import { INFRA_LABEL } from '../terminal.ts';
import type { EngineCore } from './core.ts';

const INFRA_LABELS = { [INFRA_LABEL]: 'true', 'app.kubernetes.io/part-of': 'sidecar-labs' };

/** The budget objects for a session namespace (ResourceQuota, LimitRange, NetworkPolicy), ready to apply. */
export async function budgetFor(core: EngineCore): Promise<KubernetesObject[]> {
  const objects = budgetObjects(await core.clusterNetwork(), INFRA_LABELS);
  return objects.map((o) => forClient(structuredClone(o)) as KubernetesObject);
}

/** The quota admits no pod until its controller has counted the namespace (a few milliseconds). */
export async function quotaCounted(kube: Kube, namespace: string, signal?: AbortSignal): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const q = await kube.readQuota(namespace, QUOTA_NAME);
    if (q?.status?.hard) return;
    signal?.throwIfAborted();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Where the API server listens and which addresses are pods', for the NetworkPolicy. */
export async function readClusterNetwork(kube: Kube): Promise<ClusterNetwork> {
  const [svc, eps, nodes] = await Promise.all([
    kube.readService('default', 'kubernetes'),
    kube.listObjects('discovery.k8s.io/v1', 'EndpointSlice', 'default', 'kubernetes.io/service-name=kubernetes'),
    kube.listNodes(),
  ]);
  const slices = eps as Array<{ endpoints?: Array<{ addresses?: string[] }>; ports?: Array<{ port?: number }> }>;
  const apiEndpoints = slices.flatMap((s) =>
    (s.endpoints ?? []).flatMap((e) =>
      (e.addresses ?? []).flatMap((ip) => (s.ports ?? []).map((p) => ({ ip, port: p.port ?? 443 }))),
    ),
  );
  const ip = svc?.spec?.clusterIP;
  return {
    apiEndpoints,
    apiService: ip && ip !== 'None' ? { ip, port: svc?.spec?.ports?.[0]?.port ?? 443 } : undefined,
    podCidrs: [...new Set(nodes.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : [])))],
  };
}
