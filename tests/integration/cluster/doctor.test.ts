// `sidecar-labs doctor` for real: on the shared kind cluster (every check ✔ except, where no enforcer
// runs, the NetworkPolicy warning), and against three broken set-ups, each with its own message:
// a Docker engine that does not answer (DOCKER_HOST at a socket that does not exist; the real Docker
// is never stopped), a lab that needs a newer Kubernetes than the cluster runs, and a kubeconfig whose
// ServiceAccount may only `view` one namespace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.ts';
import { hostNodePorts } from '../../../src/cluster/kind.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const { kc } = loadKubeConfig('kind');
const core = kc.makeApiClient(CoreV1Api);
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const ns = `doctor-test-${process.pid}`;

function doctor(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['src/cli/main.ts', 'doctor', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 280_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A kubeconfig for a ServiceAccount bound to `view` in one namespace only, with a short-lived token. */
async function viewOnlyKubeconfig(): Promise<string> {
  await core.createNamespace({
    body: { metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'sidecar-labs-tests' } } },
  });
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'viewer' } } });
  await rbac.createNamespacedRoleBinding({
    namespace: ns,
    body: {
      metadata: { name: 'viewer-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: ns }],
    },
  });
  const tr = await core.createNamespacedServiceAccountToken({
    name: 'viewer',
    namespace: ns,
    body: { spec: { expirationSeconds: 3600 } },
  });
  const cluster = kc.getCurrentCluster()!;
  const file = join(mkdtempSync(join(tmpdir(), 'doctor-')), 'viewer.kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kind', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } }],
      users: [{ name: 'viewer', user: { token: tr.status?.token } }],
      contexts: [{ name: 'viewer', context: { cluster: 'kind', user: 'viewer', namespace: ns } }],
      'current-context': 'viewer',
    }),
    { mode: 0o600 },
  );
  return file;
}

let viewerKubeconfig = '';
beforeAll(async () => {
  viewerKubeconfig = await viewOnlyKubeconfig();
});
afterAll(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
});

describe('sidecar-labs doctor', () => {
  it('on the shared kind cluster: every check ✔ (NetworkPolicy ✔ or a warning), exit 0', () => {
    const { code, out } = doctor([]);
    expect(out).not.toMatch(/✘/);
    for (const name of [
      'Docker engine',
      'Docker runtime',
      'cgroups',
      'free memory',
      'free disk',
      // 30080-30089 on the default cluster; a second cluster's own range (SIDECAR_LABS_NODE_PORT_BASE)
      `ports ${hostNodePorts()[0]}-${hostNodePorts().at(-1)}`,
      'kit cache',
      'Kubernetes version',
      'permissions',
      'lab images',
    ]) {
      expect(out).toMatch(new RegExp(`^  ✔ ${name} `, 'm'));
    }
    expect(out).toMatch(/^ {2}[✔!] NetworkPolicy +(enforced|not enforced)/m);
    expect(out).toMatch(/Every lab can run here\./);
    expect(code).toBe(0);
  });

  it('with the Docker engine unreachable: ✘ Docker engine with how to start it, exit 1', () => {
    const { code, out } = doctor([], { DOCKER_HOST: 'unix:///tmp/nonexistent.sock' });
    expect(out).toMatch(
      /✘ Docker engine +the Docker engine does not answer at DOCKER_HOST=unix:\/\/\/tmp\/nonexistent\.sock/,
    );
    expect(out).toMatch(/fix: start it: sudo systemctl start docker/);
    expect(out).toMatch(/– kind cluster +not checked/);
    expect(code).toBe(1);
  });

  it('with a lab that needs a newer Kubernetes than the cluster: ✘ naming the lab and the version, exit 1', () => {
    const { code, out } = doctor([], { SIDECAR_LABS_DIR: join(root, 'tests/fixtures/doctor-labs') });
    expect(out).toMatch(
      /✘ Kubernetes version +v1\.\d+\.\d+ is older than 1 lab\(s\) need: future-kubernetes needs ≥1\.99/,
    );
    expect(out).toMatch(/fix: use a cluster running Kubernetes 1\.99 or newer/);
    expect(code).toBe(1);
  });

  it('with a kubeconfig that may only view one namespace: ✘ permissions listing what it may not do, exit 1', () => {
    const { code, out } = doctor(['--cluster', 'current'], { KUBECONFIG: viewerKubeconfig });
    expect(out).toMatch(
      /✘ permissions +not allowed to create namespaces, delete namespaces, list namespaces, patch namespaces, create serviceaccounts, create rolebindings/,
    );
    expect(out).toMatch(/create pods\/exec/);
    expect(out).toMatch(/fix: .*cluster-admin/);
    expect(out).toMatch(/✔ Kubernetes version/);
    expect(code).toBe(1);
  });
});
