import { describe, it, expect } from 'vitest';
import { settle, API_TIME_SLACK_MS, type ProbeResult } from '../settle.ts';
import { FakeClock } from './fakes.ts';

describe('settle: pass only when the condition held for the settle window', () => {
  it('a condition that flips to false inside the window never passes (crash after 2 s)', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    // "ready" for 2 s out of every 12 s: Running briefly, then crashing, then back-off
    const probe = async (): Promise<ProbeResult> => ({ ok: (clock.now() - start) % 12_000 < 2_000, message: 'ready' });
    const r = await settle(probe, { mode: 'wait', timeoutMs: 60_000, settleMs: 5_000, intervalMs: 500 }, clock);
    expect(r.ok).toBe(false);
    expect(clock.now() - start).toBeGreaterThanOrEqual(60_000);
  });

  it('passes once the condition has held for the whole window', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const probe = async (): Promise<ProbeResult> => ({ ok: clock.now() - start >= 3_000, message: 'ready' });
    const r = await settle(probe, { mode: 'wait', timeoutMs: 60_000, settleMs: 5_000, intervalMs: 1_000 }, clock);
    expect(r.ok).toBe(true);
    expect(clock.now() - start).toBeGreaterThanOrEqual(8_000);
    expect(clock.now() - start).toBeLessThan(10_000);
  });

  it('trusts the API timestamp: held since long ago passes at the first probe', async () => {
    const clock = new FakeClock();
    const probe = async (): Promise<ProbeResult> => ({ ok: true, message: 'ready', heldSinceMs: clock.now() - 60_000 });
    const r = await settle(probe, { mode: 'quick', timeoutMs: 60_000, settleMs: 5_000 }, clock);
    expect(r).toMatchObject({ ok: true, attempts: 1, elapsedMs: 0 });
  });

  it('an API timestamp is trusted with its slack: a pod that crashes 4 s after it started never passes 5 s', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const startedAt = start + 300; // the container really started here; the API stores the second: `start`
    const probe = async (): Promise<ProbeResult> => ({
      // the API still says "ready" for ~1 s after the crash at startedAt + 4 s (the kubelet's relist)
      ok: clock.now() < startedAt + 4_000 + 1_000,
      message: 'ready',
      heldSinceMs: start,
    });
    const r = await settle(probe, { mode: 'wait', timeoutMs: 30_000, settleMs: 5_000, intervalMs: 250 }, clock);
    expect(r.ok).toBe(false);
    expect(API_TIME_SLACK_MS).toBeGreaterThanOrEqual(2_000);
  });

  it('quick mode: a failing condition fails at once, without waiting for the timeout', async () => {
    const clock = new FakeClock();
    const r = await settle(
      async () => ({ ok: false, message: 'pod "x" does not exist yet' }),
      { mode: 'quick', timeoutMs: 60_000, settleMs: 5_000 },
      clock,
    );
    expect(r).toMatchObject({ ok: false, attempts: 1, message: 'pod "x" does not exist yet' });
    expect(r.elapsedMs).toBe(0);
  });

  it('quick mode: a condition that just became true still has to hold', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const probe = async (): Promise<ProbeResult> => ({
      ok: clock.now() - start < 1_500,
      message: 'ready',
      heldSinceMs: start,
    });
    const r = await settle(probe, { mode: 'quick', timeoutMs: 60_000, settleMs: 3_000, intervalMs: 500 }, clock);
    expect(r.ok).toBe(false);
  });

  it('reports how long a not-yet-settled condition held when time runs out', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const probe = async (): Promise<ProbeResult> => ({ ok: true, message: 'ready', heldSinceMs: start + 8_000 });
    const r = await settle(probe, { mode: 'wait', timeoutMs: 10_000, settleMs: 5_000, intervalMs: 1_000 }, clock);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/only for \ds of the 5s it must hold/);
  });

  it('quick mode with a grace period retries a failing probe briefly', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const r = await settle(
      async () => ({ ok: clock.now() - start >= 1_000, message: 'line' }),
      { mode: 'quick', timeoutMs: 60_000, settleMs: 0, graceMs: 2_500, intervalMs: 500 },
      clock,
    );
    expect(r).toMatchObject({ ok: true, attempts: 3 });
    const never = await settle(
      async () => ({ ok: false, message: 'no line' }),
      { mode: 'quick', timeoutMs: 60_000, settleMs: 0, graceMs: 2_500, intervalMs: 500 },
      clock,
    );
    expect(never.ok).toBe(false);
    expect(never.elapsedMs).toBeGreaterThanOrEqual(2_500);
    expect(never.elapsedMs).toBeLessThan(3_500);
  });

  it('a fatal failure stops polling', async () => {
    const clock = new FakeClock();
    let n = 0;
    const r = await settle(
      async () => ({ ok: false, fatal: n++ >= 0, message: 'Job failed' }),
      { mode: 'wait', timeoutMs: 60_000, settleMs: 0 },
      clock,
    );
    expect(r.attempts).toBe(1);
  });

  it('a probe that throws counts as a failure with its message', async () => {
    const clock = new FakeClock();
    const r = await settle(
      async () => {
        throw new Error('service "x" has no ready pods behind it');
      },
      { mode: 'quick', timeoutMs: 1000, settleMs: 0 },
      clock,
    );
    expect(r).toMatchObject({ ok: false, message: 'service "x" has no ready pods behind it' });
  });
});
