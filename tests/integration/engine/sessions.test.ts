// A learner's session end to end on the real cluster: start with a terminal, check, solve, reset, stop.
import { describe, it, expect, afterAll } from 'vitest';
import { engine, liveNamespaces } from './helpers.ts';
import type { ProgressEvent, SessionInfo } from '../../../src/engine/index.ts';
import { podReadiness } from '../../../src/engine/pods.ts';

const e = engine();
let s: SessionInfo | undefined;
afterAll(async () => {
  if (s) await e.stopSession(s);
});

async function inTerminal(cmd: string) {
  return e.kube.exec(s!.namespace, 'terminal', 'terminal', ['bash', '-c', cmd], 30_000);
}

describe('a session with a terminal', () => {
  it('starts: labelled namespace, progress events, the terminal pod ready', async () => {
    const events: ProgressEvent[] = [];
    const t0 = Date.now();
    s = await e.startSession('what-is-a-sidecar', {
      terminal: true,
      ttlSeconds: 600,
      onProgress: (ev) => events.push(ev),
    });
    console.log(`start-to-ready ${(Date.now() - t0) / 1000}s`);
    expect(s.namespace).toMatch(/^lab-what-is-a-sidecar-[0-9a-f]{8}$/);
    expect(s.namespace).not.toContain(s.sessionId);
    expect(s.terminal).toEqual({ pod: 'terminal', container: 'terminal', workdir: '/lab' });
    const phases = events.map((ev) => ev.phase);
    expect(phases[0]).toBe('namespace');
    expect(phases).toContain('apply');
    expect(phases.at(-1)).toBe('ready');
    const ns = (await e.kube.readNamespace(s.namespace))!;
    expect(ns.metadata?.labels).toMatchObject({
      'sidecar-labs.dev/lab': 'what-is-a-sidecar',
      'sidecar-labs.dev/session': s.sessionId,
    });
    expect(new Date(ns.metadata!.annotations!['sidecar-labs.dev/expires-at']).getTime()).toBeGreaterThan(
      Date.now() + 500_000,
    );
  });

  it('is found again from the cluster by id and by namespace', async () => {
    expect((await e.listSessions()).map((x) => x.sessionId)).toContain(s!.sessionId);
    expect((await e.getSession(s!.sessionId)).namespace).toBe(s!.namespace);
    expect((await e.getSession(s!.namespace)).sessionId).toBe(s!.sessionId);
  });

  it("the terminal's kubectl acts in the session namespace only", async () => {
    const own = await inTerminal('kubectl get pods -o name');
    expect(own.exitCode).toBe(0);
    expect(own.stdout).toContain('pod/pair');
    expect((await inTerminal('echo $NAMESPACE; ls /lab')).stdout).toMatch(
      new RegExp(`^${s!.namespace}\\n[\\s\\S]*pod.yaml`),
    );
    for (const cmd of [
      'kubectl get pods -A',
      'kubectl get nodes',
      'kubectl -n kube-system get pods',
      'kubectl get namespaces',
    ]) {
      const r = await inTerminal(`${cmd} 2>&1`);
      expect(r.exitCode, cmd).not.toBe(0);
      expect(r.stdout, cmd).toMatch(/forbidden/i);
    }
  });

  it('a step fails before its solution and passes after; the learner can apply from the terminal', async () => {
    const before = await e.checkStep(s!, 'shared-volume');
    expect(before.ok).toBe(false);
    expect(before.checks[0].message).toBe('exited with code 1, expected 0');
    const r = await inTerminal(`kubectl exec pair -c helper -- sh -c 'echo "written by helper" > /scratch/note.txt'`);
    expect(r.exitCode).toBe(0);
    const t0 = Date.now();
    const after = await e.checkStep(s!, 'shared-volume');
    console.log(`check latency (exec, quick) ${Date.now() - t0}ms`);
    expect(after).toMatchObject({ ok: true, stepId: 'shared-volume' });
  });

  it('reset goes back to the setup state and keeps the terminal', async () => {
    await inTerminal('kubectl create configmap learner-made --from-literal=a=b');
    const terminalUid = (await e.kube.readPod(s!.namespace, 'terminal'))!.metadata!.uid;
    const events: string[] = [];
    await e.resetSession(s!, { onProgress: (ev) => events.push(ev.phase) });
    expect(events.at(-1)).toBe('ready');
    expect((await e.checkStep(s!, 'shared-volume')).ok).toBe(false);
    expect(await e.kube.readObject('v1', 'ConfigMap', s!.namespace, 'learner-made')).toBeUndefined();
    expect((await e.kube.readPod(s!.namespace, 'terminal'))!.metadata!.uid).toBe(terminalUid);
    const pair = await e.kube.readPod(s!.namespace, 'pair'); // the setup's Pod is back, ready
    expect(podReadiness(pair!).ready).toBe(true);
    expect((await e.checkStep(s!, 'shared-network')).ok).toBe(false); // and has served no request yet
  });

  it('extends, then is reaped once expired, and stopping twice is fine', async () => {
    const ext = await e.extendSession(s!, 3600);
    expect(new Date(ext.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect((await e.reapExpired(new Date())).map((x) => x.sessionId)).not.toContain(s!.sessionId);
    const reaped = await e.reapExpired(new Date(Date.now() + 2 * 3600_000));
    expect(reaped.map((x) => x.sessionId)).toContain(s!.sessionId);
    await e.stopSession(s!);
    await e.stopSession(s!.sessionId);
    expect(await liveNamespaces(e, 'what-is-a-sidecar').then((l) => l.includes(s!.namespace))).toBe(false);
    s = undefined;
  });
});
