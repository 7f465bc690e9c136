// Benchmark: `validate` of every lab (wall time; goal <= 3 min) and check latency (goal p50/p95 <= 1 s).
// Run on the lab cluster: node bench/validate-all.ts [--parallel N] [--rounds N]
// Check latency = one learner "Check" (quick mode) of one check on a lab whose step is done, measured
// around the engine call (includes the API round trips: exec, logs, proxy, reads).
import { mkdirSync, writeFileSync } from 'node:fs';
import { validate } from '../src/cli/validate.ts';
import { Engine } from '../src/engine/index.ts';
import { defaultClusterChoice } from '../src/kube/kubeconfig.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const parallel = arg('--parallel', 4);
const rounds = arg('--rounds', 20);
const cluster = defaultClusterChoice();

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// 1. validate-all
const t0 = Date.now();
const { outcomes } = await validate({ slugs: [], parallel, keep: false, cluster }, () => undefined);
const wall = (Date.now() - t0) / 1000;
const passed = outcomes.filter((o) => o.ok).length;
// a mistake's `after` holds the step's checks with the mistake made (quick mode, some fail): not a CI wait
const afterChecks = outcomes.filter((o) => !o.mistake).flatMap((o) => o.after);

// 2. check latency on settled labs
const engine = new Engine({ choice: cluster });
const latencies: Record<string, number[]> = {};
let baseline: number[] | undefined;
for (const slug of ['what-is-a-sidecar', 'localhost-between-containers', 'native-sidecars']) {
  const s = await engine.startSession(slug, { ttlSeconds: 900 });
  try {
    const lab = engine.lab(slug);
    for (const step of lab.steps) {
      await engine.applySolution(s, step.id);
      const r = await engine.checkStep(s, step.id, { mode: 'wait' });
      if (!r.ok) throw new Error(`${slug}/${step.id} did not pass: ${r.checks.map((c) => c.message).join('; ')}`);
    }
    // give settle windows that started with the last solution time to pass, as for a learner who reads first
    await new Promise((r) => setTimeout(r, 6000));
    for (let i = 0; i < rounds; i++) {
      // baseline: one plain API read of a pod, the cheapest thing a check can do
      const pods = await engine.kube.listPods(s.namespace);
      const tb = performance.now();
      await engine.kube.readPod(s.namespace, pods[0]!.metadata!.name!);
      (baseline ??= []).push(performance.now() - tb);
      for (const step of lab.steps) {
        const t = performance.now();
        const one = await engine.checkStep(s, step.id);
        const ms = performance.now() - t;
        if (!one.ok)
          throw new Error(`${slug}/${step.id} stopped passing: ${one.checks.map((c) => c.message).join('; ')}`);
        (latencies[`step ${slug}/${step.id} (${step.checks.length} checks)`] ??= []).push(ms);
        for (const c of one.checks) (latencies[c.type] ??= []).push(c.elapsedMs);
      }
    }
  } finally {
    await engine.stopSession(s);
  }
}

const lines: string[] = [];
lines.push(
  `validate-all: ${outcomes.filter((o) => !o.mistake).length} steps and ${outcomes.filter((o) => o.mistake).length} mistakes of ${new Set(outcomes.map((o) => o.slug)).size} labs, ${passed} passed, wall ${wall.toFixed(1)} s (goal <= 180 s, ${(wall / 180).toFixed(2)}x of the goal), --parallel ${parallel}`,
);
const labSeconds = [...new Set(outcomes.map((o) => o.slug))].map((slug) =>
  outcomes.filter((o) => o.slug === slug).reduce((n, o) => n + o.seconds, 0),
);
lines.push(
  `  labs one after another would take ${labSeconds.reduce((a, b) => a + b, 0).toFixed(1)} s of steps: --parallel ${parallel} gives ${(labSeconds.reduce((a, b) => a + b, 0) / wall).toFixed(2)}x`,
);
lines.push(
  `  slowest steps: ${[...outcomes]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 3)
    .map((o) => `${o.slug}/${o.stepId} ${o.seconds.toFixed(1)}s`)
    .join(', ')}`,
);
lines.push(
  `  after-solution check wait (CI, includes pods starting): p50 ${(
    pct(
      afterChecks.map((c) => c.elapsedMs),
      50,
    ) / 1000
  ).toFixed(2)} s, p95 ${(
    pct(
      afterChecks.map((c) => c.elapsedMs),
      95,
    ) / 1000
  ).toFixed(2)} s`,
);
lines.push(`check latency, learner "Check" on a done step (${rounds} rounds; goal p50/p95 <= 1000 ms):`);
const all: number[] = [];
for (const [k, xs] of Object.entries(latencies)) {
  if (!k.startsWith('step ')) all.push(...xs);
  lines.push(
    `  ${k.padEnd(58)} n=${String(xs.length).padStart(3)}  p50 ${pct(xs, 50).toFixed(0).padStart(5)} ms  p95 ${pct(xs, 95).toFixed(0).padStart(5)} ms`,
  );
}
const b50 = pct(baseline ?? [0], 50);
lines.push(
  `  baseline: one API GET of a pod                              n=${String(baseline?.length ?? 0).padStart(3)}  p50 ${b50.toFixed(0).padStart(5)} ms  p95 ${pct(
    baseline ?? [0],
    95,
  )
    .toFixed(0)
    .padStart(5)} ms`,
);
lines.push(
  `  all single checks: p50 ${pct(all, 50).toFixed(0)} ms (${(pct(all, 50) / 1000).toFixed(2)}x of goal), p95 ${pct(all, 95).toFixed(0)} ms (${(pct(all, 95) / 1000).toFixed(2)}x of goal); p50 = ${(pct(all, 50) / b50).toFixed(1)}x one API GET`,
);
console.log(lines.join('\n'));
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/validate-all.json',
  JSON.stringify(
    {
      when: new Date().toISOString(),
      cluster,
      parallel,
      wallSeconds: wall,
      steps: outcomes.length,
      passed,
      latencies,
      baselinePodGetMs: baseline,
    },
    null,
    2,
  ),
);
process.exit(passed === outcomes.length ? 0 : 1);
