// Provisioning a session namespace: the one path shared by start, reset and the warm pool's fill
// (which starts sessions). Budget first, then the terminal's objects and the lab's setup, then wait
// until their pods are ready and have stayed up for the lab's settle window.
import type { Kube } from '../kube.ts';
import { setupObjects, type KubeObject, type Lab } from '../load.ts';
import { nodePortEnv, rewriteFiles, rewriteObjects, type NodePortMap } from '../node-ports.ts';
import { terminalObjects, TERMINAL_POD } from '../terminal.ts';
import { targetsFor, waitForPods, type PodTarget } from '../wait.ts';
import { applyAll } from './apply.ts';
import type { EngineCore } from './core.ts';
import { applyBudget } from './fence.ts';
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

/** Into an existing (empty or just cleared) namespace: budget, terminal, setup; then wait and settle. */
export async function provision(core: EngineCore, t: ProvisionTarget, opts: ProvisionOptions): Promise<void> {
  const setup = sessionSetup(t);
  const infra = t.terminal ? terminalFor(t) : [];
  await applyBudget(core, t.namespace, opts.signal);
  const applied = (done: number, total: number, what: string) => opts.progress('apply', `applied ${what}`, done, total);
  await applyAll(core.kube, t.namespace, [...infra, ...setup], applied, opts.signal);
  await waitForSessionPods(core.kube, t, setup, opts);
  sessionKubeconfig(core.kube, t.namespace);
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
