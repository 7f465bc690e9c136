// WebSocket /api/instructor/watch/<sessionId>: a read-only view of a learner's terminal. The
// instructor's secret rides in the subprotocol list (browsers cannot set headers on a WebSocket);
// the socket subscribes to the session's terminal bridge as a watcher: it receives output, and any
// frame it sends is ignored (never written to the learner's shell).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL, encodeServerControl, tokenFromProtocols } from '../protocol.ts';
import { originAllowed } from '../http-util.ts';
import { hostAllowed } from '../hosts.ts';
import { refuseUpgrade } from '../terminal-socket.ts';
import type { TerminalPeer } from '../terminal-bridge.ts';
import type { WorkshopFace as Workshop } from './face.ts';
import type { LiveSession } from '../sessions.ts';

const PATH = /^\/api\/instructor\/watch\/([A-Za-z0-9-]{8,80})$/;

const refuse = refuseUpgrade;

export function watchUpgradeHandler(w: Workshop) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (offered) => (offered.has(PROTOCOL) ? PROTOCOL : false),
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const m = PATH.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) return false;
    const offered = (req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      if (!hostAllowed(w.deps.hosts, req.headers.host) || !originAllowed(req, w.deps.hosts)) throw new Error('origin');
      w.requireInstructor(tokenFromProtocols(offered));
    } catch {
      refuse(socket, 403, 'Forbidden');
      return true;
    }
    w.deps.sessions.byId(m[1]!).then(
      (live) => {
        if (!live) return refuse(socket, 404, 'Not Found');
        wss.handleUpgrade(req, socket, head, (ws) => connect(ws, live));
      },
      () => refuse(socket, 503, 'Service Unavailable'),
    );
    return true;
  }

  function connect(ws: WebSocket, live: LiveSession): void {
    const peer: TerminalPeer = {
      sendData: (bytes) => {
        if (ws.readyState === ws.OPEN && ws.bufferedAmount < 1 << 20) ws.send(bytes, { binary: true });
      },
      sendControl: (message) => {
        if (ws.readyState === ws.OPEN) ws.send(encodeServerControl(message), { binary: false });
      },
      close: (code, reason) => ws.close(code, reason),
    };
    // the learner's shell runs here: watch it directly; else another process runs it: follow its
    // view through the cluster (view-relay.ts)
    const bridge = live.terminal;
    let end: () => void;
    if (bridge.running) {
      bridge.watch(peer);
      end = () => bridge.unwatch(peer);
    } else end = w.relay.follow(live, peer);
    // read-only: whatever the viewer sends is dropped here, never reaching the shell
    ws.on('message', () => {});
    ws.on('close', end);
    ws.on('error', end);
  }

  return { upgrade, wss };
}
