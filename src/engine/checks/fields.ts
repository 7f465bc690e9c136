// Schema pieces shared by several check types: the common fields, which pod a check looks at, and how
// to match text (stdout, a page body).
import { z } from 'zod';

const seconds = (what: string) => z.number().positive().max(3600).describe(what);

/** Common fields of every check. */
export const checkBase = {
  title: z
    .string()
    .min(1)
    .optional()
    .describe('What this check verifies, in a few words (shown in the page and in JUnit).'),
  hint: z.string().min(1).optional().describe('Shown to the learner when the check fails.'),
  timeout: seconds('Seconds to keep polling before the check fails (validate and "wait" mode).').optional(),
  settle: z
    .number()
    .min(0)
    .max(600)
    .optional()
    .describe('Seconds the condition must hold without interruption before the check passes.'),
  invariant: z
    .boolean()
    .optional()
    .describe(
      'true: a condition that must hold after the step but may already hold before it ("the Pod is still Ready"). validate does not require it to fail before the solution; the step still needs one check that does.',
    ),
};

/** Which pod a check looks at: a pod name, or a label selector (every matching pod). */
export const podRef = {
  pod: z.string().min(1).optional().describe('Pod name.'),
  selector: z.string().min(1).optional().describe('Label selector, e.g. app=nginx (instead of pod).'),
};

export function onePodRef(v: { pod?: string; selector?: string }, ctx: z.RefinementCtx) {
  if (!!v.pod === !!v.selector) ctx.addIssue({ code: 'custom', message: 'give exactly one of "pod" or "selector"' });
}

/** Adds an issue at `path` when `source` is not a valid regular expression. */
export function validRegExp(source: string | undefined, path: string, ctx: z.RefinementCtx) {
  if (source === undefined) return;
  try {
    new RegExp(source, 'm');
  } catch (e) {
    ctx.addIssue({ code: 'custom', path: [path], message: `not a valid regular expression: ${(e as Error).message}` });
  }
}

/** Adds an issue unless exactly one of `keys` is set on `v` ("give exactly one of …", in the keys' order). */
export function exactlyOne<K extends string>(v: Partial<Record<K, unknown>>, keys: readonly K[], ctx: z.RefinementCtx) {
  if (keys.filter((k) => v[k] !== undefined).length === 1) return;
  const quoted = keys.map((k) => `"${k}"`);
  const list = `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
  ctx.addIssue({ code: 'custom', message: `give exactly one of ${list}` });
}

export const TextMatch = z
  .strictObject({
    equals: z.string().optional().describe('Whole output, trailing whitespace ignored.'),
    notEquals: z.string().optional().describe('Anything but this whole output (trailing whitespace ignored).'),
    contains: z.string().optional(),
    matches: z.string().optional().describe('JavaScript regular expression (multiline).'),
    notMatches: z
      .string()
      .optional()
      .describe('JavaScript regular expression (multiline) that must NOT match: instead of a negative look-ahead.'),
  })
  .superRefine((v, ctx) => {
    exactlyOne(v, ['equals', 'notEquals', 'contains', 'matches', 'notMatches'], ctx);
    validRegExp(v.matches, 'matches', ctx);
    validRegExp(v.notMatches, 'notMatches', ctx);
  });
export type TextMatch = z.infer<typeof TextMatch>;

export function matchText(text: string, m: TextMatch): { ok: boolean; expected: string } {
  if (m.equals !== undefined) return { ok: text.trimEnd() === m.equals.trimEnd(), expected: `exactly "${m.equals}"` };
  if (m.notEquals !== undefined)
    return { ok: text.trimEnd() !== m.notEquals.trimEnd(), expected: `anything but "${m.notEquals}"` };
  if (m.contains !== undefined) return { ok: text.includes(m.contains), expected: `to contain "${m.contains}"` };
  if (m.notMatches !== undefined)
    return { ok: !new RegExp(m.notMatches, 'm').test(text), expected: `not to match /${m.notMatches}/` };
  return { ok: new RegExp(m.matches!, 'm').test(text), expected: `to match /${m.matches}/` };
}
