// Running checks: each check type lives in its own file under checks/ (schema, defaults, title, probe)
// behind checks/registry.ts; this runner drives a type's probe with settle() (poll + settle window) and
// turns the outcome into a CheckResult. Probes talk to the cluster only through ClusterOps, so unit
// tests use fakes and the engine uses the client-node implementation in kube.ts.
import type { Check } from './schema.ts';
import { settle, realClock } from './settle.ts';
import { checkDefinition, CHECK_DEFINITIONS } from './checks/registry.ts';
import type { ProbeContext } from './checks/types.ts';

export type { ClusterOps, ExecResult, HttpResult } from './checks/types.ts';

/** What a check runs in: the probes' context, and the session's view of each check. */
export interface CheckContext extends ProbeContext {
  /**
   * The session's view of a check, applied by the runner to every check run in this context (step
   * checks, a mistake's detection, findMistake): e.g. the lab's NodePort becomes the session's.
   */
  scope?: (check: Check) => Check;
}
export { matchText } from './checks/fields.ts';
export { lastLogLines } from './checks/lookup.ts';

export interface CheckResult {
  ok: boolean;
  message: string;
  hint?: string;
  observed?: string;
  /** The check's title (author's, or generated), for lists and JUnit. */
  title: string;
  type: Check['type'];
  elapsedMs: number;
}

const table = (pick: (d: (typeof CHECK_DEFINITIONS)[number]) => number) =>
  Object.fromEntries(CHECK_DEFINITIONS.map((d) => [d.type, pick(d)])) as Record<Check['type'], number>;
export const DEFAULT_SETTLE_SECONDS = table((d) => d.settleSeconds);
export const DEFAULT_TIMEOUT_SECONDS = table((d) => d.timeoutSeconds);

export function checkTitle(c: Check): string {
  return c.title ?? checkDefinition(c.type).title(c);
}

export interface RunCheckOptions {
  mode: 'wait' | 'quick';
  signal?: AbortSignal;
  intervalMs?: number;
  /** Quick mode: override the type's grace for a failing probe (0 when looking for a mistake). */
  graceMs?: number;
}

export async function runCheck(given: Check, ctx: CheckContext, opts: RunCheckOptions): Promise<CheckResult> {
  const check = ctx.scope ? ctx.scope(given) : given;
  const def = checkDefinition(check.type);
  const settleSeconds = def.settleOf?.(check) ?? check.settle ?? def.settleSeconds;
  const timeoutMs = (check.timeout ?? def.timeoutSeconds) * 1000;
  const r = await settle(
    () => def.probe(check, ctx, timeoutMs),
    {
      mode: opts.mode,
      timeoutMs,
      settleMs: settleSeconds * 1000,
      intervalMs: opts.intervalMs,
      signal: opts.signal,
      graceMs: opts.graceMs ?? def.quickGraceMs,
    },
    ctx.clock ?? realClock,
  );
  return {
    ok: r.ok,
    message: r.message,
    // a diagnosis (crash loop, missing image) beats the author's general hint
    hint: r.ok ? undefined : (r.hint ?? check.hint),
    observed: r.observed,
    title: checkTitle(check),
    type: check.type,
    elapsedMs: r.elapsedMs,
  };
}
