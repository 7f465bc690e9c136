import { describe, it, expect } from 'vitest';
import { parseArgs, junitXml, outcomeLine, problemsBeforeSolution, type StepOutcome } from '../validate.ts';
import { loadLab } from '../../engine/load.ts';
import type { CheckType } from '../../engine/schema.ts';

/** One check's result as validate records it (3 ms, the fields the JUnit and console lines use). */
const result = (type: CheckType, title: string, message: string, ok: boolean) => ({
  ok,
  message,
  title,
  type,
  elapsedMs: 3,
});

describe('validate arguments', () => {
  it('parses slugs and options', () => {
    expect(
      parseArgs([
        'date-tailer',
        '--junit',
        'out.xml',
        '--parallel=2',
        '--keep',
        '--cluster',
        'current',
        'native-sidecars',
      ]),
    ).toMatchObject({
      slugs: ['date-tailer', 'native-sidecars'],
      junit: 'out.xml',
      parallel: 2,
      keep: true,
      cluster: 'current',
    });
  });
  it('explains bad options', () => {
    expect(() => parseArgs(['--parallel', '0'])).toThrow('--parallel expects a whole number from 1 to 64, got "0"');
    expect(() => parseArgs(['--cluster', 'minikube'])).toThrow('--cluster expects "kind" or "current", got "minikube"');
    expect(() => parseArgs(['--junit'])).toThrow(/--junit <value>' argument missing/);
    expect(() => parseArgs(['--fast'])).toThrow("unknown option '--fast'");
  });
});

describe('JUnit XML', () => {
  it('one suite per lab, one case per step, failures with their problems, escaped', () => {
    const lab = loadLab('date-tailer');
    const check = result('podReady', 'pod "sidecar" ready', 'pod "sidecar" does not exist yet', false);
    const outcomes: StepOutcome[] = [
      {
        slug: 'date-tailer',
        stepId: 'tail-the-log',
        title: 'Turn a log <file> into logs',
        ok: false,
        seconds: 12.5,
        problems: ['check failed after the solution: logs & "dates"\u001b[0m'],
        before: [check],
        after: [{ ...check, ok: false }],
      },
    ];
    const xml = junitXml(outcomes, [lab]);
    expect(xml).toContain('<testsuites name="sidecar-labs validate" tests="1" failures="1" time="12.500">');
    expect(xml).toContain('<testsuite name="date-tailer" tests="1" failures="1" errors="0" skipped="0" time="12.500">');
    expect(xml).toContain('name="tail-the-log: Turn a log &lt;file&gt; into logs"');
    expect(xml).toContain('<failure message="check failed after the solution: logs &amp; &quot;dates&quot;[0m">');
    expect(xml).not.toContain('\u001b');
    expect(xml).toContain('before solution: failed (expected) - pod &quot;sidecar&quot; ready');
  });

  it('a mistake is a test case of its own, named after the step and the mistake, with the diagnosis given', () => {
    const lab = loadLab('date-tailer');
    const detect = result('field', 'Pod "sidecar" mounts', 'is not set', true);
    const step = result('podReady', 'pod "sidecar" ready', 'pod "sidecar" is not ready', false);
    const outcomes: StepOutcome[] = [
      {
        slug: 'date-tailer',
        stepId: 'tail-the-log',
        title: 'the sidecar does not mount the log volume',
        ok: true,
        seconds: 20,
        problems: [],
        before: [detect],
        after: [step],
        mistake: { id: 'volume-only-in-main', diagnosis: 'Mount shared-logs <too>' },
      },
      {
        slug: 'date-tailer',
        stepId: 'tail-the-log',
        title: 'wrong path',
        ok: false,
        seconds: 10,
        problems: ['Check gave no diagnosis for the mistake'],
        before: [detect],
        after: [step],
        mistake: { id: 'wrong-mount-path' },
      },
    ];
    const xml = junitXml(outcomes, [lab]);
    expect(xml).toContain('<testsuite name="date-tailer" tests="2" failures="1"');
    expect(xml).toContain('name="tail-the-log mistake volume-only-in-main: the sidecar does not mount the log volume"');
    expect(xml).toContain('mistake made: detected - Pod &quot;sidecar&quot; mounts: is not set');
    expect(xml).toContain('step check: failed (expected) - pod &quot;sidecar&quot; ready');
    expect(xml).toContain('diagnosis: Mount shared-logs &lt;too&gt;');
    expect(xml).toContain('<failure message="Check gave no diagnosis for the mistake">');
  });
});

describe('the console line of an outcome', () => {
  const base = { slug: 'date-tailer', stepId: 'tail-the-log', title: 't', seconds: 12.34, before: [], after: [] };
  it('a step: how many checks, failed before and passed after', () => {
    const check = { ok: true, message: 'm', title: 'c', type: 'podReady' as const, elapsedMs: 1 };
    const line = outcomeLine({ ...base, ok: true, problems: [], before: [check, check] });
    expect(line).toBe('ok   date-tailer/tail-the-log (2 checks: failed before, passed after) 12.3s');
  });
  it('a failed mistake: the same line shape, then each problem on its own line', () => {
    const line = outcomeLine({
      ...base,
      ok: false,
      problems: ['Check gave no diagnosis for the mistake', 'second'],
      mistake: { id: 'wrong-mount-path' },
    });
    expect(line.split('\n')).toEqual([
      'FAIL date-tailer/tail-the-log (mistake "wrong-mount-path": step not passed, diagnosed) 12.3s',
      '       - Check gave no diagnosis for the mistake',
      '       - second',
    ]);
  });
});

describe('checks before the solution', () => {
  const step = loadLab('content-sidecar').steps[0];
  const [first, second] = step.checks;
  it('a check that passes before its solution is a problem, unless it is an invariant', () => {
    const before = [result('podReady', 'ready', 'all ready', true), result('exec', 'page', 'no page', false)];
    expect(problemsBeforeSolution(step, { checks: before })).toEqual([
      'check passed BEFORE the solution, so it cannot tell whether the step was done: ready (all ready)',
    ]);
    const invariant = { ...step, checks: [{ ...first!, invariant: true }, second!] };
    expect(problemsBeforeSolution(invariant, { checks: before })).toEqual([]);
  });
});
