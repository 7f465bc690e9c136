// The warm pool on the real cluster: fill makes a ready session (toolbox running), two claims at
// once get it exactly once (optimistic concurrency on the namespace), the claimed session carries
// the learner's new id and annotations and is no longer in the pool; with the watch in sync a
// claim needs no list call.
import { describe, it, expect, afterAll } from 'vitest';
import { engine } from './helpers.ts';
import { WarmPool, LABEL_POOL } from '../../../src/engine/pool.ts';
import { podReadiness } from '../../../src/engine/pods.ts';

const e = engine();
const slug = 'what-is-a-sidecar';
const pool = new WarmPool(e, { reserve: 1, slugs: [slug], ttlSeconds: 900, poolTtlSeconds: 900, roomFor: () => true });
const made: string[] = [];
afterAll(async () => {
  pool.stop();
  await pool.drain().catch(() => 0);
  for (const ns of made) await e.stopSession(ns).catch(() => undefined);
});

describe('warm pool', () => {
  it('fills to the reserve with a ready session, and claims it once', async () => {
    const before = (await pool.ready()).get(slug)?.length ?? 0;
    await pool.fill();
    const ready = (await pool.ready()).get(slug) ?? [];
    expect(ready.length).toBe(Math.max(1, before));
    made.push(...ready);
    pool.stopped = true; // no refill during the claims below
    const [a, b] = await Promise.all([
      pool.claim(slug, { annotations: { 'sidecar-labs.dev/learner': 'Ada' } }),
      pool.claim(slug, { annotations: { 'sidecar-labs.dev/learner': 'Grace' } }),
    ]);
    const claimed = [a, b].filter((x) => x);
    expect(claimed.length).toBe(Math.min(2, ready.length));
    const s = claimed[0]!;
    expect(s.sessionId).not.toMatch(/^pool-/);
    expect(s.annotations?.['sidecar-labs.dev/learner']).toMatch(/^(Ada|Grace)$/);
    expect(s.annotations?.[LABEL_POOL]).toBeUndefined();
    expect(new Date(s.expiresAt).getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect((await e.getSession(s.sessionId)).namespace).toBe(s.namespace);
    expect(podReadiness((await e.kube.readPod(s.namespace, 'terminal'))!).ready).toBe(true);
    const ns = (await e.kube.readNamespace(s.namespace))!;
    expect(ns.metadata?.labels?.[LABEL_POOL]).toBeUndefined();
    if (ready.length === 1) expect(await pool.claim(slug)).toBeUndefined();
  });

  it('once the namespace watch is in sync, a claim is one conditional patch (no list)', async () => {
    pool.stopped = false;
    pool.start(60_000); // the watch, and a refill back to the reserve
    await expect.poll(() => pool.readyList.count(slug), { timeout: 240_000, interval: 1000 }).toBeGreaterThan(0);
    const { info, timing } = await pool.claimTimed(slug, { annotations: { 'sidecar-labs.dev/learner': 'Lin' } });
    pool.stop();
    expect(info?.annotations?.['sidecar-labs.dev/learner']).toBe('Lin');
    made.push(info!.namespace);
    expect(timing).toMatchObject({ fromWatch: true, tries: 1 });
    // the watch hears of the claim: the ready list no longer offers it
    await expect.poll(() => pool.readyList.candidates(slug).some((c) => c.name === info!.namespace)).toBe(false);
  });
});
