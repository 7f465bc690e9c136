// Load on the lab server with its limits on, against the same server with them off, in one run:
// requests/s, failed requests and resident memory while N clients fetch pages, an asset and
// /api/health as fast as they can, and M hostile connections send headers that never end.
//   node bench/server-load.ts [--seconds 15] [--clients 50] [--slow 100]
// Needs the built site (npm run build or npm start once); no cluster.
import { connect, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mib, serverProcess } from './server-proc.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' },
    clients: { type: 'string' },
    slow: { type: 'string' },
    port: { type: 'string' },
  },
});
const seconds = Number(values.seconds ?? 15); // > the 10 s header timeout, so cut-offs show
const clients = Number(values.clients ?? 50);
const slowCount = Number(values.slow ?? 100);
const port = Number(values.port ?? process.env.BENCH_PORT ?? 4401);

const asset = `/_astro/${readdirSync('dist/_astro').find((f) => f.endsWith('.js'))}`;
const paths = ['/', '/lessons/what-is-a-sidecar/', asset, '/api/health'];

/** Slowloris: connections that trickle a header byte every 2 s and never end it; reopened when dropped. */
function slowloris(count: number, until: number): { dropped: () => number; stop: () => void } {
  let dropped = 0;
  let stopping = false;
  const sockets = new Set<Socket>();
  const open = () => {
    if (stopping || Date.now() >= until) return;
    const s = connect(port, '127.0.0.1');
    sockets.add(s);
    s.on('error', () => {});
    s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '));
    const trickle = setInterval(() => s.writable && s.write('a'), 2_000);
    s.on('close', () => {
      clearInterval(trickle);
      sockets.delete(s);
      if (stopping) return;
      dropped++; // the server cut it off
      setTimeout(open, 50);
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    dropped: () => dropped,
    stop: () => {
      stopping = true;
      sockets.forEach((s) => s.destroy());
    },
  };
}

async function worker(base: string, until: number, tally: { ok: number; failed: number }): Promise<void> {
  for (let i = 0; Date.now() < until; i++) {
    try {
      const res = await fetch(base + paths[i % paths.length]!, { headers: { 'accept-encoding': 'gzip' } });
      await res.arrayBuffer();
      if (res.ok) tally.ok++;
      else tally.failed++;
    } catch {
      tally.failed++;
    }
  }
}

async function run(label: string, env: Record<string, string>): Promise<void> {
  const server = await serverProcess(port, { SIDECAR_LABS_KUBECONFIG: '/nonexistent/bench-needs-no-cluster', ...env });
  try {
    // Warm up (JIT, gzip cache) before measuring.
    await Promise.all(Array.from({ length: 10 }, () => worker(server.url, Date.now() + 1500, { ok: 0, failed: 0 })));
    const rssBefore = server.rss();
    const until = Date.now() + seconds * 1000;
    const slow = slowloris(slowCount, until);
    const tally = { ok: 0, failed: 0 };
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 250);
    await Promise.all(Array.from({ length: clients }, () => worker(server.url, until, tally)));
    clearInterval(sampler);
    const cut = slow.dropped();
    slow.stop();
    console.log(
      `${label.padEnd(14)} ${(tally.ok / seconds).toFixed(0).padStart(6)} req/s  ${String(tally.failed).padStart(5)} failed  ` +
        `slow-header connections cut off: ${String(cut).padStart(4)}  RSS ${mib(rssBefore)} → peak ${mib(peak)}`,
    );
  } finally {
    await server.stop();
  }
}

console.log(
  `lab server load: ${clients} clients for ${seconds} s over ${paths.join(' ')}, plus ${slowCount} slow-header connections`,
);
const off = {
  SIDECAR_LABS_HEADERS_TIMEOUT_SECONDS: '0',
  SIDECAR_LABS_REQUEST_TIMEOUT_SECONDS: '0',
  SIDECAR_LABS_MAX_CONNECTIONS: '0',
  SIDECAR_LABS_MAX_CONNECTIONS_PER_CLIENT: '0',
  SIDECAR_LABS_MAX_REQUESTS_PER_CONNECTION: '0',
};
// Alternate the two, so drift in a shared machine's load does not favour one.
for (let round = 1; round <= 2; round++) {
  await run(`limits on  #${round}`, {});
  await run(`limits off #${round}`, off);
}
