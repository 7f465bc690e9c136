// Start-to-ready latency of a lab session, as the browser sees it: POST /api/sessions until the
// "ready" line (namespace created, manifests applied, pods ready and settled), and until the shell
// prompt arrives over the terminal WebSocket. 20 starts, one after another, on a warm cluster; each
// session is stopped afterwards. Goal (issue 5): p50 <= 3 s, p95 <= 6 s. Baseline in the same run:
// the engine's startSession called directly (no HTTP, no terminal connection), 5 starts.
//   node bench/live-start.ts [slug] [runs]      (LAB_URL=... to use a running server)
import { labServer, percentile, startLab, stopLab, TerminalClient, PROMPT, ms } from './live-lib.ts';
import { Engine } from '../src/engine/index.ts';

const slug = process.argv[2] ?? 'what-is-a-sidecar';
const runs = Number(process.argv[3] ?? 20);
const server = await labServer();
const ready: number[] = [];
const prompt: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const s = await startLab(server.url, slug);
    const t1 = performance.now();
    const term = new TerminalClient(server.url, s);
    await term.until((t) => PROMPT.test(t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')));
    const t2 = performance.now();
    term.close();
    await stopLab(server.url, s);
    ready.push(t1 - t0);
    prompt.push(t2 - t0);
    process.stdout.write(`  start ${String(i + 1).padStart(2)}: ready ${ms(t1 - t0)}, prompt ${ms(t2 - t0)}\n`);
  }
} finally {
  await server.stop();
}
const direct: number[] = [];
const engine = new Engine({ choice: 'kind' });
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const info = await engine.startSession(slug, { terminal: true, ttlSeconds: 600 });
  direct.push(performance.now() - t0);
  await engine.stopSession(info);
}
const line = (name: string, xs: number[]) =>
  `${name.padEnd(22)} p50 ${ms(percentile(xs, 50)).padStart(8)}  p95 ${ms(percentile(xs, 95)).padStart(8)}  max ${ms(Math.max(...xs)).padStart(8)}`;
console.log(`\nlab "${slug}", ${runs} starts`);
console.log(line('start to ready (API)', ready));
console.log(line('start to shell prompt', prompt));
console.log(line('baseline: engine only', direct));
console.log(
  `lab server overhead at p50: ${ms(percentile(prompt, 50) - percentile(direct, 50))} (start to prompt vs engine start)`,
);
console.log(`goal: p50 <= 3000 ms, p95 <= 6000 ms (start to prompt)`);
