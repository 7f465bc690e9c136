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
import { mirrorHas, mirrorReachable, nodeMirrorBase, pullThroughMirror, writeHostsDir } from './mirror.ts';
import { join } from 'node:path';
import { cacheDir } from '../kube/paths.ts';
import { installAdmissionPolicies, installEnforcer, installInjector, installReaper } from './system.ts';
import { CLUSTER_NAME, kindKubeconfigPath } from '../kube/paths.ts';
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
  /** Pull every image through this registry mirror (mirror.ts); also SIDECAR_LABS_REGISTRY_MIRROR. */
  registryMirror?: string;
  /** The kind node image to use online (e.g. one held by the mirror); also SIDECAR_LABS_NODE_IMAGE. */
  nodeImage?: string;
  progress: Progress;
}

export async function clusterUp(opts: UpOptions): Promise<{ offline: boolean; image?: string; reused: boolean }> {
  const { offline: forceOffline, progress } = opts;
  const mirror = opts.registryMirror ?? (process.env.SIDECAR_LABS_REGISTRY_MIRROR || undefined);
  progress.phase('checking Docker');
  const docker = await checkDocker();
  progress.detail(`Docker engine ${docker}`);

  const offline =
    Boolean(forceOffline) ||
    process.env.SIDECAR_LABS_OFFLINE === '1' ||
    !(mirror ? await mirrorReachable(mirror) : await registryReachable());
  progress.detail(
    offline
      ? `no registry reachable${mirror ? ` (mirror ${mirror})` : ''} (or --offline): using the offline kit`
      : `registry reachable${mirror ? ` through the mirror ${mirror}` : ''}: using upstream images`,
  );

  const image = await nodeImageFor(offline, mirror, opts.nodeImage, progress);
  // The kit's node image has no kindnet (a bridge CNI config and the kit's enforcer instead), online or not.
  const bridgeCni = offline || Boolean(image?.includes('sidecar-labs/node:'));

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
    const mirrorHostsDir =
      !offline && mirror
        ? writeHostsDir(join(cacheDir(), `containerd-hosts-${CLUSTER_NAME}`), await nodeMirrorBase(mirror))
        : undefined;
    progress.phase(
      `creating kind cluster "${CLUSTER_NAME}"${image ? ` from ${image}` : ''}${mirrorHostsDir ? ` pulling through ${mirror}` : ''}`,
    );
    await createCluster({ image, offline: bridgeCni, mirrorHostsDir, onLine: (l) => progress.detail(l) });
    if (!offline) await loadLabImages(mirror, progress);
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
  if (bridgeCni) await installEnforcer(kc, progress);
  await installAdmissionPolicies(kc, progress);
  await installReaper(kc, progress);
  await installInjector(kc, progress);
  return { offline, image, reused };
}

/** The node image: the kit's offline; online the one named (pulled through the mirror when there is one), else kind's. */
async function nodeImageFor(
  offline: boolean,
  mirror: string | undefined,
  named: string | undefined,
  progress: Progress,
): Promise<string | undefined> {
  if (offline) return buildOfflineNodeImage(progress);
  const image = named ?? (process.env.SIDECAR_LABS_NODE_IMAGE || undefined);
  if (mirror && image) {
    progress.phase(`pulling the node image ${image} through the mirror`);
    await pullThroughMirror(mirror, image);
  }
  return image;
}

/** Online: the node pulls through the mirror (loading only what it lacks), or the host pulls and loads. */
async function loadLabImages(mirror: string | undefined, progress: Progress): Promise<void> {
  if (mirror) {
    // The node pulls the lab images itself, through the mirror; only the project's own images are
    // built and loaded when the mirror lacks them.
    const missing = [];
    for (const img of PROJECT_IMAGES) if (!(await mirrorHas(mirror, img))) missing.push(img);
    if (missing.length) {
      progress.detail(`the mirror lacks ${missing.join(', ')}: building and loading them`);
      await loadImageArchive(await buildImageArchive(progress), (l) => progress.detail(l));
    }
  } else {
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
