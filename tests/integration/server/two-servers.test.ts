// Two lab server processes on one cluster, sharing SIDECAR_LABS_SECRET: a session started through
// server A is checked, solved and typed into through server B (its own terminal bridge, a new shell
// in the same pod), and stopped through B; A then knows it is gone. Ports 4406 and 4416.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TerminalClient, PROMPT } from '../../../bench/live-lib.ts';

const SECRET = randomBytes(24).toString('base64url');
const A = Number(process.env.TWO_SERVERS_PORT_A ?? 4406);
const B = Number(process.env.TWO_SERVERS_PORT_B ?? 4416);
const children: ChildProcess[] = [];
const plain = (t: string) => t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1b\][^\x07]*\x07/g, '');

async function serve(port: number): Promise<string> {
  const child = spawn(process.execPath, ['src/server/main.ts'], {
    env: { ...process.env, PORT: String(port), SIDECAR_LABS_SECRET: SECRET, SIDECAR_LABS_SWEEP_SECONDS: '3' },
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
let session: { id: string; token: string } | undefined;
beforeAll(async () => {
  [a, b] = await Promise.all([serve(A), serve(B)]);
});
afterAll(async () => {
  if (session)
    await fetch(`${a}/api/sessions/${session.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${session.token}`, origin: a },
    }).catch(() => {});
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
