// The kind cluster the labs run on, exercised for real: node and system pods, DNS, the seed article's
// content-sidecar Pod applied unchanged, its NodePort from the host, a native sidecar, a privileged pod.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../../src/kube/kubeconfig.ts';
import { toolPath } from '../../../src/kube/paths.ts';
import { hostNodePorts } from '../../../src/cluster/kind.ts';

const { kc, path: kubeconfig } = loadKubeConfig('kind');
const core = kc.makeApiClient(CoreV1Api);
const ns = `cluster-test-${process.pid}`;
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));

function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', args, {
    env: { ...process.env, KUBECONFIG: kubeconfig, PATH: toolPath() },
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
const ready = (conds?: Array<{ type: string; status: string }>) =>
  conds?.some((c) => c.type === 'Ready' && c.status === 'True');

beforeAll(() => {
  kubectl(['create', 'namespace', ns]);
  // The seed objects live in `default` under fixed names: clear what an earlier run may have left
  // (still terminating) so this run sees only its own pod.
  kubectl(['delete', '-f', fixture('seed-001'), '--ignore-not-found', '--wait=true', '--grace-period=1']);
});
afterAll(() => {
  spawnSync('kubectl', ['delete', 'namespace', ns, '--wait=false'], {
    env: { ...process.env, KUBECONFIG: kubeconfig, PATH: toolPath() },
  });
  spawnSync(
    'kubectl',
    ['delete', '-f', fixture('seed-001'), '--ignore-not-found', '--wait=false', '--grace-period=1'],
    {
      env: { ...process.env, KUBECONFIG: kubeconfig, PATH: toolPath() },
    },
  );
});

describe('the kind cluster', () => {
  it('has a Ready node running Kubernetes 1.34', async () => {
    const nodes = await core.listNode();
    expect(nodes.items.length).toBeGreaterThan(0);
    for (const n of nodes.items) {
      expect(ready(n.status?.conditions)).toBe(true);
      expect(n.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.34\./);
    }
  });

  it('runs every kube-system pod', async () => {
    const pods = await core.listNamespacedPod({ namespace: 'kube-system' });
    const names = pods.items.map((p) => p.metadata?.name ?? '');
    for (const part of [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kube-proxy',
      'coredns',
    ]) {
      expect(
        names.some((n) => n.startsWith(part)),
        `${part} pod present`,
      ).toBe(true);
    }
    for (const p of pods.items) {
      expect(p.status?.phase, p.metadata?.name).toBe('Running');
      expect(ready(p.status?.conditions), `${p.metadata?.name} ready`).toBe(true);
    }
  });

  it('resolves kubernetes.default through CoreDNS', () => {
    // A pod that runs nslookup to completion, then its logs: `kubectl run -i` can miss the output of a
    // command that ends before it attaches.
    kubectl([
      '-n',
      ns,
      'run',
      'dns',
      '--image=docker.io/library/busybox:1.36.0',
      '--image-pull-policy=IfNotPresent',
      '--restart=Never',
      '--',
      'nslookup',
      'kubernetes.default.svc.cluster.local',
    ]);
    kubectl(['-n', ns, 'wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/dns', '--timeout=120s']);
    const out = kubectl(['-n', ns, 'logs', 'dns']);
    const svc = kubectl(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}']);
    expect(svc.trim()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(out).toContain(svc.trim());
  });

  it('runs the seed content-sidecar Pod unchanged: nginx serves what the sidecar wrote', async () => {
    kubectl(['apply', '-f', fixture('seed-001/pod.yaml')]);
    kubectl(['wait', '--for=condition=Ready', 'pod/nginx', '-n', 'default', '--timeout=120s']);
    // The sidecar writes index.html right after it starts; the file may lag the Ready condition.
    let out = '';
    for (let i = 0; i < 20 && !out.includes('Hello'); i++) {
      out = kubectl([
        'exec',
        'pods/nginx',
        '-n',
        'default',
        '--container=nginx',
        '--',
        '/bin/cat',
        '/usr/share/nginx/html/index.html',
      ]);
      if (!out.includes('Hello')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(out.trim()).toBe('Hello from the sidecar container!');
  });

  it('answers curl on the NodePort 30080 from the host (127.0.0.1)', async () => {
    kubectl(['apply', '-f', fixture('seed-001/service.yaml')]);
    let body = '';
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${hostNodePorts()[0]}/`, { signal: AbortSignal.timeout(2000) });
        body = await res.text();
        if (res.ok) break;
      } catch {
        await new Promise((r) => setTimeout(r, 500)); // kube-proxy programs the port a moment after the Service exists
      }
    }
    expect(body.trim()).toBe('Hello from the sidecar container!');
  });

  it('runs a native sidecar (init container with restartPolicy: Always) beside the main container', () => {
    kubectl(['apply', '-n', ns, '-f', '-'], readFileSync(fixture('cluster/native-sidecar.yaml'), 'utf8'));
    kubectl(['wait', '--for=condition=Ready', 'pod/native', '-n', ns, '--timeout=120s']);
    const status = JSON.parse(kubectl(['get', 'pod', 'native', '-n', ns, '-o', 'json'])).status;
    expect(status.initContainerStatuses[0].name).toBe('logger');
    expect(status.initContainerStatuses[0].started).toBe(true);
    expect(status.initContainerStatuses[0].ready).toBe(true);
    expect(status.containerStatuses[0].state.running).toBeTruthy();
  });

  it('runs a privileged pod', () => {
    kubectl(['apply', '-n', ns, '-f', '-'], readFileSync(fixture('cluster/privileged.yaml'), 'utf8'));
    kubectl(['wait', '--for=condition=Ready', 'pod/privileged', '-n', ns, '--timeout=120s']);
    // A privileged container may do what others may not, such as mounting a tmpfs.
    const out = kubectl([
      'exec',
      '-n',
      ns,
      'privileged',
      '--',
      'sh',
      '-c',
      'mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted',
    ]);
    expect(out.trim()).toBe('mounted');
  });
});
