// containerRunning: a container (regular, or init / native sidecar) is running in the pod(s).
import { z } from 'zod';
import { checkBase, podRef, onePodRef } from './fields.ts';
import { containerDown, everyPod, findContainer, isContainer, podName, runningSince } from './lookup.ts';
import { defineCheck } from './types.ts';

export const containerRunning = defineCheck({
  type: 'containerRunning',
  schema: z
    .strictObject({
      type: z.literal('containerRunning').describe('A container (regular or init/native sidecar) is running.'),
      ...checkBase,
      ...podRef,
      container: z.string().min(1),
    })
    .superRefine(onePodRef),
  settleSeconds: 3,
  timeoutSeconds: 90,
  title: (c) => `container "${c.container}" of ${podName(c)} running`,
  async probe(c, ctx) {
    const r = await everyPod(ctx, c, async (p) => {
      const found = findContainer(p, c.container);
      if (!isContainer(found)) return found;
      return runningSince(found) ?? containerDown(ctx, p, found);
    });
    if ('fail' in r) return r.fail;
    return { ok: true, message: `container "${c.container}" running`, heldSinceMs: r.heldSinceMs };
  },
});
