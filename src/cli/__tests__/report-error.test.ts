import { describe, it, expect } from 'vitest';
import { reportError } from '../report-error.ts';
import { UserError } from '../../errors.ts';
import { ClusterUnreachableError, SessionNotFoundError } from '../../engine/errors.ts';
import { NoClusterError } from '../../kube/kubeconfig.ts';

function report(err: unknown): { code: number; text: string } {
  let text = '';
  const code = reportError('validate', err, (s) => (text += s));
  return { code, text };
}

describe("the CLI's one error report", () => {
  it('usage errors exit 2, an interrupt 130, other user errors 1', () => {
    expect(report(new UserError('usage', 'unknown option --fast')).code).toBe(2);
    expect(report(new UserError('interrupted', 'interrupted by SIGINT')).code).toBe(130);
    expect(report(new SessionNotFoundError('abc')).code).toBe(1);
  });
  it('prints the fix on its own line unless the message already gives it', () => {
    expect(report(new NoClusterError('no kind cluster yet')).text).toBe(
      'sidecar-labs validate: no kind cluster yet\n  next: start the cluster with `npx sidecar-labs cluster up` (Docker must be running)\n',
    );
    expect(
      report(new ClusterUnreachableError('kind cluster', 'ECONNREFUSED')).text.split('\n').filter(Boolean),
    ).toHaveLength(1);
  });
  it('an unexpected error: its message, exit 1', () => {
    expect(report(new TypeError('x is undefined'))).toEqual({
      code: 1,
      text: 'sidecar-labs validate: x is undefined\n',
    });
  });
});
