// restartsStable: no container of the pod(s) restarted for N seconds, and all of them are running.
import { z } from 'zod';
import type { V1Pod } from '@kubernetes/client-node';
import { containersOf, describeState } from '../pods.ts';
import { checkBase, podRef, onePodRef } from './fields.ts';
import { containerDown, everyPod, findContainer, isContainer, podName, runningSince } from './lookup.ts';
import { defineCheck, type ProbeResult } from './types.ts';

/** The containers the check watches: the named one, else every long-running one (regular and native sidecars). */
function watched(p: V1Pod, container: string | undefined) {
  if (!container) return containersOf(p).filter((c) => !c.init || c.sidecar);
  const c = findContainer(p, container);
  return isContainer(c) ? [c] : c;
}

export const restartsStable = defineCheck({
  type: 'restartsStable',
  schema: z
    .strictObject({
      type: z
        .literal('restartsStable')
        .describe('No container of the pod restarted for N seconds (and all are running).'),
      ...checkBase,
      ...podRef,
      container: z.string().min(1).optional().describe('Only this container (default: all).'),
      seconds: z.number().int().min(1).max(600).default(10).describe('Seconds without a restart.'),
    })
    .superRefine(onePodRef),
  settleSeconds: 0,
  timeoutSeconds: 120,
  settleOf: (c) => c.seconds,
  title: (c) => `no restarts in ${podName(c)} for ${c.seconds}s`,
  async probe(c, ctx) {
    const counts: string[] = [];
    const r = await everyPod(ctx, c, async (p): Promise<ProbeResult | number> => {
      const cs = watched(p, c.container);
      if (!Array.isArray(cs)) return cs;
      let since = 0;
      for (const x of cs) {
        counts.push(`${x.name}: ${x.status?.restartCount ?? 0} restarts, ${describeState(x.status)}`);
        const t = runningSince(x);
        if (t === undefined) return containerDown(ctx, p, x, counts.join('\n'));
        since = Math.max(since, t);
      }
      return since;
    });
    if ('fail' in r) return r.fail;
    return {
      ok: true,
      message: `no restarts for ${c.seconds}s`,
      observed: counts.join('\n'),
      heldSinceMs: r.heldSinceMs,
    };
  },
});
