// Server memory while a learner's shell prints 1 GiB to a terminal client that stops reading.
// Without back-pressure the server buffers everything the shell prints (+1 GiB RSS); with it the
// exec stream is paused and the growth stays bounded (goal: ≤ 64 MiB).
//   node bench/server-rss.ts [--seconds 30] [--dir <checkout>]   (--dir: measure another checkout's server)
// Needs the cluster (npx sidecar-labs cluster up); uses the real toolbox shell of a lab session.
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientControl, offeredProtocols } from '../src/server/protocol.ts';
import { startLab, stopLab } from './live-lib.ts';
import { mib, serverProcess } from './server-proc.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string' }, dir: { type: 'string' }, port: { type: 'string' }, slug: { type: 'string' } },
});
const seconds = Number(values.seconds ?? 30);
const port = Number(values.port ?? process.env.BENCH_PORT ?? 4401);
const slug = values.slug ?? 'what-is-a-sidecar';
const COMMAND = 'head -c 1073741824 /dev/zero | tr "\\0" y; echo; echo PRINTED-1GIB\r';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const server = await serverProcess(port, {}, values.dir ?? process.cwd());
const session = await startLab(server.url, slug);
try {
  const ws = new WebSocket(
    `${server.url.replace(/^http/, 'ws')}/api/terminal/${session.id}`,
    offeredProtocols(session.token),
    { origin: server.url },
  );
  let received = 0;
  let text = '';
  ws.on('message', (data: Buffer, isBinary) => {
    received += data.length;
    const frame = decodeServerFrame(data, isBinary);
    if (frame.kind === 'data' && text.length < 10_000) text += Buffer.from(frame.bytes).toString('utf8');
  });
  await new Promise((r) => ws.on('open', r));
  ws.send(encodeClientControl({ type: 'hello', cols: 120, rows: 40 }));
  for (let i = 0; i < 600 && !/\$ $/.test(text); i++) await sleep(100);
  await sleep(1000);
  const before = server.rss();
  ws.send(Buffer.from(COMMAND), { binary: true });
  for (let i = 0; i < 300 && received < 1024 * 1024; i++) await sleep(20);
  ws.pause(); // from here on the client reads nothing
  const atPause = received;
  let peak = before;
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    peak = Math.max(peak, server.rss());
    await sleep(250);
  }
  console.log(`shell printing 1 GiB ("${COMMAND.trim()}") to a client that stopped reading after ${mib(atPause)}:`);
  console.log(
    `  server RSS before ${mib(before)}, peak over ${seconds} s ${mib(peak)}: growth ${mib(peak - before)} (goal ≤ 64 MiB)`,
  );
  // The shell was held, not killed: once the client reads again the output flows.
  ws.resume();
  const resumedAt = received;
  await sleep(5000);
  console.log(
    `  after the client reads again: ${mib(received - resumedAt)} in 5 s (${mib((received - resumedAt) / 5)}/s); RSS ${mib(server.rss())}`,
  );
  ws.send(Buffer.from('\x03'), { binary: true });
  ws.terminate();
} finally {
  await stopLab(server.url, session).catch(() => {});
  await server.stop();
}
