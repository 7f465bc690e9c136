// Faults a learner or an author meets, on the real cluster: each must fail clearly and leave nothing behind.
import { describe, it, expect, afterAll } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import {
  Engine,
  CrashLoopError,
  ImageMissingError,
  ManifestRefusedError,
  ClusterUnreachableError,
  type SessionInfo,
} from '../../../src/engine/index.ts';
import { BROKEN_LABS, engine, liveNamespaces } from './helpers.ts';

const e = engine(BROKEN_LABS);
const sessions: SessionInfo[] = [];
afterAll(async () => {
  for (const s of sessions) await e.stopSession(s);
});

describe('faults', () => {
  it('a setup pod that crashes after 3 seconds is not reported ready: CrashLoopError with its last log lines, namespace removed', async () => {
    const events: string[] = [];
    const err = await e.startSession('crash-setup', { onProgress: (ev) => events.push(ev.phase) }).catch((x) => x);
    expect(err).toBeInstanceOf(CrashLoopError);
    expect(err.message).toContain('container "app" of pod "flaky" keeps crashing');
    expect(err.lastLogLines).toContain('fatal: cannot read /etc/app.conf');
    expect(events).toContain('error');
    expect(events).not.toContain('ready');
    expect(await liveNamespaces(e, 'crash-setup')).toEqual([]);
  });

  it('podReady never passes for a pod that crashes 4 seconds after it starts', async () => {
    const s = await e.startSession('crash-later');
    sessions.push(s);
    await e.applySolution(s, 'run');
    const r = await e.checkStep(s, 'run', { mode: 'wait' });
    expect(r.ok).toBe(false);
    expect(r.checks[0].message).toMatch(/keeps crashing|only for \d+s|not ready/);
    expect(r.checks[0].elapsedMs).toBeGreaterThan(30_000);
  });

  it('an image that is not in the cluster is named, with the command that fixes it; nothing is created', async () => {
    const err = await e.startSession('missing-image').catch((x) => x);
    if (e.choice === 'kind') {
      expect(err).toBeInstanceOf(ImageMissingError);
      expect(err.message).toBe(
        'image docker.io/sidecarlabs/not-built:9.9.9 is not in the cluster: run `npx sidecar-labs cluster up` (or `kind load docker-image docker.io/sidecarlabs/not-built:9.9.9 --name sidecar-labs`)',
      );
      expect(await liveNamespaces(e, 'missing-image')).toEqual([]);
    } else {
      expect(err).not.toBeInstanceOf(Error);
      sessions.push(err);
    }
  });

  it('a lab that needs a newer Kubernetes says so before creating anything', async () => {
    const err = await e.startSession('future-kubernetes').catch((x) => x);
    expect(err.message).toMatch(/^lab "future-kubernetes" needs Kubernetes 1\.99 or newer; the cluster runs v1\.\d+/);
    expect(await liveNamespaces(e, 'future-kubernetes')).toEqual([]);
  });

  it('cluster-scoped objects and objects in other namespaces are refused before anything is applied', async () => {
    const err = await e
      .assertNamespaced([
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'take-over' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'spy', namespace: 'kube-system' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } },
      ])
      .catch((x) => x);
    expect(err).toBeInstanceOf(ManifestRefusedError);
    expect(err.message).toContain(
      'ClusterRoleBinding "take-over" is cluster-scoped (rbac.authorization.k8s.io/v1 ClusterRoleBinding)',
    );
    expect(err.message).toContain('Pod "spy" names namespace "kube-system"');
    expect(err.message).not.toContain('"fine"');
  });

  it('an unreachable API server is explained: which kubeconfig/context, and what to do', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'gone', server: 'https://127.0.0.1:59999', skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'gone-ctx', cluster: 'gone', user: 'u' }],
      currentContext: 'gone-ctx',
    });
    const dead = new Engine({
      kubeConfig: { kc, path: '/tmp/none', describe: 'kubeconfig /tmp/none, context gone-ctx' },
      labsDir: BROKEN_LABS,
    });
    const err = await dead.listSessions().catch((x) => x);
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect(err.message).toMatch(
      /^cannot reach the Kubernetes API server of kubeconfig \/tmp\/none, context gone-ctx: .*(ECONNREFUSED|connect)/,
    );
    expect(err.message).toContain('npx sidecar-labs cluster up');
  });
});
