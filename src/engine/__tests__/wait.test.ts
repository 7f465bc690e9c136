import { describe, it, expect } from 'vitest';
import { evaluateTargets, targetsFor } from '../wait.ts';
import { podTrouble, podReadiness } from '../pods.ts';
import { namespaceFor, newSessionId } from '../engine.ts';
import { terminalObjects, learnerKubeconfig } from '../terminal.ts';
import { FakeClock, pod } from './fakes.ts';

const clock = new FakeClock();

describe('which pods a session waits for', () => {
  const objs = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'logger' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'git-server' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'git-server' } } },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'git-server' } },
  ];
  it('all / none / a list of Kind/name', () => {
    expect(targetsFor(objs, 'all').map((t) => t.label)).toEqual(['pod shop', 'pod logger', 'Deployment/git-server']);
    expect(targetsFor(objs, 'none')).toEqual([]);
    expect(targetsFor(objs, ['Pod/shop'])).toEqual([{ label: 'pod shop', name: 'shop', replicas: 1 }]);
  });

  it('a Deployment is ready when enough of its pods are', () => {
    const targets = targetsFor(objs, ['Deployment/git-server']);
    const ready = (n: string) =>
      pod(n, {
        labels: { app: 'git-server' },
        containers: [{ name: 'c', state: 'running', startedAt: clock.iso(-9000) }],
        readySince: clock.iso(-8000),
      });
    expect(evaluateTargets(targets, [ready('a')])).toMatchObject({ ready: false, done: 0, total: 1 });
    expect(evaluateTargets(targets, [ready('a'), ready('b')])).toMatchObject({
      ready: true,
      done: 1,
      sinceMs: clock.now() - 8000,
    });
  });

  it('stops at the first pod in trouble and says which', () => {
    const targets = targetsFor(objs, 'all');
    const s = evaluateTargets(targets, [
      pod('shop', { containers: [{ name: 'web', state: 'running' }] }),
      pod('logger', { containers: [{ name: 'shipper', state: 'waiting', reason: 'ImagePullBackOff' }] }),
    ]);
    expect(s.trouble).toEqual({
      pod: 'logger',
      kind: 'image',
      container: 'shipper',
      image: 'shipper:1',
      reason: 'ImagePullBackOff',
    });
  });
});

describe('pod status in words', () => {
  it('a classic init container must finish; a native sidecar must be ready', () => {
    const classic = pod('p', {
      init: [{ name: 'setup', state: 'running' }],
      containers: [{ name: 'app', state: 'waiting', reason: 'PodInitializing' }],
    });
    expect(podReadiness(classic).notReady).toEqual(['setup', 'app']);
    const native = pod('p', {
      init: [{ name: 'helper', state: 'running', sidecar: true }],
      containers: [{ name: 'app', state: 'running' }],
      readySince: clock.iso(-1000),
    });
    expect(podReadiness(native)).toMatchObject({ ready: true, notReady: [] });
  });
  it('one crash counts as trouble only when the container is not running again', () => {
    expect(
      podTrouble(
        pod('p', {
          containers: [
            { name: 'c', state: 'running', restartCount: 1, lastTerminated: { reason: 'Error', exitCode: 1 } },
          ],
        }),
      ),
    ).toBeUndefined();
    expect(
      podTrouble(
        pod('p', {
          containers: [
            {
              name: 'c',
              state: 'waiting',
              reason: 'CrashLoopBackOff',
              restartCount: 1,
              lastTerminated: { reason: 'Error', exitCode: 1 },
            },
          ],
        }),
      ),
    ).toEqual({ kind: 'crash', container: 'c', image: 'c:1', reason: 'restarted 1 time: Error, exit code 1' });
    expect(
      podTrouble(
        pod('p', {
          restartPolicy: 'Never',
          containers: [{ name: 'c', state: 'terminated', reason: 'Error', exitCode: 2 }],
        }),
      ),
    ).toMatchObject({ kind: 'crash', reason: 'exit code 2' });
  });
});

describe('sessions and the terminal', () => {
  it('session ids are unguessable and the namespace does not reveal them', () => {
    const ids = new Set(Array.from({ length: 200 }, newSessionId));
    expect(ids.size).toBe(200);
    const id = [...ids][0];
    expect(id).toMatch(/^[a-z0-9x-]{20}$/);
    const ns = namespaceFor('resources-probes-troubleshooting', id);
    expect(ns).toMatch(/^lab-resources-probes-troubleshooting-[0-9a-f]{8}$/);
    expect(ns.length).toBeLessThanOrEqual(63);
    expect(ns).not.toContain(id.slice(0, 8));
  });
  it('the learner gets a Role in the session namespace only, and a kubeconfig defaulting to it', () => {
    const objs = terminalObjects('lab-x-1234', { 'pod.yaml': 'kind: Pod' });
    const rb = objs.find((o) => o.kind === 'RoleBinding') as any;
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'learner' });
    expect(objs.some((o) => o.kind === 'ClusterRole')).toBe(false);
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'learner', namespace: 'lab-x-1234' }]);
    expect(objs.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
    const p = objs.find((o) => o.kind === 'Pod') as any;
    expect(p.spec.serviceAccountName).toBe('learner');
    expect(p.spec.containers[0].image).toBe('docker.io/sidecarlabs/toolbox:0.1.0');
    expect(p.spec.containers[0].env).toContainEqual({ name: 'NAMESPACE', value: 'lab-x-1234' });
    expect(learnerKubeconfig('lab-x-1234')).toContain('namespace: lab-x-1234');
    expect(learnerKubeconfig('lab-x-1234')).toContain('tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token');
    for (const o of objs) expect(o.metadata.labels?.['sidecar-labs.dev/infra']).toBe('true');
  });
});
