// Where a session start's time goes, from the engine's own progress events: checks before anything
// exists (start → "creating namespace"), the namespace, the applies (namespace created → first "wait"
// event: budget, terminal and setup objects), and the wait for ready pods plus the settle window.
// N starts one after another (each stopped afterwards), terminal on, as the lab server starts them.
//   node bench/start-phases.ts [slug] [runs]
import { Engine } from '../src/engine/index.ts';
import { percentile, ms } from './live-lib.ts';

const slug = process.argv[2] ?? 'what-is-a-sidecar';
const runs = Number(process.argv[3] ?? 10);
const engine = new Engine({ choice: 'kind' });
const phases = { checks: [] as number[], namespace: [] as number[], apply: [] as number[], wait: [] as number[] };
await engine.stopSession(await engine.startSession(slug, { terminal: true, ttlSeconds: 600 })); // warm caches
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const at: Record<string, number> = {};
  const info = await engine.startSession(slug, {
    terminal: true,
    ttlSeconds: 600,
    onProgress: (ev) => {
      const key = ev.phase === 'namespace' ? (ev.done ? 'created' : 'creating') : ev.phase;
      at[key] ??= performance.now();
    },
  });
  const t1 = performance.now();
  await engine.stopSession(info);
  phases.checks.push(at.creating! - t0);
  phases.namespace.push(at.created! - at.creating!);
  phases.apply.push((at.wait ?? t1) - at.created!);
  phases.wait.push(t1 - (at.wait ?? t1));
  process.stdout.write(
    `  start ${String(i + 1).padStart(2)}: apply ${ms(phases.apply.at(-1)!)}, total ${ms(t1 - t0)}\n`,
  );
}
console.log(`\nlab "${slug}", ${runs} starts (engine, terminal on)`);
for (const [name, xs] of Object.entries(phases))
  console.log(
    `${name.padEnd(10)} p50 ${ms(percentile(xs, 50)).padStart(8)}  p95 ${ms(percentile(xs, 95)).padStart(8)}`,
  );
