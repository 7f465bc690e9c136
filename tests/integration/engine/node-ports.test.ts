// Two learners doing content-sidecar at once on one cluster: each session gets its own NodePort, so
// both pass every step, the NodePort step included (it used to break for the second: 30080 is
// cluster-wide). The learner's terminal shows the session's port in $NODE_PORT and in service.yaml.
import { describe, it, expect, afterAll } from 'vitest';
import { engine } from './helpers.ts';
import type { SessionInfo } from '../../../src/engine/index.ts';

const e = engine();
const sessions: SessionInfo[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((s) => e.stopSession(s).catch(() => undefined)));
});

async function inTerminal(s: SessionInfo, cmd: string) {
  return e.kube.exec(s.namespace, 'terminal', 'terminal', ['bash', '-c', cmd], 30_000);
}

describe('two content-sidecar sessions at once', () => {
  it('get distinct allocated node ports, shown in the terminal', async () => {
    sessions.push(
      ...(await Promise.all(
        [1, 2].map(() =>
          e.startSession('content-sidecar', { terminal: true, ttlSeconds: 3600, nodePorts: 'allocate' }),
        ),
      )),
    );
    const [a, b] = sessions.map((s) => s.nodePorts!.web!);
    expect(a).toBeGreaterThan(30099);
    expect(b).toBeGreaterThan(30099);
    expect(a).not.toBe(b);
    for (const s of sessions) {
      const again = await e.getSession(s.sessionId);
      expect(again.nodePorts).toEqual(s.nodePorts);
      const r = await inTerminal(s, 'echo $NODE_PORT; grep nodePort service.yaml');
      expect(r.stdout).toBe(`${s.nodePorts!.web}\n      nodePort: ${s.nodePorts!.web}\n`);
    }
  });

  it('both pass every step (the NodePort step through each own port)', async () => {
    const lab = e.lab('content-sidecar');
    await Promise.all(
      sessions.map(async (s) => {
        for (const step of lab.steps) {
          await e.applySolution(s, step.id);
          const r = await e.checkStep(s, step.id, { mode: 'wait' });
          expect(r.ok, `${s.namespace} ${step.id}: ${JSON.stringify(r.checks.filter((c) => !c.ok))}`).toBe(true);
        }
      }),
    );
    for (const s of sessions) {
      const svc = await e.kube.readObject('v1', 'Service', s.namespace, 'nginx');
      expect(svc?.spec?.ports?.[0]?.nodePort).toBe(s.nodePorts!.web);
      const nodeport = await e.checkStep(s, 'nodeport');
      expect(nodeport.checks[1]!.title).toBe(`the page on NodePort ${s.nodePorts!.web}`);
      // the learner's own command from the lab works in the terminal
      expect((await inTerminal(s, 'curl -sS http://$HOST_IP:$NODE_PORT')).stdout).toContain(
        'Hello from the sidecar container!',
      );
    }
  });
});
