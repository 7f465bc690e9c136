// Learners apart on one cluster: the NetworkPolicy every session namespace gets is enforced (offline
// by the kit's enforcer, online by kindnetd), the quota stops a runaway Deployment with Kubernetes' own
// message, and the learner cannot open the fence. A control namespace without the fence shows that the
// targets are reachable at all, so a "denied" here is the policy's doing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { engine } from '../engine/helpers.ts';
import { endLearnersAndControl, inTerminal, reach, twoLearnersAndControl } from './helpers.ts';
import type { SessionInfo } from '../../../src/engine/index.ts';

const e = engine();
let a: SessionInfo;
let b: SessionInfo;
const control = `sl-iso-control-${Date.now().toString(36)}`;
let webA: { podIP: string; serviceIP: string };
let webB: { podIP: string; serviceIP: string };
let nodeIP = '';

async function inControl(cmd: string) {
  return e.kube.exec(control, 'probe', 'probe', ['sh', '-c', cmd], 30_000);
}

beforeAll(async () => {
  ({ a, b, webA, webB } = await twoLearnersAndControl(e, control));
  nodeIP = (await e.kube.readPod(a.namespace, 'terminal'))!.status!.hostIP!;
  await e.kube.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', namespace: control },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'probe',
          image: 'docker.io/sidecarlabs/toolbox:0.1.0',
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', 'infinity'],
        },
      ],
    },
  } as never);
  for (let i = 0; i < 240; i++) {
    const p = await e.kube.readPod(control, 'probe');
    if (p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
}, 300_000);

afterAll(() => endLearnersAndControl(e, control, a, b));

describe('network fence between learners', () => {
  it('the targets answer from a namespace without the fence (control)', async () => {
    for (const url of [
      `http://${webB.podIP}`,
      `http://${webB.serviceIP}`,
      `http://web.${b.namespace}.svc.cluster.local`,
    ]) {
      const r = await inControl(`curl -sS -o /dev/null -m 5 -w '%{http_code}' ${url}`);
      expect(r.stdout, url).toBe('200');
    }
    // the kubelet on the node's address answers (401/403 without credentials, but it answers)
    const kubelet = await inControl(`curl -sk -o /dev/null -m 5 -w '%{http_code}' https://${nodeIP}:10250/pods`);
    expect(kubelet.stdout).toMatch(/^[1-5]\d\d$/);
  });

  it("learner A reaches A's own pod, Service, DNS and the API server", async () => {
    expect(await reach(e, a, `http://${webA.podIP}`)).toBe('ok');
    expect(await reach(e, a, 'http://web')).toBe('ok');
    expect(await reach(e, a, `http://${webA.serviceIP}`)).toBe('ok');
    const dns = await inTerminal(e, a, 'getent hosts kubernetes.default.svc.cluster.local');
    expect(dns.stdout).toMatch(/\d+\.\d+\.\d+\.\d+\s+kubernetes/);
    const api = await inTerminal(e, a, 'kubectl get pods -o name');
    expect(api.exitCode).toBe(0);
    expect(api.stdout).toContain('pod/web');
  });

  it("learner A cannot reach learner B's pod or Service, nor the node, nor link-local metadata", async () => {
    for (const url of [
      `http://${webB.podIP}`,
      `http://${webB.serviceIP}`,
      `http://web.${b.namespace}.svc.cluster.local`,
      `-k https://${nodeIP}:10250/pods`,
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      const r = await reach(e, a, url);
      expect(r, url).not.toBe('ok');
      expect(r, url).toMatch(/exit=(7|28|6)/); // refused, timed out, or (for B's name) no answer
    }
  });

  it('B is fenced the same way: it reaches its own web, not A', async () => {
    expect(await reach(e, b, 'http://web')).toBe('ok');
    expect(await reach(e, b, `http://${webA.podIP}`)).not.toBe('ok');
  });

  it('the learner can read the fence and the budget but not remove or widen them', async () => {
    const get = await inTerminal(e, a, 'kubectl get networkpolicy,resourcequota,limitrange -o name');
    expect(get.stdout).toContain('networkpolicy.networking.k8s.io/sidecar-labs-isolation');
    expect(get.stdout).toContain('resourcequota/sidecar-labs-budget');
    for (const cmd of [
      'kubectl delete networkpolicy sidecar-labs-isolation',
      'kubectl delete resourcequota sidecar-labs-budget',
      `echo '{"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"open"},"spec":{"podSelector":{},"egress":[{}],"policyTypes":["Egress"]}}' | kubectl create -f -`,
    ]) {
      const r = await inTerminal(e, a, `${cmd} 2>&1`);
      expect(r.exitCode, cmd).not.toBe(0);
      expect(r.stdout, cmd).toMatch(/forbidden/);
    }
  });
});

describe('resource quota', () => {
  it("a 100-replica Deployment stops at the quota with Kubernetes' own message", async () => {
    const r = await inTerminal(
      e,
      a,
      'kubectl create deployment flood --image=docker.io/library/busybox:1.36.0 --replicas=100 -- sleep 3600',
    );
    expect(r.exitCode, r.stderr).toBe(0);
    let message = '';
    for (let i = 0; i < 120 && !message; i++) {
      const rs = await e.kube.listObjects('apps/v1', 'ReplicaSet', a.namespace);
      const cond = (rs as Array<{ status?: { conditions?: Array<{ type: string; message?: string }> } }>)
        .flatMap((x) => x.status?.conditions ?? [])
        .find((c) => c.type === 'ReplicaFailure');
      message = cond?.message ?? '';
      if (!message) await new Promise((res) => setTimeout(res, 1000));
    }
    console.log(`ReplicaFailure: ${message}`);
    expect(message).toMatch(
      /forbidden: exceeded quota: sidecar-labs-budget, requested: pods=1, used: pods=20, limited: pods=20/,
    );
    const pods = await e.kube.listPods(a.namespace);
    expect(pods.length).toBeLessThanOrEqual(20);
    const events = await inTerminal(e, a, 'kubectl get events --field-selector reason=FailedCreate -o name | wc -l');
    expect(Number(events.stdout.trim())).toBeGreaterThan(0);
    await inTerminal(e, a, 'kubectl delete deployment flood --wait=false');
  });

  it('a pod without resources gets the LimitRange defaults; one asking for too much is refused', async () => {
    const r = await inTerminal(
      e,
      a,
      `kubectl run greedy --image=docker.io/library/busybox:1.36.0 --overrides='{"spec":{"containers":[{"name":"greedy","image":"docker.io/library/busybox:1.36.0","command":["sleep","60"],"resources":{"limits":{"cpu":"4"}}}]}}' 2>&1`,
    );
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/forbidden: maximum cpu usage per Container is 1, but limit is 4/);
    const term = await e.kube.readPod(a.namespace, 'web');
    expect(term?.spec?.containers[0].resources?.limits).toMatchObject({ cpu: '500m', memory: '256Mi' });
  });
});
