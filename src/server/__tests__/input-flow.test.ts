// Keystrokes into a shell that is not reading: the terminal socket stops reading the client while
// more than the high-water mark waits for the pod, reads again once the shell took it, and drops a
// connection whose queue still passes the cap. The gate on its own (fake socket, fake timers), then
// through the real terminal WebSocket with a shell that takes no input until the test lets it.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { InputGate, type InputLimits } from '../backpressure.ts';
import { createLabServer } from '../server.ts';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { TerminalBridge, type Shell, type ShellSpawner } from '../terminal-bridge.ts';
import { encodeClientControl, offeredProtocols } from '../protocol.ts';
import { FakeEngine, FakePeer } from './fakes.ts';

const limits: InputLimits = { highWater: 1000, lowWater: 200, maxQueued: 10_000, pollMs: 50 };

class FakeSource {
  paused = false;
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
  }
}

afterEach(() => vi.useRealTimers());

describe('InputGate', () => {
  it('pauses reading above the high-water mark and resumes once the queue is below the low one', () => {
    vi.useFakeTimers();
    const source = new FakeSource();
    let queued = 0;
    let dropped = false;
    const gate = new InputGate(
      source,
      () => queued,
      () => (dropped = true),
      limits,
    );
    queued = 900;
    gate.afterInput();
    expect(source.paused).toBe(false);
    queued = 1500;
    gate.afterInput();
    expect(source.paused).toBe(true);
    queued = 500; // the shell took some, not enough
    vi.advanceTimersByTime(200);
    expect(source.paused).toBe(true);
    queued = 100;
    vi.advanceTimersByTime(60);
    expect(source.paused).toBe(false);
    expect(dropped).toBe(false);
  });

  it('drops the connection when the queue passes the cap', () => {
    const source = new FakeSource();
    let dropped = 0;
    const gate = new InputGate(
      source,
      () => 20_000,
      () => dropped++,
      limits,
    );
    gate.afterInput();
    gate.afterInput(); // frames already read after the drop change nothing
    expect(dropped).toBe(1);
  });
});

describe('TerminalBridge.inputQueued', () => {
  it("counts input typed while the shell starts, then the shell's own queue", async () => {
    let release: (s: Shell) => void = () => {};
    let shellQueue = 0;
    const shell: Shell = {
      write: (b) => (shellQueue += b.byteLength),
      resize: () => {},
      kill: () => {},
      inputQueued: () => shellQueue,
    };
    const spawn: ShellSpawner = () => new Promise<Shell>((r) => (release = r));
    const bridge = new TerminalBridge('s-1', spawn);
    const peer = new FakePeer();
    void bridge.attach(peer, { type: 'hello', cols: 80, rows: 24 });
    const typed = bridge.handle(peer, { kind: 'data', bytes: new Uint8Array(700) });
    expect(bridge.inputQueued()).toBe(700);
    release(shell);
    await typed;
    expect(bridge.inputQueued()).toBe(700); // now in the shell's queue
    shellQueue = 0;
    expect(bridge.inputQueued()).toBe(0);
  });
});

/** A shell that takes no input until `drain()`: what was written stays queued. */
class StuckShell implements Shell {
  queued = 0;
  maxQueued = 0;
  taken = 0;
  write(bytes: Uint8Array): void {
    this.queued += bytes.byteLength;
    this.maxQueued = Math.max(this.maxQueued, this.queued);
  }
  drain(): void {
    this.taken += this.queued;
    this.queued = 0;
  }
  inputQueued(): number {
    return this.queued;
  }
  resize(): void {}
  kill(): void {}
}

describe('a client flooding stdin through the real terminal socket', () => {
  it('stops being read while the shell does not read, and every byte arrives once it does', async () => {
    const shells: StuckShell[] = [];
    const spawn: ShellSpawner = async () => {
      const s = new StuckShell();
      shells.push(s);
      return s;
    };
    const sessions = new SessionManager(new FakeEngine(), new TokenSigner(Buffer.alloc(32, 8)), () => spawn);
    const lab = createLabServer({ sessions, log: () => {} });
    await new Promise<void>((r) => lab.server.listen(0, '127.0.0.1', r));
    const port = (lab.server.address() as AddressInfo).port;
    try {
      const s = await sessions.start('content-sidecar', () => {});
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/terminal/${s.id}`, offeredProtocols(s.token), {
        origin: `http://127.0.0.1:${port}`,
      });
      await new Promise((r) => ws.on('open', r));
      ws.send(encodeClientControl({ type: 'hello', cols: 80, rows: 24 }));
      for (let i = 0; i < 100 && !shells[0]; i++) await new Promise((r) => setTimeout(r, 10));
      const shell = shells[0]!;
      const TOTAL = 32 * 1024 * 1024;
      const frame = Buffer.alloc(32 * 1024, 120);
      for (let sent = 0; sent < TOTAL; sent += frame.length) ws.send(frame, { binary: true });
      await new Promise((r) => setTimeout(r, 1000));
      // the server took about its high-water mark (256 KiB) and a socket's worth, then stopped reading
      expect(shell.queued).toBeGreaterThan(256 * 1024);
      expect(shell.maxQueued).toBeLessThan(2 * 1024 * 1024);
      expect(ws.bufferedAmount).toBeGreaterThan(TOTAL / 2); // the rest waits at the client
      expect(ws.readyState).toBe(WebSocket.OPEN);
      // the shell reads: the server reads the client again, until everything arrived
      for (let i = 0; i < 2000 && shell.taken + shell.queued < TOTAL; i++) {
        shell.drain();
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(shell.taken + shell.queued).toBe(TOTAL);
      expect(shell.maxQueued).toBeLessThan(2 * 1024 * 1024);
      ws.terminate();
    } finally {
      await lab.close();
    }
  }, 60_000);
});
