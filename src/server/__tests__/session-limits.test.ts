// Per-client session limits and the absolute session lifetime.
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

function setup() {
  const engine = new FakeEngine();
  let now = Date.now(); // FakeEngine dates its first expiry with the real clock
  const manager = new SessionManager(engine, new TokenSigner(Buffer.alloc(32, 1)), () => fakeSpawner().spawn, {
    idleMs: 30 * 60_000,
    expiryMs: 45 * 60_000,
    maxSessions: 10,
    maxSessionsPerClient: 2,
    maxLifetimeMs: 120 * 60_000,
    now: () => now,
  });
  return { engine, manager, advance: (ms: number) => (now += ms), now: () => now };
}

describe('per-client session limit', () => {
  it('refuses a third session from one address with a clear message; others and loopback are not limited', async () => {
    const { manager } = setup();
    await manager.start('content-sidecar', () => {}, '203.0.113.7');
    const second = manager.start('date-tailer', () => {}, '203.0.113.7');
    await expect(manager.start('date-tailer', () => {}, '203.0.113.7')).rejects.toMatchObject({
      status: 429,
      message: expect.stringContaining('you already have 2 lab sessions running'),
      fix: expect.stringContaining('Stop lab'),
    });
    const s2 = await second;
    await manager.start('date-tailer', () => {}, '198.51.100.9');
    for (let i = 0; i < 3; i++) await manager.start('date-tailer', () => {}, '127.0.0.1');
    // Stopping one frees a slot.
    await manager.stop(manager.authorize(s2.id, s2.token));
    await expect(manager.start('date-tailer', () => {}, '203.0.113.7')).resolves.toMatchObject({ slug: 'date-tailer' });
  });
});

describe('absolute session lifetime', () => {
  it('stops a session at its time limit even while the learner is active, and never pushes expiry past it', async () => {
    const { manager, engine, advance, now } = setup();
    const startedAt = now();
    const s = await manager.start('content-sidecar', () => {});
    const live = manager.authorize(s.id, s.token);
    const ended: string[] = [];
    live.terminal.dispose = (reason?: string) => void ended.push(reason ?? '');
    for (let minute = 10; minute < 120; minute += 10) {
      advance(10 * 60_000);
      manager.touch(live); // busy learner
      expect((await manager.sweep()).stopped).toEqual([]);
    }
    const pushed = engine.extended.get(s.id)!.getTime();
    expect(live.endsAt).toBe(startedAt + 120 * 60_000);
    expect(pushed).toBe(live.endsAt); // last activity + 45 min would be later: capped
    advance(10 * 60_000);
    manager.touch(live);
    expect((await manager.sweep()).stopped).toEqual([s.id]);
    expect(ended).toEqual(['lab reached its time limit of 120 minutes']);
    expect(() => manager.authorize(s.id, s.token)).toThrow(/not running/);
  });

  it('counts the lifetime from the namespace creation time for sessions found after a restart', async () => {
    const { manager, engine, now } = setup();
    // Both were active a minute ago (expires-at = last activity + 45 min); one is older than 120 min.
    const expiresAt = new Date(now() + 44 * 60_000);
    engine.sessions.set('old-session-1', {
      id: 'old-session-1',
      slug: 'content-sidecar',
      namespace: 'lab-x',
      createdAt: new Date(now() - 119 * 60_000),
      expiresAt,
    });
    engine.sessions.set('old-session-2', {
      id: 'old-session-2',
      slug: 'content-sidecar',
      namespace: 'lab-y',
      createdAt: new Date(now() - 121 * 60_000),
      expiresAt,
    });
    await manager.recover();
    expect((await manager.sweep()).stopped).toEqual(['old-session-2']);
  });
});
