// Provisioning a session namespace: the one path shared by start, reset and the warm pool's fill
// (which starts sessions). Budget first, then the terminal's objects and the lab's setup, then wait
// until their pods are ready and have stayed up for the lab's settle window.
import type { Kube } from '../kube.ts';
import { setupObjects, type KubeObject, type Lab } from '../load.ts';
import { nodePortEnv, rewriteFiles, rewriteObjects, type NodePortMap } from '../node-ports.ts';
import { terminalObjects, TERMINAL_POD } from '../terminal.ts';
import { targetsFor, waitForPods, type PodTarget } from '../wait.ts';
import { applyTogether } from './apply.ts';
import type { EngineCore } from './core.ts';
import { budgetFor, quotaCounted } from './fence.ts';
import { assertNamespaced } from './guard.ts';
import { sessionKubeconfig } from './kubeconfig.ts';
import type { Progress } from './types.ts';

/** Which session to provision. */
export interface ProvisionTarget {
  lab: Lab;
  namespace: string;
  /** The session's NodePorts (substituted into Services, the terminal's env and manifest copies). */
  nodePorts: NodePortMap | undefined;
  terminal: boolean;
}

export interface ProvisionOptions {
  progress: Progress;
  signal?: AbortSignal;
  /** Seconds to wait for setup pods (default 180). */
  readyTimeoutSeconds?: number;
}

/** The lab's setup objects as this session applies them (its NodePorts substituted). */
export function sessionSetup(t: Pick<ProvisionTarget, 'lab' | 'nodePorts'>): KubeObject[] {
  return rewriteObjects(setupObjects(t.lab), t.lab.nodePorts, t.nodePorts);
}

/** The terminal's objects: ServiceAccount, Role(Binding), ConfigMaps, the pod (terminal.ts). */
function terminalFor(t: ProvisionTarget): KubeObject[] {
  const { lab, nodePorts } = t;
  return terminalObjects(
    t.namespace,
    rewriteFiles(lab.files, lab.nodePorts, nodePorts),
    nodePortEnv(lab.nodePorts, nodePorts),
  );
}

/** Kinds that make pods: applied last, once the quota counts the namespace and the ServiceAccount exists. */
const WORKLOADS = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
]);

/**
 * Three rounds of independent objects, each applied concurrently: (1) the budget and everything that
 * makes no pod (ServiceAccount, Role, ConfigMaps, Services…); (2) RoleBindings (their Role exists) while
 * the quota controller counts the namespace; (3) the pods and workloads.
 */
function rounds(objects: KubeObject[]): [KubeObject[], KubeObject[], KubeObject[]] {
  const bindings = objects.filter((o) => o.kind === 'RoleBinding');
  const workloads = objects.filter((o) => WORKLOADS.has(o.kind));
  return [objects.filter((o) => !bindings.includes(o) && !workloads.includes(o)), bindings, workloads];
}

/** Into an existing (empty or just cleared) namespace: budget, terminal, setup; then wait and settle. */
export async function provision(core: EngineCore, t: ProvisionTarget, opts: ProvisionOptions): Promise<void> {
  const { kube } = core;
  const setup = sessionSetup(t);
  const objects = [...(t.terminal ? terminalFor(t) : []), ...setup];
  await assertNamespaced(kube, objects);
  const budget = await budgetFor(core);
  let done = 0;
  const applied = (what: string) => opts.progress('apply', `applied ${what}`, ++done, objects.length);
  const [first, bindings, workloads] = rounds(objects);
  await Promise.all([
    applyTogether(kube, t.namespace, budget, () => undefined, opts.signal),
    applyTogether(kube, t.namespace, first, applied, opts.signal),
  ]);
  await Promise.all([
    quotaCounted(kube, t.namespace, opts.signal),
    applyTogether(kube, t.namespace, bindings, applied, opts.signal),
  ]);
  await applyTogether(kube, t.namespace, workloads, applied, opts.signal);
  await waitForSessionPods(kube, t, setup, opts);
  sessionKubeconfig(kube, t.namespace);
}

/** Waits for the terminal (if any) and the setup's pods to be ready and stay up, reporting progress. */
async function waitForSessionPods(
  kube: Kube,
  t: ProvisionTarget,
  setup: KubeObject[],
  opts: ProvisionOptions,
): Promise<void> {
  const targets: PodTarget[] = [
    ...(t.terminal ? [{ label: 'terminal', name: TERMINAL_POD, replicas: 1 }] : []),
    ...targetsFor(setup, t.lab.setup.wait),
  ];
  const { progress } = opts;
  if (targets.length) progress('wait', `waiting for ${targets.map((x) => x.label).join(', ')}`, 0, targets.length);
  await waitForPods(kube, t.namespace, targets, {
    settleMs: t.lab.setup.settle * 1000,
    timeoutMs: (opts.readyTimeoutSeconds ?? 180) * 1000,
    signal: opts.signal,
    onState: (s) =>
      progress(
        'wait',
        s.ready ? 'pods ready, making sure they stay up' : `waiting for ${s.waitingFor.join('; ')}`,
        s.done,
        s.total,
      ),
  });
}
