// The server's defences on a real port: Host checks (DNS rebinding) on HTTP and WebSocket, security
// headers, redirects that stay on the site, file streams that close, slow clients cut off, TLS.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLabServer, type LabServer } from '../server.ts';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { offeredProtocols, encodeClientControl } from '../protocol.ts';
import { loadTls, plainHttpRefusal, plainHttpWarning } from '../tls.ts';
import { serverConfig } from '../../config/load.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

const dist = mkdtempSync(join(tmpdir(), 'sl-hard-'));
const INLINE = 'document.documentElement.dataset.theme = "dark";';
let lab: LabServer;
let port: number;
let base: string;

function sessionManager(): SessionManager {
  return new SessionManager(new FakeEngine(), new TokenSigner(Buffer.alloc(32, 9)), () => fakeSpawner().spawn);
}

async function listen(l: LabServer): Promise<number> {
  await new Promise<void>((r) => l.server.listen(0, '127.0.0.1', r));
  return (l.server.address() as AddressInfo).port;
}

beforeAll(async () => {
  mkdirSync(join(dist, 'lessons', 'content-sidecar'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), `<html><script>${INLINE}</script><h1>home</h1></html>`);
  writeFileSync(join(dist, 'lessons', 'content-sidecar', 'index.html'), '<h1>lesson</h1>');
  writeFileSync(join(dist, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 7));
  lab = createLabServer({ sessions: sessionManager(), distDir: dist, log: () => {} });
  port = await listen(lab);
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => lab.close());

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with any Host header (fetch will not send a foreign one). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startSession(): Promise<{ id: string; token: string }> {
  const r = await raw(
    '/api/sessions',
    { 'content-type': 'application/json', origin: base },
    'POST',
    '{"slug":"content-sidecar"}',
  );
  return JSON.parse(r.body.trim().split('\n').at(-1)!).session;
}

function upgradeStatus(id: string, token: string, host: string, origin: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/terminal/${id}`, offeredProtocols(token), {
      headers: { host },
      origin,
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => resolve(-1));
  });
}

describe('DNS rebinding', () => {
  const evil = { host: `evil.example:${port}` };
  it('refuses a foreign Host on pages and the API, even when Origin matches it', async () => {
    evil.host = `evil.example:${port}`;
    const page = await raw('/', evil);
    expect(page.status).toBe(403);
    expect(page.body).toContain('SIDECAR_LABS_HOSTS');
    const start = await raw(
      '/api/sessions',
      { ...evil, origin: `http://${evil.host}`, 'content-type': 'application/json' },
      'POST',
      '{"slug":"content-sidecar"}',
    );
    expect(start.status).toBe(403);
    expect(start.body).not.toContain('token');
    expect((await raw('/api/health', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a foreign Host on the terminal WebSocket, even with a valid token', async () => {
    const s = await startSession();
    expect(await upgradeStatus(s.id, s.token, `evil.example:${port}`, `http://evil.example:${port}`)).toBe(403);
    expect(await upgradeStatus(s.id, s.token, `127.0.0.1:${port}`, `http://evil.example:${port}`)).toBe(403);
    expect(await upgradeStatus(s.id, s.token, `127.0.0.1:${port}`, base)).toBe(101);
  });
});

describe('responses', () => {
  it("carries security headers, with the page's own inline scripts hashed into its CSP", async () => {
    const page = await raw('/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
    expect(csp).not.toContain("'unsafe-inline' 'sha256"); // scripts: hashes, not unsafe-inline
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(INLINE).digest('base64')}'`);
    for (const r of [page, await raw('/api/health')]) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    }
  });

  it('answers HEAD on /api/health', async () => {
    const r = await raw('/api/health', {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });

  it('redirects to the directory on this site only (no open redirect)', async () => {
    const r = await raw('/.//evil.example/..%2flessons%2fcontent-sidecar');
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe('/lessons/content-sidecar/');
    const plain = await raw('/lessons/content-sidecar?x=1');
    expect(plain.headers.location).toBe('/lessons/content-sidecar/?x=1');
  });
});

/** Descriptors this process holds open on `file`. */
function openDescriptors(file: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('static file streams', () => {
  it('closes the file when a download is aborted', async () => {
    const aborted = Array.from(
      { length: 20 },
      () =>
        new Promise<void>((resolve) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/big.bin' }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          });
          req.on('error', () => resolve());
          req.end();
        }),
    );
    await Promise.all(aborted);
    for (let i = 0; i < 100 && openDescriptors(join(dist, 'big.bin')) > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(openDescriptors(join(dist, 'big.bin'))).toBe(0);
    expect((await raw('/api/health')).status).toBe(200);
  });

  it('answers 200 or 404 for files deleted while they are requested, and keeps serving', async () => {
    const statuses = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const names = Array.from({ length: 10 }, (_, i) => `gone-${round}-${i}.txt`);
      for (const n of names) writeFileSync(join(dist, n), 'x'.repeat(5000));
      const replies = names.map((n) => raw(`/${n}`));
      for (const n of names) rmSync(join(dist, n), { force: true });
      for (const r of await Promise.all(replies)) statuses.add(r.status);
    }
    expect([...statuses].every((s) => s === 200 || s === 404)).toBe(true);
    expect((await raw('/')).status).toBe(200);
  });
});

describe('terminal connections', () => {
  it('allows one hello per connection (a second replay is refused)', async () => {
    const s = await startSession();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/terminal/${s.id}`, offeredProtocols(s.token), {
      origin: base,
    });
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise<[number, string]>((r) => ws.on('close', (code, reason) => r([code, reason.toString()])));
    ws.send(encodeClientControl({ type: 'hello', cols: 80, rows: 24 }));
    ws.send(encodeClientControl({ type: 'hello', cols: 80, rows: 24 }));
    expect(await closed).toEqual([1008, 'hello may be sent only once']);
  });
});

describe('slow and numerous connections', () => {
  it('cuts off connections that never finish their headers, and caps connections per address', async () => {
    const small = createLabServer({
      sessions: sessionManager(),
      log: () => {},
      limits: { headersTimeoutMs: 600, maxConnectionsPerClient: 10 },
    });
    const p = await listen(small);
    try {
      const slow: Socket[] = [];
      const ended: Promise<string>[] = [];
      for (let i = 0; i < 10; i++) {
        const s = connect(p, '127.0.0.1');
        s.on('error', () => {});
        s.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // never the blank line
        let got = '';
        s.on('data', (d) => (got += d));
        ended.push(new Promise((r) => s.on('close', () => r(got))));
        slow.push(s);
      }
      await new Promise((r) => setTimeout(r, 100));
      // The 11th connection from the same address is refused while those are open...
      await expect(fetch(`http://127.0.0.1:${p}/api/health`)).rejects.toThrow();
      // ...and the slow ones are answered 408 and closed, so the server is free again.
      for (const text of await Promise.all(ended)) expect(text).toMatch(/^HTTP\/1.1 408/);
      expect((await fetch(`http://127.0.0.1:${p}/api/health`)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('TLS', () => {
  it('serves HTTPS with the given certificate, with Strict-Transport-Security', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const secure = createLabServer({
      sessions: sessionManager(),
      log: () => {},
      tls: loadTls({ cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') }),
    });
    const p = await listen(secure);
    try {
      const reply = await new Promise<{ status: number; hsts: unknown }>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: '127.0.0.1',
            port: p,
            path: '/api/health',
            rejectUnauthorized: false,
            headers: { host: 'localhost' },
          },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, hsts: res.headers['strict-transport-security'] });
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(reply).toEqual({ status: 200, hsts: 'max-age=86400' });
    } finally {
      await secure.close();
    }
    expect(() => loadTls({ cert: join(dir, 'nope.pem'), key: join(dir, 'key.pem') })).toThrow(
      /cannot read the TLS certificate .*nope.pem: ENOENT/,
    );
    expect(() => loadTls({ cert: join(dir, 'key.pem'), key: join(dir, 'key.pem') })).toThrow(
      /key.pem: expected a PEM certificate/,
    );
    expect(() => serverConfig({}, { tlsCert: 'c.pem' })).toThrow(/both a certificate and its key/);
    expect(serverConfig({ SIDECAR_LABS_TLS_CERT: 'c', SIDECAR_LABS_TLS_KEY: 'k' }).tls).toEqual({
      cert: 'c',
      key: 'k',
    });
  });

  it('refuses plain HTTP beyond loopback unless told, and then warns loudly', () => {
    expect(plainHttpRefusal('0.0.0.0', false, false)).toMatch(
      /refusing to serve plain HTTP on 0\.0\.0\.0.*--insecure-http/,
    );
    expect(plainHttpRefusal('labs.example.org', false, false)).toMatch(/refusing/);
    expect(plainHttpRefusal('0.0.0.0', true, false)).toBeUndefined();
    expect(plainHttpRefusal('0.0.0.0', false, true)).toBeUndefined();
    expect(plainHttpRefusal('127.0.0.1', false, false)).toBeUndefined();
    expect(plainHttpRefusal('::1', false, false)).toBeUndefined();
    expect(plainHttpWarning('0.0.0.0')).toMatch(
      /WARNING: serving PLAIN HTTP on 0\.0\.0\.0: .*session tokens[\s\S]*--tls-cert/,
    );
    expect(plainHttpWarning('127.0.0.1')).toBeUndefined();
    expect(plainHttpWarning('localhost')).toBeUndefined();
  });
});

describe('last-resort handler', () => {
  it('logs an error nothing else caught and keeps the process running', () => {
    const main = new URL('../main.ts', import.meta.url).href;
    const script = `import { installSafetyNet } from ${JSON.stringify(main)};
      installSafetyNet();
      setTimeout(() => { throw new Error('boom from nowhere'); }, 10);
      setTimeout(() => Promise.reject(new Error('rejected from nowhere')), 20);
      setTimeout(() => { console.log('still alive'); process.exit(0); }, 300);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toContain('still alive');
    expect(r.stderr).toMatch(/unexpected error \(still serving\): Error: boom from nowhere/);
    expect(r.stderr).toMatch(/unexpected error \(still serving\): Error: rejected from nowhere/);
    expect(r.status).toBe(0);
  }, 60_000);
});
