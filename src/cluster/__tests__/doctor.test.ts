import { describe, expect, it } from 'vitest';
import { clusterChecks, formatTable, labsCanRun, runDoctor } from '../doctor/index.ts';
import { describeCgroups, memAvailable } from '../doctor/host.ts';
import { PERMISSIONS, type Access, type ClusterProbe, type PolicyProbe } from '../doctor/kube.ts';
import { parseArgs } from '../../cli/doctor.ts';
import type { Room } from '../../engine/capacity.ts';
import type { LabNeeds } from '../doctor/types.ts';

const labs: LabNeeds[] = [
  { slug: 'content-sidecar', minKubernetes: '1.29', images: ['docker.io/library/nginx:1.24.0'] },
  { slug: 'native-sidecars', minKubernetes: '1.33', images: ['docker.io/library/busybox:1.36.0'] },
];
const everyImage = ['nginx:1.24.0', 'busybox:1.36.0', 'docker.io/sidecarlabs/toolbox:0.1.0'];

/** A cluster that answers whatever the test says. */
function fakeCluster(
  over: Partial<{
    minor: number;
    denied: (a: Access) => boolean;
    images: string[];
    pull: boolean | undefined;
    policy: PolicyProbe;
    unreachable: boolean;
    room: Room;
  }> = {},
): ClusterProbe & { closed: boolean; close: () => Promise<void> } {
  return {
    describe: 'fake cluster',
    closed: false,
    async version() {
      if (over.unreachable) throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
      const minor = over.minor ?? 34;
      return { major: 1, minor, gitVersion: `v1.${minor}.0` };
    },
    async allowed(a) {
      return !(over.denied?.(a) ?? false);
    },
    async nodeImages() {
      return over.images ?? everyImage;
    },
    async pullable(images) {
      return new Map(images.map((i) => [i, over.pull]));
    },
    async networkPolicy() {
      return over.policy ?? 'enforced';
    },
    async room() {
      return over.room ?? { freeCpuMilli: 20_000, freeMemoryBytes: 64 * 2 ** 30, sessions: 100, bound: 'cpu' };
    },
    async close() {
      this.closed = true;
    },
  };
}

describe('doctor: cluster checks', () => {
  it('all ✔ on a good cluster, exit-worthy', async () => {
    const r = await clusterChecks(fakeCluster(), labs, 'kind');
    expect(r.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(labsCanRun(r)).toBe(true);
  });

  it('says how many sessions fit at their full budget, and warns when the server would open more', async () => {
    const room = { freeCpuMilli: 1140, freeMemoryBytes: 23 * 2 ** 30, sessions: 5, bound: 'cpu' as const };
    const r = (await clusterChecks(fakeCluster({ room }), labs, 'kind')).find((c) => c.name === 'session room')!;
    expect(r.status).toBe('warn');
    expect(r.detail).toBe(
      '5 sessions fit (200m CPU / 512 MiB requested at most per session; 1,140m CPU and 23,552 MiB free of the allocatable), fewer than the 50 the server opens at most: past 5, a new session may wait for CPU',
    );
    expect(r.fix).toBe('SIDECAR_LABS_MAX_SESSIONS=5 (workshop --max-sessions 5), or give the cluster more CPU');
    expect(labsCanRun([r])).toBe(true);
    const none = await clusterChecks(fakeCluster({ room: { ...room, sessions: 0 } }), labs, 'kind');
    expect(none.find((c) => c.name === 'session room')!.status).toBe('fail');
  });

  it('names each lab a too-old cluster cannot run, and what version to use', async () => {
    const r = await clusterChecks(fakeCluster({ minor: 30 }), labs, 'current');
    const v = r.find((c) => c.name === 'Kubernetes version')!;
    expect(v.status).toBe('fail');
    expect(v.detail).toBe('v1.30.0 is older than 1 lab(s) need: native-sidecars needs ≥1.33');
    expect(v.fix).toMatch(/Kubernetes 1\.33 or newer/);
    expect(labsCanRun(r)).toBe(false);
  });

  it('lists the rights a kubeconfig lacks (namespaces, RBAC, exec)', async () => {
    const denied = (a: Access) => a.resource === 'namespaces' || a.subresource === 'exec' || a.verb === 'bind';
    const r = await clusterChecks(fakeCluster({ denied }), labs, 'current');
    const p = r.find((c) => c.name === 'permissions')!;
    expect(p.status).toBe('fail');
    expect(p.detail).toBe(
      'not allowed to create namespaces, delete namespaces, list namespaces, patch namespaces, bind clusterroles "edit", create pods/exec',
    );
    expect(p.fix).toMatch(/cluster-admin/);
    expect(PERMISSIONS.length).toBeGreaterThan(10);
  });

  it('kind: an image missing on the node fails with "cluster up"; current: pull refused fails, pull works passes', async () => {
    const few = ['nginx:1.24.0'];
    const kind = (await clusterChecks(fakeCluster({ images: few }), labs, 'kind'))[2]!;
    expect(kind).toMatchObject({ status: 'fail', detail: expect.stringContaining('docker.io/library/busybox:1.36.0') });
    expect(kind.fix).toMatch(/cluster up/);
    const refused = (await clusterChecks(fakeCluster({ images: few, pull: false }), labs, 'current'))[2]!;
    expect(refused).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/cannot be pulled: docker\.io\/library\/busybox/),
    });
    const pulled = (await clusterChecks(fakeCluster({ images: few, pull: true }), labs, 'current'))[2]!;
    expect(pulled).toMatchObject({ status: 'ok', detail: '1 on the node(s), 2 pullable' });
  });

  it('NetworkPolicy not enforced is a warning (labs still run), a dead network a failure', async () => {
    const notEnforced = await clusterChecks(fakeCluster({ policy: 'not-enforced' }), labs, 'kind');
    expect(notEnforced[3]).toMatchObject({ status: 'warn', detail: expect.stringMatching(/not enforced/) });
    expect(labsCanRun(notEnforced)).toBe(true);
    const dead = await clusterChecks(fakeCluster({ policy: 'no-connectivity' }), labs, 'kind');
    expect(dead[3]).toMatchObject({ status: 'fail' });
  });

  it('an unreachable API is one ✘ with the fix, not a stack trace; the probe is closed', async () => {
    const probe = fakeCluster({ unreachable: true });
    const r = await runDoctor({ cluster: 'current', labs, probe });
    expect(r).toEqual([
      expect.objectContaining({
        name: 'Kubernetes API',
        status: 'fail',
        detail: expect.stringMatching(/ECONNREFUSED/),
      }),
    ]);
    expect(probe.closed).toBe(true);
  });

  it('prints ✔/✘ with the fix under each failure', async () => {
    const r = await clusterChecks(fakeCluster({ minor: 28 }), labs, 'current');
    const table = formatTable(r);
    expect(table).toMatch(/^ {2}✘ Kubernetes version +v1\.28\.0 is older/m);
    expect(table).toMatch(/^ +fix: use a cluster running Kubernetes 1\.33/m);
    expect(table).toMatch(/^ {2}✔ permissions/m);
  });
});

describe('doctor: host parsing and arguments', () => {
  it('reads cgroup v1 and v2 layouts', () => {
    expect(describeCgroups('cpuset cpu io memory pids', [])).toEqual({ version: 2, missing: [] });
    expect(describeCgroups('cpuset io', [])).toEqual({ version: 2, missing: ['cpu', 'memory', 'pids'] });
    expect(describeCgroups(undefined, ['cpu', 'memory'])).toEqual({ version: 1, missing: ['pids'] });
  });
  it('reads MemAvailable', () => {
    expect(memAvailable('MemTotal: 100 kB\nMemAvailable:    2048 kB\n')).toBe(2048 * 1024);
    expect(memAvailable('')).toBeUndefined();
  });
  it('takes --cluster kind|current and refuses anything else', () => {
    expect(parseArgs(['--cluster', 'current'])).toEqual({ cluster: 'current', json: false });
    expect(parseArgs(['--cluster=kind', '--json'])).toEqual({ cluster: 'kind', json: true });
    expect(parseArgs(['--cluster', 'k3d'])).toBe('--cluster takes "kind" or "current", not "k3d"');
    expect(parseArgs(['--cluster'])).toMatch(/--cluster takes/);
    expect(parseArgs(['--fast'])).toBe('unknown option --fast');
  });
});
