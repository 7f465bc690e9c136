// Two server processes on one cluster: each finds the sessions the other started (the cluster is the
// source of truth), with the same shared secret; neither calls idle what the other keeps busy.
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import type { SessionRecord } from '../engine-port.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

class SharedEngine extends FakeEngine {
  lookups = 0;
  async findSession(id: string): Promise<SessionRecord | undefined> {
    this.lookups++;
    return this.sessions.get(id);
  }
}

function two() {
  const engine = new SharedEngine(); // one cluster
  const signer = new TokenSigner(Buffer.alloc(32, 7)); // SIDECAR_LABS_SECRET shared by both
  let now = 1_000_000;
  const make = () =>
    new SessionManager(engine, signer, () => fakeSpawner().spawn, {
      idleMs: 60_000,
      expiryMs: 120_000,
      maxSessions: 10,
      now: () => now,
    });
  return { engine, a: make(), b: make(), advance: (ms: number) => (now += ms) };
}

describe('sessions shared by two server processes', () => {
  it('B serves a session A started, with the same token; a wrong token costs no cluster lookup', async () => {
    const { engine, a, b } = two();
    const s = await a.start('content-sidecar', () => {});
    expect(() => b.authorize(s.id, s.token)).toThrow(/not running/);
    const live = await b.authorizeShared(s.id, s.token);
    expect(live.record.namespace).toBe(engine.sessions.get(s.id)!.namespace);
    expect((await b.check(live, 0)).ok).toBe(false);
    const before = engine.lookups;
    await expect(b.authorizeShared('someone-elses-session', s.token)).rejects.toThrow(/not running/);
    expect(engine.lookups).toBe(before);
    await expect(b.authorizeShared(s.id, 'forged')).rejects.toThrow(/not running/);
    expect(engine.lookups).toBe(before);
  });

  it('a session stopped through A is gone for B too', async () => {
    const { a, b } = two();
    const s = await a.start('date-tailer', () => {});
    await a.stop(a.authorize(s.id, s.token));
    await expect(b.authorizeShared(s.id, s.token)).rejects.toThrow(/not running/);
  });

  it("B does not stop as idle a session A keeps active (A's expiry pushes count)", async () => {
    const { engine, a, b, advance } = two();
    const s = await a.start('date-tailer', () => {});
    await b.authorizeShared(s.id, s.token);
    advance(50_000);
    const record = engine.sessions.get(s.id)!;
    record.expiresAt = new Date(1_050_000 + 120_000); // A pushed it on activity at t=50 s
    advance(30_000); // B has not seen the learner for 80 s > idle 60 s
    const { stopped } = await b.sweep();
    expect(stopped).toEqual([]);
    advance(60_000);
    expect((await b.sweep()).stopped).toEqual([s.id]);
  });
});
