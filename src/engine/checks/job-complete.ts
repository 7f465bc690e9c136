// jobComplete: a Job has the Complete condition (a Failed one fails the check at once).
import { z } from 'zod';
import { checkBase } from './fields.ts';
import { doesNotExist } from './lookup.ts';
import { defineCheck } from './types.ts';

interface Condition {
  type: string;
  status: string;
  message?: string;
}

export const jobComplete = defineCheck({
  type: 'jobComplete',
  schema: z.strictObject({
    type: z.literal('jobComplete').describe('A Job has the Complete condition.'),
    ...checkBase,
    job: z.string().min(1),
  }),
  settleSeconds: 0,
  timeoutSeconds: 120,
  title: (c) => `Job "${c.job}" complete`,
  async probe(c, ctx) {
    const job = await ctx.ops.readObject('batch/v1', 'Job', ctx.namespace, c.job);
    if (!job) return doesNotExist(`Job "${c.job}"`);
    const conds: Condition[] = job.status?.conditions ?? [];
    const observed = `active ${job.status?.active ?? 0}, succeeded ${job.status?.succeeded ?? 0}, failed ${job.status?.failed ?? 0}`;
    const is = (type: string) => conds.find((x) => x.type === type && x.status === 'True');
    if (is('Complete')) return { ok: true, message: `Job "${c.job}" completed`, observed };
    const failed = is('Failed');
    if (failed)
      return {
        ok: false,
        fatal: true,
        message: `Job "${c.job}" failed: ${failed.message ?? 'see its pods'}`,
        observed,
      };
    return { ok: false, message: `Job "${c.job}" has not completed yet`, observed };
  },
});
