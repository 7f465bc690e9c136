// A soak of the hostile clients against ONE lab server process: each round runs every attack of the
// hostile suite (the tests in src/server/__tests__/abuse, hardening, static-abort, input-flow,
// workshop; the slowloris and flood of server-load.ts), then waits for the server to settle. The
// server must never restart (same pid, /api/health answers, no "unexpected error" from its safety
// net) and its RSS must come back within 10% of the baseline after each round. Prints one row per
// round. Loopback only; every loop is bounded.
//   node bench/hostile-soak.ts [--rounds 3] [--port 4405] [--dir <checkout>]
// Needs no cluster for the attacks (the server waits for one in the background, as `npm start` does).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { mib, serverProcess } from './server-proc.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string' }, port: { type: 'string' }, dir: { type: 'string' } },
});
const rounds = Number(values.rounds ?? 3);
const port = Number(values.port ?? process.env.BENCH_PORT ?? 4405);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// a small built site: a page with an inline script (CSP hash, gzip), a big binary to abort
const dist = mkdtempSync(join(tmpdir(), 'sl-soak-site-'));
writeFileSync(join(dist, 'index.html'), `<html><script>let a=1;</script>${'<p>lesson</p>'.repeat(2000)}</html>`);
writeFileSync(join(dist, '404.html'), `<html><h1>not found</h1>${' '.repeat(4000)}</html>`);
writeFileSync(join(dist, 'big.png'), Buffer.alloc(16 * 1024 * 1024, 7));

const server = await serverProcess(
  port,
  {
    SIDECAR_LABS_DIST: dist,
    // short timeouts keep a round short; the defences are the same
    SIDECAR_LABS_HEADERS_TIMEOUT_SECONDS: '2',
    SIDECAR_LABS_REQUEST_TIMEOUT_SECONDS: '4',
  },
  values.dir ?? process.cwd(),
);
const host = `127.0.0.1:${port}`;

/** Open a raw connection, write `data`, then reset it (after `afterMs`, or once bytes came back). */
function rawReset(data: string, afterMs: number | 'first-byte'): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    const done = () => resolve();
    s.on('error', done);
    s.on('close', done);
    s.on('connect', () => {
      s.write(data);
      if (afterMs === 'first-byte') s.once('data', () => s.resetAndDestroy());
      else setTimeout(() => s.resetAndDestroy(), afterMs);
    });
    setTimeout(() => s.destroy(), 5_000).unref();
  });
}

async function inBatches(n: number, size: number, one: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < n; i += size)
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, j) => one(i + j)));
}

const upgrade = (id: string, token: string, origin = `http://${host}`) =>
  [
    `GET /api/terminal/${id} HTTP/1.1`,
    `Host: ${host}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    `Sec-WebSocket-Protocol: sidecar-labs.v1, token.${token}`,
    `Origin: ${origin}`,
    '\r\n',
  ].join('\r\n');

const ATTACKS: { name: string; run: () => Promise<void> }[] = [
  {
    name: '1,000 bad-token upgrades reset while the 403 is written',
    run: () => inBatches(1000, 20, (i) => rawReset(upgrade(`000000000000000${i % 10}`, 'bad'), i % 2 ? 0 : 1)),
  },
  {
    name: '300 WebSockets from a foreign origin, opened and dropped',
    run: () =>
      inBatches(
        300,
        10,
        (i) =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(`ws://${host}/api/terminal/0000000000000000`, ['sidecar-labs.v1', 'token.x'], {
              origin: 'https://evil.example',
            });
            ws.on('error', () => resolve());
            ws.on('close', () => resolve());
            setTimeout(() => ws.terminate(), i % 3);
          }),
      ),
  },
  {
    name: '400 downloads reset at once, after the first byte, a moment later (gzip page, 16 MB file)',
    run: () =>
      inBatches(400, 20, (i) =>
        rawReset(
          `GET ${i % 2 ? '/big.png' : '/'} HTTP/1.1\r\nHost: ${host}\r\nAccept-Encoding: gzip\r\n\r\n`,
          i % 3 === 0 ? 0 : i % 3 === 1 ? 'first-byte' : 5,
        ),
      ),
  },
  {
    name: '100 slowloris connections (a header byte every 500 ms)',
    run: () =>
      Promise.all(
        Array.from(
          { length: 100 },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(port, '127.0.0.1');
              s.on('error', () => {});
              s.on('close', () => resolve());
              s.on('connect', () => s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n`));
              const t = setInterval(() => s.writable && s.write('X-a: b\r\n'), 500);
              s.on('close', () => clearInterval(t));
              setTimeout(() => s.destroy(), 8_000).unref();
            }),
        ),
      ).then(() => undefined),
  },
  {
    name: '500 malformed requests, rebinding Hosts, traversal paths',
    run: () =>
      inBatches(500, 25, (i) =>
        rawReset(
          [
            'GARBAGE \x00\x01\x02\r\n\r\n',
            `GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n`,
            `GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
            `GET /%00 HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
            `GET / HTTP/1.1\r\nHost: ${host}\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
          ][i % 5]!,
          'first-byte',
        ),
      ),
  },
  {
    name: '100 oversized JSON bodies (1 MiB) and 100 bodies cut off mid-way',
    run: () =>
      inBatches(200, 20, (i) =>
        i % 2
          ? new Promise<void>((resolve) => {
              const req = httpRequest(`http://${host}/api/sessions`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
              });
              req.on('response', (res) => {
                res.resume();
                res.on('end', () => resolve());
              });
              req.on('error', () => resolve());
              req.end(Buffer.alloc(1024 * 1024, 32));
            })
          : rawReset(
              `POST /api/sessions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 9000\r\n\r\n{"slug":`,
              20,
            ),
      ),
  },
  {
    name: '100 wrong session tokens and foreign origins on the session API',
    run: () =>
      inBatches(100, 20, async (i) => {
        const r = await fetch(`http://${host}/api/sessions/0000000000000000${i % 10}/check`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer nope',
            ...(i % 2 ? { origin: 'https://evil.example' } : {}),
          },
          body: '{"step":0}',
        }).catch(() => undefined);
        await r?.arrayBuffer();
      }),
  },
];

async function healthy(): Promise<boolean> {
  const r = await fetch(`${server.url}/api/health`).catch(() => undefined);
  return r?.status === 200 && ((await r.json()) as { ok?: boolean }).ok === true;
}

/** The RSS once the server settled: the lowest of 5 samples a second apart, after a pause. */
async function settledRss(): Promise<number> {
  await sleep(3000);
  let low = Infinity;
  for (let i = 0; i < 5; i++) {
    low = Math.min(low, server.rss());
    await sleep(1000);
  }
  return low;
}

const unexpected = () => (server.output().match(/unexpected error \(still serving\)/g) ?? []).length;
try {
  // warm-up: normal traffic, so the baseline includes what any served page costs
  await inBatches(200, 20, async (i) => (await fetch(`${server.url}${i % 2 ? '/' : '/big.png'}`)).arrayBuffer());
  const baseline = await settledRss();
  console.log(`hostile soak: ${rounds} rounds against one server (pid ${server.pid}); baseline RSS ${mib(baseline)}`);
  for (const a of ATTACKS) console.log(`  - ${a.name}`);
  console.log('| round | took | peak RSS | settled RSS | vs baseline | health | same pid | safety-net errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  let worst = 0;
  for (let round = 1; round <= rounds; round++) {
    let peak = server.rss();
    const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 100);
    const t0 = Date.now();
    for (const a of ATTACKS) await a.run();
    clearInterval(sampler);
    const took = (Date.now() - t0) / 1000;
    const ok = await healthy();
    const settled = await settledRss();
    const delta = (settled - baseline) / baseline;
    worst = Math.max(worst, delta);
    const alive = server.alive();
    console.log(
      `| ${round} | ${took.toFixed(1)} s | ${mib(peak)} | ${mib(settled)} | ${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)}% | ${ok ? 'ok' : 'FAILED'} | ${alive ? 'yes' : 'NO'} | ${unexpected()} |`,
    );
  }
  console.log(
    `worst settled RSS vs baseline: ${worst >= 0 ? '+' : ''}${(worst * 100).toFixed(1)}% (goal: within 10%); server restarts: 0 (one process throughout)`,
  );
} finally {
  await server.stop();
}
