// The in-cluster reaper (deploy/reaper.yaml, installed by `cluster up`) deletes expired session
// namespaces with no lab server running, and nothing else. Its CronJob runs every minute; the test
// starts one run at once from the CronJob's own template instead of waiting for the schedule.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { engine } from '../engine/helpers.ts';
import { toolPath } from '../../../src/kube/paths.ts';

const e = engine();
const tag = Date.now().toString(36);
const names = {
  expired: `lab-reaper-test-${tag}-a`,
  fresh: `lab-reaper-test-${tag}-b`,
  foreign: `reaper-test-${tag}-c`,
};
const SYSTEM = 'sidecar-labs-system';

async function makeNamespace(name: string, expiresAt: Date, managed: boolean) {
  await e.kube.createNamespace({
    name,
    labels: managed
      ? {
          'app.kubernetes.io/managed-by': 'sidecar-labs',
          'sidecar-labs.dev/session': `t${tag}`,
          'sidecar-labs.dev/lab': 'reaper-test',
        }
      : { test: 'reaper' },
    annotations: { 'sidecar-labs.dev/expires-at': expiresAt.toISOString() },
  });
}

async function gone(name: string): Promise<boolean> {
  const ns = await e.kube.readNamespace(name);
  return !ns || !!ns.metadata?.deletionTimestamp;
}

afterAll(async () => {
  for (const n of Object.values(names)) await e.kube.deleteNamespace(n).catch(() => undefined);
});

describe('the session reaper', () => {
  it('is installed: a CronJob every minute in sidecar-labs-system', async () => {
    const cj = await e.kube.readObject('batch/v1', 'CronJob', SYSTEM, 'sidecar-labs-reaper');
    expect(cj?.spec?.schedule).toBe('* * * * *');
  });

  it('deletes an expired session namespace without the server, and leaves fresh and foreign ones', async () => {
    await makeNamespace(names.expired, new Date(Date.now() - 60_000), true);
    await makeNamespace(names.fresh, new Date(Date.now() + 3_600_000), true);
    await makeNamespace(names.foreign, new Date(Date.now() - 60_000), false);
    const cj = await e.kube.readObject('batch/v1', 'CronJob', SYSTEM, 'sidecar-labs-reaper');
    const job = `reaper-test-${tag}`;
    await e.kube.apply({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: job, namespace: SYSTEM },
      spec: cj!.spec.jobTemplate.spec,
    } as never);
    let done = false;
    for (let i = 0; i < 180 && !done; i++) {
      const j = await e.kube.readObject('batch/v1', 'Job', SYSTEM, job);
      done = (j?.status?.succeeded ?? 0) > 0 || (j?.status?.failed ?? 0) > 0;
      if (!done) await new Promise((r) => setTimeout(r, 1000));
    }
    const j = await e.kube.readObject('batch/v1', 'Job', SYSTEM, job);
    const pods = await e.kube.listPods(SYSTEM, `job-name=${job}`);
    const log = pods[0] ? await e.kube.logs(SYSTEM, pods[0].metadata!.name!, 'reaper') : '';
    console.log(log);
    await e.kube.deleteObject('batch/v1', 'Job', SYSTEM, job, 0);
    expect(j?.status?.succeeded, log).toBe(1);
    expect(log).toContain(`reaping ${names.expired}`);
    expect(await gone(names.expired)).toBe(true);
    expect(await gone(names.fresh)).toBe(false);
    expect(await gone(names.foreign)).toBe(false);
  });

  it('may delete session namespaces only: the admission policy refuses any other, whatever RBAC allows', () => {
    const r = spawnSync(
      'kubectl',
      [
        '--kubeconfig',
        e.kubeconfigPath,
        '--as',
        `system:serviceaccount:${SYSTEM}:sidecar-labs-reaper`,
        'delete',
        'namespace',
        names.foreign,
        '--wait=false',
      ],
      { encoding: 'utf8', env: { ...process.env, PATH: toolPath() } },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/the reaper deletes lab session namespaces only/);
  });
});
