import { describe, expect, it } from 'vitest';
import { TerminalBridge, CLOSE_REPLACED, CLOSE_SESSION_ENDED } from '../terminal-bridge.ts';
import { FakePeer as Peer, fakeSpawner } from './fakes.ts';

const enc = (s: string) => new TextEncoder().encode(s);

const hello = (resumeFrom?: number) => ({ type: 'hello' as const, cols: 100, rows: 30, resumeFrom });

describe('TerminalBridge', () => {
  it('starts a shell on hello at the browser size and relays both ways', async () => {
    const { spawn, shells } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    const peer = new Peer();
    await bridge.attach(peer, hello());
    expect(peer.controls[0]).toEqual({ type: 'hello', sessionId: 's1', offset: 0, truncated: false });
    expect(shells).toHaveLength(1);
    expect(shells[0]!.sizes.at(-1)).toEqual([100, 30]);
    expect(peer.text).toBe('learner@lab:~$ ');
    await bridge.handle(peer, { kind: 'data', bytes: enc('ls\r') });
    expect(shells[0]!.written).toEqual(['ls\r']);
    expect(peer.text).toBe('learner@lab:~$ ls\r');
    await bridge.handle(peer, { kind: 'control', message: { type: 'resize', cols: 132, rows: 40 } });
    expect(shells[0]!.sizes.at(-1)).toEqual([132, 40]);
  });

  it('keeps the shell across a dropped connection and replays only what the client missed', async () => {
    const { spawn, shells } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    const first = new Peer();
    await bridge.attach(first, hello());
    const seen = new TextEncoder().encode(first.text).length;
    bridge.detach(first);
    shells[0]!.print('output while away\r\n');
    const second = new Peer();
    await bridge.attach(second, hello(seen));
    expect(shells).toHaveLength(1); // same shell
    expect(second.controls[0]).toMatchObject({ type: 'hello', offset: seen, truncated: false });
    expect(second.text).toBe('output while away\r\n');
    // A fresh tab (no resume point) gets the whole window.
    const third = new Peer();
    await bridge.attach(third, hello());
    expect(third.text).toBe('learner@lab:~$ output while away\r\n');
  });

  it('hands the terminal to the newest connection and ignores the old one', async () => {
    const { spawn, shells } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    const a = new Peer();
    const b = new Peer();
    await bridge.attach(a, hello());
    await bridge.attach(b, hello());
    expect(a.closed?.[0]).toBe(CLOSE_REPLACED);
    await bridge.handle(a, { kind: 'data', bytes: enc('x') });
    expect(shells[0]!.written).toEqual([]);
    await bridge.handle(b, { kind: 'data', bytes: enc('y') });
    expect(shells[0]!.written).toEqual(['y']);
  });

  it('reports a shell exit and starts a new shell on the next key', async () => {
    const { spawn, shells } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    const peer = new Peer();
    await bridge.attach(peer, hello());
    await bridge.handle(peer, { kind: 'data', bytes: enc('exit\r') });
    expect(peer.controls.at(-1)).toEqual({ type: 'exit', code: 0, reason: 'exited' });
    expect(peer.text).toContain('press any key for a new one');
    expect(bridge.running).toBe(false);
    await bridge.handle(peer, { kind: 'data', bytes: enc('q') });
    expect(shells).toHaveLength(2);
    expect(shells[1]!.written).toEqual([]); // the waking key is not typed into the new shell
    expect(bridge.running).toBe(true);
  });

  it('tells the browser in words when no shell can be opened', async () => {
    const bridge = new TerminalBridge('s1', async () => {
      throw new Error('pods "terminal" not found');
    });
    const peer = new Peer();
    await bridge.attach(peer, hello());
    expect(peer.controls.at(-1)).toMatchObject({
      type: 'error',
      message: expect.stringContaining('pods "terminal" not found'),
    });
    expect(bridge.running).toBe(false);
  });

  it('kills the shell and closes the connection when the session ends', async () => {
    const { spawn, shells } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    const peer = new Peer();
    await bridge.attach(peer, hello());
    bridge.dispose('lab reset');
    expect(shells[0]!.killed).toBe(true);
    expect(peer.closed).toEqual([CLOSE_SESSION_ENDED, 'lab reset']);
    const late = new Peer();
    await bridge.attach(late, hello());
    expect(late.closed?.[0]).toBe(CLOSE_SESSION_ENDED);
    expect(shells).toHaveLength(1);
  });

  it('counts keystrokes as activity', async () => {
    const { spawn } = fakeSpawner();
    const bridge = new TerminalBridge('s1', spawn);
    let n = 0;
    bridge.onActivity = () => n++;
    const peer = new Peer();
    await bridge.attach(peer, hello());
    const before = n;
    await bridge.handle(peer, { kind: 'data', bytes: enc('a') });
    expect(n).toBe(before + 1);
  });
});
