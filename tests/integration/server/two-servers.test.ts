// Two lab server processes on one cluster, sharing SIDECAR_LABS_SECRET: a session started through
// server A is checked, solved and typed into through server B (its own terminal bridge, a new shell
// in the same pod), and stopped through B; A then knows it is gone. Ports 4406 and 4416.
// Then two workshop servers C and D (ports 4407 and 4417): the instructor's banner set through C is
// shown by D, and the instructor on D watches live the terminal of a learner connected to C.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TerminalClient, PROMPT } from '../../../bench/live-lib.ts';
import { decodeServerFrame, offeredProtocols } from '../../../src/server/protocol.ts';

const SECRET = randomBytes(24).toString('base64url');
const A = Number(process.env.TWO_SERVERS_PORT_A ?? 4406);
const B = Number(process.env.TWO_SERVERS_PORT_B ?? 4416);
const C = Number(process.env.TWO_SERVERS_PORT_C ?? 4407);
const D = Number(process.env.TWO_SERVERS_PORT_D ?? 4417);
const CODE = 'TWOS-2345';
const INSTRUCTOR = randomBytes(20).toString('hex');
const children: ChildProcess[] = [];
const plain = (t: string) => t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');

async function serve(port: number, extraEnv: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, ['src/server/main.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      SIDECAR_LABS_SECRET: SECRET,
      SIDECAR_LABS_SWEEP_SECONDS: '3',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Sidecar Labs: http://') && resolve());
    child.once('exit', (code) => reject(new Error(`server on ${port} exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

let a = '';
let b = '';
let c = '';
let d = '';
let session: { id: string; token: string } | undefined;
let learnerSession: { id: string; token: string } | undefined;
beforeAll(async () => {
  const workshop = { SIDECAR_LABS_WORKSHOP_CODE: CODE, SIDECAR_LABS_INSTRUCTOR_SECRET: INSTRUCTOR };
  [a, b, c, d] = await Promise.all([serve(A), serve(B), serve(C, workshop), serve(D, workshop)]);
});
afterAll(async () => {
  for (const [base, s] of [
    [a, session],
    [c, learnerSession],
  ] as const)
    if (s)
      await fetch(`${base}/api/sessions/${s.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${s.token}`, origin: base },
      }).catch(() => {});
  // the banner lives in the cluster: leave none behind
  await post(c, '/api/instructor/banner', { text: '' }, INSTRUCTOR).catch(() => {});
  await Promise.all(
    children.map(
      (c) =>
        new Promise((r) => {
          c.once('exit', r);
          c.kill('SIGTERM');
        }),
    ),
  );
});

const post = (base: string, path: string, body: unknown, token?: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: base,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

describe('two server processes on one cluster', () => {
  it('a session started through A is served by B: check, solution, terminal', async () => {
    const started = (await (await post(a, '/api/sessions', { slug: 'what-is-a-sidecar' })).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(started.at(-1).type).toBe('ready');
    session = started.at(-1).session;
    const s = session!;
    // B never saw this session: it finds it on the cluster by its label, and accepts the same token
    const alive = await fetch(`${b}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
    expect(alive.status).toBe(200);
    expect(
      ((await (await post(b, `/api/sessions/${s.id}/check`, { step: 0 }, s.token)).json()) as { ok: boolean }).ok,
    ).toBe(false);
    const forged = await fetch(`${b}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}x` } });
    expect(forged.status).toBe(404);

    const term = new TerminalClient(b, s);
    await term.until((t) => PROMPT.test(plain(t)), 90_000);
    term.send('kubectl exec pair -c helper -- wget -qO- http://localhost; echo "DONE-$NAMESPACE"\r');
    await term.until((t) => /DONE-lab-what-is-a-sidecar-/.test(plain(t)), 60_000);
    term.close();
    let ok = false;
    for (let i = 0; i < 10 && !ok; i++) {
      ok = ((await (await post(b, `/api/sessions/${s.id}/check`, { step: 0 }, s.token)).json()) as { ok: boolean }).ok;
      if (!ok) await new Promise((r) => setTimeout(r, 2000));
    }
    expect(ok).toBe(true);
    // and back on A, which started it
    expect(
      ((await (await post(a, `/api/sessions/${s.id}/check`, { step: 0 }, s.token)).json()) as { ok: boolean }).ok,
    ).toBe(true);
  });

  it('stopped through B, it is gone for A too', async () => {
    const s = session!;
    const del = await fetch(`${b}/api/sessions/${s.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${s.token}`, origin: b },
    });
    expect(del.status).toBe(204);
    session = undefined;
    // A's next sweep (every 3 s here) sees the namespace gone from the cluster and forgets it
    await expect
      .poll(
        async () =>
          (await fetch(`${a}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } })).status,
        { timeout: 60_000, interval: 2000 },
      )
      .toBe(404);
  });
});

const banner = async (base: string) =>
  ((await (await fetch(`${base}/api/workshop`)).json()) as { banner: string | null }).banner;

describe('two workshop server processes: one room', () => {
  it('the banner set through C is shown by D, and cleared through D it is gone on C', async () => {
    const text = `Break until 11:00 (${randomBytes(3).toString('hex')})`;
    const set = await post(c, '/api/instructor/banner', { text }, INSTRUCTOR);
    expect(await set.json()).toEqual({ banner: text });
    await expect.poll(() => banner(d), { timeout: 10_000, interval: 200 }).toBe(text);
    await post(d, '/api/instructor/banner', { text: '' }, INSTRUCTOR);
    await expect.poll(() => banner(c), { timeout: 10_000, interval: 200 }).toBeNull();
  });

  it('the instructor on D watches live the terminal of a learner connected to C, and cannot type into it', async () => {
    const started = (
      await (await post(c, '/api/sessions', { slug: 'what-is-a-sidecar', code: CODE, name: 'Ada' })).text()
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(started.at(-1).type).toBe('ready');
    learnerSession = started.at(-1).session;
    const s = learnerSession!;
    const term = new TerminalClient(c, s);
    await term.until((t) => PROMPT.test(plain(t)), 90_000);

    let seen = '';
    const ws = new WebSocket(`${d.replace(/^http/, 'ws')}/api/instructor/watch/${s.id}`, offeredProtocols(INSTRUCTOR), {
      origin: d,
    });
    ws.on('message', (data, isBinary) => {
      const frame = decodeServerFrame(data as Buffer, isBinary);
      if (frame.kind === 'data') seen += Buffer.from(frame.bytes).toString('utf8');
    });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    // what the learner types on C shows up on D
    term.send('echo "VIEW-$((6*7))"\r');
    await expect.poll(() => plain(seen), { timeout: 20_000, interval: 250 }).toContain('VIEW-42');
    expect(seen).toContain('watching through the cluster'); // D relayed it: C runs the shell
    expect(seen.indexOf('watching through the cluster')).toBeLessThan(seen.indexOf('VIEW-42'));
    // the viewer's keys never reach the learner's shell
    ws.send(Buffer.from('echo "INTRUDER-$((2*3))"\r'), { binary: true });
    term.send('echo "AFTER-$((5*5))"\r');
    await expect.poll(() => plain(seen), { timeout: 20_000, interval: 250 }).toContain('AFTER-25');
    expect(plain(term.text)).not.toContain('INTRUDER');
    expect(plain(seen)).not.toContain('INTRUDER-6');
    ws.close();
    term.close();
  });
});
