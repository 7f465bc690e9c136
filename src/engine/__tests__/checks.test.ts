import { describe, it, expect } from 'vitest';
import { Check } from '../schema.ts';
import { runCheck } from '../checks.ts';
import { FakeClock, FakeCluster, fakeContext, pod } from './fakes.ts';

function setup() {
  const clock = new FakeClock();
  const ops = new FakeCluster();
  const ctx = fakeContext(ops, clock, { KUBECONFIG: '/k', NAMESPACE: 'lab-x-1' });
  const check = (c: unknown, mode: 'quick' | 'wait' = 'quick') =>
    runCheck(Check.parse(c), ctx, { mode, intervalMs: 500 });
  return { clock, ops, ctx, check };
}

describe('podReady', () => {
  it('counts native sidecars (initContainerStatuses) and passes when ready long enough', async () => {
    const { clock, ops, check } = setup();
    ops.pods.ordered = pod('ordered', {
      init: [{ name: 'helper', state: 'running', sidecar: true, startedAt: clock.iso(-60_000) }],
      containers: [{ name: 'app', state: 'running', startedAt: clock.iso(-55_000) }],
      readySince: clock.iso(-50_000),
    });
    const r = await check({ type: 'podReady', pod: 'ordered' });
    expect(r).toMatchObject({ ok: true, title: 'pod "ordered" ready' });
    expect(r.elapsedMs).toBe(0);
  });

  it('a native sidecar that is not ready keeps the pod not ready, and says which container', async () => {
    const { clock, ops, check } = setup();
    ops.pods.ordered = pod('ordered', {
      init: [{ name: 'helper', state: 'running', sidecar: true, ready: false, started: false }],
      containers: [{ name: 'app', state: 'waiting', reason: 'PodInitializing' }],
    });
    const r = await check({ type: 'podReady', pod: 'ordered' });
    expect(r.ok).toBe(false);
    expect(r.message).toContain('helper: running, not started (startup probe)');
    expect(r.message).toContain('app: waiting (PodInitializing)');
    void clock;
  });

  it('a pod that crashes a few seconds after starting is never reported ready; the hint shows its last log lines', async () => {
    const { clock, ops, check } = setup();
    const t0 = clock.now();
    ops.pods.flaky = () => {
      const t = (clock.now() - t0) % 13_000;
      const restarts = Math.floor((clock.now() - t0) / 13_000);
      return t < 3_000
        ? pod('flaky', {
            containers: [
              {
                name: 'app',
                state: 'running',
                startedAt: new Date(clock.now() - t).toISOString(),
                restartCount: restarts,
              },
            ],
            readySince: new Date(clock.now() - t).toISOString(),
          })
        : pod('flaky', {
            containers: [
              {
                name: 'app',
                state: 'waiting',
                reason: 'CrashLoopBackOff',
                restartCount: restarts + 1,
                lastTerminated: { reason: 'Error', exitCode: 1 },
              },
            ],
          });
    };
    ops.logsFn = (_p, _c, o) => (o?.previous ? 'starting\npanic: config missing\n' : '');
    const r = await check({ type: 'podReady', pod: 'flaky', timeout: 60 }, 'wait');
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/keeps crashing|only for/);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(60_000);
  });

  it("crash details: the previous run's last log lines and what to run", async () => {
    const { ops, check } = setup();
    ops.pods.logger = pod('logger', {
      containers: [
        { name: 'web', state: 'running' },
        {
          name: 'shipper',
          state: 'waiting',
          reason: 'CrashLoopBackOff',
          restartCount: 2,
          lastTerminated: { reason: 'StartError', exitCode: 128 },
        },
      ],
    });
    ops.logsFn = (_p, _c, o) => (o?.previous ? 'exec: "/bin/bash": stat /bin/bash: no such file or directory' : '');
    const r = await check({ type: 'podReady', pod: 'logger', hint: 'fix the command' });
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      'container "shipper" of pod "logger" keeps crashing (restarted 2 times: StartError, exit code 128)',
    );
    expect(r.observed).toContain('/bin/bash: no such file');
    expect(r.hint).toContain('kubectl logs logger -c shipper --previous');
  });

  it('an image missing from the cluster says how to load it', async () => {
    const { ops, check } = setup();
    ops.pods.web = pod('web', { containers: [{ name: 'nginx', state: 'waiting', reason: 'ErrImageNeverPull' }] });
    const r = await check({ type: 'podReady', pod: 'web' });
    expect(r.message).toBe('container "nginx" cannot start: image nginx:1 is not in the cluster (ErrImageNeverPull)');
    expect(r.hint).toContain('npx sidecar-labs cluster up');
  });

  it('a missing pod fails with a plain message', async () => {
    const { check } = setup();
    expect(await check({ type: 'podReady', pod: 'nope' })).toMatchObject({
      ok: false,
      message: 'pod "nope" does not exist yet',
    });
    expect(await check({ type: 'podReady', selector: 'app=x' })).toMatchObject({
      ok: false,
      message: 'pods matching "app=x" does not exist yet',
    });
  });
});

describe('exec', () => {
  it('compares stdout (equals ignores the trailing newline) and the exit code', async () => {
    const { ops, check } = setup();
    ops.pods.nginx = pod('nginx', {
      containers: [
        { name: 'nginx', state: 'running' },
        { name: 'content', state: 'running' },
      ],
    });
    ops.execFn = (_p, c, cmd) =>
      cmd.join(' ') === '/bin/cat /usr/share/nginx/html/index.html' && c === 'nginx'
        ? { stdout: 'Hello from the sidecar container!\n', stderr: '', exitCode: 0 }
        : { stdout: '', stderr: 'cat: no such file', exitCode: 1 };
    const base = {
      type: 'exec',
      pod: 'nginx',
      container: 'nginx',
      command: ['/bin/cat', '/usr/share/nginx/html/index.html'],
    };
    expect((await check({ ...base, stdout: { equals: 'Hello from the sidecar container!' } })).ok).toBe(true);
    const wrong = await check({ ...base, stdout: { contains: 'Goodbye' } });
    expect(wrong).toMatchObject({
      ok: false,
      message: 'output was not as expected: expected it to contain "Goodbye"',
      observed: 'Hello from the sidecar container!',
    });
    const failing = await check({ ...base, command: 'cat /nope' });
    expect(failing).toMatchObject({ ok: false, message: 'exited with code 1, expected 0' });
    expect(ops.calls).toContain('exec nginx/nginx /bin/sh -c cat /nope');
  });

  it('a container that is not running is named, without trying to exec', async () => {
    const { ops, check } = setup();
    ops.pods.logger = pod('logger', {
      containers: [
        { name: 'web', state: 'running' },
        { name: 'shipper', state: 'waiting', reason: 'RunContainerError' },
      ],
    });
    const r = await check({ type: 'exec', pod: 'logger', container: 'shipper', command: 'true' });
    expect(r).toMatchObject({
      ok: false,
      message: 'container "shipper" of pod "logger" is not running: waiting (RunContainerError)',
    });
    const h = await check({ type: 'http', from: { pod: 'logger', container: 'nope' }, url: 'http://127.0.0.1/' });
    expect(h.message).toBe('pod "logger" has no container "nope" (it has web, shipper)');
    expect(ops.calls.some((c) => c.startsWith('exec'))).toBe(false);
  });

  it('defaults to the first container', async () => {
    const { ops, check } = setup();
    ops.pods.p = pod('p', {
      containers: [
        { name: 'first', state: 'running' },
        { name: 'second', state: 'running' },
      ],
    });
    ops.execFn = () => ({ stdout: 'ok', stderr: '', exitCode: 0 });
    await check({ type: 'exec', pod: 'p', command: 'true' });
    expect(ops.calls.at(-1)).toBe('exec p/first /bin/sh -c true');
  });
});

describe('logs', () => {
  const dates = 'Sat Nov 21 21:00:00 UTC 2026\nSat Nov 21 21:00:05 UTC 2026\n';
  const dateRe = '^[A-Z][a-z]{2} [A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2} [A-Z]+ \\d{4}$';
  function withLogs(text: Record<string, string>) {
    const s = setup();
    s.ops.pods.sidecar = pod('sidecar', {
      containers: [
        { name: 'main-container', state: 'running' },
        { name: 'sidecar-container', state: 'running' },
      ],
    });
    s.ops.logsFn = (_p, c) => text[c] ?? '';
    return s;
  }
  it('matches with minLines counts matching lines', async () => {
    const { check } = withLogs({ 'sidecar-container': dates });
    expect(
      (await check({ type: 'logs', pod: 'sidecar', container: 'sidecar-container', matches: dateRe, minLines: 2 })).ok,
    ).toBe(true);
    const three = await check({
      type: 'logs',
      pod: 'sidecar',
      container: 'sidecar-container',
      matches: dateRe,
      minLines: 3,
    });
    expect(three).toMatchObject({ ok: false, message: expect.stringContaining('2 log lines match') });
  });
  it('empty: the main container prints nothing', async () => {
    const { check } = withLogs({ 'sidecar-container': dates, 'main-container': '' });
    expect((await check({ type: 'logs', pod: 'sidecar', container: 'main-container', empty: true })).ok).toBe(true);
    expect((await check({ type: 'logs', pod: 'sidecar', container: 'sidecar-container', empty: true })).ok).toBe(false);
  });
  it('contains, and waits for a line to arrive in wait mode', async () => {
    const { check, ops, clock } = withLogs({});
    const t0 = clock.now();
    ops.logsFn = () => (clock.now() - t0 > 30_000 ? '10.0.0.1 - - [..] "GET / HTTP/1.1" 200 615 "-" "Wget"\n' : '');
    const r = await check(
      {
        type: 'logs',
        pod: 'sidecar',
        container: 'sidecar-container',
        matches: '"GET / HTTP/1\\.[01]" 200 .*Wget',
        timeout: 75,
      },
      'wait',
    );
    expect(r.ok).toBe(true);
    expect(r.elapsedMs).toBeGreaterThan(30_000);
    expect(r.elapsedMs).toBeLessThan(32_000);
  });
});

describe('http', () => {
  it('through a Service (API server proxy) with a body match', async () => {
    const { ops, check } = setup();
    ops.proxyFn = (svc, port, path) => ({ status: 200, body: `page from ${svc}:${port}${path}` });
    expect(
      (await check({ type: 'http', service: 'site', port: 80, body: { contains: 'page from site:80/' } })).ok,
    ).toBe(true);
    ops.proxyFn = () => {
      throw new Error('service "site" has no ready pods behind it');
    };
    expect(await check({ type: 'http', service: 'site', port: 80 })).toMatchObject({
      ok: false,
      message: 'service "site" has no ready pods behind it',
    });
  });
  it('on a NodePort from the host', async () => {
    const { ops, check } = setup();
    ops.httpFn = (url) => ({
      status: url === 'http://127.0.0.1:30080/' ? 200 : 404,
      body: 'Hello from the sidecar container!',
    });
    expect(
      (await check({ type: 'http', nodePort: 30080, body: { equals: 'Hello from the sidecar container!' } })).ok,
    ).toBe(true);
    const r = await check({ type: 'http', nodePort: 30080, path: '/x' });
    expect(r).toMatchObject({ ok: false, message: 'http://127.0.0.1:30080/x answered HTTP 404, expected 200' });
  });
  it('from inside a pod with busybox wget, status read from its -S output', async () => {
    const { ops, check } = setup();
    ops.pods.web = pod('web', {
      containers: [
        { name: 'nginx', state: 'running' },
        { name: 'pinger', state: 'running' },
      ],
    });
    ops.execFn = (_p, c, cmd) => {
      expect(c).toBe('pinger');
      expect(cmd).toEqual(['wget', '-S', '-q', '-O', '-', 'http://127.0.0.1:80/']);
      return { stdout: '<h1>nginx is running</h1>', stderr: '  HTTP/1.1 200 OK\n  Server: nginx\n', exitCode: 0 };
    };
    expect(
      (
        await check({
          type: 'http',
          from: { pod: 'web', container: 'pinger' },
          url: 'http://127.0.0.1:80/',
          body: { contains: 'nginx' },
        })
      ).ok,
    ).toBe(true);
  });
});

describe('field, restartsStable, jobComplete, script', () => {
  it('field: JSONPath equals / exists', async () => {
    const { ops, check } = setup();
    ops.objects['Pod/ordered'] = { spec: { initContainers: [{ name: 'helper', restartPolicy: 'Always' }] } };
    expect(
      (
        await check({
          type: 'field',
          kind: 'Pod',
          name: 'ordered',
          jsonPath: '{.spec.initContainers[?(@.name=="helper")].restartPolicy}',
          equals: 'Always',
        })
      ).ok,
    ).toBe(true);
    const no = await check({
      type: 'field',
      kind: 'Pod',
      name: 'ordered',
      jsonPath: '{.spec.initContainers[0].restartPolicy}',
      equals: 'Never',
    });
    expect(no).toMatchObject({
      ok: false,
      message: '{.spec.initContainers[0].restartPolicy} is "Always", expected "Never"',
    });
    expect(
      (await check({ type: 'field', kind: 'Pod', name: 'ordered', jsonPath: '{.status.podIP}', exists: false })).ok,
    ).toBe(true);
    expect(await check({ type: 'field', kind: 'Pod', name: 'gone', jsonPath: '{.x}', exists: false })).toMatchObject({
      ok: false,
      message: 'Pod "gone" does not exist yet',
    });
  });

  it('restartsStable: needs the container running, unrestarted, for N seconds', async () => {
    const { ops, check, clock } = setup();
    ops.pods.hungry = pod('hungry', {
      containers: [
        { name: 'web', state: 'running', startedAt: clock.iso(-2_000) },
        { name: 'cache', state: 'waiting', reason: 'CrashLoopBackOff', restartCount: 3 },
      ],
    });
    const r = await check({ type: 'restartsStable', pod: 'hungry', container: 'web', seconds: 5 }, 'wait');
    expect(r.ok).toBe(true);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(3_000);
    const all = await check({ type: 'restartsStable', pod: 'hungry', seconds: 5 });
    expect(all).toMatchObject({ ok: false });
    expect(all.message).toContain('container "cache" is waiting (CrashLoopBackOff)');
  });

  it('jobComplete: a failed Job fails at once instead of waiting out the timeout', async () => {
    const { ops, check } = setup();
    ops.objects['Job/report'] = {
      status: {
        failed: 2,
        conditions: [{ type: 'Failed', status: 'True', message: 'Job has reached the specified backoff limit' }],
      },
    };
    const r = await check({ type: 'jobComplete', job: 'report' }, 'wait');
    expect(r).toMatchObject({ ok: false, message: 'Job "report" failed: Job has reached the specified backoff limit' });
    expect(r.elapsedMs).toBe(0);
    ops.objects['Job/report'] = { status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } };
    expect((await check({ type: 'jobComplete', job: 'report' })).ok).toBe(true);
  });

  it('script: exit 0 passes; KUBECONFIG and NAMESPACE are passed; the output is observed', async () => {
    const { ops, check } = setup();
    ops.scriptFn = (_s, env, cwd) => ({
      exitCode: env.NAMESPACE === 'lab-x-1' && env.KUBECONFIG === '/k' && cwd === '/labs/x' ? 0 : 3,
      output: 'worker: Completed',
    });
    expect(await check({ type: 'script', run: 'true' })).toMatchObject({ ok: true, observed: 'worker: Completed' });
    ops.scriptFn = () => ({ exitCode: 1, output: 'worker: running' });
    expect(await check({ type: 'script', run: 'false', hint: 'wait for the worker' })).toMatchObject({
      ok: false,
      message: 'script exited with code 1',
      hint: 'wait for the worker',
    });
  });
});
