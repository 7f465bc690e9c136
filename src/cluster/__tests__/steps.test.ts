import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  etaSeconds,
  formatEta,
  mergeDurations,
  planSteps,
  progressLine,
  readDurations,
  recordDurations,
  stepOfPhase,
} from '../steps.ts';
import { timedProgress, createJsonProgress, parseProgressEvent, type Progress } from '../progress.ts';

describe('cluster steps', () => {
  it('maps every phase name cluster up prints to its step', () => {
    expect(stepOfPhase('checking Docker')?.id).toBe('docker');
    expect(stepOfPhase('building kind and Kubernetes from Go modules')?.id).toBe('go');
    expect(stepOfPhase('building Debian root filesystems')?.id).toBe('rootfs');
    expect(stepOfPhase('building control-plane and lab images')?.id).toBe('images');
    expect(stepOfPhase('assembling the node image')?.id).toBe('node');
    expect(stepOfPhase('creating kind cluster "x" from sidecar-labs/node:v1')?.id).toBe('create');
    expect(stepOfPhase('cluster "sidecar-labs" is already up')?.id).toBe('create');
    expect(stepOfPhase('waiting for the node and the system pods')?.id).toBe('wait');
    expect(stepOfPhase('something else')).toBeUndefined();
  });

  it('counts 7 steps cold, 3 warm, one more when the host needs preparing', () => {
    expect(planSteps({ cold: true, prepareHost: false }).map((s) => s.id)).toEqual([
      'docker',
      'go',
      'rootfs',
      'images',
      'node',
      'create',
      'wait',
    ]);
    expect(planSteps({ cold: false, prepareHost: false }).map((s) => s.id)).toEqual(['docker', 'create', 'wait']);
    expect(planSteps({ cold: true, prepareHost: true })).toHaveLength(8);
  });

  it('says "step 2 of 7, about 9 min left" cold and "~20 s" warm, from measured times', () => {
    const cold = planSteps({ cold: true, prepareHost: false });
    const measured = { go: 420, rootfs: 60, images: 40, node: 20, create: 20, wait: 10 };
    const eta = etaSeconds(cold, 1, 30, measured, true);
    expect(eta).toBe(390 + 60 + 40 + 20 + 20 + 10);
    expect(progressLine(cold, 1, eta, true)).toBe('Building Kubernetes from source, step 2 of 7, about 9 min left');
    const warm = planSteps({ cold: false, prepareHost: false });
    expect(etaSeconds(warm, 0, 0, { docker: 1, warmKit: 9, create: 18, wait: 4 }, false)).toBe(32);
    const w = etaSeconds(warm, 1, 2, { create: 18, wait: 4 }, false);
    expect(progressLine(warm, 1, w, false)).toBe('Starting the cluster, ~20 s');
  });

  it('never estimates less than a few seconds for a step that overran', () => {
    const warm = planSteps({ cold: false, prepareHost: false });
    expect(etaSeconds(warm, 2, 500, { wait: 10 }, false)).toBeGreaterThan(0);
    expect(formatEta(1)).toBe('~5 s');
    expect(formatEta(600)).toBe('about 10 min left');
  });

  it('keeps kit step times only when the step did real work', () => {
    expect(mergeDurations({ go: 500 }, { go: 1.5, create: 21.04 })).toEqual({ go: 500, create: 21 });
    expect(mergeDurations({}, { go: 1.5, rootfs: 0.5, images: 6, node: 2, create: 20 })).toEqual({
      warmKit: 10,
      create: 20,
    });
    expect(mergeDurations({ go: 500 }, { go: 610 })).toEqual({ go: 610 });
  });

  it('records what timedProgress measured in the cache file, and reads it back', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'steps-')), 'step-times.json');
    let t = 0;
    const inner: Progress = { phase() {}, detail() {}, done() {}, fail() {} };
    const p = timedProgress(
      inner,
      (s) => recordDurations(s, file),
      () => t,
    );
    p.phase('checking Docker');
    t += 2000;
    p.phase('building kind and Kubernetes from Go modules');
    t += 400_000;
    p.phase('creating kind cluster "x"');
    t += 20_000;
    p.phase('waiting for the node and the system pods');
    t += 9_000;
    p.done('ok');
    expect(readDurations(file)).toEqual({ docker: 2, go: 400, create: 20, wait: 9 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ go: 400 });
  });

  it('round-trips JSON progress lines and ignores anything else', () => {
    const lines: string[] = [];
    const p = createJsonProgress((l) => lines.push(l.trim()));
    p.phase('checking Docker');
    p.fail('✗ no Docker');
    expect(lines.map(parseProgressEvent)).toEqual([
      { t: 'phase', name: 'checking Docker' },
      { t: 'fail', summary: '✗ no Docker' },
    ]);
    expect(parseProgressEvent('[kit/go 10:00] building')).toBeUndefined();
    expect(parseProgressEvent('{"t":"phase"}')).toBeUndefined();
  });
});
