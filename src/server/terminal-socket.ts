// WebSocket endpoint /api/terminal/<sessionId>: checks Host, Origin and the session token during the
// HTTP upgrade (before any WebSocket exists), then connects the socket to the session's TerminalBridge.
//
// Nothing a client does here can end the process: the raw socket has an error handler from the first
// moment (a reset while the 403 is written is ECONNRESET on a socket nobody listens to otherwise),
// a refused socket is destroyed if the client does not read the answer, output is sent through a
// bounded SendQueue, and a connection gets one hello (one replay of the ring buffer).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { PROTOCOL, decodeClientFrame, encodeServerControl, tokenFromProtocols } from './protocol.ts';
import type { SessionManager } from './sessions.ts';
import type { TerminalPeer } from './terminal-bridge.ts';
import { hostAllowed, originAllowed, type HostPolicy } from './hosts.ts';
import {
  InputGate,
  SendQueue,
  defaultFlowLimits,
  defaultInputLimits,
  type FlowLimits,
  type InputLimits,
} from './backpressure.ts';

const PATH = /^\/api\/terminal\/([A-Za-z0-9-]{8,80})$/;
/** Close code for a protocol violation by the client (RFC 6455: 1008 policy, 1003 unsupported). */
const CLOSE_BAD_MESSAGE = 1008;

/** Answer a refused upgrade; a client that does not read the answer is cut off soon after. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 2_000).unref();
}

function toBytes(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}

export interface TerminalSocketOptions {
  sessions: SessionManager;
  hosts: HostPolicy;
  flow?: FlowLimits;
  input?: InputLimits;
  log?: (line: string) => void;
}

type LiveSession = ReturnType<SessionManager['authorize']>;

/** The browser end of a terminal: output goes through a bounded queue that pauses the shell when full. */
function queuedPeer(
  ws: WebSocket,
  live: LiveSession,
  opts: TerminalSocketOptions,
): { peer: TerminalPeer; queue: SendQueue } {
  const bridge = live.terminal;
  const queue: SendQueue = new SendQueue(
    ws,
    {
      pause: () => bridge.flow(peer, true),
      resume: () => bridge.flow(peer, false),
      tooSlow: () => opts.log?.(`lab server: closed a terminal of session ${live.record.id} that stopped reading`),
    },
    opts.flow ?? defaultFlowLimits,
  );
  const peer: TerminalPeer = {
    sendData: (bytes) => {
      if (ws.readyState === ws.OPEN) queue.send(bytes, true);
    },
    sendControl: (message) => {
      if (ws.readyState === ws.OPEN) queue.send(encodeServerControl(message), false);
    },
    close: (code, reason) => ws.close(code, reason),
  };
  return { peer, queue };
}

/** Handles the browser's frames: hello first and only once, then input for the session's terminal. */
function clientFrameHandler(
  ws: WebSocket,
  live: LiveSession,
  peer: TerminalPeer,
  failed: (err: unknown) => void,
  gate: InputGate,
): (data: RawData, isBinary: boolean) => void {
  const bridge = live.terminal;
  let greeted = false;
  return (data, isBinary) => {
    const frame = decodeClientFrame(toBytes(data), isBinary);
    if (frame.kind === 'invalid') {
      peer.sendControl({ type: 'error', message: frame.error });
      ws.close(CLOSE_BAD_MESSAGE, 'invalid control message');
      return;
    }
    const hello = frame.kind === 'control' && frame.message.type === 'hello';
    // The first frame must be hello (size, where to resume from), and only the first: each hello
    // replays the ring buffer, so repeating it would be a way to make the server send without end.
    if (greeted === hello) {
      ws.close(CLOSE_BAD_MESSAGE, greeted ? 'hello may be sent only once' : 'expected hello first');
      return;
    }
    if (frame.kind === 'control' && frame.message.type === 'hello') {
      greeted = true;
      bridge.attach(peer, frame.message).catch(failed);
      return;
    }
    bridge.handle(peer, frame).catch(failed);
    gate.afterInput();
  };
}

/** Connects an accepted WebSocket to the session's terminal, and detaches it when it goes. */
function connectTerminal(ws: WebSocket, live: LiveSession, opts: TerminalSocketOptions): void {
  const bridge = live.terminal;
  const { peer, queue } = queuedPeer(ws, live, opts);
  const failed = (err: unknown) =>
    opts.log?.(
      `lab server: terminal of session ${live.record.id}: ${err instanceof Error ? err.message : String(err)}`,
    );
  // input the pod does not take yet: stop reading this socket (TCP pushes back on the client)
  const gate = new InputGate(
    ws,
    () => bridge.inputQueued(),
    () => {
      opts.log?.(
        `lab server: closed a terminal of session ${live.record.id} that sent input faster than its shell read it`,
      );
      ws.terminate(); // a close handshake would need this paused socket read again
    },
    opts.input ?? defaultInputLimits,
  );
  ws.on('message', clientFrameHandler(ws, live, peer, failed, gate));
  const gone = () => {
    gate.close();
    queue.close();
    bridge.detach(peer);
  };
  ws.on('close', gone);
  ws.on('error', gone);
}

/** The subprotocols the client offered (one of them carries the session token). */
function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
    socket.on('error', () => socket.destroy());
    if (!hostAllowed(opts.hosts, req.headers.host) || !originAllowed(opts.hosts, req.headers)) {
      refuseUpgrade(socket, 403, 'Forbidden');
      return true;
    }
    const token = tokenFromProtocols(offeredProtocols(req));
    // A session another server process started is found on the cluster (sessions live there).
    opts.sessions.authorizeShared(m[1]!, token).then(
      (live) => wss.handleUpgrade(req, socket, head, (ws) => connectTerminal(ws, live, opts)),
      () => refuseUpgrade(socket, 403, 'Forbidden'),
    );
    return true;
  }

  return { upgrade, wss };
}
