// script: the escape hatch, a shell script on the host with KUBECONFIG and NAMESPACE set; exit 0 passes.
import { z } from 'zod';
import { checkBase } from './fields.ts';
import { clip } from './lookup.ts';
import { defineCheck } from './types.ts';
import { outputCutNote } from './output-limit.ts';

export const script = defineCheck({
  type: 'script',
  schema: z.strictObject({
    type: z
      .literal('script')
      .describe('Escape hatch: a shell script on the host with KUBECONFIG and NAMESPACE set; exit 0 passes.'),
    ...checkBase,
    run: z.string().min(1),
  }),
  settleSeconds: 0,
  timeoutSeconds: 60,
  title: (c) => `script: ${c.run.split('\n')[0].slice(0, 60)}`,
  async probe(c, ctx, timeoutMs) {
    const r = await ctx.ops.runScript(c.run, { env: ctx.env, cwd: ctx.cwd, timeoutMs: Math.min(timeoutMs, 30000) });
    const observed = clip(r.output) || undefined;
    const cut = r.truncated ? ` (${outputCutNote()})` : '';
    return r.exitCode === 0
      ? { ok: true, message: `script passed${cut}`, observed }
      : { ok: false, message: `script exited with code ${r.exitCode}${cut}`, observed };
  },
});
