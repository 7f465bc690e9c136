// The event-code lockout case: a script sends 80 wrong codes as fast as it can from 127.0.0.2, then
// a learner types the right code from 127.0.0.3 (join, as the page does). Prints the guesser's
// answers and time, and what the learner gets. Then the limiter's memory under 1,000,000 guessing
// IPv6 /64s (in this process). Loopback only.
//   node --expose-gc bench/event-code.ts [--dir <checkout>] [--port 4407]
// Needs the cluster (a workshop server follows the banner on it).
import { request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';
import { mib, serverProcess } from './server-proc.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, port: { type: 'string' } } });
const port = Number(values.port ?? process.env.BENCH_PORT ?? 4407);
const CODE = 'BENC-2345';

function join(from: string, code: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      `http://127.0.0.1:${port}/api/workshop/join`,
      {
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(JSON.stringify({ code, name: 'bench' }));
  });
}

const server = await serverProcess(
  port,
  { SIDECAR_LABS_WORKSHOP_CODE: CODE, SIDECAR_LABS_INSTRUCTOR_SECRET: 'bench-instructor-secret-0123' },
  values.dir ?? process.cwd(),
);
try {
  const t0 = performance.now();
  const wrong = await Promise.all(
    Array.from({ length: 80 }, (_, i) => join('127.0.0.2', `GUES-${String(i).padStart(4, '0')}`)),
  );
  const ms = performance.now() - t0;
  const count = (s: number) => wrong.filter((x) => x === s).length;
  console.log(`80 wrong codes from 127.0.0.2 in ${ms.toFixed(0)} ms: ${count(403)} × 403, ${count(429)} × 429`);
  console.log(`then the right code from 127.0.0.3 (another learner): HTTP ${await join('127.0.0.3', CODE)}`);
  console.log(`then the right code from 127.0.0.1 (another learner): HTTP ${await join('127.0.0.1', CODE)}`);
  console.log(`then the right code from 127.0.0.2 (the guesser): HTTP ${await join('127.0.0.2', CODE)}`);
} finally {
  await server.stop();
}

// the limiter's table under a crowd of addresses (only where it exists: this checkout's module)
const mod = await import('../src/server/workshop/guess-limiter.ts').catch(() => undefined);
if (mod) {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const g = new mod.GuessLimiter();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1_000_000; i++) g.wrong(`2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`);
  gc(); // with --expose-gc the heap figure is what stays, not the garbage of a million strings
  console.log(
    `limiter after wrong codes from 1,000,000 IPv6 /64s: ${g.size} addresses remembered, heap +${mib(process.memoryUsage().heapUsed - before)}`,
  );
}
