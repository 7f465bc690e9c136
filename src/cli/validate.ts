// sidecar-labs validate: every selected lab, in its own namespace, the way a learner meets it. Before a
// step's solution every check of that step must FAIL (proof the check can fail); after it, every check
// must PASS. Then every listed mistake, each in a fresh session (setup + the earlier steps' solutions):
// once it is made, the step must NOT pass and Check must give that mistake's diagnosis. One progress line
// per step and per mistake, optional JUnit XML, last line `N passed, N failed`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  Engine,
  loadLabs,
  loadLab,
  type Lab,
  type CheckResult,
  type SessionInfo,
  type Mistake,
} from '../engine/index.ts';
import { UserError } from '../errors.ts';
import { oneOf, parseCommand, UsageError, wholeNumber } from '../config/args.ts';
import { reportError } from './report-error.ts';
import type { ClusterChoice } from '../kube/index.ts';

export interface ValidateOptions {
  slugs: string[];
  junit?: string;
  parallel: number;
  keep: boolean;
  cluster: ClusterChoice;
  labsDir?: string;
}

export interface StepOutcome {
  slug: string;
  stepId: string;
  title: string;
  ok: boolean;
  seconds: number;
  problems: string[];
  before: CheckResult[];
  after: CheckResult[];
  /** For a mistake's outcome: its id, and the diagnosis Check gave (if any). */
  mistake?: { id: string; diagnosis?: string };
}

const usage = `usage: sidecar-labs validate [slug...] [--junit FILE] [--parallel N] [--keep] [--cluster kind|current]

Runs every selected lab (default: all) in a namespace of its own: before each step's solution its checks
must fail, after it they must pass; then every listed mistake. Exit 0 only when all passed.

  slug...                 the labs to validate (\`sidecar-labs list\` names them)
  --junit FILE            also write a JUnit XML report to FILE
  --parallel N            labs at once (default 4)
  --keep                  keep each lab's namespace afterwards, to look around
  --cluster kind|current  the kind cluster (default) or your kubeconfig's (SIDECAR_LABS_CLUSTER)
  --labs-dir DIR          validate the labs of another folder (default labs/, SIDECAR_LABS_DIR)
`;

const spec = {
  usage,
  positionals: true,
  options: {
    junit: { type: 'string' },
    parallel: { type: 'string' },
    keep: { type: 'boolean' },
    cluster: { type: 'string' },
    'labs-dir': { type: 'string' },
  },
} as const;

/** The options of `validate`, or undefined after --help printed the usage. */
export function parseArgs(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  write?: (s: string) => void,
): ValidateOptions | undefined {
  const parsed = parseCommand(spec, args, write);
  if (!parsed) return undefined;
  const { values, positionals } = parsed;
  const nonEmpty = (flag: string, v: string | undefined) => {
    if (v === '') throw new UsageError(`--${flag} needs a value`, usage);
    return v;
  };
  return {
    slugs: positionals,
    junit: nonEmpty('junit', values.junit),
    parallel: values.parallel === undefined ? 4 : wholeNumber('parallel', values.parallel, 1, 64, usage),
    keep: values.keep ?? false,
    cluster: oneOf(
      'cluster',
      values.cluster ?? (env.SIDECAR_LABS_CLUSTER === 'current' ? 'current' : 'kind'),
      ['kind', 'current'] as const,
      usage,
    ),
    ...(values['labs-dir'] ? { labsDir: values['labs-dir'] } : {}),
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

function describeCheck(c: CheckResult): string {
  return `${c.title}: ${c.message}${c.observed ? `\n        observed: ${c.observed.split('\n').slice(0, 6).join('\n                  ')}` : ''}`;
}

type Step = Lab['steps'][number];

/** Every step failed, with the reason the lab's session could not start. */
function notStartedOutcomes(lab: Lab, msg: string): StepOutcome[] {
  return lab.steps.map((step) => ({
    slug: lab.slug,
    stepId: step.id,
    title: step.title,
    ok: false,
    seconds: 0,
    problems: [`the lab did not start: ${msg}`],
    before: [],
    after: [],
  }));
}

/**
 * The problems of a step's checks before its solution: none may pass (but an `invariant: true` check,
 * which may already hold), and no mistake may be diagnosed. `first.checks` are in the step's order.
 */
export function problemsBeforeSolution(
  step: Step,
  first: { checks: CheckResult[]; mistake?: { id: string } },
): string[] {
  const problems: string[] = [];
  for (const [i, c] of first.checks.entries())
    if (c.ok && !step.checks[i]?.invariant)
      problems.push(
        `check passed BEFORE the solution, so it cannot tell whether the step was done: ${c.title} (${c.message})`,
      );
  if (first.mistake)
    problems.push(
      `mistake "${first.mistake.id}" is diagnosed BEFORE the solution, with the mistake not made: its detecting checks must need the mistake`,
    );
  return problems;
}

/** One step in the lab's shared session: its checks fail before the solution and pass after it. */
async function validateStep(
  engine: Engine,
  session: SessionInfo,
  lab: Lab,
  step: Step,
  signal: AbortSignal,
): Promise<StepOutcome> {
  const t0 = Date.now();
  const problems: string[] = [];
  let before: CheckResult[] = [];
  let after: CheckResult[] = [];
  try {
    const first = await engine.checkStep(session, step.id, { mode: 'quick', signal });
    before = first.checks;
    problems.push(...problemsBeforeSolution(step, first));
    await engine.applySolution(session, step.id, { signal });
    after = (await engine.checkStep(session, step.id, { mode: 'wait', signal })).checks;
    for (const c of after)
      if (!c.ok)
        problems.push(
          `check failed after the solution: ${describeCheck(c)}${c.hint ? `\n        hint: ${c.hint}` : ''}`,
        );
  } catch (e) {
    if (signal.aborted) throw e;
    problems.push(e instanceof Error ? e.message : String(e));
  }
  return {
    slug: lab.slug,
    stepId: step.id,
    title: step.title,
    ok: problems.length === 0,
    seconds: (Date.now() - t0) / 1000,
    problems,
    before,
    after,
  };
}

/** Deletes the lab's namespace, or with --keep says how to delete it later. */
async function endLabSession(
  engine: Engine,
  lab: Lab,
  session: SessionInfo,
  opts: ValidateOptions,
  log: (s: string) => void,
): Promise<void> {
  if (opts.keep)
    log(
      `  ${lab.slug}: kept namespace ${session.namespace} (--keep); delete it with kubectl delete namespace ${session.namespace}`,
    );
  else
    await engine
      .stopSession(session)
      .catch((e) =>
        log(`  ${lab.slug}: could not delete namespace ${session.namespace}: ${firstLine(String(e?.message ?? e))}`),
      );
}

async function validateLab(
  engine: Engine,
  lab: Lab,
  opts: ValidateOptions,
  signal: AbortSignal,
  report: (o: StepOutcome) => void,
  log: (s: string) => void,
): Promise<StepOutcome[]> {
  let session: SessionInfo;
  const started = Date.now();
  try {
    session = await engine.startSession(lab.slug, { ttlSeconds: 30 * 60, signal });
    log(`  ${lab.slug}: session ${session.namespace} ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } catch (e) {
    const outcomes = notStartedOutcomes(lab, e instanceof Error ? e.message : String(e));
    outcomes.forEach((o) => report(o));
    return outcomes;
  }
  const outcomes: StepOutcome[] = [];
  try {
    for (const step of lab.steps) {
      const o = await validateStep(engine, session, lab, step, signal);
      outcomes.push(o);
      report(o);
    }
  } finally {
    await endLabSession(engine, lab, session, opts, log);
  }
  return outcomes;
}

/** Runs `fn` in a fresh session of the lab, and always removes the session afterwards (unless --keep). */
async function inSession<T>(
  engine: Engine,
  lab: Lab,
  opts: ValidateOptions,
  signal: AbortSignal,
  log: (s: string) => void,
  fn: (s: SessionInfo) => Promise<T>,
): Promise<T> {
  const session = await engine.startSession(lab.slug, { ttlSeconds: 30 * 60, signal });
  try {
    return await fn(session);
  } finally {
    if (opts.keep) log(`  ${lab.slug}: kept namespace ${session.namespace} (--keep)`);
    else
      await engine
        .stopSession(session)
        .catch((e) =>
          log(`  ${lab.slug}: could not delete namespace ${session.namespace}: ${firstLine(String(e?.message ?? e))}`),
        );
  }
}

/** The earlier steps' solutions, each until its checks pass: the state a learner makes the mistake in. */
async function solveUpTo(
  engine: Engine,
  session: SessionInfo,
  lab: Lab,
  stepIndex: number,
  signal: AbortSignal,
): Promise<void> {
  for (const earlier of lab.steps.slice(0, stepIndex)) {
    await engine.applySolution(session, earlier.id, { signal });
    const r = await engine.checkStep(session, earlier.id, { mode: 'wait', signal });
    if (!r.ok)
      throw new Error(
        `earlier step "${earlier.id}" did not pass after its solution: ${r.checks
          .filter((c) => !c.ok)
          .map(describeCheck)
          .join('; ')}`,
      );
  }
}

/** One listed mistake: made in a fresh session, the step must not pass and its diagnosis must be given. */
async function validateMistake(
  engine: Engine,
  lab: Lab,
  stepIndex: number,
  mistake: Mistake,
  opts: ValidateOptions,
  signal: AbortSignal,
  log: (s: string) => void,
): Promise<StepOutcome> {
  const step = lab.steps[stepIndex];
  const o: StepOutcome = {
    slug: lab.slug,
    stepId: step.id,
    title: mistake.title,
    ok: false,
    seconds: 0,
    problems: [],
    before: [],
    after: [],
    mistake: { id: mistake.id },
  };
  const t0 = Date.now();
  try {
    await inSession(engine, lab, opts, signal, log, async (session) => {
      await solveUpTo(engine, session, lab, stepIndex, signal);
      await engine.applyMistake(session, step.id, mistake.id, { signal });
      o.before = await engine.detectMistake(session, step.id, mistake.id, { mode: 'wait', signal });
      for (const c of o.before)
        if (!c.ok) o.problems.push(`a detecting check did not pass once the mistake was made: ${describeCheck(c)}`);
      const r = await engine.checkStep(session, step.id, { mode: 'quick', signal });
      o.after = r.checks;
      o.mistake!.diagnosis = r.mistake?.diagnosis;
      if (r.ok)
        o.problems.push(
          'the step PASSED with the mistake made: its checks cannot tell the mistake from the right answer',
        );
      else if (!r.mistake) o.problems.push('Check gave no diagnosis for the mistake');
      else if (r.mistake.id !== mistake.id)
        o.problems.push(`Check diagnosed mistake "${r.mistake.id}" (${r.mistake.title}) instead`);
    });
  } catch (e) {
    if (signal.aborted) throw e;
    o.problems.push(e instanceof Error ? e.message : String(e));
  }
  o.ok = o.problems.length === 0;
  o.seconds = (Date.now() - t0) / 1000;
  return o;
}

function xml(s: string): string {
  // strip characters XML 1.0 forbids (ANSI escapes from tools, NULs)
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
  );
}

const caseName = (o: StepOutcome) =>
  o.mistake ? `${o.stepId} mistake ${o.mistake.id}: ${o.title}` : `${o.stepId}: ${o.title}`;

/** The console line of an outcome (a step or a mistake), with its problems below when it failed. */
export function outcomeLine(o: StepOutcome): string {
  const what = o.mistake
    ? `mistake "${o.mistake.id}": step not passed, diagnosed`
    : `${o.before.length || o.after.length} checks: failed before, passed after`;
  const lines = [`${o.ok ? 'ok  ' : 'FAIL'} ${o.slug}/${o.stepId} (${what}) ${o.seconds.toFixed(1)}s`];
  if (!o.ok) for (const p of o.problems) lines.push(`       - ${p}`);
  return lines.join('\n');
}

/** How a phase's check results read in the JUnit log: its label and the words for passed and failed. */
interface CheckPhase {
  label: string;
  passed: string;
  failed: string;
  timed?: boolean;
}
const MISTAKE_MADE: CheckPhase = { label: 'mistake made', passed: 'detected', failed: 'NOT DETECTED' };
const WITH_MISTAKE: CheckPhase = { label: 'step check', passed: 'PASSED (wrong)', failed: 'failed (expected)' };
const BEFORE_SOLUTION: CheckPhase = { label: 'before solution', passed: 'PASSED (wrong)', failed: 'failed (expected)' };
const AFTER_SOLUTION: CheckPhase = { label: 'after solution', passed: 'passed', failed: 'FAILED', timed: true };

/** One line per check: `<phase>: <verdict> - <title>: <message>`, with its time where the phase wants it. */
function checkLines(checks: CheckResult[], phase: CheckPhase): string[] {
  return checks.map(
    (c) =>
      `${phase.label}: ${c.ok ? phase.passed : phase.failed} - ${c.title}: ${c.message}` +
      (phase.timed ? ` (${(c.elapsedMs / 1000).toFixed(1)}s)` : ''),
  );
}

/** The log of an outcome: a step's checks before and after its solution, or a mistake's detection and diagnosis. */
function outcomeLog(o: StepOutcome): string[] {
  if (!o.mistake) return [...checkLines(o.before, BEFORE_SOLUTION), ...checkLines(o.after, AFTER_SOLUTION)];
  return [
    ...checkLines(o.before, MISTAKE_MADE),
    ...checkLines(o.after, WITH_MISTAKE),
    `diagnosis: ${o.mistake.diagnosis ?? '(none)'}`,
  ];
}

export function junitXml(outcomes: StepOutcome[], labs: Lab[]): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = outcomes.filter((o) => !o.ok).length;
  const total = outcomes.reduce((n, o) => n + o.seconds, 0);
  lines.push(
    `<testsuites name="sidecar-labs validate" tests="${outcomes.length}" failures="${failures}" time="${total.toFixed(3)}">`,
  );
  for (const lab of labs) {
    const mine = outcomes.filter((o) => o.slug === lab.slug);
    const f = mine.filter((o) => !o.ok).length;
    const t = mine.reduce((n, o) => n + o.seconds, 0);
    lines.push(
      `  <testsuite name="${xml(lab.slug)}" tests="${mine.length}" failures="${f}" errors="0" skipped="0" time="${t.toFixed(3)}">`,
    );
    for (const o of mine) {
      lines.push(
        `    <testcase classname="${xml(`labs.${o.slug}`)}" name="${xml(caseName(o))}" time="${o.seconds.toFixed(3)}">`,
      );
      if (!o.ok)
        lines.push(
          `      <failure message="${xml(firstLine(o.problems[0] ?? 'failed'))}">${xml(o.problems.join('\n\n'))}</failure>`,
        );
      const out = outcomeLog(o);
      if (out.length) lines.push(`      <system-out>${xml(out.join('\n'))}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

const mistakeCount = (lab: Lab) => lab.steps.reduce((n, s) => n + s.mistakes.length, 0);

/** How many outcomes the run would have had (for the summary line when it could not run). */
function countOrOne(opts: ValidateOptions): number {
  try {
    return (
      (opts.slugs.length ? opts.slugs.map((s) => loadLab(s, opts.labsDir)) : loadLabs(opts.labsDir)).reduce(
        (n, l) => n + l.steps.length + mistakeCount(l),
        0,
      ) || 1
    );
  } catch {
    return 1; // the labs themselves are broken: count one failure
  }
}

/** A small pool: at most n labs at once on the one cluster. */
async function pool<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const errors: unknown[] = [];
  let next = 0;
  // every worker runs to its end (and its cleanup) even when another fails, before anything is rethrown
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        try {
          results[i] = await fn(items[i]);
        } catch (e) {
          errors.push(e);
        }
      }
    }),
  );
  if (errors.length) throw errors[0];
  return results;
}

export async function validate(
  opts: ValidateOptions,
  out: (s: string) => void = (s) => process.stdout.write(`${s}\n`),
): Promise<{ outcomes: StepOutcome[]; labs: Lab[] }> {
  const labs = opts.slugs.length ? opts.slugs.map((s) => loadLab(s, opts.labsDir)) : loadLabs(opts.labsDir);
  const engine = new Engine({ choice: opts.cluster, labsDir: opts.labsDir });
  await engine.kube.ping();
  const steps = labs.reduce((n, l) => n + l.steps.length, 0);
  const checks = labs.reduce((n, l) => n + l.steps.reduce((m, s) => m + s.checks.length, 0), 0);
  const mistakes = labs.reduce((n, l) => n + mistakeCount(l), 0);
  out(
    `validating ${labs.length} lab${labs.length === 1 ? '' : 's'} (${steps} steps, ${checks} checks, ${mistakes} mistakes) on ${engine.kube.describe}, ${opts.parallel} at a time`,
  );

  const abort = new AbortController();
  const onSignal = (sig: string) => {
    if (abort.signal.aborted) return;
    out(`\n${sig}: stopping; deleting the lab namespaces…`);
    abort.abort(new UserError('interrupted', `interrupted by ${sig}; lab namespaces deleted`));
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const report = (o: StepOutcome) => out(outcomeLine(o));
  try {
    const jobs = labs.flatMap((lab) => [
      () => validateLab(engine, lab, opts, abort.signal, report, out),
      ...lab.steps.flatMap((step, i) =>
        step.mistakes.map((m) => async () => {
          const o = await validateMistake(engine, lab, i, m, opts, abort.signal, out);
          report(o);
          return [o];
        }),
      ),
    ]);
    const results = await pool(jobs, opts.parallel, (job) => job()).catch((e) => {
      throw abort.signal.aborted ? abort.signal.reason : e;
    });
    return { outcomes: results.flat(), labs };
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

export async function run(args: string[]): Promise<number> {
  let opts: ValidateOptions | undefined;
  try {
    opts = parseArgs(args);
  } catch (e) {
    return reportError('validate', e);
  }
  if (!opts) return 0; // --help
  const t0 = Date.now();
  let result: { outcomes: StepOutcome[]; labs: Lab[] };
  try {
    result = await validate(opts);
  } catch (e) {
    // no cluster, unreachable API, malformed labs: one clear message, and still the summary line CI greps
    const code = reportError('validate', e);
    if (code !== 130) process.stdout.write(`0 passed, ${countOrOne(opts)} failed\n`);
    return code;
  }
  const { outcomes, labs } = result;
  if (opts.junit) {
    const file = resolve(opts.junit);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, junitXml(outcomes, labs));
    process.stdout.write(`JUnit report: ${file}\n`);
  }
  const passed = outcomes.filter((o) => o.ok).length;
  const failed = outcomes.length - passed;
  process.stdout.write(`validate took ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed === 0 && passed > 0 ? 0 : 1;
}
