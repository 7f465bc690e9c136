// `sidecar-labs doctor`: every check in order, a ✔/✘ table with the fix for each failure, and the
// verdict "every lab can run" (no check failed; warnings do not stop a lab).
import { existsSync } from 'node:fs';
import { loadLabs, TOOLBOX_IMAGE } from '../../engine/index.ts';
import { loadKubeConfig, type ClusterChoice } from '../../kube/index.ts';
import { CLUSTER_NAME, kindKubeconfigPath } from '../../kube/paths.ts';
import { warmNodeImage } from '../kit-state.ts';
import {
  checkCgroups,
  checkDisk,
  checkDockerEngine,
  checkDockerRuntime,
  checkKitCache,
  checkMemory,
  checkPorts,
} from './host.ts';
import {
  imagesOutcome,
  networkPolicyOutcome,
  permissionsOutcome,
  roomOutcome,
  versionOutcome,
  type ClusterProbe,
} from './kube.ts';
import { maxSessionsSetting } from '../../engine/index.ts';
import { KubeProbe } from './probe.ts';
import { mirrorHealth } from '../mirror.ts';
import { fail, skip, type CheckOutcome, type LabNeeds } from './types.ts';

export type { CheckOutcome, LabNeeds } from './types.ts';

export function labNeeds(): LabNeeds[] {
  return loadLabs().map((l) => ({ slug: l.slug, minKubernetes: l.minKubernetes, images: l.images }));
}

/** Runs one check; a check that throws is a failure that says what went wrong, not a crash. */
async function guarded(name: string, check: () => CheckOutcome | Promise<CheckOutcome>): Promise<CheckOutcome> {
  try {
    return await check();
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    return fail(
      name,
      `could not check: ${msg}`,
      'see the message; run the doctor again with SIDECAR_LABS_DEBUG=1 for details',
    );
  }
}

/** The machine that runs the kind cluster. */
export async function hostChecks(): Promise<CheckOutcome[]> {
  const engine = await guarded('Docker engine', checkDockerEngine);
  const dockerUp = engine.status === 'ok';
  const needsDocker = (name: string, check: () => Promise<CheckOutcome>) =>
    dockerUp ? guarded(name, check) : Promise.resolve(skip(name, 'not checked: the Docker engine does not answer'));
  const cold = dockerUp ? !(await warmNodeImage()) : true;
  const mirror = process.env.SIDECAR_LABS_REGISTRY_MIRROR;
  return [
    engine,
    await needsDocker('Docker runtime', checkDockerRuntime),
    await guarded('cgroups', () => checkCgroups()),
    await guarded('free memory', () => checkMemory()),
    await guarded('free disk', () => checkDisk(cold)),
    await needsDocker('ports', checkPorts),
    await needsDocker('kit cache', checkKitCache),
    // only with a mirror configured (cluster up --registry-mirror reads the same variable)
    ...(mirror ? [await guarded('registry mirror', () => mirrorHealth(mirror))] : []),
  ];
}

/** A reachable cluster: version against each lab, rights, images, NetworkPolicy. */
export async function clusterChecks(
  probe: ClusterProbe,
  labs: LabNeeds[],
  choice: ClusterChoice,
): Promise<CheckOutcome[]> {
  let version: Awaited<ReturnType<ClusterProbe['version']>>;
  try {
    version = await probe.version();
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const fix =
      choice === 'kind'
        ? 'npx sidecar-labs cluster up (it repairs or re-creates the kind cluster)'
        : 'check the kubeconfig context (kubectl cluster-info)';
    return [fail('Kubernetes API', `${probe.describe} does not answer: ${why}`, fix)];
  }
  const rights = await guarded('permissions', () => permissionsOutcome(probe));
  const out = [versionOutcome(version, labs), rights];
  if (rights.status !== 'ok') {
    const why = 'not checked: the probes need the rights above';
    return [...out, skip('lab images', why), skip('NetworkPolicy', why), skip('session room', why)];
  }
  out.push(await guarded('lab images', () => imagesOutcome(probe, labs, [TOOLBOX_IMAGE], choice === 'current')));
  out.push(await guarded('NetworkPolicy', () => networkPolicyOutcome(probe, choice === 'kind')));
  out.push(await guarded('session room', () => roomOutcome(probe, maxSessionsSetting())));
  return out;
}

export interface DoctorOptions {
  cluster: ClusterChoice;
  labs?: LabNeeds[];
  /** Given by tests; otherwise a KubeProbe on the chosen kubeconfig. */
  probe?: ClusterProbe & { close?: () => Promise<void> };
  /** Skip the probes that need the cluster (npm start's quick look after a failure). */
  hostOnly?: boolean;
}

export async function runDoctor(opts: DoctorOptions): Promise<CheckOutcome[]> {
  const labs = opts.labs ?? labNeeds();
  const results = opts.cluster === 'kind' ? await hostChecks() : [];
  if (opts.hostOnly) return results;
  if (opts.cluster === 'kind' && results[0]?.status !== 'ok')
    return [...results, skip('kind cluster', 'not checked: the Docker engine does not answer')];
  if (opts.cluster === 'kind' && !opts.probe && !existsSync(kindKubeconfigPath())) {
    return [
      ...results,
      fail(
        'kind cluster',
        `"${CLUSTER_NAME}" is not created yet`,
        'npx sidecar-labs cluster up (npm start does it by itself)',
      ),
    ];
  }
  const probe =
    opts.probe ??
    (() => {
      const loaded = loadKubeConfig(opts.cluster);
      return new KubeProbe(loaded.kc, loaded.describe);
    })();
  try {
    return [...results, ...(await clusterChecks(probe, labs, opts.cluster))];
  } finally {
    await probe.close?.();
  }
}

export const labsCanRun = (results: CheckOutcome[]) => results.every((r) => r.status !== 'fail');

const mark = { ok: '✔', fail: '✘', warn: '!', skip: '–' } as const;

export function formatTable(results: CheckOutcome[]): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.map((r) => {
    const head = `  ${mark[r.status]} ${r.name.padEnd(width)}  ${r.detail}`;
    return r.fix && r.status !== 'ok' ? `${head}\n  ${' '.repeat(width + 4)}fix: ${r.fix}` : head;
  });
  return lines.join('\n') + '\n';
}
