// WebSocket endpoint /api/terminal/<sessionId>: checks Origin and the session token during the HTTP
// upgrade (before any WebSocket exists), then connects the socket to the session's TerminalBridge.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { PROTOCOL, decodeClientFrame, encodeServerControl, tokenFromProtocols } from './protocol.ts';
import type { SessionManager } from './sessions.ts';
import type { TerminalPeer } from './terminal-bridge.ts';
import { originAllowed } from './http-util.ts';

const PATH = /^\/api\/terminal\/([A-Za-z0-9-]{8,80})$/;
/** Close code for a protocol violation by the client (RFC 6455: 1008 policy, 1003 unsupported). */
const CLOSE_BAD_MESSAGE = 1008;

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function toBytes(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}

export interface TerminalSocketOptions {
  sessions: SessionManager;
  allowedOrigins: readonly string[];
}

export function terminalUpgradeHandler(opts: TerminalSocketOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // Echo our protocol back only; the token entry is never selected (nor reflected).
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = PATH.exec(url.pathname);
    if (!m) return false;
    if (!originAllowed(req, opts.allowedOrigins)) {
      refuse(socket, 403, 'Forbidden');
      return true;
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const token = tokenFromProtocols(offered);
    // A session another server process started is found on the cluster (sessions live there).
    opts.sessions.authorizeShared(m[1]!, token).then(
      (live) => wss.handleUpgrade(req, socket, head, (ws) => connect(ws, live)),
      () => refuse(socket, 403, 'Forbidden'),
    );
    return true;
  }

  function connect(ws: WebSocket, live: ReturnType<SessionManager['authorize']>): void {
    const bridge = live.terminal;
    const peer: TerminalPeer = {
      sendData: (bytes) => {
        if (ws.readyState === ws.OPEN) ws.send(bytes, { binary: true });
      },
      sendControl: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeServerControl(message), { binary: false });
      },
      close: (code, reason) => ws.close(code, reason),
    };
    let greeted = false;
    ws.on('message', (data, isBinary) => {
      const frame = decodeClientFrame(toBytes(data), isBinary);
      if (frame.kind === 'invalid') {
        peer.sendControl({ type: 'error', message: frame.error });
        ws.close(CLOSE_BAD_MESSAGE, 'invalid control message');
        return;
      }
      if (!greeted) {
        // The first frame must be hello (it carries the size and where to resume from).
        if (frame.kind !== 'control' || frame.message.type !== 'hello') {
          ws.close(CLOSE_BAD_MESSAGE, 'expected hello first');
          return;
        }
        greeted = true;
        void bridge.attach(peer, frame.message);
        return;
      }
      void bridge.handle(peer, frame);
    });
    ws.on('close', () => bridge.detach(peer));
    ws.on('error', () => bridge.detach(peer));
  }

  return { upgrade, wss };
}
