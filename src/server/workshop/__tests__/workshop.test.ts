// Workshop mode over real HTTP with a fake engine: the event code guards Start, a wrong code gets a
// clear answer, the instructor routes need the instructor key, the lesson pages get the flag cookie.
import { hostPolicy } from '../../hosts.ts';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabServer, type LabServer } from '../../server.ts';
import { SessionManager } from '../../sessions.ts';
import { TokenSigner } from '../../tokens.ts';
import { FakeEngine, fakeSpawner } from '../../__tests__/fakes.ts';
import type { EngineAdapter } from '../../engine-adapter.ts';
import { Workshop, WRONG_CODE } from '../workshop.ts';
import { FakeCluster } from './fake-cluster.ts';

let lab: LabServer;
let base: string;
let engine: FakeEngine;
const SECRET = 'instructor-secret-0123456789';

beforeAll(async () => {
  engine = new FakeEngine();
  const cluster = new FakeCluster().client();
  const sessions = new SessionManager(engine, new TokenSigner(Buffer.alloc(32, 5)), () => fakeSpawner().spawn);
  const workshop = new Workshop({
    config: { code: 'ABCD-2345', instructorSecret: SECRET, reserve: 0 },
    sessions,
    engine: engine as unknown as EngineAdapter,
    expiryMs: 45 * 60_000,
    hosts: hostPolicy({}),
    log: () => {},
    kube: () => cluster,
  });
  workshop.startWatches();
  lab = createLabServer({ sessions, log: () => {}, workshop });
  await new Promise<void>((r) => lab.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(lab.server.address() as AddressInfo).port}`;
});
afterAll(() => lab.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, ...headers },
    body: JSON.stringify(body),
  });

describe('learners in a workshop', () => {
  it('join with the code (any case and spacing) and a cleaned-up name; a wrong code is refused plainly', async () => {
    const ok = await post('/api/workshop/join', { code: ' abcd 2345 ', name: '  Ada\u0007  Lovelace ' });
    expect(ok.status).toBe(200);
    const joined = (await ok.json()) as { name: string; learnerId: string };
    expect(joined.name).toBe('Ada Lovelace');
    expect(joined.learnerId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const bad = await post('/api/workshop/join', { code: 'ABCD-2346', name: 'Eve' });
    expect(bad.status).toBe(403);
    expect(await bad.json()).toEqual({ error: WRONG_CODE, fix: expect.stringContaining('code your instructor shows') });
  });

  it('cannot start a lab without the code; with it, the session carries the learner', async () => {
    const none = await post('/api/sessions', { slug: 'content-sidecar' });
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({
      error: 'This lab is part of a workshop: join it first.',
      fix: expect.stringContaining('Join the workshop'),
    });
    const empty = await post('/api/sessions', { slug: 'content-sidecar', code: '', name: 'x' });
    expect(await empty.json()).toMatchObject({ error: 'This lab is part of a workshop: join it first.' });
    const wrong = await post('/api/sessions', { slug: 'content-sidecar', code: 'NOPE-NOPE', name: 'x' });
    expect(wrong.status).toBe(403);
    expect(engine.calls.filter((c) => c.startsWith('start'))).toEqual([]);
    const res = await post('/api/sessions', {
      slug: 'content-sidecar',
      code: 'abcd-2345',
      name: 'Ada',
      learnerId: 'abcdefghijkl',
    });
    const last = JSON.parse((await res.text()).trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'ready', session: { slug: 'content-sidecar' } });
  });

  it('says it is a workshop and sets the page flag cookie on other responses', async () => {
    expect(await (await fetch(`${base}/api/workshop`)).json()).toEqual({ workshop: true, banner: null });
    const page = await fetch(`${base}/api/health`);
    expect(page.headers.get('set-cookie')).toMatch(/(^|, )sidecar-labs-workshop=1; Path=\/; SameSite=Strict(,|$)/);
  });
});

describe('instructor routes', () => {
  it('refuse without the instructor key, or with the event code as the key', async () => {
    for (const auth of [undefined, 'Bearer ABCD-2345', `Bearer ${SECRET}x`]) {
      const r = await fetch(`${base}/api/instructor/roster`, { headers: auth ? { authorization: auth } : {} });
      expect(r.status, auth).toBe(401);
    }
    const banner = await post('/api/instructor/banner', { text: 'hi' });
    expect(banner.status).toBe(401);
    expect(await (await fetch(`${base}/api/workshop`)).json()).toEqual({ workshop: true, banner: null });
  });

  it('the banner reaches learners', async () => {
    const r = await post(
      '/api/instructor/banner',
      { text: ' Break until 11:00 ' },
      { authorization: `Bearer ${SECRET}` },
    );
    expect(await r.json()).toEqual({ banner: 'Break until 11:00' });
    expect(await (await fetch(`${base}/api/workshop`)).json()).toEqual({ workshop: true, banner: 'Break until 11:00' });
  });

  it('a foreign origin cannot act', async () => {
    const r = await post(
      '/api/instructor/banner',
      { text: 'x' },
      { authorization: `Bearer ${SECRET}`, origin: 'http://evil.example' },
    );
    expect(r.status).toBe(403);
  });
});

/** POST from a chosen loopback address (Linux routes all of 127.0.0.0/8 to lo). */
function postFrom(localAddress: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method: 'POST', localAddress, headers: { 'content-type': 'application/json', origin: base } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('a script guessing event codes', () => {
  it('slows down its own address only: the right code from another address joins and starts', async () => {
    const wrong = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        postFrom('127.0.0.2', '/api/workshop/join', { code: `GUES-${String(i).padStart(4, '0')}`, name: 'bot' }),
      ),
    );
    const statuses = new Set(wrong.map((r) => r.status));
    expect(statuses.has(429)).toBe(true); // the guesser is slowed down
    expect([...statuses].every((s) => s === 403 || s === 429)).toBe(true);
    // the guesser is refused even with the right code now (it used its wrong codes up)
    expect((await postFrom('127.0.0.2', '/api/workshop/join', { code: 'ABCD-2345', name: 'bot' })).status).toBe(429);
    // the room is not: join and Start from another address
    const join = await postFrom('127.0.0.3', '/api/workshop/join', { code: 'ABCD-2345', name: 'Grace' });
    expect(join.status).toBe(200);
    const start = await postFrom('127.0.0.3', '/api/sessions', {
      slug: 'content-sidecar',
      code: 'ABCD-2345',
      name: 'Grace',
    });
    expect(start.status).toBe(200);
    expect(JSON.parse(start.text.trim().split('\n').at(-1)!)).toMatchObject({ type: 'ready' });
    const local = await post('/api/workshop/join', { code: 'ABCD-2345', name: 'Ada' });
    expect(local.status).toBe(200);
  });
});
