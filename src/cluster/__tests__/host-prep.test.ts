import { describe, expect, it } from 'vitest';
import { needsRuncWrapper, planHost, type HostFacts } from '../host-prep.ts';

const fresh: HostFacts = {
  engine: 'stopped',
  kitReady: false,
  root: true,
  sudo: false,
  apt: true,
  chromium: false,
  needDocker: true,
  needChromium: true,
};

describe('planHost (what npm test / npm start do on a fresh machine)', () => {
  it('as root with Docker stopped and no Chromium: runs host-setup.sh, then installs Chromium', () => {
    const plan = planHost(fresh);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.actions.map((a) => a.cmd.slice(0, 2))).toEqual([
      ['bash', 'scripts/kit/host-setup.sh'],
      ['sh', '-c'],
    ]);
    expect(plan.actions[0]!.why).toMatch(/Docker engine is not running/);
    expect(plan.actions[1]!.cmd[2]).toMatch(/apt-get install .*chromium fonts-dejavu-core/);
  });

  it('with passwordless sudo: the same through sudo -n', () => {
    const plan = planHost({ ...fresh, root: false, sudo: true });
    expect(plan.ok && plan.actions.map((a) => a.cmd.slice(0, 3))).toEqual([
      ['sudo', '-n', 'bash'],
      ['sudo', '-n', 'sh'],
    ]);
  });

  it('without root or sudo: stops at once with the one command to run', () => {
    const plan = planHost({ ...fresh, root: false, sudo: false });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.message).toMatch(/Docker engine is not running.*Chromium.*not root and has no passwordless sudo/);
    expect(plan.command).toMatch(/^sudo bash scripts\/kit\/host-setup\.sh && sudo sh -c '.*chromium/);
  });

  it('does nothing on a ready machine, and nothing for Docker with SIDECAR_LABS_CLUSTER=current', () => {
    expect(planHost({ ...fresh, engine: 'running', kitReady: true, chromium: true })).toEqual({
      ok: true,
      actions: [],
    });
    expect(planHost({ ...fresh, needDocker: false, chromium: true })).toEqual({ ok: true, actions: [] });
  });

  it("runs host-setup when Docker runs but the kit's packages or runtime are missing", () => {
    const plan = planHost({ ...fresh, engine: 'running', kitReady: false, chromium: true });
    expect(plan.ok && plan.actions[0]!.why).toMatch(/offline kit needs/);
  });

  it('tells a user outside the docker group how to join it (no root needed for the rest)', () => {
    const plan = planHost({ ...fresh, engine: 'denied', root: false });
    expect(plan).toMatchObject({ ok: false, command: expect.stringMatching(/usermod -aG docker/) });
  });

  it('off Debian: the command to start or install Docker, never host-setup.sh', () => {
    expect(planHost({ ...fresh, apt: false })).toMatchObject({
      ok: false,
      command: expect.stringMatching(/systemctl start docker/),
    });
    expect(planHost({ ...fresh, apt: false, engine: 'no-client' })).toMatchObject({
      ok: false,
      command: expect.stringMatching(/docs\.docker\.com/),
    });
    expect(planHost({ ...fresh, apt: false, engine: 'running', chromium: true })).toEqual({ ok: true, actions: [] });
  });

  it('reads the bounding set: CAP_SYS_RESOURCE (bit 24) missing means the runc wrapper is needed', () => {
    expect(needsRuncWrapper('CapBnd:\t000001ffffffffff\n')).toBe(false);
    expect(needsRuncWrapper('CapBnd:\t000001fffeffffff\n')).toBe(true);
  });
});
