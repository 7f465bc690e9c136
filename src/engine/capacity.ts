// How many sessions the cluster has room for: each session may request up to its quota
// (budget.ts NAMESPACE_QUOTA requests.*), so a node fits as many sessions as its allocatable CPU and
// memory, less what the system's own pods request, hold at that ceiling. One learner asking for
// their whole budget then never leaves another session's terminal unschedulable, as long as the
// server opens no more sessions than fit (`--max-sessions`, SIDECAR_LABS_MAX_SESSIONS).
import { NAMESPACE_QUOTA } from './budget.ts';
import { bytesOf, milliCpu } from './quantity.ts';

import { DEFAULT_MAX_SESSIONS } from '../config/defaults.ts';

export { DEFAULT_MAX_SESSIONS };

export function maxSessionsSetting(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.SIDECAR_LABS_MAX_SESSIONS) || DEFAULT_MAX_SESSIONS;
}

/** The most one session may request: its quota. */
export const SESSION_REQUESTS = {
  cpuMilli: milliCpu(NAMESPACE_QUOTA['requests.cpu']),
  memoryBytes: bytesOf(NAMESPACE_QUOTA['requests.memory']),
};

export interface Room {
  /** Summed over the nodes: allocatable less what pods outside sessions request. */
  freeCpuMilli: number;
  freeMemoryBytes: number;
  /** Sessions that fit at their full budget. */
  sessions: number;
  /** Which resource runs out first. */
  bound: 'cpu' | 'memory';
}

export interface PodRequests {
  namespace: string;
  cpuMilli: number;
  memoryBytes: number;
}

/** Room for sessions, given the nodes' allocatable and the requests of the pods that are not sessions'. */
export function sessionRoom(allocatable: { cpuMilli: number; memoryBytes: number }, systemPods: PodRequests[]): Room {
  const freeCpuMilli = allocatable.cpuMilli - systemPods.reduce((s, p) => s + p.cpuMilli, 0);
  const freeMemoryBytes = allocatable.memoryBytes - systemPods.reduce((s, p) => s + p.memoryBytes, 0);
  const byCpu = Math.max(0, Math.floor(freeCpuMilli / SESSION_REQUESTS.cpuMilli));
  const byMemory = Math.max(0, Math.floor(freeMemoryBytes / SESSION_REQUESTS.memoryBytes));
  return {
    freeCpuMilli,
    freeMemoryBytes,
    sessions: Math.min(byCpu, byMemory),
    bound: byCpu <= byMemory ? 'cpu' : 'memory',
  };
}

type Resources = { resources?: { requests?: Record<string, string> }; restartPolicy?: string };

interface PodLike {
  metadata?: { namespace?: string };
  status?: { phase?: string };
  spec?: { containers?: Resources[]; initContainers?: Resources[] };
}

/**
 * What a pod requests as the scheduler counts it: its containers plus its native sidecars (init
 * containers that keep running), or its largest plain init container when that is more.
 */
export function podRequests(pod: PodLike): PodRequests {
  const req = (key: 'cpu' | 'memory') => {
    const of = (c: Resources) => {
      const q = c.resources?.requests?.[key] ?? '0';
      return key === 'cpu' ? milliCpu(q) : bytesOf(q);
    };
    const inits = pod.spec?.initContainers ?? [];
    const running = [...(pod.spec?.containers ?? []), ...inits.filter((c) => c.restartPolicy === 'Always')];
    const plain = inits.filter((c) => c.restartPolicy !== 'Always').map(of);
    return Math.max(
      running.map(of).reduce((s, v) => s + v, 0),
      ...plain,
    );
  };
  return { namespace: pod.metadata?.namespace ?? '', cpuMilli: req('cpu'), memoryBytes: req('memory') };
}

/** Pods that hold node resources: not finished. */
export function holdsResources(pod: PodLike): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}
