// The kind provider: create, delete and inspect the one-node cluster the labs run on.
import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './exec.ts';
import { ClusterError } from './errors.ts';
import { CLUSTER_NAME, cacheDir, kindKubeconfigPath } from '../kube/paths.ts';
import { CERTS_DIR, CONTAINERD_PATCH } from './mirror.ts';

/**
 * Admission plugins the kind API server runs besides its defaults. DenyServiceExternalIPs refuses every
 * new `spec.externalIPs` (CVE-2020-8554: a Service with an external IP captures the traffic the node
 * sends to that address); deploy/no-external-ips.yaml says the same for other clusters.
 */
export const ADMISSION_PLUGINS = ['NodeRestriction', 'DenyServiceExternalIPs'];

/** Processes (threads included) one pod may run: a fork bomb in a terminal stops here, not at the node's limit. */
export const POD_PIDS_LIMIT = 1024;

export { NODE_PORTS, hostPorts, nodePortBase, hostNodePorts } from '../kube/index.ts';
import { hostPorts } from '../kube/index.ts';

export interface KindConfigOptions {
  /** Offline node images carry a static bridge CNI config instead of kindnet (whose image we lack). */
  offline: boolean;
  /** Kubelet ≥1.35 refuses cgroup v1 hosts unless told `failCgroupV1: false`. */
  allowCgroupV1?: boolean;
  ports?: Array<{ container: number; host: number }>;
  /** A host directory of per-registry hosts.toml files (mirror.ts), mounted at containerd's certs.d. */
  mirrorHostsDir?: string;
}

/** True on a cgroup v1 host when the node image is Kubernetes 1.35 or newer (its tag names the version). */
export function needsCgroupV1Opt(
  image: string | undefined,
  cgroupV2 = existsSync('/sys/fs/cgroup/cgroup.controllers'),
): boolean {
  const m = /:v1\.(\d+)\./.exec(image ?? '');
  return !cgroupV2 && Boolean(m && Number(m[1]) >= 35);
}

export function kindConfig({ offline, allowCgroupV1, ports = hostPorts(), mirrorHostsDir }: KindConfigOptions): string {
  const mappings = ports.map(
    (p) => `      - { containerPort: ${p.container}, hostPort: ${p.host}, listenAddress: "127.0.0.1", protocol: TCP }`,
  );
  return [
    'kind: Cluster',
    'apiVersion: kind.x-k8s.io/v1alpha4',
    `name: ${CLUSTER_NAME}`,
    'networking:',
    '  apiServerAddress: "127.0.0.1"',
    ...(offline ? ['  disableDefaultCNI: true'] : []),
    // the node's kubelet caps every pod's process count (a fork bomb stays inside its pod); kubelet
    // >= 1.35 on a cgroup v1 host must also be told not to refuse it
    'kubeadmConfigPatches:',
    '  - |',
    '    apiVersion: kubelet.config.k8s.io/v1beta1',
    '    kind: KubeletConfiguration',
    `    podPidsLimit: ${POD_PIDS_LIMIT}`,
    ...(allowCgroupV1 ? ['    failCgroupV1: false'] : []),
    // no apiVersion: kind applies the patch to the kubeadm ClusterConfiguration of whichever version it writes
    '  - |',
    '    kind: ClusterConfiguration',
    '    apiServer:',
    '      extraArgs:',
    `        enable-admission-plugins: ${ADMISSION_PLUGINS.join(',')}`,
    ...(mirrorHostsDir
      ? ['containerdConfigPatches:', '  - |-', ...CONTAINERD_PATCH.split('\n').map((l) => `    ${l}`)]
      : []),
    'nodes:',
    '  - role: control-plane',
    ...(mappings.length ? ['    extraPortMappings:', ...mappings] : []),
    ...(mirrorHostsDir
      ? [
          '    extraMounts:',
          `      - { hostPath: ${JSON.stringify(mirrorHostsDir)}, containerPath: "${CERTS_DIR}", readOnly: true }`,
        ]
      : []),
    '',
  ].join('\n');
}

async function kind(args: string[], onLine?: (l: string) => void) {
  const r = await run('kind', args, { onLine });
  if (r.code === 127) {
    throw new ClusterError(
      'kind is not installed. Install it (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) or ' +
        'run `npx sidecar-labs cluster up --offline`, which builds it from Go modules.',
    );
  }
  return r;
}

export async function clusterExists(): Promise<boolean> {
  const r = await kind(['get', 'clusters']);
  return r.code === 0 && r.stdout.split('\n').some((l) => l.trim() === CLUSTER_NAME);
}

/** The node image the existing cluster runs, or undefined. */
export async function currentNodeImage(): Promise<string | undefined> {
  const r = await run('docker', ['inspect', '--format', '{{.Config.Image}}', `${CLUSTER_NAME}-control-plane`]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export async function nodeRunning(): Promise<boolean> {
  const r = await run('docker', ['inspect', '--format', '{{.State.Running}}', `${CLUSTER_NAME}-control-plane`]);
  return r.code === 0 && r.stdout.trim() === 'true';
}

export async function createCluster(opts: {
  image?: string;
  offline: boolean;
  mirrorHostsDir?: string;
  onLine?: (l: string) => void;
}): Promise<void> {
  const configPath = join(cacheDir(), `kind-config-${CLUSTER_NAME}.yaml`);
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(
    configPath,
    kindConfig({
      offline: opts.offline,
      allowCgroupV1: needsCgroupV1Opt(opts.image),
      mirrorHostsDir: opts.mirrorHostsDir,
    }),
  );
  const args = [
    'create',
    'cluster',
    '--name',
    CLUSTER_NAME,
    '--config',
    configPath,
    '--kubeconfig',
    kindKubeconfigPath(),
    '--wait',
    '0s',
  ];
  if (opts.image) args.push('--image', opts.image);
  const r = await kind(args, opts.onLine);
  if (r.code !== 0) {
    throw new ClusterError(
      `kind could not create the cluster (exit ${r.code}):\n${r.stderr.trim().split('\n').slice(-12).join('\n')}\n` +
        'Run `npx sidecar-labs cluster down` to clear what is left, then `npx sidecar-labs cluster up` again.',
    );
  }
}

export async function deleteCluster(): Promise<void> {
  const r = await kind(['delete', 'cluster', '--name', CLUSTER_NAME, '--kubeconfig', kindKubeconfigPath()]);
  if (r.code !== 0) throw new ClusterError(`kind could not delete the cluster: ${r.stderr.trim()}`);
  rmSync(kindKubeconfigPath(), { force: true });
}

export async function loadImages(images: string[], onLine?: (l: string) => void): Promise<void> {
  const r = await kind(['load', 'docker-image', '--name', CLUSTER_NAME, ...images], onLine);
  if (r.code !== 0) throw new ClusterError(`kind could not load images into the cluster: ${r.stderr.trim()}`);
}

export async function loadImageArchive(archive: string, onLine?: (l: string) => void): Promise<void> {
  const r = await kind(['load', 'image-archive', '--name', CLUSTER_NAME, archive], onLine);
  if (r.code !== 0) throw new ClusterError(`kind could not load ${archive} into the cluster: ${r.stderr.trim()}`);
}
