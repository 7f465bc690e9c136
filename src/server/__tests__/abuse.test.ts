// Hostile clients on a real port: connections reset while the server answers, floods of bad
// upgrades. The process must survive all of it and keep answering.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabServer, type LabServer } from '../server.ts';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';
import WebSocket from 'ws';
import { encodeClientControl, offeredProtocols } from '../protocol.ts';
import type { Shell, ShellSpawner } from '../terminal-bridge.ts';

let lab: LabServer;
let port: number;
let base: string;

beforeAll(async () => {
  const sessions = new SessionManager(
    new FakeEngine(),
    new TokenSigner(Buffer.alloc(32, 5)),
    () => fakeSpawner().spawn,
  );
  lab = createLabServer({ sessions, log: () => {} });
  await new Promise<void>((r) => lab.server.listen(0, '127.0.0.1', r));
  port = (lab.server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => lab.close());

function upgradeRequest(id: string, token: string): string {
  return [
    `GET /api/terminal/${id} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    `Sec-WebSocket-Protocol: sidecar-labs.v1, token.${token}`,
    `Origin: ${base}`,
    '',
    '',
  ].join('\r\n');
}

/** Send a bad-token upgrade and reset the connection (RST) right after, while the 403 is written. */
function resetUpgrade(i: number): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('close', () => resolve());
    s.on('connect', () => {
      s.write(upgradeRequest(`0000000000000000${i % 10}`, 'bad'));
      // Alternate between resetting at once and a moment later (when the 403 is on its way).
      if (i % 2 === 0) s.resetAndDestroy();
      else setImmediate(() => s.resetAndDestroy());
    });
  });
}

describe('connections reset by the client', () => {
  it('survives 1,000 upgrades with a bad token reset while the 403 is written, and still answers', async () => {
    for (let round = 0; round < 50; round++) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => resetUpgrade(round * 20 + j)));
    }
    const res = await fetch(`${base}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  }, 60_000);
});

describe('a page on another origin that opens and closes WebSockets at once', () => {
  it('leaves the server answering after 300 such connections', async () => {
    for (let round = 0; round < 30; round++) {
      await Promise.all(
        Array.from(
          { length: 10 },
          () =>
            new Promise<void>((resolve) => {
              const ws = new WebSocket(
                `ws://127.0.0.1:${port}/api/terminal/0000000000000000`,
                ['sidecar-labs.v1', 'token.x'],
                { origin: 'https://evil.example' },
              );
              ws.on('error', () => resolve());
              ws.on('close', () => resolve());
              setTimeout(() => ws.terminate(), round % 3);
            }),
        ),
      );
    }
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  }, 60_000);
});

/** A shell that prints as fast as it may: 64 KiB chunks until paused. */
class FloodShell implements Shell {
  produced = 0;
  paused = false;
  private stopped = false;
  private readonly onData: (b: Uint8Array) => void;
  constructor(onData: (b: Uint8Array) => void) {
    this.onData = onData;
    this.pump();
  }
  private pump(): void {
    if (this.stopped || this.paused) return;
    this.onData(new Uint8Array(64 * 1024).fill(121));
    this.produced += 64 * 1024;
    setImmediate(() => this.pump());
  }
  write(): void {}
  resize(): void {}
  kill(): void {
    this.stopped = true;
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.pump();
  }
}

describe('a terminal client that stops reading', () => {
  it('pauses the shell instead of buffering its output, and resumes when the client reads again', async () => {
    const shells: FloodShell[] = [];
    const spawn: ShellSpawner = async (_s, h) => {
      const shell = new FloodShell(h.onData);
      shells.push(shell);
      return shell;
    };
    const sessions = new SessionManager(new FakeEngine(), new TokenSigner(Buffer.alloc(32, 6)), () => spawn);
    const flooded = createLabServer({ sessions, log: () => {} });
    await new Promise<void>((r) => flooded.server.listen(0, '127.0.0.1', r));
    const p = (flooded.server.address() as AddressInfo).port;
    try {
      const s = await sessions.start('content-sidecar', () => {});
      const ws = new WebSocket(`ws://127.0.0.1:${p}/api/terminal/${s.id}`, offeredProtocols(s.token), {
        origin: `http://127.0.0.1:${p}`,
      });
      await new Promise((r) => ws.on('open', r));
      let received = 0;
      ws.on('message', (d: Buffer) => (received += d.length));
      ws.send(encodeClientControl({ type: 'hello', cols: 80, rows: 24 }));
      for (let i = 0; i < 100 && received < 1024 * 1024; i++) await new Promise((r) => setTimeout(r, 10));
      ws.pause(); // the client stops reading its socket
      for (let i = 0; i < 300 && !shells[0]!.paused; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 300));
      const shell = shells[0]!;
      expect(shell.paused).toBe(true);
      // What the shell produced beyond what the client took is bounded by the queue limits and the
      // kernel's socket buffers, not by how long the client stays stuck.
      const backlog = shell.produced - received;
      await new Promise((r) => setTimeout(r, 500));
      expect(shell.produced - received).toBe(backlog);
      expect(backlog).toBeLessThan(32 * 1024 * 1024);
      ws.resume();
      const before = shell.produced;
      for (let i = 0; i < 300 && shell.produced === before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(shell.produced).toBeGreaterThan(before);
      ws.terminate();
    } finally {
      await flooded.close();
    }
  }, 30_000);
});
