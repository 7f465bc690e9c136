// logs: what a container printed (kubectl logs -c): contains, matches (optionally counting lines), empty.
import { z } from 'zod';
import { checkBase, podRef, onePodRef, validRegExp } from './fields.ts';
import { clip, defaultContainer, isPod, onePod, podName } from './lookup.ts';
import { defineCheck, type ProbeResult } from './types.ts';
import { CHECK_OUTPUT_LIMIT, outputCutNote } from './output-limit.ts';

const schema = z
  .strictObject({
    type: z.literal('logs').describe("A container's logs (kubectl logs -c)."),
    ...checkBase,
    ...podRef,
    container: z.string().min(1).optional().describe('Defaults to the first container.'),
    contains: z.string().optional(),
    matches: z.string().optional().describe('Regular expression; with minLines, counts matching lines.'),
    minLines: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('How many log lines (matching "matches", if given) at least.'),
    empty: z.literal(true).optional().describe('The logs must be empty.'),
  })
  .superRefine((v, ctx) => {
    onePodRef(v, ctx);
    const expectations = [v.contains, v.matches, v.minLines, v.empty].filter((x) => x !== undefined).length;
    if (expectations === 0)
      ctx.addIssue({ code: 'custom', message: 'give at least one of "contains", "matches", "minLines" or "empty"' });
    if (v.empty && expectations > 1)
      ctx.addIssue({ code: 'custom', message: '"empty" cannot be combined with other expectations' });
    validRegExp(v.matches, 'matches', ctx);
  });
type Logs = z.output<typeof schema>;

const lines = (n: number) => `${n} log line${n === 1 ? '' : 's'}`;

/** The first expectation the logs miss, or undefined when they meet them all. */
function missed(c: Logs, text: string, all: string[]): string | undefined {
  if (c.empty) return all.length === 0 ? undefined : `logs are not empty (${all.length} lines)`;
  if (c.contains !== undefined && !text.includes(c.contains)) return `logs do not contain "${c.contains}" yet`;
  if (c.matches !== undefined) {
    const re = new RegExp(c.matches, 'm');
    const matching = all.filter((l) => re.test(l)).length;
    if (c.minLines !== undefined)
      return matching < c.minLines ? `${lines(matching)} match /${c.matches}/, need ${c.minLines}` : undefined;
    return matching === 0 ? `no log line matches /${c.matches}/ yet` : undefined;
  }
  if (c.minLines !== undefined && all.length < c.minLines) return `${lines(all.length)}, need ${c.minLines}`;
  return undefined;
}

export const logs = defineCheck({
  type: 'logs',
  schema,
  settleSeconds: 0,
  timeoutSeconds: 60,
  quickGraceMs: 2500,
  title: (c) => `logs of ${podName(c)}${c.container ? ` -c ${c.container}` : ''}`,
  async probe(c, ctx): Promise<ProbeResult> {
    const pod = await onePod(ctx, c);
    if (!isPod(pod)) return pod;
    const container = defaultContainer(pod, c.container);
    let text: string;
    try {
      text = await ctx.ops.logs(ctx.namespace, pod.metadata!.name!, container, { tailLines: 2000 });
    } catch (e) {
      return {
        ok: false,
        message: `no logs from container "${container}" yet: ${(e as Error).message.split('\n')[0]}`,
      };
    }
    const all = text.split('\n').filter((l) => l.trim() !== '');
    const observed = all.length ? clip(all.slice(-12).join('\n')) : '(empty)';
    const miss = missed(c, text, all);
    // the cluster sends at most CHECK_OUTPUT_LIMIT bytes (kube.ts asks for no more)
    const cut =
      Buffer.byteLength(text) >= CHECK_OUTPUT_LIMIT ? ` (${outputCutNote()}: only the first part was read)` : '';
    if (miss) return { ok: false, message: miss + cut, observed };
    return { ok: true, message: c.empty ? 'logs are empty' : 'logs as expected', observed };
  },
});
