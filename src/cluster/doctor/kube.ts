// The doctor's checks of a cluster (kind or your own): reachable, new enough for every lab, the rights
// the lab server and `validate` need, the lab images, NetworkPolicy enforcement. They talk to the
// cluster only through ClusterProbe, so a unit test can play any cluster.
import { fail, ok, warn, type CheckOutcome, type LabNeeds } from './types.ts';
import { SESSION_REQUESTS, type Room } from '../../engine/index.ts';

export interface Access {
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  name?: string;
}

export type PolicyProbe = 'enforced' | 'not-enforced' | 'no-connectivity';

export interface ClusterProbe {
  describe: string;
  version(): Promise<{ major: number; minor: number; gitVersion: string }>;
  /** SelfSubjectAccessReview in every namespace (the server creates a namespace per session). */
  allowed(a: Access): Promise<boolean>;
  nodeImages(): Promise<string[]>;
  /** For images on no node: true pulled, false refused, undefined still unknown after the wait. */
  pullable(images: string[]): Promise<Map<string, boolean | undefined>>;
  networkPolicy(): Promise<PolicyProbe>;
  /** Room for sessions at their full budget on the schedulable nodes. */
  room(): Promise<Room>;
}

/** What the lab server and `validate` do on a cluster, as the access reviews that allow it. */
export const PERMISSIONS: readonly Access[] = [
  { verb: 'create', resource: 'namespaces' },
  { verb: 'delete', resource: 'namespaces' },
  { verb: 'list', resource: 'namespaces' },
  { verb: 'patch', resource: 'namespaces' },
  { verb: 'create', resource: 'serviceaccounts' },
  { verb: 'create', resource: 'rolebindings', group: 'rbac.authorization.k8s.io' },
  { verb: 'bind', resource: 'clusterroles', group: 'rbac.authorization.k8s.io', name: 'edit' },
  { verb: 'create', resource: 'configmaps' },
  { verb: 'create', resource: 'pods' },
  { verb: 'delete', resource: 'pods' },
  { verb: 'watch', resource: 'pods' },
  { verb: 'create', resource: 'pods', subresource: 'exec' },
  { verb: 'get', resource: 'pods', subresource: 'log' },
  { verb: 'create', resource: 'services' },
  { verb: 'create', resource: 'deployments', group: 'apps' },
  { verb: 'create', resource: 'jobs', group: 'batch' },
  { verb: 'list', resource: 'nodes' },
];

export const accessText = (a: Access) =>
  `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.name ? ` "${a.name}"` : ''}`;

/** "1.29" → [1, 29]; the labs' minKubernetes is major.minor. */
const parseMinor = (v: string) => v.split('.').map(Number) as [number, number];

export function tooOld(version: { major: number; minor: number }, labs: LabNeeds[]): LabNeeds[] {
  return labs.filter((l) => {
    const [maj, min] = parseMinor(l.minKubernetes);
    return version.major < maj || (version.major === maj && version.minor < min);
  });
}

export function versionOutcome(
  version: { major: number; minor: number; gitVersion: string },
  labs: LabNeeds[],
): CheckOutcome {
  const name = 'Kubernetes version';
  const old = tooOld(version, labs);
  if (!old.length) {
    const need = labs.map((l) => l.minKubernetes).sort((a, b) => parseMinor(b)[1] - parseMinor(a)[1])[0] ?? '?';
    return ok(name, `${version.gitVersion}: every lab's minimum is met (highest: ${need})`);
  }
  const list = old.map((l) => `${l.slug} needs ≥${l.minKubernetes}`).join(', ');
  const highest = old.map((l) => l.minKubernetes).sort((a, b) => parseMinor(b)[1] - parseMinor(a)[1])[0];
  return fail(
    name,
    `${version.gitVersion} is older than ${old.length} lab(s) need: ${list}`,
    `use a cluster running Kubernetes ${highest} or newer (npx sidecar-labs cluster up makes one), or upgrade this one`,
  );
}

export async function permissionsOutcome(probe: ClusterProbe): Promise<CheckOutcome> {
  const name = 'permissions';
  const denied: Access[] = [];
  for (const a of PERMISSIONS) if (!(await probe.allowed(a))) denied.push(a);
  if (!denied.length)
    return ok(
      name,
      `all ${PERMISSIONS.length} the lab server and validate need (namespaces, RBAC, pods/exec, services, …)`,
    );
  return fail(
    name,
    `not allowed to ${denied.map(accessText).join(', ')}`,
    'the labs create a namespace per learner with a RoleBinding to "edit" in it: use a kubeconfig with cluster-admin, ' +
      'e.g. kubectl create clusterrolebinding sidecar-labs --clusterrole=cluster-admin --user=<you>',
  );
}

const bareName = (img: string) => [img, img.replace(/^docker\.io\/library\//, ''), img.replace(/^docker\.io\//, '')];

export async function imagesOutcome(
  probe: ClusterProbe,
  labs: LabNeeds[],
  extra: string[],
  pullAllowed: boolean,
): Promise<CheckOutcome> {
  const name = 'lab images';
  const wanted = [...new Set([...labs.flatMap((l) => l.images), ...extra])].sort();
  const have = new Set(await probe.nodeImages());
  const missing = wanted.filter((img) => !bareName(img).some((n) => have.has(n)));
  if (!missing.length) return ok(name, `all ${wanted.length} present on the node(s)`);
  if (!pullAllowed) {
    return fail(
      name,
      `not on the node: ${missing.join(', ')}`,
      'npx sidecar-labs cluster up loads them into the kind cluster (it builds them offline when needed)',
    );
  }
  const pulled = await probe.pullable(missing);
  const refused = missing.filter((i) => pulled.get(i) === false);
  const unknown = missing.filter((i) => pulled.get(i) === undefined);
  if (refused.length)
    return fail(
      name,
      `cannot be pulled: ${refused.join(', ')}`,
      'load them onto the nodes (docker save | ctr import, kind load, k3d image import) or give the cluster a registry that has them',
    );
  if (unknown.length)
    return warn(
      name,
      `still pulling after the wait: ${unknown.join(', ')}`,
      'run the doctor again; a slow registry makes the first lab start slow',
    );
  return ok(name, `${wanted.length - missing.length} on the node(s), ${missing.length} pullable`);
}

const mib = (b: number) => `${Math.round(b / 2 ** 20).toLocaleString('en')} MiB`;

/** How many sessions fit at their full budget, against the sessions the server will open. */
export async function roomOutcome(probe: ClusterProbe, maxSessions: number): Promise<CheckOutcome> {
  const name = 'session room';
  const r = await probe.room();
  const each = `${SESSION_REQUESTS.cpuMilli}m CPU / ${mib(SESSION_REQUESTS.memoryBytes)} requested at most per session`;
  const free = `${r.freeCpuMilli.toLocaleString('en')}m CPU and ${mib(r.freeMemoryBytes)} free of the allocatable`;
  const detail = `${r.sessions} session${r.sessions === 1 ? '' : 's'} fit (${each}; ${free})`;
  if (r.sessions >= maxSessions) return ok(name, `${detail}; the server opens at most ${maxSessions}`);
  if (r.sessions === 0)
    return fail(name, detail, `free ${r.bound === 'cpu' ? 'CPU' : 'memory'} on the node(s): no session can start`);
  return warn(
    name,
    `${detail}, fewer than the ${maxSessions} the server opens at most: past ${r.sessions}, a new session may wait for ${r.bound === 'cpu' ? 'CPU' : 'memory'}`,
    `SIDECAR_LABS_MAX_SESSIONS=${r.sessions} (workshop --max-sessions ${r.sessions}), or give the cluster more ${r.bound === 'cpu' ? 'CPU' : 'memory'}`,
  );
}

export async function networkPolicyOutcome(probe: ClusterProbe, kind = false): Promise<CheckOutcome> {
  const name = 'NetworkPolicy';
  const r = await probe.networkPolicy();
  if (r === 'enforced') return ok(name, 'enforced: a deny policy stopped traffic between two probe pods');
  if (r === 'no-connectivity')
    return fail(
      name,
      'two probe pods could not reach each other even without a policy',
      'the cluster network (CNI) is broken: check the CNI pods in kube-system',
    );
  const fix = kind
    ? 're-create the kind cluster with a Sidecar Labs that installs the NetworkPolicy enforcer: `npx sidecar-labs cluster down && npx sidecar-labs cluster up`'
    : 'use a CNI that enforces NetworkPolicy (Calico, Cilium), or the kind cluster (`npx sidecar-labs cluster up`)';
  return warn(
    name,
    "not enforced: a deny policy did not stop traffic between two probe pods, so learners' namespaces are not isolated from each other",
    fix,
  );
}
