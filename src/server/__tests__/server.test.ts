// The whole server on a real port with a fake engine and fake shells: HTTP API, NDJSON streams,
// WebSocket upgrade checks and the terminal protocol over a real socket.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLabServer, type LabServer } from '../server.ts';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { PROTOCOL, decodeServerFrame, encodeClientControl, offeredProtocols, type ServerControl } from '../protocol.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

let lab: LabServer;
let base: string;
let engine: FakeEngine;
const dist = mkdtempSync(join(tmpdir(), 'sl-dist-'));

beforeAll(async () => {
  mkdirSync(join(dist, 'lessons', 'content-sidecar'), { recursive: true });
  mkdirSync(join(dist, '_astro'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<h1>home</h1>');
  writeFileSync(join(dist, '404.html'), '<h1>lost</h1>');
  writeFileSync(join(dist, 'lessons', 'content-sidecar', 'index.html'), '<h1>lesson</h1>');
  writeFileSync(join(dist, '_astro', 'app.abc123.js'), 'console.log(1)');
  writeFileSync(join(tmpdir(), 'sl-outside.txt'), 'secret');
  engine = new FakeEngine();
  const sessions = new SessionManager(engine, new TokenSigner(Buffer.alloc(32, 3)), () => fakeSpawner().spawn);
  // A trailing slash, as fileURLToPath(new URL('../../dist/', …)) gives: must not break the traversal check.
  lab = createLabServer({ sessions, distDir: dist + '/', log: () => {} });
  await new Promise<void>((r) => lab.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(lab.server.address() as AddressInfo).port}`;
});
afterAll(() => lab.close());

async function ndjson(res: Response): Promise<Array<Record<string, unknown>>> {
  return (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

async function startSession(slug = 'content-sidecar'): Promise<{ id: string; token: string }> {
  const res = await fetch(`${base}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ slug }),
  });
  const lines = await ndjson(res);
  return (lines.at(-1) as { session: { id: string; token: string } }).session;
}

describe('static files', () => {
  it('serves pages, redirects to the trailing slash, 404s with the site page, refuses traversal', async () => {
    expect(await (await fetch(`${base}/`)).text()).toBe('<h1>home</h1>');
    const lesson = await fetch(`${base}/lessons/content-sidecar/`);
    expect(lesson.headers.get('content-type')).toContain('text/html');
    expect(await lesson.text()).toBe('<h1>lesson</h1>');
    const redirect = await fetch(`${base}/lessons/content-sidecar`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/lessons/content-sidecar/');
    const missing = await fetch(`${base}/nope/`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('<h1>lost</h1>');
    const asset = await fetch(`${base}/_astro/app.abc123.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const big = 'console.log("sidecar");\n'.repeat(200);
    writeFileSync(join(dist, '_astro', 'big.js'), big);
    const zipped = await fetch(`${base}/_astro/big.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Number(zipped.headers.get('content-length'))).toBeLessThan(big.length / 10);
    expect(await zipped.text()).toBe(big); // fetch decodes it
    const plain = await fetch(`${base}/_astro/big.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBe(big.length);
    const escape = await fetch(`${base}/%2e%2e/%2e%2e/%2e%2e/sl-outside.txt`);
    expect([403, 404]).toContain(escape.status);
    expect(await escape.text()).not.toBe('secret');
  });
});

describe('JSON API', () => {
  it('streams progress while a session starts, then the session with its token', async () => {
    const res = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"slug":"content-sidecar"}',
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = await ndjson(res);
    expect(lines.slice(0, 2).map((l) => l.type)).toEqual(['progress', 'progress']);
    expect(lines[0]).toMatchObject({ phase: 'namespace', done: 0, total: 2 });
    expect(lines.at(-1)).toMatchObject({
      type: 'ready',
      session: { slug: 'content-sidecar', id: expect.any(String), token: expect.any(String) },
    });
  });

  it('checks, applies solutions, rebuilds and resets with the token; refuses without it', async () => {
    const s = await startSession();
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${s.token}` };
    const check = await fetch(`${base}/api/sessions/${s.id}/check`, {
      method: 'POST',
      headers: auth,
      body: '{"step":0}',
    });
    expect(await check.json()).toEqual({
      ok: false,
      message: 'index.html not found',
      hint: 'run kubectl apply -f pod.yaml',
      observed: 'nothing',
    });
    const noToken = await fetch(`${base}/api/sessions/${s.id}/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"step":0}',
    });
    expect(noToken.status).toBe(404);
    expect(await noToken.json()).toMatchObject({
      error: expect.stringContaining('not running'),
      fix: expect.stringContaining('Start lab'),
    });
    const rebuild = await ndjson(
      await fetch(`${base}/api/sessions/${s.id}/rebuild`, { method: 'POST', headers: auth, body: '{"upTo":2}' }),
    );
    expect(rebuild.at(-1)).toEqual({ type: 'done' });
    expect(engine.calls.filter((c) => c.startsWith(`solution ${s.id}`))).toEqual([
      `solution ${s.id} 0`,
      `solution ${s.id} 1`,
    ]);
    const passed = await fetch(`${base}/api/sessions/${s.id}/check`, {
      method: 'POST',
      headers: auth,
      body: '{"step":1}',
    });
    expect(await passed.json()).toMatchObject({ ok: true });
    const reset = await ndjson(
      await fetch(`${base}/api/sessions/${s.id}/reset`, { method: 'POST', headers: auth, body: '{}' }),
    );
    expect(reset.at(-1)).toEqual({ type: 'done' });
    const status = await fetch(`${base}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } });
    expect(await status.json()).toMatchObject({ id: s.id, slug: 'content-sidecar' });
    const stop = await fetch(`${base}/api/sessions/${s.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${s.token}` },
    });
    expect(stop.status).toBe(204);
    expect(
      (await fetch(`${base}/api/sessions/${s.id}`, { headers: { authorization: `Bearer ${s.token}` } })).status,
    ).toBe(404);
  });

  it('answers bad requests with a specific message', async () => {
    const notJson = await fetch(`${base}/api/sessions`, { method: 'POST', body: 'slug=x' });
    expect(notJson.status).toBe(415);
    const badSlug = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"slug":"../etc"}',
    });
    expect(badSlug.status).toBe(400);
    expect((await badSlug.json()).error).toContain('slug');
    const unknown = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"slug":"no-such-lab"}',
    });
    expect(await ndjson(unknown)).toEqual([{ type: 'error', message: 'there is no lab "no-such-lab"' }]);
    const crossSite = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: '{"slug":"content-sidecar"}',
    });
    expect(crossSite.status).toBe(403);
  });

  it('turns a missing cluster into the command that fixes it, without internals', async () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443\n    at TCPConnectWrap.afterConnect'), {
      code: 'ECONNREFUSED',
    });
    engine.failStart = err;
    try {
      const lines = await ndjson(
        await fetch(`${base}/api/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"slug":"date-tailer"}',
        }),
      );
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ type: 'error', fix: expect.stringContaining('npx sidecar-labs cluster up') });
      expect(JSON.stringify(lines[0])).not.toContain('TCPConnectWrap');
    } finally {
      engine.failStart = undefined;
    }
  });
});

function open(id: string, protocols: string[], origin: string | null = base): WebSocket {
  return new WebSocket(`${base.replace('http', 'ws')}/api/terminal/${id}`, protocols, origin ? { origin } : {});
}

function refusedStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
}

class Client {
  text = '';
  controls: ServerControl[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const frame = decodeServerFrame(data as Buffer, isBinary);
      if (frame.kind === 'data') this.text += new TextDecoder().decode(frame.bytes);
      if (frame.kind === 'control') this.controls.push(frame.message);
    });
    this.opened = new Promise((r) => ws.on('open', () => r()));
    this.closed = new Promise((r) => ws.on('close', (code) => r(code)));
  }
  async until(pred: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(pred()).toBe(true);
  }
}

describe('terminal WebSocket', () => {
  it('refuses a wrong origin, a missing or wrong token and an unknown session before upgrading', async () => {
    const a = await startSession();
    const b = await startSession('date-tailer');
    expect(await refusedStatus(open(a.id, offeredProtocols(a.token), 'https://evil.example'))).toBe(403);
    expect(await refusedStatus(open(a.id, offeredProtocols(a.token), null))).toBe(403);
    expect(await refusedStatus(open(a.id, [PROTOCOL]))).toBe(403);
    expect(await refusedStatus(open(a.id, offeredProtocols(b.token)))).toBe(403);
    expect(await refusedStatus(open('0000000000000000', offeredProtocols(a.token)))).toBe(403);
    expect(await refusedStatus(open(a.id, offeredProtocols(a.token)))).toBe(101);
  });

  it('says hello, echoes keystrokes, and replays missed output after a reconnect', async () => {
    const s = await startSession();
    const c = new Client(open(s.id, offeredProtocols(s.token)));
    await c.opened;
    expect(c.ws.protocol).toBe(PROTOCOL); // the token is never echoed back
    c.ws.send(encodeClientControl({ type: 'hello', cols: 90, rows: 25 }));
    await c.until(() => c.text.includes('learner@lab:~$ '));
    expect(c.controls[0]).toMatchObject({ type: 'hello', sessionId: s.id, offset: 0 });
    c.ws.send(Buffer.from('echo hi\r'), { binary: true });
    await c.until(() => c.text.endsWith('echo hi\r'));
    const seen = Buffer.byteLength('learner@lab:~$ ');
    c.ws.close();
    await c.closed;
    const again = new Client(open(s.id, offeredProtocols(s.token)));
    await again.opened;
    again.ws.send(encodeClientControl({ type: 'hello', cols: 90, rows: 25, resumeFrom: seen }));
    await again.until(() => again.text === 'echo hi\r');
    expect(again.controls[0]).toMatchObject({ type: 'hello', offset: seen, truncated: false });
    again.ws.close();
  });

  it('closes the connection on an invalid control message or a missing hello', async () => {
    const s = await startSession();
    const c = new Client(open(s.id, offeredProtocols(s.token)));
    await c.opened;
    c.ws.send('{"type":"hello","cols":"wide","rows":5}');
    expect(await c.closed).toBe(1008);
    expect(c.controls.at(-1)).toMatchObject({ type: 'error', message: expect.stringContaining('cols') });
    const d = new Client(open(s.id, offeredProtocols(s.token)));
    await d.opened;
    d.ws.send(Buffer.from('ls\r'), { binary: true });
    expect(await d.closed).toBe(1008);
  });
});
