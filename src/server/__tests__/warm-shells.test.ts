// Shells opened ahead in warm-pool sessions: the learner who claims one finds the prompt waiting (no
// new exec), and shells of pool sessions no longer ready here end after a moment's grace.
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import type { ServerControl } from '../protocol.ts';
import type { TerminalPeer } from '../terminal-bridge.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function peer() {
  const got = { text: '', controls: [] as ServerControl[] };
  const p: TerminalPeer = {
    sendData: (b) => (got.text += new TextDecoder().decode(b)),
    sendControl: (m) => got.controls.push(m),
    close: () => {},
  };
  return { p, got };
}

describe('warm shells of pool sessions', () => {
  it('a claimed session takes the shell opened ahead: prompt replayed at once, no second exec', async () => {
    const engine = new FakeEngine();
    const spawner = fakeSpawner();
    const m = new SessionManager(engine, new TokenSigner(Buffer.alloc(32, 7)), () => spawner.spawn);
    // the fake engine's first content-sidecar session lands in this namespace: as if claimed from the pool
    m.syncWarmShells([
      { namespace: 'lab-fake-session-1-content-sidecar', slug: 'content-sidecar' },
      { namespace: 'lab-other', slug: 'content-sidecar' },
    ]);
    await tick();
    expect(spawner.shells.length).toBe(2);
    const s = await m.start('content-sidecar', () => {});
    await tick();
    expect(spawner.shells.length).toBe(2); // no new shell: the one opened ahead is the learner's
    const live = m.local(s.id)!;
    const { p, got } = peer();
    await live.terminal.attach(p, { type: 'hello', cols: 100, rows: 30 });
    expect(got.controls[0]).toMatchObject({ type: 'hello', sessionId: s.id });
    expect(got.text).toBe('learner@lab:~$ ');
    expect(spawner.shells[0]!.sizes.at(-1)).toEqual([100, 30]);
    await live.terminal.handle(p, { kind: 'data', bytes: new TextEncoder().encode('ls\r') });
    expect(spawner.shells[0]!.written).toEqual(['ls\r']);
  });

  it('a pool session gone from the ready list loses its shell after the grace; a new ready one gets one', async () => {
    const engine = new FakeEngine();
    const spawner = fakeSpawner();
    const m = new SessionManager(engine, new TokenSigner(Buffer.alloc(32, 7)), () => spawner.spawn);
    m.syncWarmShells([{ namespace: 'lab-a', slug: 'content-sidecar' }], 20);
    await tick();
    m.syncWarmShells([{ namespace: 'lab-b', slug: 'content-sidecar' }], 20);
    await tick();
    expect(spawner.shells[0]!.killed).toBe(false); // the grace: it may be our own claim arriving
    await tick(40);
    expect(spawner.shells[0]!.killed).toBe(true);
    expect(spawner.shells.length).toBe(2);
    m.closeTerminals();
    expect(spawner.shells[1]!.killed).toBe(true);
  });
});
