// exec: run a command in a container; compare its stdout and exit code.
import { z } from 'zod';
import { checkBase, podRef, onePodRef, TextMatch, matchText } from './fields.ts';
import { clip, defaultContainer, isPod, notRunning, onePod, podName } from './lookup.ts';
import { defineCheck } from './types.ts';
import { outputCutNote } from './output-limit.ts';

const commandText = (command: string | string[]) => (Array.isArray(command) ? command.join(' ') : command);

export const exec = defineCheck({
  type: 'exec',
  schema: z
    .strictObject({
      type: z.literal('exec').describe('Run a command in a container; compare stdout and the exit code.'),
      ...checkBase,
      ...podRef,
      container: z.string().min(1).optional().describe('Defaults to the first container.'),
      command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe('A string runs with /bin/sh -c.'),
      stdout: TextMatch.optional(),
      exitCode: z.number().int().min(0).max(255).default(0).describe('The exit code expected (0-255).'),
    })
    .superRefine(onePodRef),
  settleSeconds: 0,
  timeoutSeconds: 60,
  title: (c) => `\`${commandText(c.command)}\` in ${podName(c)}${c.container ? ` -c ${c.container}` : ''}`,
  async probe(c, ctx, timeoutMs) {
    const pod = await onePod(ctx, c);
    if (!isPod(pod)) return pod;
    const container = defaultContainer(pod, c.container);
    const down = notRunning(pod, container);
    if (down) return down;
    const cmd = Array.isArray(c.command) ? c.command : ['/bin/sh', '-c', c.command];
    const r = await ctx.ops.exec(ctx.namespace, pod.metadata!.name!, container, cmd, Math.min(timeoutMs, 20000));
    const observed = clip(r.stdout + (r.stderr ? `\n[stderr] ${r.stderr}` : ''));
    if (r.truncated)
      return {
        ok: false,
        message: `the command printed too much (${outputCutNote()}; it was stopped there), so its output cannot be compared`,
        hint: 'a check reads a short answer: is the file or the output much bigger than the step expects?',
        observed,
      };
    if (r.exitCode !== c.exitCode)
      return { ok: false, message: `exited with code ${r.exitCode}, expected ${c.exitCode}`, observed };
    if (c.stdout) {
      const m = matchText(r.stdout, c.stdout);
      if (!m.ok) return { ok: false, message: `output was not as expected: expected it ${m.expected}`, observed };
    }
    return { ok: true, message: 'command output as expected', observed };
  },
});
