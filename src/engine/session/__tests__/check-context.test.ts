import { describe, it, expect } from 'vitest';
import { Mistake } from '../../schema.ts';
import { findMistake } from '../../mistakes.ts';
import { runCheck } from '../../checks.ts';
import { FakeCluster, fakeContext, pod } from '../../__tests__/fakes.ts';
import { scopeToSession } from '../check.ts';

// The lab's lesson port is 30080; this session (a workshop learner) was given 30123.
const LAB = { nodePorts: { web: 30080 } };
const MISTAKES = [
  {
    id: 'old-page',
    title: 'the Service still serves the old page',
    apply: { manifests: ['mistakes/a.yaml'] },
    diagnosis: 'Restart the pod so the sidecar fetches the new page.',
    detect: [{ type: 'http', nodePort: 30080, path: '/', status: 200, body: { contains: 'old page' } }],
  },
].map((m) => Mistake.parse(m));

const base = (ops: FakeCluster) => fakeContext(ops);

describe("a session's check context", () => {
  it('findMistake probes the session port, not the lab port (no terminal: from the host)', async () => {
    const ops = new FakeCluster();
    ops.httpFn = (url) => ({ status: url.includes(':30123/') ? 200 : 404, body: 'old page' });
    const ctx = scopeToSession(base(ops), LAB, { nodePorts: { web: 30123 }, terminal: undefined });
    const found = await findMistake(MISTAKES, ctx);
    expect(ops.calls).toEqual(['http http://127.0.0.1:30123/']);
    expect(found?.id).toBe('old-page');
  });

  it('with a terminal, findMistake curls the session port from the terminal pod', async () => {
    const ops = new FakeCluster();
    ops.pods.terminal = pod('terminal', { containers: [{ name: 'terminal', state: 'running', ready: true }] });
    ops.execFn = (_pod, _c, cmd) => ({
      stdout: cmd.join(' ').includes(':30123/') ? 'old page' : '',
      stderr: '',
      exitCode: cmd.join(' ').includes(':30123/') ? 0 : 7,
    });
    const terminal = { pod: 'terminal', container: 'terminal', workdir: '/lab' };
    const ctx = scopeToSession(base(ops), LAB, { nodePorts: { web: 30123 }, terminal });
    expect((await findMistake(MISTAKES, ctx))?.id).toBe('old-page');
    expect(ops.calls.join('\n')).toMatch(/exec terminal\/terminal .*\$HOST_IP:30123\//);
    expect(ops.calls.join('\n')).not.toContain('30080');
  });

  it('a step check run in the same context gets the same port and a title naming it', async () => {
    const ops = new FakeCluster();
    ops.httpFn = () => ({ status: 200, body: 'old page' });
    const ctx = scopeToSession(base(ops), LAB, { nodePorts: { web: 30123 }, terminal: undefined });
    const r = await runCheck(MISTAKES[0]!.detect[0]!, ctx, { mode: 'quick' });
    expect(r.title).toContain('30123');
    expect(ops.calls[0]).toBe('http http://127.0.0.1:30123/');
  });

  it('without a session port mapping the lab port is used unchanged', async () => {
    const ops = new FakeCluster();
    ops.httpFn = () => ({ status: 200, body: 'old page' });
    const ctx = scopeToSession(base(ops), LAB, { nodePorts: undefined, terminal: undefined });
    expect((await findMistake(MISTAKES, ctx))?.id).toBe('old-page');
    expect(ops.calls).toEqual(['http http://127.0.0.1:30080/']);
  });
});
