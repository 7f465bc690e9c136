import { describe, it, expect } from 'vitest';
import { report, tally, type Tally } from '../flakes.ts';
import type { StepOutcome } from '../validate.ts';
import type { CheckResult } from '../../engine/index.ts';

const check = (title: string, ok: boolean): CheckResult => ({
  ok,
  title,
  message: ok ? 'fine' : 'not yet',
  type: 'podReady',
  elapsedMs: 1,
});

function outcome(o: Partial<StepOutcome>): StepOutcome {
  return { slug: 'lab', stepId: 'one', title: 't', ok: true, seconds: 1, problems: [], before: [], after: [], ...o };
}

const goodStep = outcome({ before: [check('a', false)], after: [check('a', true)] });
/** A mistake validate accepted: its detect check passes, the step's checks partly pass, the step does not. */
const goodMistake = outcome({
  mistake: { id: 'm', diagnosis: 'd' },
  before: [check('detect', true)],
  after: [check('a', true), check('b', false)],
});

function run(outcomes: StepOutcome[], interrupted = new Set<string>()) {
  const tallies = new Map<string, Tally>();
  const flakes = tally(tallies, outcomes, interrupted);
  return { flakes, tallies: Object.fromEntries([...tallies].map(([k, t]) => [k, `${t.flakes}/${t.runs}`])) };
}

describe('flake tallies of validate runs', () => {
  it('a step whose checks fail before and pass after, and a mistake validate accepted: no flakes', () => {
    expect(run([goodStep, goodMistake])).toEqual({
      flakes: 0,
      tallies: {
        'lab/one: (step)': '0/1',
        'lab/one: a': '0/1',
        'lab/one mistake m: (mistake)': '0/1',
        'lab/one mistake m: detect detect': '0/1',
        'lab/one mistake m: (diagnosis)': '0/1',
      },
    });
  });

  it('a check that passed before or failed after the solution flakes; a step that broke before its checks too', () => {
    const early = outcome({ ok: false, before: [check('a', true)], after: [check('a', true)] });
    const late = outcome({ ok: false, before: [check('a', false)], after: [check('a', false)] });
    const broke = outcome({ ok: false, problems: ['apply failed'] });
    expect(run([early, late, broke])).toEqual({
      flakes: 3,
      tallies: { 'lab/one: (step)': '1/3', 'lab/one: a': '2/2' },
    });
  });

  it('a step that fails for a reason no check shows (a diagnosis before the solution) is a flake of the step', () => {
    const diagnosed = outcome({ ...goodStep, ok: false, problems: ['mistake "m" is diagnosed BEFORE the solution'] });
    expect(run([diagnosed]).tallies['lab/one: (step)']).toBe('1/1');
  });

  it('mistakes: an undetected mistake flakes its detect check; a wrong diagnosis flakes the diagnosis', () => {
    const undetected = outcome({ ...goodMistake, ok: false, before: [check('detect', false)] });
    const wrong = outcome({ ...goodMistake, ok: false, problems: ['Check diagnosed mistake "n" instead'] });
    const broke = outcome({ ...goodMistake, ok: false, before: [], after: [], problems: ['start failed'] });
    expect(run([undetected, wrong, broke])).toEqual({
      flakes: 3,
      tallies: {
        'lab/one mistake m: (mistake)': '1/3',
        'lab/one mistake m: detect detect': '1/2',
        'lab/one mistake m: (diagnosis)': '1/1',
      },
    });
  });

  it('an interrupted lab is left out; the report totals every tally', () => {
    const tallies = new Map<string, Tally>();
    tally(tallies, [goodStep, outcome({ ...goodStep, slug: 'other', ok: false, after: [] })], new Set(['other']));
    const lines = report(tallies, 1, [12]);
    expect(lines.at(-1)).toMatch(/^total: 0 flakes in 2 check runs \(0\.00%\), 1 rounds, 12 s/);
  });
});
