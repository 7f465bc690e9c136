import { describe, expect, it } from 'vitest';
import { summarizeChecks, toLabError } from '../engine-adapter.ts';
import {
  ClusterUnreachableError,
  CrashLoopError,
  ImageMissingError,
  SessionNotFoundError,
} from '../../engine/index.ts';
import { LabError } from '../engine-port.ts';
import { httpError } from '../http-util.ts';
import { UserError } from '../../errors.ts';
import { NoClusterError } from '../../kube/kubeconfig.ts';

const check = (ok: boolean, message: string, extra: object = {}) => ({
  ok,
  message,
  title: message,
  type: 'exec' as const,
  elapsedMs: 1,
  ...extra,
});

describe('summarizeChecks', () => {
  it('passes only when every check passed, listing each', () => {
    expect(summarizeChecks([check(true, 'nginx ready'), check(true, 'page served')])).toEqual({
      ok: true,
      message: '✓ nginx ready\n✓ page served',
    });
  });
  it("fails with the first failing check's hint and observation", () => {
    const r = summarizeChecks([
      check(true, 'nginx ready'),
      check(false, 'index.html differs', { hint: 'wait for busybox', observed: '404' }),
      check(false, 'other', { hint: 'second hint' }),
    ]);
    expect(r).toEqual({
      ok: false,
      message: '✓ nginx ready\n✗ index.html differs\n✗ other',
      hint: 'wait for busybox',
      observed: '404',
    });
  });
  it('a listed mistake the learner made comes with its diagnosis; a passing step has none', () => {
    const mistake = {
      id: 'one-mount',
      title: 'the volume is mounted only in the sidecar',
      diagnosis: 'mount shared-data in nginx too',
    };
    const r = summarizeChecks([check(true, 'nginx ready'), check(false, 'index.html differs')], mistake);
    expect(r.diagnosis).toEqual({
      id: 'one-mount',
      title: 'the volume is mounted only in the sidecar',
      text: 'mount shared-data in nginx too',
    });
    expect(summarizeChecks([check(true, 'nginx ready')], mistake).diagnosis).toBeUndefined();
  });
});

describe('toLabError', () => {
  it('gives cluster trouble the command that fixes it', () => {
    for (const e of [
      new ClusterUnreachableError('kind cluster', 'ECONNREFUSED'),
      new NoClusterError('no kubeconfig'),
    ]) {
      const l = toLabError(e) as LabError;
      expect(l).toBeInstanceOf(LabError);
      expect(l.status).toBe(503);
      expect(l.fix).toContain('npx sidecar-labs cluster up');
    }
  });
  it("keeps the engine's own words for what learners can act on", () => {
    const img = toLabError(new ImageMissingError(['docker.io/library/nginx:1.24.0'])) as LabError;
    expect(img.message).toContain('nginx:1.24.0');
    expect((toLabError(new SessionNotFoundError('abc')) as LabError).status).toBe(404);
    const crash = toLabError(new CrashLoopError('nginx', 'sidecar', 'CrashLoopBackOff', ['sh: bad'])) as LabError;
    expect(crash.message).toContain('sh: bad');
    expect(crash.fix).toContain('Reset lab');
  });
  it('every kind of user error has its HTTP status in the one table', () => {
    const kinds = [
      'usage',
      'bad-request',
      'lab-format',
      'manifest-refused',
      'lab-not-found',
      'session-not-found',
      'step-not-found',
      'not-found',
      'no-cluster',
      'cluster-unreachable',
      'cluster',
      'image-missing',
      'crash-loop',
      'command-failed',
      'timeout',
      'aborted',
      'interrupted',
      'engine',
      'server',
    ] as const;
    for (const kind of kinds) expect(httpError(new UserError(kind, 'x')).status, kind).toBeGreaterThanOrEqual(400);
    expect(httpError(new UserError('usage', 'x')).status).toBe(400);
    expect(httpError(new LabError('too big', { status: 413 })).status).toBe(413);
  });
  it('leaves other errors alone', () => {
    const e = new TypeError('x');
    expect(toLabError(e)).toBe(e);
  });
});
