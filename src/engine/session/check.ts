// Checking a step, and a listed mistake's detection, in a session. Every check runs in the session's
// check context (sessionCheckContext): one place that knows the session's namespace, lab folder,
// kubeconfig and NodePorts, so step checks, mistake detection and findMistake see the same ports.
import type { CheckContext, CheckResult } from '../checks.ts';
import { runCheck } from '../checks.ts';
import { EngineError, StepNotFoundError } from '../errors.ts';
import type { Lab } from '../load.ts';
import { findMistake } from '../mistakes.ts';
import { sessionCheck } from '../node-ports.ts';
import type { Mistake, Step } from '../schema.ts';
import type { EngineCore } from './core.ts';
import { getSession } from './find.ts';
import { scriptEnv } from './kubeconfig.ts';
import type { CheckStepOptions, SessionInfo, StepResult } from './types.ts';

/** A check context (without the session's view) scoped to a session: its NodePorts replace the lab's. */
export function scopeToSession(
  base: CheckContext,
  lab: Pick<Lab, 'nodePorts'>,
  s: Pick<SessionInfo, 'nodePorts' | 'terminal'>,
): CheckContext {
  return { ...base, scope: (c) => sessionCheck(c, lab.nodePorts, s.nodePorts, !!s.terminal) };
}

/** The one place a session's check context is built. */
export function sessionCheckContext(core: EngineCore, s: SessionInfo, lab: Lab): CheckContext {
  const base: CheckContext = {
    ops: core.kube,
    namespace: s.namespace,
    nodeHost: () => core.nodeHost(),
    env: scriptEnv(core.kube, s.namespace),
    cwd: lab.dir,
  };
  return scopeToSession(base, lab, s);
}

export async function checkStep(
  core: EngineCore,
  session: string | SessionInfo,
  stepId: string,
  opts: CheckStepOptions = {},
): Promise<StepResult> {
  const s = await getSession(core.kube, session);
  const lab = core.lab(s.slug);
  const step = findStep(lab, stepId);
  const ctx = sessionCheckContext(core, s, lab);
  const checks = await runInOrder(step.checks, ctx, opts);
  const ok = checks.every((c) => c.ok);
  const mistake = ok ? undefined : await findMistake(step.mistakes, ctx, opts.signal);
  return { stepId, ok, checks, ...(mistake ? { mistake } : {}) };
}

/**
 * The detecting checks of one listed mistake (validate: after applying the mistake, `wait` polls
 * each until it passes or times out, so the mistake has shown before the step is checked).
 */
export async function detectMistake(
  core: EngineCore,
  session: string | SessionInfo,
  stepId: string,
  mistakeId: string,
  opts: CheckStepOptions = {},
): Promise<CheckResult[]> {
  const s = await getSession(core.kube, session);
  const lab = core.lab(s.slug);
  return runInOrder(findMistakeOf(lab, stepId, mistakeId).detect, sessionCheckContext(core, s, lab), opts);
}

/** In order: a later check may rely on an earlier one (an HTTP request, then its line in a log). */
async function runInOrder(list: Step['checks'], ctx: CheckContext, opts: CheckStepOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const c of list) results.push(await runCheck(c, ctx, { mode: opts.mode ?? 'quick', signal: opts.signal }));
  return results;
}

export function findStep(lab: Lab, stepId: string): Step {
  const step = lab.steps.find((x) => x.id === stepId);
  if (!step)
    throw new StepNotFoundError(
      lab.slug,
      stepId,
      lab.steps.map((x) => x.id),
    );
  return step;
}

export function findMistakeOf(lab: Lab, stepId: string, mistakeId: string): Mistake {
  const step = findStep(lab, stepId);
  const m = step.mistakes.find((x) => x.id === mistakeId);
  if (!m)
    throw new EngineError(
      `step "${stepId}" of lab "${lab.slug}" lists no mistake "${mistakeId}" (it lists: ${step.mistakes.map((x) => x.id).join(', ') || 'none'})`,
    );
  return m;
}
