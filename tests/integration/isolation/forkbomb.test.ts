// A fork bomb in one learner's terminal leaves the other learners working: the kubelet caps each pod's
// processes (podPidsLimit, set by `cluster up` in the kind config) and the terminal's CPU is limited.
// The bomb is bounded (20 s, then every process of the learner is killed and the namespace deleted).
// Refuses to run the bomb on a node without the pid limit: there it would starve the whole node.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { engine } from '../engine/helpers.ts';
import { inTerminal } from './helpers.ts';
import { POD_PIDS_LIMIT } from '../../../src/cluster/kind.ts';
import type { SessionInfo } from '../../../src/engine/index.ts';

const e = engine();
let bomber: SessionInfo;
let other: SessionInfo;

beforeAll(async () => {
  [bomber, other] = await Promise.all([
    e.startSession('what-is-a-sidecar', { terminal: true, ttlSeconds: 900 }),
    e.startSession('what-is-a-sidecar', { terminal: true, ttlSeconds: 900 }),
  ]);
  await e.applySolution(other, 'shared-volume'); // so its check has something to pass on
}, 300_000);

afterAll(async () => {
  await Promise.all([bomber && e.stopSession(bomber), other && e.stopSession(other)]);
});

async function podPidsLimit(): Promise<unknown> {
  const node = (await e.kube.readPod(bomber.namespace, 'terminal'))!.spec!.nodeName!;
  return (await e.kube.kubeletConfig(node))?.podPidsLimit;
}
const NO_LIMIT = 'the node has no podPidsLimit: re-create the cluster with `cluster down && cluster up`';

describe('a fork bomb in a terminal', () => {
  it('meets the per-pod process limit of the node', async () => {
    expect(await podPidsLimit(), NO_LIMIT).toBe(POD_PIDS_LIMIT);
  });

  it("leaves another session's shell and checks working while it runs", async () => {
    // never set the bomb off on a node without the limit: it would starve every session there
    if ((await podPidsLimit()) !== POD_PIDS_LIMIT) throw new Error(`not run: ${NO_LIMIT}`);
    const bomb = inTerminal(
      e,
      bomber,
      "timeout -s KILL 20 bash -c ':(){ :|:& };:' 2>/dev/null; for i in 1 2 3 4 5; do kill -9 -1 2>/dev/null; sleep 0.5; done; echo done",
      120_000,
    ).catch((err: Error) => ({ stdout: '', stderr: err.message, exitCode: -1 }));
    await new Promise((r) => setTimeout(r, 8000)); // the bomb is at its limit by now
    const answers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const r = await inTerminal(e, other, 'echo alive; kubectl get pod pair -o name', 30_000);
      answers.push(Date.now() - t0);
      expect(r.stdout).toBe('alive\npod/pair\n');
    }
    const t0 = Date.now();
    const check = await e.checkStep(other, 'shared-volume', { mode: 'wait' });
    const checkMs = Date.now() - t0;
    console.log(`during the bomb: other shell answered in ${answers.join(', ')} ms; its check took ${checkMs} ms`);
    expect(check.ok, JSON.stringify(check.checks)).toBe(true);
    const pids = await e.kube
      .exec(
        bomber.namespace,
        'terminal',
        'terminal',
        ['sh', '-c', 'cat /sys/fs/cgroup/../pids.max /sys/fs/cgroup/pids.max 2>/dev/null; ps -e | wc -l'],
        20_000,
      )
      .catch((err: Error) => ({ stdout: `exec refused: ${err.message}`, stderr: '', exitCode: -1 }));
    console.log(`bomber pod while bombing: ${pids.stdout.trim().replace(/\n/g, ' | ')}`);
    await bomb;
  });
});
