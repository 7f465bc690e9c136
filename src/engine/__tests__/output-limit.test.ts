// A check's output is capped (checks/output-limit.ts): what the collector keeps, what each check type
// says when its output was cut, and the two host-side readers (a script's output, an HTTP body) on
// real processes and a real port. The exec and service-proxy paths run on the cluster in
// tests/integration/engine/output-limit.test.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { Check } from '../schema.ts';
import { runCheck } from '../checks.ts';
import { CappedBytes, CHECK_OUTPUT_LIMIT } from '../checks/output-limit.ts';
import { Kube, runShell } from '../kube.ts';
import { FakeClock, FakeCluster, fakeContext, pod } from './fakes.ts';

function setup() {
  const ops = new FakeCluster();
  const ctx = fakeContext(ops, new FakeClock(), { KUBECONFIG: '/k', NAMESPACE: 'lab-x-1' });
  ops.pods.web = pod('web', { containers: [{ name: 'nginx', state: 'running' }] });
  const check = (c: unknown) => runCheck(Check.parse(c), ctx, { mode: 'quick', intervalMs: 500 });
  return { ops, check };
}

describe('CappedBytes', () => {
  it('keeps at most the limit, cutting the chunk that crosses it, and says so', () => {
    const b = new CappedBytes(10);
    expect(b.add(Buffer.from('12345'))).toBe(true);
    expect(b.truncated).toBe(false);
    expect(b.add(Buffer.from('6789abcdef'))).toBe(false);
    expect(b.add(Buffer.from('more'))).toBe(false);
    expect(b.text()).toBe('123456789a');
    expect(b.bytes).toBe(10);
    expect(b.truncated).toBe(true);
  });

  it('an output of exactly the limit is not cut', () => {
    const b = new CappedBytes(4);
    expect(b.add(Buffer.from('abcd'))).toBe(true);
    expect(b.truncated).toBe(false);
  });
});

describe('a check whose output was cut says so', () => {
  it('exec: fails, naming the cut, even when the kept part would match', async () => {
    const { ops, check } = setup();
    ops.execFn = () => ({ stdout: 'hello '.repeat(100), stderr: '', exitCode: -1, truncated: true });
    const r = await check({
      type: 'exec',
      pod: 'web',
      command: 'cat /usr/share/nginx/html/index.html',
      stdout: { contains: 'hello' },
    });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('output cut at 64 KiB');
    expect(r.observed).toContain('hello');
  });

  it('http through a Service: fails with the cut named', async () => {
    const { ops, check } = setup();
    ops.proxyFn = () => ({ status: 200, body: 'x'.repeat(1000), truncated: true });
    const r = await check({ type: 'http', service: 'web', body: { contains: 'x' } });
    expect(r).toMatchObject({ ok: false });
    expect(r.message).toContain('too big to check (output cut at 64 KiB');
  });

  it('http from a pod (wget through exec): the cut is carried through', async () => {
    const { ops, check } = setup();
    ops.execFn = () => ({ stdout: 'x'.repeat(100), stderr: '  HTTP/1.1 200 OK', exitCode: -1, truncated: true });
    const r = await check({ type: 'http', from: { pod: 'web' }, url: 'http://127.0.0.1/' });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('output cut at 64 KiB');
  });

  it('script: the exit code still decides, the message names the cut', async () => {
    const { ops, check } = setup();
    ops.scriptFn = () => ({ exitCode: 0, output: 'ok', truncated: true });
    const r = await check({ type: 'script', run: 'yes | head -c 1000000' });
    expect(r).toMatchObject({ ok: true, message: 'script passed (output cut at 64 KiB)' });
  });

  it('logs: a failing expectation on logs that reached the limit says only part was read', async () => {
    const { ops, check } = setup();
    ops.logsFn = () => 'noise\n'.repeat(CHECK_OUTPUT_LIMIT / 6 + 1);
    const r = await check({ type: 'logs', pod: 'web', contains: 'ready' });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('output cut at 64 KiB');
  });
});

describe('the host-side readers stop at the limit', () => {
  it('runShell: 20 MB of output keeps 64 KiB and the true exit code', async () => {
    const r = await runShell('head -c 20000000 /dev/zero | tr "\\0" x; exit 3', {
      env: {},
      cwd: tmpdir(),
      timeoutMs: 20_000,
    });
    expect(r.exitCode).toBe(3);
    expect(r.truncated).toBe(true);
    expect(r.output.length).toBeLessThan(CHECK_OUTPUT_LIMIT + 100);
    expect(r.output).toContain('(output cut at 64 KiB)');
  });

  it('httpGet: a 50 MB body from a port is read to 64 KiB, then the connection is dropped', async () => {
    let sent = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 121);
    const server = createServer((_req, res) => {
      res.on('close', () => (closed = true));
      const pump = () => {
        while (sent < 50e6 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // httpGet never talks to the API server: a kubeconfig naming an unused address is enough
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'none', server: 'https://127.0.0.1:9' }],
      users: [{ name: 'none' }],
      contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
      currentContext: 'none',
    });
    const kube = new Kube(kc, 'no cluster');
    const r = await kube.httpGet(url, 10_000);
    expect(r).toMatchObject({ status: 200, truncated: true });
    expect(r.body.length).toBe(CHECK_OUTPUT_LIMIT);
    for (let i = 0; i < 100 && !closed; i++) await new Promise((res) => setTimeout(res, 20));
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(50e6);
    server.close();
  });
});
