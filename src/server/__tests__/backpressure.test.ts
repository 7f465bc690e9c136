// Flow control between a terminal connection and the shell, with a fake socket whose queue the test drains.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendQueue, type SendTarget } from '../backpressure.ts';
import { TerminalBridge, type TerminalPeer } from '../terminal-bridge.ts';
import type { Shell, ShellSpawner } from '../terminal-bridge.ts';

class FakeSocket implements SendTarget {
  bufferedAmount = 0;
  terminated = false;
  private pending: Array<{ n: number; cb: (err?: Error) => void }> = [];
  send(data: Uint8Array | string, _o: { binary: boolean }, cb: (err?: Error) => void): void {
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.bufferedAmount += n;
    this.pending.push({ n, cb });
  }
  /** The client reads `count` queued messages. */
  drain(count = Infinity): void {
    while (count-- > 0 && this.pending.length) {
      const { n, cb } = this.pending.shift()!;
      this.bufferedAmount -= n;
      cb();
    }
  }
  terminate(): void {
    this.terminated = true;
  }
}

const limits = { highWater: 1000, lowWater: 200, maxBuffered: 10_000, stallMs: 5_000 };
const chunk = new Uint8Array(300);

afterEach(() => vi.useRealTimers());

describe('SendQueue', () => {
  it('pauses the producer past the high-water mark and resumes it below the low-water mark', () => {
    const socket = new FakeSocket();
    const events: string[] = [];
    const q = new SendQueue(socket, { pause: () => events.push('pause'), resume: () => events.push('resume') }, limits);
    for (let i = 0; i < 3; i++) q.send(chunk, true);
    expect(events).toEqual([]);
    q.send(chunk, true); // 1200 queued
    expect(events).toEqual(['pause']);
    expect(q.isPaused).toBe(true);
    socket.drain(2); // 600 queued: still above low water
    expect(events).toEqual(['pause']);
    socket.drain(2);
    expect(events).toEqual(['pause', 'resume']);
    q.close();
  });

  it('disconnects a client that makes no progress for stallMs, and one whose queue passes maxBuffered', () => {
    vi.useFakeTimers();
    const stuck = new FakeSocket();
    const events: string[] = [];
    const q = new SendQueue(
      stuck,
      { pause: () => events.push('pause'), resume: () => events.push('resume'), tooSlow: () => events.push('slow') },
      limits,
    );
    for (let i = 0; i < 4; i++) q.send(chunk, true);
    vi.advanceTimersByTime(4_000);
    stuck.drain(1); // a little progress re-arms the timer
    vi.advanceTimersByTime(4_000);
    expect(stuck.terminated).toBe(false);
    vi.advanceTimersByTime(1_500);
    expect(stuck.terminated).toBe(true);
    expect(events).toEqual(['pause', 'slow', 'resume']);

    const flooded = new FakeSocket();
    const q2 = new SendQueue(flooded, { pause: () => {}, resume: () => {} }, limits);
    q2.send(new Uint8Array(20_000), true); // e.g. a producer that ignores pause
    expect(flooded.terminated).toBe(true);
    q2.send(chunk, true);
    expect(flooded.bufferedAmount).toBe(20_000); // nothing more is queued after the drop
  });
});

class PausableShell implements Shell {
  paused = false;
  readonly onData: (b: Uint8Array) => void;
  constructor(onData: (b: Uint8Array) => void) {
    this.onData = onData;
  }
  write(): void {}
  resize(): void {}
  kill(): void {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
}

describe('TerminalBridge flow control', () => {
  it('pauses the shell while the attached browser is behind, and releases it when the browser goes', async () => {
    let shell: PausableShell | undefined;
    const spawn: ShellSpawner = async (_size, h) => (shell = new PausableShell(h.onData));
    const bridge = new TerminalBridge('s1', spawn);
    const peer: TerminalPeer = { sendData: () => {}, sendControl: () => {}, close: () => {} };
    const other: TerminalPeer = { sendData: () => {}, sendControl: () => {}, close: () => {} };
    await bridge.attach(peer, { type: 'hello', cols: 80, rows: 24 });
    bridge.flow(other, true); // not the attached peer: ignored
    expect(shell!.paused).toBe(false);
    bridge.flow(peer, true);
    expect(shell!.paused).toBe(true);
    bridge.flow(peer, false);
    expect(shell!.paused).toBe(false);
    bridge.flow(peer, true);
    bridge.detach(peer); // output goes to the ring buffer only: never hold the shell for nobody
    expect(shell!.paused).toBe(false);
  });
});
