// What `cluster up` installs beside Kubernetes itself, from the manifests in deploy/:
//   reaper.yaml  a CronJob that deletes expired lab namespaces, whether or not a lab server runs
//   netpol.yaml  offline only: the kit's NetworkPolicy enforcer (online, kind's kindnetd enforces them)
//   injector.yaml the sidecar injector: a mutating webhook for lab Pods that opt in (failurePolicy Ignore)
//   no-external-ips.yaml  an admission policy: no Service of a session sets spec.externalIPs (the API
//                server's DenyServiceExternalIPs says so too, on clusters created since it is set)
// Applied with server-side apply, so running `cluster up` again is harmless.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { run } from './exec.ts';
import { ClusterError } from './errors.ts';
import { loadImageArchive } from './kind.ts';
import { buildImageArchive } from './kit.ts';
import { labImage } from '../course/images.ts';
import { watchUntil } from './ready.ts';
import type { Progress } from './progress.ts';

export const deployDir = fileURLToPath(new URL('../../deploy/', import.meta.url));
const kitDir = fileURLToPath(new URL('../../scripts/kit/', import.meta.url));
export const NETPOL_IMAGE = 'docker.io/sidecarlabs/netpol:0.1.0';
/** Set on the enforcer's pod template: a new build rolls the DaemonSet. */
const BUILD_ANNOTATION = 'sidecar-labs.dev/build';

export function manifestObjects(file: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o?.kind);
}

async function applyObjects(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const o of objects) {
    try {
      await api.patch(o, undefined, undefined, 'sidecar-labs', true, PatchStrategy.ServerSideApply);
    } catch (e) {
      throw new ClusterError(`could not apply ${o.kind} "${o.metadata?.name}": ${(e as Error).message}`);
    }
  }
}

/** Builds the enforcer's image archive with the kit (cached by its inputs); returns its path. */
async function buildNetpol(progress: Progress): Promise<string> {
  const r = await run('bash', [`${kitDir}build-netpol.sh`], {
    onLine: (l) => progress.detail(l.replace(/^\[[^\]]*\]\s*/, '')),
  });
  const out = r.stdout.trim().split('\n').pop() ?? '';
  if (r.code !== 0 || !out.endsWith('.tar')) {
    throw new ClusterError(
      `building the NetworkPolicy enforcer failed (exit ${r.code}):\n${r.stderr.trim().split('\n').slice(-10).join('\n')}`,
    );
  }
  return out;
}

export async function installEnforcer(kc: KubeConfig, progress: Progress): Promise<void> {
  progress.phase('installing the NetworkPolicy enforcer');
  const archive = await buildNetpol(progress);
  const build = basename(archive, '.tar');
  const objects = manifestObjects(`${deployDir}netpol.yaml`);
  const ds = objects.find((o) => o.kind === 'DaemonSet') as KubernetesObject & {
    spec: { template: { metadata: { annotations?: Record<string, string> } } };
  };
  ds.spec.template.metadata.annotations = { ...ds.spec.template.metadata.annotations, [BUILD_ANNOTATION]: build };
  const current = (await KubernetesObjectApi.makeApiClient(kc)
    .read({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: ds.metadata!.name!, namespace: ds.metadata!.namespace! },
    })
    .catch(() => undefined)) as typeof ds | undefined;
  if (current?.spec.template.metadata.annotations?.[BUILD_ANNOTATION] !== build)
    await loadImageArchive(archive, (l) => progress.detail(l));
  await applyObjects(kc, objects);
  await watchUntil(
    kc,
    `/apis/apps/v1/namespaces/${ds.metadata!.namespace}/daemonsets`,
    (objs) => {
      const d = objs.get(`${ds.metadata!.namespace}/${ds.metadata!.name}`) as
        { status?: Record<string, number>; metadata?: { generation?: number } } | undefined;
      const s = d?.status;
      return (
        !!s &&
        s.observedGeneration === d?.metadata?.generation &&
        s.desiredNumberScheduled > 0 &&
        s.numberReady === s.desiredNumberScheduled &&
        (s.updatedNumberScheduled ?? 0) === s.desiredNumberScheduled
      );
    },
    () =>
      'the NetworkPolicy enforcer (DaemonSet kube-system/sidecar-labs-netpol) is not ready; see `kubectl -n kube-system logs ds/sidecar-labs-netpol`',
    120_000,
  );
}

export async function installAdmissionPolicies(kc: KubeConfig, progress: Progress): Promise<void> {
  progress.phase('installing the admission policy against externalIPs');
  await applyObjects(kc, manifestObjects(`${deployDir}no-external-ips.yaml`));
}

export async function installReaper(kc: KubeConfig, progress: Progress): Promise<void> {
  progress.phase('installing the session reaper (CronJob sidecar-labs-system/sidecar-labs-reaper)');
  await applyObjects(kc, manifestObjects(`${deployDir}reaper.yaml`));
}

/** The injector's image, from the one image list (it is also the proxy it injects). */
export const INJECTOR_IMAGE = labImage('/sidecarlabs/injector:');

/**
 * Installs the sidecar injector (deploy/injector.yaml) and waits until it serves: its readiness
 * means it has written its certificate into the webhook's caBundle. A cluster made before the
 * injector existed lacks its image: the kit's image archive brings it.
 */
export async function installInjector(kc: KubeConfig, progress: Progress): Promise<void> {
  const phase = 'installing the sidecar injector (webhook sidecar-labs-system/sidecar-labs-injector)';
  progress.phase(phase);
  const nodes = (await kc.makeApiClient(CoreV1Api).listNode()).items;
  const onEvery = nodes.every((n) => n.status?.images?.some((i) => i.names?.includes(INJECTOR_IMAGE)));
  if (!onEvery) {
    progress.detail(`the node lacks ${INJECTOR_IMAGE} (a cluster older than the injector): loading the kit's images`);
    await loadImageArchive(await buildImageArchive(progress), (l) => progress.detail(l));
    progress.phase(phase);
  }
  await applyObjects(kc, manifestObjects(`${deployDir}injector.yaml`));
  await watchUntil(
    kc,
    '/apis/apps/v1/namespaces/sidecar-labs-system/deployments',
    (objs) => {
      const d = objs.get('sidecar-labs-system/sidecar-labs-injector') as
        { status?: Record<string, number>; metadata?: { generation?: number } } | undefined;
      const s = d?.status;
      return (
        !!s && s.observedGeneration === d?.metadata?.generation && (s.readyReplicas ?? 0) >= 1 && !s.unavailableReplicas
      );
    },
    () =>
      'the sidecar injector (Deployment sidecar-labs-system/sidecar-labs-injector) is not ready; see `kubectl -n sidecar-labs-system logs deploy/sidecar-labs-injector`. Other labs work without it: its webhook ignores failures',
    120_000,
  );
}
