// The runc wrapper edits OCI specs before the real runc sees them; here "runc" is `true`, so only the
// edit is observed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const wrapper = fileURLToPath(new URL('../../../scripts/kit/runc-wrapper.sh', import.meta.url));
const capBnd = BigInt(`0x${/CapBnd:\s*([0-9a-f]+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]}`);
const hostHas = (bit: number) => ((capBnd >> BigInt(bit)) & 1n) === 1n;
const SYS_RESOURCE = 24;
const requested = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN', 'CAP_SYS_RESOURCE'];
const expected = requested.filter((c) => c !== 'CAP_SYS_RESOURCE' || hostHas(SYS_RESOURCE));

function runWrapper(args: string[]) {
  execFileSync('sh', [wrapper, ...args], { env: { ...process.env, SIDECAR_LABS_REAL_RUNC: '/bin/true' } });
}

describe('runc wrapper', () => {
  it('drops, on create, exactly the capabilities the host cannot grant, and raises a too-low oomScoreAdj', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrapper-'));
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        process: {
          oomScoreAdj: -998,
          args: ['/pause'],
          capabilities: { bounding: requested, effective: requested, permitted: requested },
        },
        root: { path: 'rootfs' },
      }),
    );
    runWrapper([
      '--root',
      '/run/x',
      '--systemd-cgroup',
      'create',
      '--bundle',
      dir,
      '--pid-file',
      join(dir, 'pid'),
      'abc',
    ]);
    const spec = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(spec.process.capabilities.bounding).toEqual(expected);
    expect(spec.process.capabilities.effective).toEqual(expected);
    expect(spec.process.args).toEqual(['/pause']);
    expect(spec.root).toEqual({ path: 'rootfs' });
    const floor = Number(readFileSync('/proc/self/oom_score_adj', 'utf8'));
    expect(spec.process.oomScoreAdj).toBe(hostHas(SYS_RESOURCE) ? -998 : Math.max(-998, floor));
  });

  it('edits the --process file on exec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrapper-'));
    const proc = join(dir, 'process.json');
    writeFileSync(proc, JSON.stringify({ args: ['sh'], capabilities: { bounding: requested } }));
    runWrapper(['--root', '/run/x', 'exec', '--process', proc, '--detach', 'abc']);
    expect(JSON.parse(readFileSync(proc, 'utf8')).capabilities.bounding).toEqual(expected);
  });

  it('leaves other commands alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrapper-'));
    const before = JSON.stringify({ process: { capabilities: { bounding: requested } } });
    writeFileSync(join(dir, 'config.json'), before);
    runWrapper(['--root', '/run/x', 'delete', '--force', 'abc']);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
  });
});
