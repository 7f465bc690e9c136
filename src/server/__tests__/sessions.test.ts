import { describe, expect, it } from 'vitest';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { LabError, type ProgressEvent } from '../engine-port.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

function setup(opts: { idleMs?: number; maxSessions?: number } = {}) {
  const engine = new FakeEngine();
  const signer = new TokenSigner(Buffer.alloc(32, 1));
  let now = 1_000_000;
  const { spawn, shells } = fakeSpawner();
  const manager = new SessionManager(engine, signer, () => spawn, {
    idleMs: opts.idleMs ?? 60_000,
    expiryMs: 120_000,
    maxSessions: opts.maxSessions ?? 10,
    now: () => now,
  });
  return { engine, signer, manager, shells, advance: (ms: number) => (now += ms), now: () => now };
}

describe('SessionManager', () => {
  it('starts a session, reports progress, and hands out a token that authorizes only that session', async () => {
    const { manager, engine } = setup();
    const events: ProgressEvent[] = [];
    const a = await manager.start('content-sidecar', (e) => events.push(e));
    const b = await manager.start('date-tailer', () => {});
    expect(events.map((e) => e.phase)).toEqual(['namespace', 'ready']);
    expect(a.token).not.toBe(b.token);
    expect(manager.authorize(a.id, a.token).record.slug).toBe('content-sidecar');
    expect(() => manager.authorize(a.id, b.token)).toThrow(LabError);
    expect(() => manager.authorize('no-such-session', a.token)).toThrow(/not running/);
    // The engine set the first expiry itself: nothing to push yet.
    expect(engine.extended.has(a.id)).toBe(false);
  });

  it('refuses an unknown lab and more sessions than allowed, with what to do', async () => {
    const { manager } = setup({ maxSessions: 1 });
    await expect(manager.start('no-such-lab', () => {})).rejects.toMatchObject({ status: 404 });
    await manager.start('content-sidecar', () => {});
    await expect(manager.start('date-tailer', () => {})).rejects.toMatchObject({
      status: 503,
      fix: expect.stringContaining('stop a lab'),
    });
  });

  it('check, solution and reset go to the engine one at a time', async () => {
    const { manager, engine } = setup();
    const s = await manager.start('content-sidecar', () => {});
    const live = manager.authorize(s.id, s.token);
    expect(await manager.check(live, 0)).toMatchObject({ ok: false, hint: expect.any(String) });
    await Promise.all([manager.applySolution(live, 0, () => {}), manager.check(live, 0)]);
    expect(engine.calls.slice(-2)).toEqual([`solution ${s.id} 0`, `check ${s.id} 0`]);
    expect(await manager.check(live, 0)).toMatchObject({ ok: true });
    await manager.reset(live, () => {});
    expect(await manager.check(live, 0)).toMatchObject({ ok: false });
  });

  it('a failed operation does not block the next one', async () => {
    const { manager, engine } = setup();
    const s = await manager.start('content-sidecar', () => {});
    const live = manager.authorize(s.id, s.token);
    engine.applySolution = async () => {
      throw new Error('boom');
    };
    await expect(manager.applySolution(live, 0, () => {})).rejects.toThrow('boom');
    expect(await manager.check(live, 0)).toMatchObject({ ok: false });
  });

  it('reset replaces the terminal: the old shell ends, a new one is ready for the browser', async () => {
    const { manager } = setup();
    const s = await manager.start('content-sidecar', () => {});
    const live = manager.authorize(s.id, s.token);
    const before = live.terminal;
    await manager.reset(live, () => {});
    expect(live.terminal).not.toBe(before);
  });

  it('stops idle sessions, keeps active ones, and drops sessions the engine reaped', async () => {
    const { manager, engine, advance } = setup({ idleMs: 60_000 });
    const idle = await manager.start('content-sidecar', () => {});
    const busy = await manager.start('date-tailer', () => {});
    const orphan = await manager.start('date-tailer', () => {});
    advance(50_000);
    manager.touch(manager.authorize(busy.id, busy.token));
    engine.expired.add(orphan.id);
    manager.touch(manager.authorize(orphan.id, orphan.token));
    advance(20_000);
    const { stopped, reaped } = await manager.sweep();
    expect(stopped).toEqual([idle.id]);
    expect(reaped).toEqual([orphan.id]);
    expect(engine.calls).toContain(`stop ${idle.id}`);
    expect(() => manager.authorize(idle.id, idle.token)).toThrow();
    expect(() => manager.authorize(orphan.id, orphan.token)).toThrow();
    expect(manager.authorize(busy.id, busy.token).record.slug).toBe('date-tailer');
  });

  it('forgets a session whose namespace disappeared from the cluster', async () => {
    const { manager, engine, advance } = setup();
    const gone = await manager.start('content-sidecar', () => {});
    const kept = await manager.start('date-tailer', () => {});
    engine.sessions.delete(gone.id); // deleted by someone else
    advance(1);
    const { reaped } = await manager.sweep();
    expect(reaped).toEqual([gone.id]);
    expect(() => manager.authorize(gone.id, gone.token)).toThrow(/not running/);
    expect(manager.authorize(kept.id, kept.token).record.slug).toBe('date-tailer');
  });

  it('pushes the expiry forward while the learner is active, but not on every keystroke', async () => {
    const { manager, engine, advance, now } = setup();
    const s = await manager.start('content-sidecar', () => {});
    const live = manager.authorize(s.id, s.token);
    live.pushedExpiry = now() + 120_000; // as if the engine had set it to our expiry
    advance(1_000);
    manager.touch(live);
    expect(engine.extended.has(s.id)).toBe(false);
    advance(90_000);
    manager.touch(live);
    await Promise.resolve();
    expect(engine.extended.get(s.id)!.getTime()).toBe(now() + 120_000);
  });

  it('opens the shell as soon as the session is ready, before the browser connects', async () => {
    const engine = new FakeEngine();
    const { spawn, shells } = fakeSpawner();
    const manager = new SessionManager(engine, new TokenSigner(Buffer.alloc(32, 1)), () => spawn);
    const s = await manager.start('date-tailer', () => {});
    await Promise.resolve();
    expect(shells).toHaveLength(1);
    expect(manager.authorize(s.id, s.token).terminal.running).toBe(true);
  });

  it('a restarted server finds the sessions on the cluster and accepts their old tokens', async () => {
    const { manager, engine, signer } = setup();
    const s = await manager.start('content-sidecar', () => {});
    const restarted = new SessionManager(engine, signer, () => fakeSpawner().spawn);
    expect(() => restarted.authorize(s.id, s.token)).toThrow();
    expect(await restarted.recover()).toBe(1);
    expect(restarted.authorize(s.id, s.token).record.namespace).toBe(`lab-${s.id}`);
    expect(await restarted.recover()).toBe(0);
  });
});

describe('SessionManager.recover', () => {
  it('infers last activity from the expiry, so it neither kills a fresh session nor keeps a stale one', async () => {
    const { engine, signer } = setup();
    let now = 10_000_000;
    const opts = { idleMs: 60_000, expiryMs: 120_000, maxSessions: 10, now: () => now };
    engine.sessions.set('fresh-session-1', {
      id: 'fresh-session-1',
      slug: 'date-tailer',
      namespace: 'lab-a',
      expiresAt: new Date(now + 110_000),
    });
    engine.sessions.set('stale-session-1', {
      id: 'stale-session-1',
      slug: 'date-tailer',
      namespace: 'lab-b',
      expiresAt: new Date(now + 30_000),
    });
    const restarted = new SessionManager(engine, signer, () => fakeSpawner().spawn, opts);
    expect(await restarted.recover()).toBe(2);
    now += 5_000;
    const { stopped } = await restarted.sweep();
    // stale: last active 90 s + 5 s ago (> 60 s idle); fresh: 10 s + 5 s ago.
    expect(stopped).toEqual(['stale-session-1']);
    expect(restarted.authorize('fresh-session-1', signer.tokenFor('fresh-session-1')).record.namespace).toBe('lab-a');
  });
});
