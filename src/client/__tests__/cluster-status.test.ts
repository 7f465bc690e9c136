import { describe, expect, it } from 'vitest';
import { displayOf, pollDelay } from '../cluster-status-text.ts';
import type { ClusterView } from '../../cluster/view.ts';

const base: ClusterView = {
  state: 'building',
  phase: 'Building Kubernetes from source',
  step: 2,
  of: 7,
  elapsedSeconds: 60,
  etaSeconds: 540,
  message: 'Building Kubernetes from source, step 2 of 7, about 9 min left',
};

describe("the lab panel's cluster line", () => {
  it('replays a cold start-up: progress that blocks Start lab, then ready and unblocked', () => {
    const run: ClusterView[] = [
      {
        ...base,
        state: 'checking',
        step: 0,
        of: 0,
        elapsedSeconds: 0,
        etaSeconds: 0,
        message: 'Looking for the lab cluster',
      },
      base,
      {
        ...base,
        state: 'starting',
        phase: 'Starting the cluster',
        step: 6,
        elapsedSeconds: 780,
        etaSeconds: 25,
        message: 'Starting the cluster, step 6 of 7, ~25 s',
      },
      { ...base, state: 'ready', step: 0, of: 0, etaSeconds: 0, message: 'ready' },
    ];
    const shown = run.map((v) => displayOf(v, true));
    expect(shown.map((d) => d.blocking)).toEqual([true, true, true, false]);
    expect(shown[1]).toMatchObject({
      text: 'Building Kubernetes from source, step 2 of 7, about 9 min left…',
      percent: 10,
      hidden: false,
    });
    expect(shown[2]!.percent).toBe(97);
    expect(shown[3]).toMatchObject({ hidden: false, text: expect.stringMatching(/ready: press "Start lab"/) });
    expect(run.map(pollDelay)).toEqual([1000, 1000, 1000, undefined]);
  });

  it('says nothing when the cluster was ready all along', () => {
    expect(displayOf({ ...base, state: 'ready' }, false)).toMatchObject({ hidden: true, blocking: false });
  });

  it("shows a failure with its fix and the doctor's failed checks", () => {
    const d = displayOf(
      {
        ...base,
        state: 'failed',
        message: 'the Docker engine is not running.',
        fix: 'sudo bash scripts/kit/host-setup.sh',
        checks: [{ name: 'Docker engine', status: 'fail', detail: 'does not answer' }],
      },
      true,
    );
    expect(d).toMatchObject({
      problem: true,
      blocking: true,
      fix: 'sudo bash scripts/kit/host-setup.sh',
      checks: ['✘ Docker engine: does not answer'],
    });
    expect(d.text).toBe('The lab cluster could not be started: the Docker engine is not running.');
    expect(pollDelay({ ...base, state: 'failed' })).toBe(5000);
    expect(pollDelay(undefined)).toBe(5000);
  });
});
