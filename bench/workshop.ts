// A workshop room, simulated: N learners (HTTP + WebSocket clients, like the page) join with the
// event code, start a lab, type commands, apply each step's solution and check it, then leave.
// Two rounds against a workshop server of its own: without the warm pool, then with --reserve.
// Prints Start-to-prompt p50/p95 (each round), check p95, keystroke echo p95, errors, the server's
// peak RSS, the kind node's peak CPU and memory (docker stats), and the largest class sustained.
// Start-to-prompt is split into its phases (POST answered, terminal socket open, first output byte,
// prompt) and the server logs where each pool claim spent its time (SIDECAR_LABS_TIMING=1).
// Uses the cluster of SIDECAR_LABS_CLUSTER_NAME / SIDECAR_LABS_KUBECONFIG like the server; at the end
// it deletes every namespace it made (learners' sessions and the pool it filled).
//   node bench/workshop.ts [--learners 30] [--lab what-is-a-sidecar] [--reserve N] [--port 4406]
//                          [--rounds cold,pool] [--arrive-seconds 10]
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { percentile, TerminalClient, PROMPT, ms, type Session } from './live-lib.ts';
import { loadLab } from '../src/engine/index.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const learners = Number(arg('learners', '30'));
const slug = arg('lab', 'what-is-a-sidecar');
const reserve = Number(arg('reserve', String(Math.min(learners, 10))));
const port = Number(arg('port', '4406'));
const rounds = arg('rounds', 'cold,pool').split(',');
const arriveMs = Number(arg('arrive-seconds', '10')) * 1000;
const clusterName = process.env.SIDECAR_LABS_CLUSTER_NAME ?? 'sidecar-labs';
const kubeconfig =
  process.env.SIDECAR_LABS_KUBECONFIG ?? process.env.KUBECONFIG ?? `${process.env.HOME}/.cache/sidecar-labs/kubeconfig`;
const benchStarted = Date.now();
const CODE = 'BENCH-2026';
const SECRET = 'bench-instructor-secret-0123456789';
const url = `http://127.0.0.1:${port}`;
const steps = loadLab(slug).steps.length;
const plain = (t: string) => t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');

interface Figures {
  startToPrompt: number[];
  /** Phases of each start: POST answered, socket open, first byte, prompt (ms from pressing Start). */
  phases: { post: number[]; open: number[]; first: number[]; prompt: number[] };
  poolPrompt: number[];
  check: number[];
  echo: number[];
  errors: string[];
}

async function server(reserveN: number): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['src/server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      SIDECAR_LABS_WORKSHOP_CODE: CODE,
      SIDECAR_LABS_INSTRUCTOR_SECRET: SECRET,
      SIDECAR_LABS_RESERVE: String(reserveN),
      SIDECAR_LABS_POOL_LABS: slug,
      // the room plus a little: the pool counts against the cap, as in a real workshop (refill stops there)
      SIDECAR_LABS_MAX_SESSIONS: String(learners + 5),
      SIDECAR_LABS_TIMING: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      for (const l of text.split('\n')) if (l.startsWith('warm pool: claim')) claimLog.push(l);
      if (text.includes('Sidecar Labs: http://')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    child,
    stop: async () => {
      const e = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await e;
    },
  };
}

async function post(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: url,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

interface Line {
  type: string;
  session?: Session & { slug: string };
  message?: string;
}
async function lines(res: Response): Promise<Line[]> {
  return (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}
async function lastLine(res: Response): Promise<Line> {
  return (await lines(res)).at(-1)!;
}

const claimLog: string[] = [];

/** One learner's whole lab; figures go into `f`. */
async function learner(i: number, f: Figures): Promise<void> {
  const t0 = performance.now();
  const all = await lines(
    await post('/api/sessions', { slug, code: CODE, name: `learner ${i + 1}`, learnerId: `benchlearner${i}` }),
  );
  const start = all.at(-1)!;
  const pooled = all.some((l) => /warm pool/.test(l.message ?? ''));
  if (start.type !== 'ready') throw new Error(`start: ${start.message}`);
  const s = start.session!;
  const term = new TerminalClient(url, s);
  try {
    const posted = performance.now() - t0;
    await term.until((t) => PROMPT.test(plain(t)), 120_000);
    f.startToPrompt.push(performance.now() - t0);
    f.phases.post.push(posted);
    f.phases.open.push(term.openedAt - t0);
    f.phases.first.push(term.firstDataAt - t0);
    f.phases.prompt.push(performance.now() - t0);
    if (pooled) f.poolPrompt.push(performance.now() - t0);
    for (let k = 0; k < 3; k++) {
      // keystroke echo: one character, until it comes back
      const mark = 'abc'[k]!;
      const seen = term.text.length;
      const e0 = performance.now();
      term.send(mark);
      await term.until((t) => t.slice(seen).includes(mark), 10_000);
      f.echo.push(performance.now() - e0);
    }
    term.send('\x15kubectl get pods\r');
    await term.until((t) => /NAME|No resources/.test(plain(t)), 30_000);
    for (let step = 0; step < steps; step++) {
      const sol = await lastLine(await post(`/api/sessions/${s.id}/solution`, { step }, s.token));
      if (sol.type === 'error') throw new Error(`solution ${step + 1}: ${sol.message}`);
      let ok = false;
      for (let attempt = 0; attempt < 30 && !ok; attempt++) {
        // a learner presses Check until it passes
        const c0 = performance.now();
        const r = (await (await post(`/api/sessions/${s.id}/check`, { step }, s.token)).json()) as { ok: boolean };
        f.check.push(performance.now() - c0);
        ok = r.ok;
        if (!ok) await new Promise((r2) => setTimeout(r2, 2000));
      }
      if (!ok) throw new Error(`step ${step + 1} never passed`);
    }
  } finally {
    term.close();
    await fetch(`${url}/api/sessions/${s.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${s.token}`, origin: url },
    }).catch(() => {});
  }
}

function kubectl(args: string[]): string {
  return execFileSync('kubectl', args, {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig,
      PATH: `${process.env.HOME}/.cache/sidecar-labs/bin:${process.env.PATH}`,
    },
    timeout: 60_000,
  }).toString();
}

function poolCount(): number {
  try {
    const out = kubectl(['get', 'ns', '-l', `sidecar-labs.dev/pool=ready,sidecar-labs.dev/lab=${slug}`, '-o', 'name']);
    return out.split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/** Delete the namespaces of lab `slug` this bench made: bench learners' sessions, pool ones (ready or filling) created since it started. */
function cleanUp(): number {
  try {
    const list = JSON.parse(kubectl(['get', 'ns', '-l', `sidecar-labs.dev/lab=${slug}`, '-o', 'json'])) as {
      items: {
        metadata: {
          name: string;
          creationTimestamp: string;
          labels?: Record<string, string>;
          annotations?: Record<string, string>;
        };
      }[];
    };
    const ours = list.items.filter(
      (n) =>
        /^benchlearner/.test(n.metadata.annotations?.['sidecar-labs.dev/learner-id'] ?? '') ||
        (['ready', 'filling'].includes(n.metadata.labels?.['sidecar-labs.dev/pool'] ?? '') &&
          new Date(n.metadata.creationTimestamp).getTime() >= benchStarted - 5000),
    );
    if (ours.length)
      kubectl(['delete', 'ns', '--wait=false', '--ignore-not-found', ...ours.map((n) => n.metadata.name)]);
    return ours.length;
  } catch {
    return 0;
  }
}

/**
 * Peak RSS of the server and peak CPU / memory of the kind node, sampled every 2 s. `docker stats`
 * runs asynchronously: a synchronous one would stall this process's event loop for a second or two
 * and add that to every learner's timings.
 */
function sampler(pid: number) {
  const peak = { rssMiB: 0, nodeCpu: 0, nodeMem: '', nodeMemMiB: 0 };
  let busy = false;
  const timer = setInterval(() => {
    try {
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      peak.rssMiB = Math.max(peak.rssMiB, rss);
    } catch {
      /* the server has exited */
    }
    if (busy) return;
    busy = true;
    execFile(
      'docker',
      ['stats', '--no-stream', '--format', '{{.CPUPerc}}|{{.MemUsage}}', `${clusterName}-control-plane`],
      { timeout: 20_000 },
      (err, stdout) => {
        busy = false;
        if (err) return; // docker stats missing: the figure stays empty
        const [cpu, mem] = stdout.trim().split('|');
        const cpuN = parseFloat(cpu ?? '0');
        const memMiB = parseFloat(mem ?? '0') * (/GiB/.test(mem ?? '') ? 1024 : 1);
        if (cpuN > peak.nodeCpu) peak.nodeCpu = cpuN;
        if (memMiB > peak.nodeMemMiB) {
          peak.nodeMemMiB = memMiB;
          peak.nodeMem = (mem ?? '').split('/')[0]!.trim();
        }
      },
    );
  }, 2000);
  return { peak, stop: () => clearInterval(timer) };
}

const noFigures = (): Figures => ({
  startToPrompt: [],
  phases: { post: [], open: [], first: [], prompt: [] },
  poolPrompt: [],
  check: [],
  echo: [],
  errors: [],
});

async function round(
  name: string,
  reserveN: number,
): Promise<Figures & { rssMiB: number; nodeCpu: number; nodeMem: string; nodeMemMiB: number }> {
  const srv = await server(reserveN);
  const s = sampler(srv.child.pid!);
  const f = noFigures();
  try {
    if (reserveN > 0) {
      const t0 = Date.now();
      while (poolCount() < reserveN && Date.now() - t0 < 15 * 60_000) await new Promise((r) => setTimeout(r, 3000));
      process.stdout.write(`  pool: ${poolCount()} ready after ${Math.round((Date.now() - t0) / 1000)} s\n`);
    }
    // learners arrive over ~10 s, as a room does after "press Start lab now"
    await Promise.all(
      Array.from({ length: learners }, (_, i) =>
        new Promise((r) => setTimeout(r, (i * arriveMs) / learners)).then(() =>
          learner(i, f).catch((e: unknown) => {
            f.errors.push(`learner ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
          }),
        ),
      ),
    );
  } finally {
    s.stop();
    await srv.stop();
  }
  process.stdout.write(`  ${name}: done, ${f.errors.length} error(s)\n`);
  return { ...f, ...s.peak };
}

const line = (label: string, xs: number[]) =>
  xs.length
    ? `${label.padEnd(34)} p50 ${ms(percentile(xs, 50)).padStart(9)}  p95 ${ms(percentile(xs, 95)).padStart(9)}  (n=${xs.length})`
    : `${label.padEnd(34)} (no samples)`;
const empty = (): Awaited<ReturnType<typeof round>> => ({
  ...noFigures(),
  rssMiB: 0,
  nodeCpu: 0,
  nodeMem: '',
  nodeMemMiB: 0,
});
console.log(
  `workshop bench: ${learners} learners, lab "${slug}" (${steps} steps), warm pool ${reserve}, cluster ${clusterName}, arriving over ${arriveMs / 1000} s`,
);
let cold = empty();
let warm = empty();
try {
  if (rounds.includes('cold')) cold = await round('without pool', 0);
  if (rounds.includes('pool')) warm = await round(`with pool (--reserve ${reserve})`, reserve);
} finally {
  process.stdout.write(`  cleaned up ${cleanUp()} namespace(s)\n`);
}
const errors = [...cold.errors, ...warm.errors];
const phases = (name: string, r: Figures) =>
  r.phases.prompt.length
    ? [50, 95]
        .map(
          (p) =>
            `phases (p${p}), ${name}: POST answered ${ms(percentile(r.phases.post, p))}, socket open ${ms(percentile(r.phases.open, p))}, first byte ${ms(percentile(r.phases.first, p))}, prompt ${ms(percentile(r.phases.prompt, p))}`,
        )
        .join('\n')
    : '';
console.log('');
console.log(line('start to prompt, no pool', cold.startToPrompt));
console.log(line('start to prompt, claimed from pool', warm.poolPrompt));
console.log(line('start to prompt, pool round, all', warm.startToPrompt));
for (const p of [phases('no pool', cold), phases('pool round', warm)]) if (p) console.log(p);
if (claimLog.length)
  console.log(`server claim timing (first 3 of ${claimLog.length}):\n  ${claimLog.slice(0, 3).join('\n  ')}`);
console.log(line('check (Check button)', [...cold.check, ...warm.check]));
console.log(line('keystroke echo', [...cold.echo, ...warm.echo]));
console.log(
  `errors                             ${errors.length}${errors.length ? `: ${errors.slice(0, 5).join('; ')}` : ''}`,
);
console.log(`server RSS peak                    ${Math.max(cold.rssMiB, warm.rssMiB).toFixed(0)} MiB`);
console.log(
  `kind node peak (docker stats)      CPU ${Math.max(cold.nodeCpu, warm.nodeCpu).toFixed(0)} %, memory ${cold.nodeMemMiB > warm.nodeMemMiB ? cold.nodeMem : warm.nodeMem}`,
);
console.log(
  `largest class sustained            ${errors.length === 0 ? learners : `${learners - Math.max(cold.errors.length, warm.errors.length)} of ${learners} (errors above)`} learners at once on this machine`,
);
console.log('goal: pool start-to-prompt p50 <= 1000 ms, p95 <= 2000 ms; 0 errors');
