// `sidecar-labs validate` on the real cluster: broken labs fail with the expected messages; the CLI prints
// a line per step, writes JUnit and ends with `N passed, N failed`.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validate } from '../../../src/cli/validate.ts';
import { defaultClusterChoice } from '../../../src/kube/kubeconfig.ts';
import { BROKEN_LABS } from './helpers.ts';

const cluster = defaultClusterChoice();
const quiet = () => undefined;

describe('validate', () => {
  it('a check that already passes before the solution fails the step', async () => {
    const { outcomes } = await validate(
      { slugs: ['passes-before'], parallel: 1, keep: false, cluster, labsDir: BROKEN_LABS },
      quiet,
    );
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].ok).toBe(false);
    expect(outcomes[0].problems).toEqual([
      'check passed BEFORE the solution, so it cannot tell whether the step was done: pod "sleeper" ready (pod "sleeper" ready)',
    ]);
  });

  it('a broken solution fails with what was expected and what was observed', async () => {
    const { outcomes } = await validate(
      { slugs: ['broken-solution'], parallel: 1, keep: false, cluster, labsDir: BROKEN_LABS },
      quiet,
    );
    expect(outcomes[0].ok).toBe(false);
    expect(outcomes[0].problems[0]).toMatch(
      /^check failed after the solution: the page says hello: output was not as expected: expected it exactly "Hello from the sidecar container!"\n\s+observed: Goodbye/,
    );
  });

  it("a mistake that the step's checks cannot tell from the right answer, or that is never detected, fails", async () => {
    const { outcomes } = await validate(
      { slugs: ['mistake-not-caught'], parallel: 3, keep: false, cluster, labsDir: BROKEN_LABS },
      quiet,
    );
    expect(outcomes.map((o) => [o.stepId, o.mistake?.id, o.ok])).toEqual([
      ['write-page', undefined, true],
      ['write-page', 'passes-anyway', false],
      ['write-page', 'never-detected', false],
    ]);
    expect(outcomes[1].problems).toEqual([
      'the step PASSED with the mistake made: its checks cannot tell the mistake from the right answer',
    ]);
    expect(outcomes[2].problems[0]).toMatch(
      /^a detecting check did not pass once the mistake was made: .*expected it to contain "Bye"/,
    );
    expect(outcomes[2].problems.at(-1)).toBe('Check gave no diagnosis for the mistake');
  });

  it('the CLI: progress line per step, JUnit, last line, exit code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'junit-'));
    const junit = join(dir, 'validate.xml');
    const ok = spawnSync(
      process.execPath,
      ['src/cli/main.ts', 'validate', 'date-tailer', '--junit', junit, '--cluster', cluster],
      { encoding: 'utf8', timeout: 240_000 },
    );
    const lines = ok.stdout.trim().split('\n');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ok {3}date-tailer\/tail-the-log \(3 checks: failed before, passed after\) [\d.]+s$/),
    );
    // the step, then each of its two listed mistakes: made in a fresh session, not passed, diagnosed
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ok {3}date-tailer\/tail-the-log \(mistake "volume-only-in-main": step not passed, diagnosed\) [\d.]+s$/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ok {3}date-tailer\/tail-the-log \(mistake "wrong-mount-path": step not passed, diagnosed\) [\d.]+s$/,
      ),
    );
    expect(lines.at(-1)).toBe('3 passed, 0 failed');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuite name="date-tailer" tests="3" failures="0"');
    expect(xml).toContain('name="tail-the-log mistake volume-only-in-main: the sidecar does not mount the log volume"');
    expect(xml).toContain('name="tail-the-log: Turn a log file into container logs"');
    expect(xml).toContain(
      'before solution: failed (expected) - pod &quot;sidecar&quot; ready: pod &quot;sidecar&quot; does not exist yet',
    );

    const bad = spawnSync(
      process.execPath,
      ['src/cli/main.ts', 'validate', 'broken-solution', '--labs-dir', BROKEN_LABS, '--cluster', cluster],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAIL broken-solution\/write-page/);
    expect(bad.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });
});
