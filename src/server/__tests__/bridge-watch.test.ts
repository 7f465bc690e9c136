// The instructor's read-only view: a watcher gets the recent output and live output, never becomes
// the learner's peer, cannot type, and is closed when the session ends.
import { describe, expect, it } from 'vitest';
import { TerminalBridge, CLOSE_SESSION_ENDED } from '../terminal-bridge.ts';
import { FakePeer as Peer, fakeSpawner } from './fakes.ts';

describe('TerminalBridge watchers', () => {
  it('see replay and live output, cannot type, do not displace the learner, end with the session', async () => {
    const { spawn, shells } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    const learner = new Peer();
    await bridge.attach(learner, { type: 'hello', cols: 80, rows: 24 });
    await bridge.handle(learner, { kind: 'data', bytes: new TextEncoder().encode('ls\r') });
    const watcher = new Peer();
    bridge.watch(watcher);
    expect(watcher.controls[0]).toMatchObject({ type: 'hello', sessionId: 's1' });
    expect(watcher.text).toBe('learner@lab:~$ ls\r');
    shells[0]!.print('pod.yaml\r\n');
    expect(watcher.text.endsWith('pod.yaml\r\n')).toBe(true);
    expect(learner.text.endsWith('pod.yaml\r\n')).toBe(true);
    // a watcher's frames are not the learner's: they reach no shell
    await bridge.handle(watcher, { kind: 'data', bytes: new TextEncoder().encode('rm -rf /\r') });
    expect(shells[0]!.written).toEqual(['ls\r']);
    expect(learner.closed).toBeUndefined();
    bridge.unwatch(watcher);
    shells[0]!.print('after\r\n');
    expect(watcher.text).not.toContain('after');
    const second = new Peer();
    bridge.watch(second);
    bridge.dispose('lab reset');
    expect(second.closed).toEqual([CLOSE_SESSION_ENDED, 'lab reset']);
  });
});
