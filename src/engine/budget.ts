// A learner's budget and fence: every session namespace gets a ResourceQuota (how much the whole
// namespace may hold), a LimitRange (defaults and ceilings per container, so a pod without resources
// still counts against the quota) and a NetworkPolicy (in-namespace traffic, DNS and the API server
// only). The objects are infra: reset keeps them, and the learner's Role may read but not change them.
import type { KubeObject } from './load.ts';

export const QUOTA_NAME = 'sidecar-labs-budget';
export const LIMITS_NAME = 'sidecar-labs-limits';
export const POLICY_NAME = 'sidecar-labs-isolation';

/**
 * Sized for the labs: the largest needs five pods plus the terminal, 50m CPU and 64Mi per container at
 * most. Pods is the ceiling a runaway Deployment meets first; limits cap what those pods may burn.
 * Requests are what the scheduler reserves on the node, so they are kept to what the labs need: every
 * manifest of the hungriest lab at once, terminal included, requests 150m CPU and 336 MiB (counted in
 * budget.test.ts); 200m / 512Mi leaves room for a learner's own pods. A node then has room for
 * (allocatable - system requests) / 200m sessions (capacity.ts; `sidecar-labs doctor` prints it), and
 * one learner asking for their whole budget cannot leave another session unschedulable.
 */
export const NAMESPACE_QUOTA = {
  pods: '20',
  'requests.cpu': '200m',
  'requests.memory': '512Mi',
  'limits.cpu': '16',
  'limits.memory': '8Gi',
  'requests.ephemeral-storage': '2Gi',
  'limits.ephemeral-storage': '8Gi',
  services: '10',
  'services.nodeports': '2',
  'services.loadbalancers': '0',
  persistentvolumeclaims: '0',
  configmaps: '30',
  secrets: '30',
  'count/jobs.batch': '10',
  'count/cronjobs.batch': '5',
  'count/deployments.apps': '10',
  'count/statefulsets.apps': '5',
  'count/daemonsets.apps': '0',
} as const;

/** Per container: what a container without `resources` gets, and the most one may ask for. */
export const CONTAINER_LIMITS = {
  defaultRequest: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '16Mi' },
  default: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
  max: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' },
} as const;

/** What the engine knows of the cluster's network when it writes the policy. */
export interface ClusterNetwork {
  /** Where the API server really listens (the `kubernetes` Service's endpoints), e.g. 172.18.0.2:6443. */
  apiEndpoints: Array<{ ip: string; port: number }>;
  /** The `kubernetes` Service itself (ClusterIP:443), for enforcers that match before DNAT. */
  apiService?: { ip: string; port: number };
  /** Pod address ranges (nodes' spec.podCIDRs); ingress from outside them is traffic from off the pod network. */
  podCidrs: string[];
}

const TCP = 'TCP';

function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/**
 * Egress: pods of this namespace, cluster DNS, the API server; nothing else (other namespaces, the node,
 * 169.254.0.0/16 metadata, the outside world). Ingress: pods of this namespace, and sources off the pod
 * network (the node's NodePort and port mappings) but no other namespace's pods.
 */
export function isolationPolicy(net: ClusterNetwork, labels: Record<string, string>): KubeObject {
  const api = [...net.apiEndpoints, ...(net.apiService ? [net.apiService] : [])];
  const egress: Record<string, unknown>[] = [
    { to: [{ podSelector: {} }] },
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: TCP, port: 53 },
      ],
    },
    ...api.map((a) => ({ to: [{ ipBlock: { cidr: hostCidr(a.ip) } }], ports: [{ protocol: TCP, port: a.port }] })),
  ];
  const v4 = net.podCidrs.filter((c) => !c.includes(':'));
  const ingress: Record<string, unknown>[] = [
    { from: [{ podSelector: {} }] },
    // off the pod network: the node itself (NodePorts, port mappings from the host); never link-local
    ...(v4.length ? [{ from: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...v4, '169.254.0.0/16'] } }] }] : []),
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: POLICY_NAME, labels },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}

/**
 * client-node serialises a LimitRange through its typed model, whose field for `default` is named
 * `_default`: a plain `default` is silently dropped (and max becomes the default limit). The objects
 * above are in the API's own shape; this renames the one field for the client.
 */
export function forClient(o: KubeObject): KubeObject {
  if (o.kind !== 'LimitRange') return o;
  const limits = (o as unknown as { spec: { limits: Array<Record<string, unknown>> } }).spec.limits;
  return {
    ...o,
    spec: { limits: limits.map(({ default: dflt, ...rest }) => (dflt ? { ...rest, _default: dflt } : rest)) },
  } as KubeObject;
}

export function budgetObjects(net: ClusterNetwork, labels: Record<string, string>): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: QUOTA_NAME, labels },
      spec: { hard: { ...NAMESPACE_QUOTA } },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: LIMITS_NAME, labels },
      spec: { limits: [{ type: 'Container', ...structuredClone(CONTAINER_LIMITS) }] },
    },
    isolationPolicy(net, labels),
  ];
}
