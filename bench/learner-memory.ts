// Server memory a single learner can take, through the routes a learner uses:
//   check  — the learner writes a 400 MB index.html and presses Check (POST /api/sessions/<id>/check)
//   stdin  — the learner's client floods 200 MiB of keystrokes into a shell running `sleep 40`
// Prints server RSS before, the peak, and after (10 s after the check / the disconnect). Goal: growth
// ≤ 64 MiB each, released after.
//   node bench/learner-memory.ts [--case check|stdin|both] [--dir <checkout>] [--port 4406]
// Needs the cluster (the shared kind cluster is fine: the sessions are namespaces of their own).
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientControl, offeredProtocols } from '../src/server/protocol.ts';
import type { Kube } from '../src/engine/kube.ts';
import { Engine } from '../src/engine/index.ts';
import { defaultClusterChoice } from '../src/kube/index.ts';
import { startLab, stopLab, type Session } from './live-lib.ts';
import { mib, serverProcess, type ServerProcess } from './server-proc.ts';

const { values } = parseArgs({
  options: { case: { type: 'string' }, dir: { type: 'string' }, port: { type: 'string' } },
});
const which = values.case ?? 'both';
const port = Number(values.port ?? process.env.BENCH_PORT ?? 4406);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sampled<T>(server: ServerProcess, work: () => Promise<T>): Promise<{ peak: number; value: T }> {
  let peak = server.rss();
  const t = setInterval(() => (peak = Math.max(peak, server.rss())), 100);
  try {
    const value = await work();
    return { peak: Math.max(peak, server.rss()), value };
  } finally {
    clearInterval(t);
  }
}

const post = (server: ServerProcess, s: Session, path: string, body: unknown) =>
  fetch(`${server.url}/api/sessions/${s.id}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify(body),
  });

async function checkCase(server: ServerProcess, kube: Kube): Promise<void> {
  const s = await startLab(server.url, 'content-sidecar');
  try {
    await (await post(server, s, 'solution', { step: 0 })).text();
    const ns = (await kube.listNamespaces(`sidecar-labs.dev/session=${s.id}`))[0]!.metadata!.name!;
    for (let i = 0; i < 60; i++) {
      const ok = await kube
        .exec(ns, 'nginx', 'content', ['true'], 10_000)
        .then(() => true)
        .catch(() => false);
      if (ok) break;
      await sleep(1000);
    }
    const w = await kube.exec(
      ns,
      'nginx',
      'content',
      [
        'sh',
        '-c',
        "head -c 400000000 /dev/zero | tr '\\0' x > /nginx-data/index.html && wc -c < /nginx-data/index.html",
      ],
      120_000,
    );
    await sleep(2000);
    const before = server.rss();
    const t0 = Date.now();
    const { peak, value } = await sampled(server, async () => (await post(server, s, 'check', { step: 0 })).json());
    const took = (Date.now() - t0) / 1000;
    await sleep(10_000);
    const after = server.rss();
    const r = value as { ok?: boolean; message?: string };
    console.log(
      `check over a ${w.stdout.trim()}-byte index.html (exec check \`cat\`), answered in ${took.toFixed(1)} s:`,
    );
    console.log(`  result: ok=${r.ok} "${String(r.message).slice(0, 140)}"`);
    console.log(
      `  server RSS before ${mib(before)}, peak ${mib(peak)} (growth ${mib(peak - before)}; goal ≤ 64 MiB), 10 s after ${mib(after)}`,
    );
  } finally {
    await stopLab(server.url, s).catch(() => {});
  }
}

async function stdinCase(server: ServerProcess): Promise<void> {
  const s = await startLab(server.url, 'what-is-a-sidecar');
  try {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/api/terminal/${s.id}`, offeredProtocols(s.token), {
      origin: server.url,
    });
    let text = '';
    ws.on('message', (data: Buffer, isBinary) => {
      const f = decodeServerFrame(data, isBinary);
      if (f.kind === 'data' && text.length < 20_000) text += Buffer.from(f.bytes).toString('utf8');
    });
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    ws.on('error', () => {});
    await new Promise((r) => ws.on('open', r));
    ws.send(encodeClientControl({ type: 'hello', cols: 120, rows: 40 }));
    for (let i = 0; i < 600 && !/\$ $/.test(text); i++) await sleep(100);
    ws.send(Buffer.from('sleep 40\r'), { binary: true });
    await sleep(1500);
    const before = server.rss();
    const TOTAL = 200 * 1024 * 1024;
    const frame = Buffer.alloc(32 * 1024, 97);
    let handed = 0;
    let open = true;
    void closed.then(() => (open = false));
    const t0 = Date.now();
    const { peak } = await sampled(server, async () => {
      // as fast as the socket takes it; the client's own queue kept under 8 MiB; at most 40 s
      while (open && handed < TOTAL && Date.now() - t0 < 40_000) {
        if (ws.bufferedAmount > 8 * 1024 * 1024) {
          await sleep(5);
          continue;
        }
        ws.send(frame, { binary: true });
        handed += frame.length;
        if (handed % (1024 * 1024) === 0) await new Promise((r) => setImmediate(r));
      }
      await sleep(2000);
    });
    const through = handed - ws.bufferedAmount;
    const state = open ? 'open' : 'closed by the server';
    ws.terminate();
    await sleep(10_000);
    const after = server.rss();
    console.log(
      `stdin flood into \`sleep 40\`: ${mib(handed)} handed to the client socket in ${((Date.now() - t0) / 1000 - 10).toFixed(0)} s, ~${mib(through)} left it; connection ${state}:`,
    );
    console.log(
      `  server RSS before ${mib(before)}, peak ${mib(peak)} (growth ${mib(peak - before)}; goal ≤ 64 MiB), 10 s after disconnect ${mib(after)}`,
    );
  } finally {
    await stopLab(server.url, s).catch(() => {});
  }
}

const server = await serverProcess(port, {}, values.dir ?? process.cwd());
const kube = new Engine({ choice: defaultClusterChoice() }).kube;
try {
  if (which === 'check' || which === 'both') await checkCase(server, kube);
  if (which === 'stdin' || which === 'both') await stdinCase(server);
} finally {
  await server.stop();
}
