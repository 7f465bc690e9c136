// A client that leaves in the middle of a static-file request, at each step the handler waits on
// (opening the file, its stat, reading it for gzip or for a page's CSP, the stream): the server must
// keep answering and close the file's descriptor on every path. The handler is the one the lab server
// and tests/site/serve.ts both use; `open` is wrapped so the client can leave at an exact step.
import { mkdtempSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticHandler } from '../static-files.ts';

const dist = mkdtempSync(join(tmpdir(), 'sl-abort-'));
const problems: unknown[] = [];
const onProblem = (e: unknown) => problems.push(e);

beforeAll(() => {
  // a page with an inline script (CSP hash) worth gzipping, a script worth gzipping, a binary to stream
  writeFileSync(join(dist, 'index.html'), `<html><script>let a = 1;</script>${'<p>lesson</p>'.repeat(400)}</html>`);
  writeFileSync(join(dist, 'app.js'), 'console.log(1);\n'.repeat(400));
  writeFileSync(join(dist, 'big.png'), Buffer.alloc(4 * 1024 * 1024, 7));
  writeFileSync(join(dist, '404.html'), `<html><h1>not here</h1>${' '.repeat(2000)}</html>`);
  process.on('unhandledRejection', onProblem);
  process.on('uncaughtException', onProblem);
});
afterAll(() => {
  process.off('unhandledRejection', onProblem);
  process.off('uncaughtException', onProblem);
});

/** Descriptors of this process open on a file of the test site. */
function siteDescriptors(): string[] {
  return readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    })
    .filter((target) => target.startsWith(dist));
}

/**
 * A server whose file handle calls step 0 (open), 1, 2, … (stat, read, …) in order; at step `leaveAt`
 * the client resets its connection and the handler goes on only once the server has seen it leave.
 */
async function serverLeavingAt(leaveAt: number): Promise<{ server: Server; port: number; steps: () => number }> {
  let step = 0;
  let current: { res: ServerResponse; client: () => Socket } | undefined;
  const leave = async () => {
    if (step++ !== leaveAt || !current) return;
    const { res, client } = current;
    const closed = new Promise((r) => res.once('close', r));
    client().resetAndDestroy();
    await closed;
  };
  const wrapped = async (path: string): Promise<FileHandle> => {
    await leave();
    const handle = await open(path, 'r');
    return new Proxy(handle, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (name === 'stat' || name === 'read')
          return async (...args: unknown[]) => {
            await leave();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  };
  const handler = staticHandler(dist, { open: wrapped });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    current = { res, client: clients.get(req.socket.remotePort!)! };
    void handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, steps: () => step };
}

const clients = new Map<number, () => Socket>();

/** A raw request whose socket the server side can reset; resolves when the connection is over. */
function rawRequest(port: number, method: string, path: string, gzip: boolean): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    s.on('connect', () => {
      clients.set(s.localPort!, () => s);
      s.write(
        `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
          `${gzip ? 'Accept-Encoding: gzip\r\n' : ''}\r\n`,
      );
    });
  });
}

const CASES = [
  { name: 'a page, gzipped (open, stat, read for gzip, read for the CSP)', method: 'GET', path: '/', gzip: true },
  { name: 'a page, plain (open, stat, read for the CSP, stream)', method: 'GET', path: '/', gzip: false },
  { name: 'a script, gzipped', method: 'GET', path: '/app.js', gzip: true },
  { name: 'a binary file, streamed', method: 'GET', path: '/big.png', gzip: true },
  { name: 'HEAD of a page', method: 'HEAD', path: '/', gzip: true },
  { name: 'the 404 page path', method: 'GET', path: '/nope', gzip: false },
];

describe('a client that leaves at each step of a static-file request', () => {
  for (const c of CASES) {
    it(`${c.name}: the server lives, answers the next request, and closes every descriptor`, async () => {
      // how many steps the whole request takes when nobody leaves
      const probe = await serverLeavingAt(-1);
      const full = await rawRequest(probe.port, c.method, c.path, c.gzip);
      expect(full).toMatch(/^HTTP\/1\.1 (200|404)/);
      const total = probe.steps();
      probe.server.close();
      expect(total).toBeGreaterThanOrEqual(2);
      for (let at = 0; at < total; at++) {
        const { server, port } = await serverLeavingAt(at);
        await rawRequest(port, c.method, c.path, c.gzip);
        // the server is still there and serves the same file
        const after = await fetch(`http://127.0.0.1:${port}${c.path}`, { method: c.method });
        expect(after.status).toBe(c.path === '/nope' ? 404 : 200);
        await after.arrayBuffer();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
      // a descriptor closes a moment after its stream ends
      for (let i = 0; i < 50 && siteDescriptors().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(problems.map(String)).toEqual([]);
      expect(siteDescriptors()).toEqual([]);
    }, 30_000);
  }
});
