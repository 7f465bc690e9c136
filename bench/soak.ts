// Soak: `validate` of every lab (or the labs named) K times in a row on the existing cluster, and each
// check's flake rate. A check flakes in a run when it passed BEFORE its step's solution or failed AFTER
// it; a step that broke before its checks ran (start, apply, a thrown error) counts as a flake of the
// step. For a listed mistake (made in a fresh session): a detect check flakes when it does not pass, and
// the diagnosis when the step then passes or Check does not name that mistake (src/cli/flakes.ts). A lab
// whose session namespace was deleted from outside during a run is reported as interrupted and left out
// of that run's counts. Goal: 0 flakes in 20 runs.
//   node bench/soak.ts [K=20] [slug...] [--parallel N]
// Prints one line per run, then a table of every check with flakes/K, and the total; the table and a JSON
// copy go to bench/results/soak-<labs>.{txt,json} after every round.
import { mkdirSync, writeFileSync } from 'node:fs';
import { validate } from '../src/cli/validate.ts';
import { report, tally, type Tally } from '../src/cli/flakes.ts';
import { defaultClusterChoice } from '../src/kube/kubeconfig.ts';

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

const { k, slugs, parallel } = parseArgs(process.argv.slice(2));
const cluster = defaultClusterChoice();
const tallies = new Map<string, Tally>();
const seconds: number[] = [];
const interruptions: string[] = [];
const name = `bench/results/soak-${slugs.length ? slugs.join('+') : 'all'}`;

/** The table and JSON of the rounds done so far, written after every round (a soak stopped early still tells). */
function save(done: number): string[] {
  const lines = report(tallies, done, seconds);
  lines.push(`interrupted (not counted): ${interruptions.length ? interruptions.join('; ') : 'none'}`);
  if (done < k) lines.push(`(${done} of ${k} rounds done)`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`${name}.txt`, `${lines.join('\n')}\n`);
  const checks = Object.fromEntries(tallies);
  const result = { when: new Date().toISOString(), cluster, k, done, slugs, parallel, seconds, interruptions, checks };
  writeFileSync(`${name}.json`, JSON.stringify(result, null, 2));
  return lines;
}

for (let run = 1; run <= k; run++) {
  const t0 = Date.now();
  const outcomes = await validate({ slugs, parallel, keep: false, cluster }, () => undefined).then(
    (r) => r.outcomes,
    (e: unknown) => {
      // SIGINT/SIGTERM: validate has deleted this round's namespaces; report the rounds that finished
      console.log(`\nround ${run} stopped: ${e instanceof Error ? e.message : String(e)}`);
      console.log(save(run - 1).join('\n'));
      process.exit(2);
    },
  );
  seconds.push((Date.now() - t0) / 1000);
  // a session namespace deleted by someone else (another tool's cleanup) is not a flake of the lab
  const gone = new Set(
    outcomes.filter((o) => o.problems.some((p) => /namespaces? "[^"]+" not found/.test(p))).map((o) => o.slug),
  );
  for (const slug of gone) interruptions.push(`run ${run}: ${slug}'s session namespace was deleted from outside`);
  const flakes = tally(tallies, outcomes, gone);
  const failed = outcomes
    .filter((o) => !o.ok)
    .map((o) => `${o.slug}/${o.stepId}${o.mistake ? ` mistake ${o.mistake.id}` : ''}`);
  console.log(
    `run ${String(run).padStart(2)}/${k}: ${outcomes.length - failed.length}/${outcomes.length} steps and mistakes ok, ${flakes} flaky check${flakes === 1 ? '' : 's'}` +
      `${failed.length ? ` (${failed.join(', ')})` : ''}, ${seconds[run - 1].toFixed(1)} s, ended ${new Date().toISOString().slice(11, 19)} UTC`,
  );
  // what went wrong, at once: a flake often lines up with something else happening on the cluster
  for (const o of outcomes.filter((x) => !x.ok))
    for (const p of o.problems)
      console.log(`    ${o.slug}/${o.stepId}: ${p.split('\n').slice(0, 3).join(' | ').slice(0, 300)}`);
  save(run);
}
console.log(save(k).join('\n'));
process.exit([...tallies.values()].some((t) => t.flakes > 0) ? 1 : 0);
