// Limits that keep one client (or a crowd) from exhausting the server: timeouts for slow or idle
// connections, a total and per-address connection cap, and quiet handling of malformed requests.
//
// Every number has an environment override (see README.md) and a default sized for a workshop room
// of ~50 learners, each with a browser that opens a handful of connections.
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

export interface ServerLimits {
  /** Time allowed to send the request headers (slowloris). */
  headersTimeoutMs: number;
  /** Time allowed to send a whole request (headers and body); responses may stream longer. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Requests served on one keep-alive connection before it is closed. */
  maxRequestsPerSocket: number;
  /** Open connections in total, 0 = no cap (keep it below the process's file descriptor limit). */
  maxConnections: number;
  /** Open connections from one remote address. */
  maxConnectionsPerClient: number;
  /** Live lab sessions started from one remote address (0 = no limit); loopback is not limited. */
  maxSessionsPerClient: number;
}

export const defaultLimits: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  maxConnections: 800,
  maxConnectionsPerClient: 200,
  maxSessionsPerClient: 3,
};

/** Limits from SIDECAR_LABS_* variables; a value that is not a non-negative number keeps the default. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ServerLimits {
  const num = (name: string, fallback: number, scale = 1) => {
    const raw = env[name];
    const v = Number(raw);
    return raw !== undefined && raw.trim() !== '' && Number.isFinite(v) && v >= 0 ? v * scale : fallback;
  };
  return {
    headersTimeoutMs: num('SIDECAR_LABS_HEADERS_TIMEOUT_SECONDS', defaultLimits.headersTimeoutMs, 1000),
    requestTimeoutMs: num('SIDECAR_LABS_REQUEST_TIMEOUT_SECONDS', defaultLimits.requestTimeoutMs, 1000),
    keepAliveTimeoutMs: num('SIDECAR_LABS_KEEPALIVE_SECONDS', defaultLimits.keepAliveTimeoutMs, 1000),
    maxRequestsPerSocket: num('SIDECAR_LABS_MAX_REQUESTS_PER_CONNECTION', defaultLimits.maxRequestsPerSocket),
    maxConnections: num('SIDECAR_LABS_MAX_CONNECTIONS', defaultLimits.maxConnections),
    maxConnectionsPerClient: num('SIDECAR_LABS_MAX_CONNECTIONS_PER_CLIENT', defaultLimits.maxConnectionsPerClient),
    maxSessionsPerClient: num('SIDECAR_LABS_SESSIONS_PER_CLIENT', defaultLimits.maxSessionsPerClient),
  };
}

/** The key a client is counted under: its address (an IPv4-mapped IPv6 address as plain IPv4). */
export function clientKey(address: string | undefined): string {
  const a = address ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Count open connections per address and refuse the ones past the caps. */
function capConnections(server: Server | HttpsServer, limits: ServerLimits): void {
  const open = new Map<string, number>();
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections; // Node drops the rest itself
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => {}); // a reset before any request: nothing to answer
    const key = clientKey(socket.remoteAddress);
    const n = (open.get(key) ?? 0) + 1;
    if (limits.maxConnectionsPerClient > 0 && n > limits.maxConnectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(key, n);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
}

/** Apply timeouts and caps to an http(s) server; malformed or timed-out requests get a short answer. */
export function applyLimits(server: Server | HttpsServer, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  capConnections(server, limits);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Bad HTTP, header timeouts, resets: answer if the socket can still take it, then drop it.
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    if (socket.writable && err.code !== 'ECONNRESET') {
      socket.end(
        `HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
    }
    socket.destroy();
  });
}
