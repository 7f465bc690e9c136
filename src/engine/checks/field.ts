// field: a field of any object in the namespace, read with a kubectl-style JSONPath.
import { z } from 'zod';
import { evalJsonPath, formatJsonPathResult, parseJsonPath } from '../jsonpath.ts';
import { checkBase, exactlyOne, validRegExp } from './fields.ts';
import { doesNotExist } from './lookup.ts';
import { defineCheck, type ProbeResult } from './types.ts';

const schema = z
  .strictObject({
    type: z.literal('field').describe('A field of any object in the namespace, read with a JSONPath.'),
    ...checkBase,
    apiVersion: z.string().min(1).default('v1'),
    kind: z.string().min(1),
    name: z.string().min(1),
    jsonPath: z.string().min(1).describe('kubectl-style, e.g. {.spec.initContainers[0].restartPolicy}'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    notEquals: z
      .union([z.string(), z.number(), z.boolean()])
      .optional()
      .describe('The field is set and holds anything but this value.'),
    matches: z.string().optional().describe('JavaScript regular expression (multiline).'),
    notMatches: z
      .string()
      .optional()
      .describe('The field is set and does NOT match this regular expression: instead of a negative look-ahead.'),
    exists: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    exactlyOne(v, ['equals', 'notEquals', 'matches', 'notMatches', 'exists'], ctx);
    validRegExp(v.matches, 'matches', ctx);
    validRegExp(v.notMatches, 'notMatches', ctx);
    try {
      parseJsonPath(v.jsonPath);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['jsonPath'], message: (e as Error).message });
    }
  });
type Field = z.output<typeof schema>;

/** Compares the values found at the JSONPath with the check's expectation. */
function judge(c: Field, values: unknown[], text: string): Omit<ProbeResult, 'observed'> {
  const found = values.length > 0;
  const is = found ? `"${text}"` : 'not set';
  if (c.exists !== undefined) {
    const ok = found === c.exists;
    return { ok, message: `${c.jsonPath} ${found ? 'is set' : 'is not set'}` };
  }
  if (c.equals !== undefined) {
    const ok = found && text === String(c.equals);
    return { ok, message: ok ? `${c.jsonPath} is ${text}` : `${c.jsonPath} is ${is}, expected "${c.equals}"` };
  }
  if (c.notEquals !== undefined) {
    const ok = found && text !== String(c.notEquals);
    return {
      ok,
      message: ok ? `${c.jsonPath} is ${text}` : `${c.jsonPath} is ${is}, expected anything but "${c.notEquals}"`,
    };
  }
  if (c.notMatches !== undefined) {
    const ok = found && !new RegExp(c.notMatches, 'm').test(text);
    return {
      ok,
      message: ok ? `${c.jsonPath} is ${text}` : `${c.jsonPath} is ${is}, expected not to match /${c.notMatches}/`,
    };
  }
  const ok = found && new RegExp(c.matches!, 'm').test(text);
  return { ok, message: ok ? `${c.jsonPath} matches` : `${c.jsonPath} is ${is}, expected to match /${c.matches}/` };
}

export const field = defineCheck({
  type: 'field',
  schema,
  settleSeconds: 0,
  timeoutSeconds: 60,
  title: (c) => `${c.kind} "${c.name}" ${c.jsonPath}`,
  async probe(c, ctx) {
    const obj = await ctx.ops.readObject(c.apiVersion, c.kind, ctx.namespace, c.name);
    if (!obj) return doesNotExist(`${c.kind} "${c.name}"`);
    const values = evalJsonPath(obj, c.jsonPath);
    const text = formatJsonPathResult(values);
    return { ...judge(c, values, text), observed: values.length ? text : '(no value)' };
  },
});
