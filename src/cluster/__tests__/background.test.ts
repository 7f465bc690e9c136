import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ClusterJob, type HostLook } from '../background.ts';
import type { HostFacts } from '../host-prep.ts';
import type { ClusterView } from '../view.ts';

const fake = fileURLToPath(new URL('./fixtures/fake-cluster-up.ts', import.meta.url));
const readyHost: HostFacts = {
  engine: 'running',
  kitReady: true,
  root: false,
  sudo: false,
  apt: true,
  chromium: true,
  needDocker: true,
  needChromium: false,
};

function job(look: Partial<HostLook>, env: Record<string, string> = {}) {
  const logs: string[] = [];
  const views: ClusterView[] = [];
  const j = new ClusterJob({
    log: (l) => logs.push(l),
    command: ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, fake],
    look: {
      clusterAnswers: async () => false,
      hostFacts: async () => readyHost,
      warm: async () => true,
      durations: () => ({ create: 18, wait: 5 }),
      ...look,
    },
  });
  const timer = setInterval(() => views.push(j.view()), 20);
  return { j, logs, views, stop: () => clearInterval(timer) };
}

describe('ClusterJob (npm start creating the cluster in the background)', () => {
  it("follows the child's JSON progress step by step, then is ready", async () => {
    const { j, logs, views, stop } = job({});
    await j.start().done();
    stop();
    const seen = [...new Set(views.map((v) => `${v.state} ${v.step}/${v.of} ${v.phase}`))];
    expect(seen).toContain('starting 1/3 Checking Docker');
    expect(seen).toContain('starting 2/3 Starting the cluster');
    expect(seen).toContain('starting 3/3 Waiting for Kubernetes to be ready');
    expect(views.find((v) => v.step === 2)?.message).toMatch(/^Starting the cluster, ~(20|25) s$/);
    expect(j.view()).toMatchObject({ state: 'ready', step: 0, etaSeconds: 0 });
    expect(logs.at(-1)).toMatch(/is ready .*Start lab works now/);
  });

  it('a cold kit counts 7 steps and says so', async () => {
    const { j, views, stop } = job({ warm: async () => false });
    await j.start().done();
    stop();
    expect(
      views.some(
        (v) =>
          v.of === 7 &&
          v.state === 'building' &&
          /^Building Kubernetes from source, step 2 of 7, about \d+ min left$/.test(v.message),
      ),
    ).toBe(true);
  });

  it('reports the failure cluster up printed', async () => {
    const { j, logs } = job({}, { FAKE_FAIL: 'kind could not create the cluster (exit 1)' });
    await j.start().done();
    await new Promise((r) => setTimeout(r, 200)); // the doctor's look after a failure
    expect(j.view()).toMatchObject({ state: 'failed', message: 'kind could not create the cluster (exit 1)' });
    expect(logs.join('\n')).toMatch(/could not be created: kind could not create the cluster/);
  });

  it('without root or sudo on a stopped Docker: fails at once with the one command', async () => {
    const { j } = job({ hostFacts: async () => ({ ...readyHost, engine: 'stopped' }) });
    await j.start().done();
    expect(j.view()).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/Docker engine is not running/),
      fix: 'sudo bash scripts/kit/host-setup.sh',
    });
  });

  it('an existing cluster that answers: ready without running anything', async () => {
    const { j, logs } = job({ clusterAnswers: async () => true });
    await j.start().done();
    expect(j.view().state).toBe('ready');
    expect(logs).toEqual([]);
  });
});
