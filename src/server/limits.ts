// Limits that keep one client (or a crowd) from exhausting the server: timeouts for slow or idle
// connections, a total and per-address connection cap, and quiet handling of malformed requests.
//
// Every number has an environment override (see README.md, read by src/config/limits.ts) and a default sized for a workshop room
// of ~50 learners, each with a browser that opens a handful of connections.
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

// The numbers, their defaults and their variables live in the one configuration (src/config/).
export { defaultLimits, limitsFromEnv } from '../config/limits.ts';
export type { ServerLimits } from '../config/limits.ts';
import type { ServerLimits } from '../config/limits.ts';

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
