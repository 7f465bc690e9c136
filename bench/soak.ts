// Soak: `validate` of every lab (or the labs named) K times in a row on the existing cluster, and each
// check's flake rate. A check flakes in a run when it passed BEFORE its step's solution or failed AFTER
// it; a step that broke before its checks ran (start, apply, a thrown error) counts as a flake of the
// step. For a listed mistake (made in a fresh session): a detect check flakes when it does not pass, and
// the diagnosis when the step then passes or Check does not name that mistake. A lab whose session namespace was deleted from outside during a run is reported as interrupted
// and left out of that run's counts. Goal: 0 flakes in 20 runs.
//   node bench/soak.ts [K=20] [slug...] [--parallel N]
// Prints one line per run, then a table of every check with flakes/K, and the total.
import { mkdirSync, writeFileSync } from 'node:fs';
import { validate, type StepOutcome } from '../src/cli/validate.ts';
import { defaultClusterChoice } from '../src/cluster/kubeconfig.ts';

interface Tally {
  runs: number;
  flakes: number;
  messages: string[];
}

function parseArgs(argv: string[]): { k: number; slugs: string[]; parallel: number } {
  let k = 20;
  let parallel = 4;
  const slugs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--parallel') parallel = Number(argv[++i]);
    else if (/^\d+$/.test(a)) k = Number(a);
    else slugs.push(a);
  }
  if (!Number.isInteger(k) || k < 1 || !Number.isInteger(parallel) || parallel < 1) {
    throw new Error('usage: node bench/soak.ts [K] [slug...] [--parallel N]  (K and N whole numbers >= 1)');
  }
  return { k, slugs, parallel };
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
function tally(tallies: Map<string, Tally>, outcomes: StepOutcome[], interrupted: Set<string>): number {
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

function report(tallies: Map<string, Tally>, k: number, seconds: number[]): string[] {
  const lines = [`\nflake rate per check over ${k} run${k === 1 ? '' : 's'}:`];
  let runs = 0;
  let flakes = 0;
  for (const [key, t] of [...tallies].sort(([a], [b]) => a.localeCompare(b))) {
    runs += t.runs;
    flakes += t.flakes;
    const rate = `${((100 * t.flakes) / t.runs).toFixed(1)}%`;
    lines.push(`  ${key.padEnd(86)} ${String(t.flakes).padStart(3)}/${t.runs}  ${rate.padStart(6)}`);
    for (const m of t.messages) lines.push(`      e.g. ${m.split('\n')[0].slice(0, 160)}`);
  }
  const total = seconds.reduce((a, b) => a + b, 0);
  lines.push(
    `total: ${flakes} flakes in ${runs} check runs (${((100 * flakes) / Math.max(1, runs)).toFixed(2)}%), ${k} rounds, ` +
      `${total.toFixed(0)} s (${(total / k).toFixed(1)} s a round); goal 0 flakes in 20 runs`,
  );
  return lines;
}

const { k, slugs, parallel } = parseArgs(process.argv.slice(2));
const cluster = defaultClusterChoice();
const tallies = new Map<string, Tally>();
const seconds: number[] = [];
const interruptions: string[] = [];
for (let run = 1; run <= k; run++) {
  const t0 = Date.now();
  const { outcomes } = await validate({ slugs, parallel, keep: false, cluster }, () => undefined);
  seconds.push((Date.now() - t0) / 1000);
  // a session namespace deleted by someone else (another tool's cleanup) is not a flake of the lab
  const gone = new Set(
    outcomes.filter((o) => o.problems.some((p) => /namespaces? "[^"]+" not found/.test(p))).map((o) => o.slug),
  );
  for (const slug of gone) interruptions.push(`run ${run}: ${slug}'s session namespace was deleted from outside`);
  const flakes = tally(tallies, outcomes, gone);
  const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.slug}/${o.stepId}`);
  console.log(
    `run ${String(run).padStart(2)}/${k}: ${outcomes.length - failed.length}/${outcomes.length} steps and mistakes ok, ${flakes} flaky check${flakes === 1 ? '' : 's'}` +
      `${failed.length ? ` (${failed.join(', ')})` : ''}, ${seconds[run - 1].toFixed(1)} s, ended ${new Date().toISOString().slice(11, 19)} UTC`,
  );
  // what went wrong, at once: a flake often lines up with something else happening on the cluster
  for (const o of outcomes.filter((x) => !x.ok))
    for (const p of o.problems)
      console.log(`    ${o.slug}/${o.stepId}: ${p.split('\n').slice(0, 3).join(' | ').slice(0, 300)}`);
}
const lines = report(tallies, k, seconds);
lines.push(`interrupted (not counted): ${interruptions.length ? interruptions.join('; ') : 'none'}`);
console.log(lines.join('\n'));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/soak-${slugs.length ? slugs.join('+') : 'all'}.json`,
  JSON.stringify(
    {
      when: new Date().toISOString(),
      cluster,
      k,
      slugs,
      parallel,
      seconds,
      interruptions,
      checks: Object.fromEntries(tallies),
    },
    null,
    2,
  ),
);
process.exit([...tallies.values()].some((t) => t.flakes > 0) ? 1 : 0);
