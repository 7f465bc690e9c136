// The same measurement as server-rss.ts when no cluster is at hand: the lab server's real terminal
// path (kube-shell.ts → @kubernetes/client-node Exec → WebSocket, TerminalBridge, SendQueue, the
// terminal WebSocket) in this process, with a stand-in for the API server's exec endpoint that
// streams 1 GiB of stdout as fast as TCP lets it. The browser end stops reading after 1 MiB.
// Runs twice: back-pressure on (the defaults), then off (queues unbounded), as the same-run baseline.
// The figure is this whole process's RSS growth (stand-in and client included), an upper bound.
//   node bench/server-rss-local.ts [--seconds 20]
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import WebSocket, { WebSocketServer } from 'ws';
import { createLabServer } from '../src/server/server.ts';
import { SessionManager } from '../src/server/sessions.ts';
import { TokenSigner } from '../src/server/tokens.ts';
import { kubeShellSpawner } from '../src/server/kube-shell.ts';
import { Kube } from '../src/engine/kube.ts';
import { encodeClientControl, offeredProtocols } from '../src/server/protocol.ts';
import type { LabEnginePort, SessionRecord } from '../src/server/engine-port.ts';
import { defaultFlowLimits, type FlowLimits } from '../src/server/backpressure.ts';
import { mib } from './server-proc.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string' } } });
const seconds = Number(values.seconds ?? 20);
const TOTAL = 1024 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The exec endpoint: channel-1 (stdout) frames of 64 KiB, each sent once the previous left the socket. */
async function execStandIn(): Promise<{ url: string; sent: () => number; close: () => void }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'v4.channel.k8s.io' });
  await new Promise((r) => wss.once('listening', r));
  let sent = 0;
  const frame = Buffer.alloc(64 * 1024 + 1, 121);
  frame[0] = 1;
  wss.on('connection', (ws) => {
    const pump = async () => {
      while (sent < TOTAL && ws.readyState === ws.OPEN) {
        await new Promise((r) => ws.send(frame, { binary: true }, r));
        sent += frame.length - 1;
      }
    };
    void pump();
  });
  return { url: `http://127.0.0.1:${(wss.address() as AddressInfo).port}`, sent: () => sent, close: () => wss.close() };
}

class OneSessionEngine implements LabEnginePort {
  labSlugs = () => ['bench'];
  startSession = async (): Promise<SessionRecord> => ({
    id: 'bench-session-0001',
    slug: 'bench',
    namespace: 'lab-bench',
  });
  checkStep = async () => ({ ok: true, message: '' });
  applySolution = async () => {};
  resetSession = async () => {};
  stopSession = async () => {};
  listSessions = async () => [];
  reapExpired = async () => [];
  extendSession = async () => {};
  terminalTarget = () => ({ namespace: 'lab-bench', pod: 'terminal', container: 'toolbox' });
}

async function measure(label: string, flow: FlowLimits): Promise<void> {
  const exec = await execStandIn();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server: exec.url, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'stand-in', user: 'bench' }],
    currentContext: 'bench',
  });
  const kube = new Kube(kc, 'the exec stand-in');
  const engine = new OneSessionEngine();
  const sessions = new SessionManager(engine, new TokenSigner(randomBytes(32)), () =>
    kubeShellSpawner(
      () => kube,
      () => engine.terminalTarget(),
    ),
  );
  const lab = createLabServer({ sessions, flow, log: () => {} });
  await new Promise<void>((r) => lab.server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(lab.server.address() as AddressInfo).port}`;
  global.gc?.();
  await sleep(500);
  const before = process.memoryUsage().rss;
  const s = await sessions.start('bench', () => {});
  const ws = new WebSocket(`${url.replace('http', 'ws')}/api/terminal/${s.id}`, offeredProtocols(s.token), {
    origin: url,
  });
  let received = 0;
  ws.on('message', (d: Buffer) => (received += d.length));
  await new Promise((r) => ws.on('open', r));
  ws.send(encodeClientControl({ type: 'hello', cols: 120, rows: 40 }));
  for (let i = 0; i < 500 && received < 1024 * 1024; i++) await sleep(10);
  ws.pause(); // the browser end reads nothing more
  let peak = before;
  const started = Date.now();
  while (Date.now() - started < seconds * 1000 && exec.sent() < TOTAL) {
    peak = Math.max(peak, process.memoryUsage().rss);
    await sleep(100);
  }
  for (let i = 0; i < 10; i++, await sleep(100)) peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `${label}: shell printed ${mib(exec.sent())} of 1 GiB, client read ${mib(received)}; ` +
      `RSS ${mib(before)} → peak ${mib(peak)}: growth ${mib(peak - before)}`,
  );
  ws.terminate();
  await lab.close();
  exec.close();
}

console.log(
  `1 GiB of shell output to a terminal client that stops reading (in-process stand-in for the exec endpoint, ${seconds} s max)`,
);
await measure('back-pressure on ', defaultFlowLimits);
await measure('back-pressure off', {
  highWater: Infinity,
  lowWater: Infinity,
  maxBuffered: Infinity,
  stallMs: 3_600_000,
});
