// `cluster up|down|status`: the one place that decides online versus offline and drives kind.
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { run } from './exec.ts';
import { ClusterError } from './errors.ts';
import { buildImageArchive, buildOfflineNodeImage, LAB_IMAGES, PROJECT_IMAGES } from './kit.ts';
import { checkDocker, checkPortsFree } from './preflight.ts';
import {
  clusterExists,
  createCluster,
  currentNodeImage,
  deleteCluster,
  loadImageArchive,
  loadImages,
  nodeRunning,
  hostNodePorts,
  POD_PIDS_LIMIT,
} from './kind.ts';
import { waitForClusterReady } from './ready.ts';
import { installEnforcer, installReaper } from './system.ts';
import { CLUSTER_NAME, kindKubeconfigPath } from './paths.ts';
import type { Progress } from './progress.ts';

/** True when Docker Hub answers at all (any HTTP status); false when no registry is reachable. */
export async function registryReachable(timeoutMs = 3000): Promise<boolean> {
  try {
    await fetch('https://registry-1.docker.io/v2/', { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kindKubeconfigPath());
  return kc;
}

async function apiAnswers(): Promise<boolean> {
  if (!existsSync(kindKubeconfigPath())) return false;
  try {
    await kubeConfig().makeApiClient(CoreV1Api).listNode();
    return true;
  } catch {
    return false;
  }
}

export interface UpOptions {
  offline?: boolean;
  progress: Progress;
}

export async function clusterUp({
  offline: forceOffline,
  progress,
}: UpOptions): Promise<{ offline: boolean; image?: string; reused: boolean }> {
  progress.phase('checking Docker');
  const docker = await checkDocker();
  progress.detail(`Docker engine ${docker}`);

  const offline = Boolean(forceOffline) || process.env.SIDECAR_LABS_OFFLINE === '1' || !(await registryReachable());
  progress.detail(
    offline
      ? 'no registry reachable (or --offline): using the offline kit'
      : 'registry reachable: using upstream images',
  );

  const image = offline ? await buildOfflineNodeImage(progress) : undefined;

  let reused = false;
  if (await clusterExists()) {
    const runningImage = await currentNodeImage();
    const stale = offline && runningImage !== image;
    if (!stale && (await nodeRunning()) && (await apiAnswers())) {
      reused = true;
      progress.phase(`cluster "${CLUSTER_NAME}" is already up`);
    } else {
      progress.phase(
        stale
          ? `replacing cluster "${CLUSTER_NAME}" (its node image ${runningImage} is out of date)`
          : `replacing cluster "${CLUSTER_NAME}" (not healthy)`,
      );
      await deleteCluster();
    }
  }
  if (!reused) {
    await checkPortsFree(hostNodePorts());
    progress.phase(`creating kind cluster "${CLUSTER_NAME}"${image ? ` from ${image}` : ''}`);
    await createCluster({ image, offline, onLine: (l) => progress.detail(l) });
    if (!offline) {
      progress.phase('loading the lab images');
      const upstream = LAB_IMAGES.filter((i) => !PROJECT_IMAGES.includes(i));
      for (const img of upstream) {
        const pull = await run('docker', ['pull', '-q', img]);
        if (pull.code !== 0)
          throw new ClusterError(`could not pull ${img}: ${pull.stderr.trim()}. Retry, or use --offline.`);
      }
      await loadImages([...upstream], (l) => progress.detail(l));
      await loadImageArchive(await buildImageArchive(progress), (l) => progress.detail(l));
    }
  }
  progress.phase('waiting for the node and the system pods');
  const kc = kubeConfig();
  await waitForClusterReady(kc);
  if (reused && !(await hasPidLimit(kc))) {
    progress.detail(
      `this cluster predates the per-pod process limit (${POD_PIDS_LIMIT}): \`npx sidecar-labs cluster down && npx sidecar-labs cluster up\` re-creates it with the limit`,
    );
  }
  // kindnetd enforces NetworkPolicies online; the offline kit's bridge CNI needs the kit's enforcer
  if (offline) await installEnforcer(kc, progress);
  await installReaper(kc, progress);
  return { offline, image, reused };
}

/** Does the node's kubelet cap processes per pod as kindConfig asks? (its live configuration, /configz) */
async function hasPidLimit(kc: KubeConfig): Promise<boolean> {
  try {
    const core = kc.makeApiClient(CoreV1Api);
    const node = (await core.listNode()).items[0]?.metadata?.name;
    if (!node) return false;
    const body = await core.connectGetNodeProxyWithPath({ name: node, path: 'configz' });
    return JSON.parse(String(body)).kubeletconfig?.podPidsLimit === POD_PIDS_LIMIT;
  } catch {
    return false;
  }
}

export async function clusterDown(progress: Progress): Promise<boolean> {
  progress.phase('checking Docker');
  await checkDocker();
  if (!(await clusterExists())) return false;
  progress.phase(`deleting kind cluster "${CLUSTER_NAME}"`);
  await deleteCluster();
  return true;
}

export interface ClusterStatus {
  exists: boolean;
  running: boolean;
  apiReachable: boolean;
  image?: string;
  nodes: Array<{ name: string; ready: boolean; version: string }>;
  kubeconfig: string;
}

export async function clusterStatus(): Promise<ClusterStatus> {
  await checkDocker();
  const exists = await clusterExists();
  const status: ClusterStatus = {
    exists,
    running: false,
    apiReachable: false,
    nodes: [],
    kubeconfig: kindKubeconfigPath(),
  };
  if (!exists) return status;
  status.running = await nodeRunning();
  status.image = await currentNodeImage();
  try {
    const nodes = await kubeConfig().makeApiClient(CoreV1Api).listNode();
    status.apiReachable = true;
    status.nodes = nodes.items.map((n) => ({
      name: n.metadata?.name ?? '?',
      ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      version: n.status?.nodeInfo?.kubeletVersion ?? '?',
    }));
  } catch {
    status.apiReachable = false;
  }
  return status;
}
