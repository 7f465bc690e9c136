// Flake tallies over repeated `validate` runs (bench/soak.ts): which check, mistake or step gave a
// different answer than it should, how often. Pure: outcomes in, counts and a table out.
import type { StepOutcome } from './validate.ts';

export interface Tally {
  runs: number;
  flakes: number;
  messages: string[];
}

type Add = (key: string, flaked: boolean, message: string) => void;

/**
 * A mistake's outcome: `before` holds its detect checks (each must PASS once the mistake is made), `after`
 * the step's checks with the mistake made (some may pass; the step as a whole must not, and Check must
 * give this mistake's diagnosis). A detect check flakes when it did not pass; "(diagnosis)" flakes when
 * every detect check passed but the step passed or Check gave no or another diagnosis; "(mistake)" when
 * it broke before its detect checks ran.
 */
function tallyMistake(o: StepOutcome, add: Add): void {
  const key = `${o.slug}/${o.stepId} mistake ${o.mistake!.id}`;
  const detected = o.before.length > 0;
  add(`${key}: (mistake)`, !detected, o.problems[0] ?? '');
  if (!detected) return;
  o.before.forEach((c) => add(`${key}: detect ${c.title}`, !c.ok, `not detected: ${c.message}`));
  if (o.before.every((c) => c.ok)) add(`${key}: (diagnosis)`, !o.ok, o.problems[0] ?? '');
}

/** Adds one run's outcomes to the tallies, keyed "slug/step: check title" (or "slug/step: (step)"). */
export function tally(tallies: Map<string, Tally>, outcomes: StepOutcome[], interrupted: Set<string>): number {
  let flakes = 0;
  const add = (key: string, flaked: boolean, message: string) => {
    const t = tallies.get(key) ?? { runs: 0, flakes: 0, messages: [] };
    t.runs++;
    if (flaked) {
      t.flakes++;
      flakes++;
      if (t.messages.length < 3) t.messages.push(message);
    }
    tallies.set(key, t);
  };
  for (const o of outcomes) {
    if (interrupted.has(o.slug)) continue; // counted apart: not the lab's doing
    if (o.mistake) {
      tallyMistake(o, add);
      continue;
    }
    const key = `${o.slug}/${o.stepId}`;
    const checked = o.after.length > 0;
    const checkFlakes = o.after.filter((c, i) => !c.ok || o.before[i]?.ok === true).length;
    // the step itself: it broke before its checks ran, or failed for a reason no check shows (a mistake
    // diagnosed before the solution)
    add(`${key}: (step)`, !checked || (!o.ok && checkFlakes === 0), o.problems[0] ?? '');
    if (!checked) continue;
    o.after.forEach((c, i) => {
      const before = o.before[i];
      const flaked = !c.ok || before?.ok === true;
      add(`${key}: ${c.title}`, flaked, !c.ok ? `failed after: ${c.message}` : `passed before: ${before?.message}`);
    });
  }
  return flakes;
}

export function report(tallies: Map<string, Tally>, k: number, seconds: number[]): string[] {
  const lines = [`\nflake rate per check over ${k} run${k === 1 ? '' : 's'}:`];
  let runs = 0;
  let flakes = 0;
  const width = Math.min(110, Math.max(40, ...[...tallies.keys()].map((key) => key.length)));
  for (const [key, t] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    runs += t.runs;
    flakes += t.flakes;
    const rate = `${((100 * t.flakes) / t.runs).toFixed(1)}%`;
    const shown = key.length > width ? `${key.slice(0, width - 1)}…` : key;
    lines.push(`  ${shown.padEnd(width)} ${String(t.flakes).padStart(3)}/${t.runs}  ${rate.padStart(6)}`);
    for (const m of t.messages) lines.push(`      e.g. ${m.split('\n')[0].slice(0, 160)}`);
  }
  const total = seconds.reduce((a, b) => a + b, 0);
  lines.push(
    `total: ${flakes} flakes in ${runs} check runs (${((100 * flakes) / Math.max(1, runs)).toFixed(2)}%), ${k} rounds, ` +
      `${total.toFixed(0)} s (${(total / k).toFixed(1)} s a round); goal 0 flakes in 20 runs`,
  );
  return lines;
}
