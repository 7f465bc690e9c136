// podReady: every container of the pod(s) is ready, native sidecars included.
import { z } from 'zod';
import { podReadiness } from '../pods.ts';
import { checkBase, podRef, onePodRef } from './fields.ts';
import { everyPod, podName, troubleDetails } from './lookup.ts';
import { defineCheck } from './types.ts';

export const podReady = defineCheck({
  type: 'podReady',
  schema: z
    .strictObject({
      type: z.literal('podReady').describe('Every container of the pod(s) is ready, native sidecars included.'),
      ...checkBase,
      ...podRef,
    })
    .superRefine(onePodRef),
  settleSeconds: 5,
  timeoutSeconds: 90,
  title: (c) => `${podName(c)} ready`,
  async probe(c, ctx) {
    const r = await everyPod(ctx, c, async (p) => {
      const ready = podReadiness(p);
      if (ready.ready) return ready.sinceMs ?? 0;
      const t = await troubleDetails(ctx, p);
      return {
        ok: false,
        message: t.message ?? `pod "${p.metadata?.name}" is not ready: ${ready.summary}`,
        hint: t.hint,
        observed: t.observed ?? ready.summary,
      };
    });
    if ('fail' in r) return r.fail;
    return {
      ok: true,
      message: `${podName(c)} ready`,
      observed: r.pods.map((p) => podReadiness(p).summary).join('\n'),
      heldSinceMs: r.heldSinceMs,
    };
  },
});
