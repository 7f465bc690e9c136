// The lab server: one Node http server for the built site, the JSON API and the terminal WebSocket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { handleApi } from './api.ts';
import { staticHandler } from './static-files.ts';
import { terminalUpgradeHandler } from './terminal-socket.ts';
import type { SessionManager } from './sessions.ts';
import type { PodWatchHub } from './pod-watch.ts';

export interface LabServerOptions {
  sessions: SessionManager;
  /** Built site to serve; omit when another server (astro dev) serves pages. */
  distDir?: string;
  /** Extra origins allowed besides the server's own (e.g. a reverse proxy's public URL). */
  allowedOrigins?: readonly string[];
  /** How often idle sessions are swept and expired namespaces reaped. */
  sweepEveryMs?: number;
  log?: (line: string) => void;
  /** Watches behind the live Pod view (GET /api/sessions/<id>/pods). */
  podWatch?: PodWatchHub;
}

export interface LabServer {
  server: Server;
  /** Request handler for the API (and static files when distDir was given); mountable elsewhere. */
  handle: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
  /** Upgrade handler for the terminal WebSocket; returns false for paths that are not ours. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  startSweeper: () => void;
  close: () => Promise<void>;
}

export function createLabServer(opts: LabServerOptions): LabServer {
  const allowedOrigins = opts.allowedOrigins ?? [];
  const log = opts.log ?? ((line) => process.stdout.write(line + '\n'));
  const serveStatic = opts.distDir ? staticHandler(opts.distDir) : undefined;
  const terminal = terminalUpgradeHandler({ sessions: opts.sessions, allowedOrigins });

  const handle: LabServer['handle'] = (req, res, next) => {
    void (async () => {
      if (await handleApi(req, res, { sessions: opts.sessions, allowedOrigins, podWatch: opts.podWatch })) return;
      if (serveStatic) serveStatic(req, res);
      else if (next) next();
      else res.writeHead(404).end();
    })().catch((err: unknown) => {
      log(`lab server: ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  };

  const server = createServer(handle);
  server.on('upgrade', (req, socket, head) => {
    if (!terminal.upgrade(req, socket, head)) socket.destroy();
  });

  let timer: NodeJS.Timeout | undefined;
  let sweeping = false;
  const startSweeper = () => {
    timer = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      opts.sessions
        .sweep()
        .then(({ stopped, reaped }) => {
          if (stopped.length) log(`lab server: stopped idle session(s) ${stopped.join(', ')}`);
          if (reaped.length) log(`lab server: reaped expired namespace(s) of session(s) ${reaped.join(', ')}`);
        })
        .catch((err: unknown) => log(`lab server: sweep failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          sweeping = false;
        });
    }, opts.sweepEveryMs ?? 60_000);
    timer.unref();
  };

  const close = async () => {
    if (timer) clearInterval(timer);
    opts.sessions.closeTerminals();
    opts.podWatch?.closeAll();
    for (const ws of terminal.wss.clients) ws.terminate();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };

  return { server, handle, upgrade: terminal.upgrade, startSweeper, close };
}
