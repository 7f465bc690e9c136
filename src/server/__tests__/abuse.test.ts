// Hostile clients on a real port: connections reset while the server answers, floods of bad
// upgrades. The process must survive all of it and keep answering.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabServer, type LabServer } from '../server.ts';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

let lab: LabServer;
let port: number;
let base: string;

beforeAll(async () => {
  const sessions = new SessionManager(new FakeEngine(), new TokenSigner(Buffer.alloc(32, 5)), () => fakeSpawner().spawn);
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
