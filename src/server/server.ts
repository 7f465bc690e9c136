// The lab server: one Node http(s) server for the built site, the JSON API and the terminal WebSocket.
//
// Every request and upgrade passes the Host check (hosts.ts) first and gets the security headers
// (headers.ts); connections are bounded by limits.ts; TLS material, when given, makes it HTTPS.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { handleApi } from './api.ts';
import { staticHandler } from './static-files.ts';
import { refuseUpgrade, terminalUpgradeHandler } from './terminal-socket.ts';
import type { SessionManager } from './sessions.ts';
import { hostAllowed, hostPolicy, type HostPolicy } from './hosts.ts';
import { applyHeaders, contentSecurityPolicy, securityHeaders } from './headers.ts';
import { applyLimits, defaultLimits, type ServerLimits } from './limits.ts';
import type { TlsMaterial } from './tls.ts';
import type { FlowLimits } from './backpressure.ts';
import type { PodWatchHub } from './pod-watch.ts';
import type { ClusterChoice } from '../kube/index.ts';

/** Set on every answer of the lab server; src/client/cluster-status.ts reads it. */
export const LAB_SERVER_COOKIE = 'sidecar-labs-server';

export interface LabServerOptions {
  sessions: SessionManager;
  /** Built site to serve; omit when another server (astro dev) serves pages. */
  distDir?: string;
  /** Extra origins allowed besides the server's own (e.g. a reverse proxy's public URL). */
  allowedOrigins?: readonly string[];
  /** Host names and origins served; default: loopback names, IP literals and allowedOrigins' hosts. */
  hosts?: HostPolicy;
  /** Timeouts and connection caps (limits.ts); defaults when omitted. */
  limits?: Partial<ServerLimits>;
  /** Back-pressure limits of terminal connections (backpressure.ts). */
  flow?: FlowLimits;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsMaterial;
  /** How often idle sessions are swept and expired namespaces reaped. */
  sweepEveryMs?: number;
  log?: (line: string) => void;
  /** Workshop mode: its routes (join, roster, instructor) and the instructor's terminal view. */
  workshop?: {
    handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  };
  /** Watches behind the live Pod view (GET /api/sessions/<id>/pods). */
  podWatch?: PodWatchHub;
  /** The cluster GET /api/cluster reports on (default kind). */
  cluster?: ClusterChoice;
}

export interface LabServer {
  server: Server | HttpsServer;
  /** Request handler for the API (and static files when distDir was given); mountable elsewhere. */
  handle: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;
  /** Upgrade handler for the terminal WebSocket; returns false for paths that are not ours. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  startSweeper: () => void;
  close: () => Promise<void>;
}

/** Every `everyMs`: stop idle and time-limited sessions, reap expired namespaces (one sweep at a time). */
function sweeper(
  sessions: SessionManager,
  everyMs: number,
  log: (line: string) => void,
): { start: () => void; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let sweeping = false;
  const once = () => {
    if (sweeping) return;
    sweeping = true;
    sessions
      .sweep()
      .then(({ stopped, reaped }) => {
        if (stopped.length) log(`lab server: stopped idle or time-limited session(s) ${stopped.join(', ')}`);
        if (reaped.length) log(`lab server: reaped expired namespace(s) of session(s) ${reaped.join(', ')}`);
      })
      .catch((err: unknown) => log(`lab server: sweep failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        sweeping = false;
      });
  };
  return {
    start: () => {
      timer = setInterval(once, everyMs);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}

function refuseHost(req: IncomingMessage, res: ServerResponse): void {
  const text =
    `This server does not answer to the host name in the address (${String(req.headers.host ?? '').slice(0, 100)}). ` +
    'If you run it for others under a public name, start it with SIDECAR_LABS_HOSTS=that.name.\n';
  res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);
}

export function createLabServer(opts: LabServerOptions): LabServer {
  const hosts = opts.hosts ?? hostPolicy({ origins: opts.allowedOrigins ?? [] });
  const log = opts.log ?? ((line) => process.stdout.write(line + '\n'));
  const serveStatic = opts.distDir ? staticHandler(opts.distDir) : undefined;
  const terminal = terminalUpgradeHandler({ sessions: opts.sessions, hosts, flow: opts.flow, log });
  const headers = securityHeaders(contentSecurityPolicy({ inlineScripts: [] }), opts.tls !== undefined);
  // Under astro dev, Vite serves the pages (with its own inline scripts): no CSP from us there.
  const devHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'content-security-policy'));

  const handle: LabServer['handle'] = (req, res, next) => {
    applyHeaders(res, next ? devHeaders : headers);
    // A flag, not a secret: the pages ask for the lab API (GET /api/cluster) only where a lab server serves them.
    res.appendHeader('set-cookie', `${LAB_SERVER_COOKIE}=1; Path=/; SameSite=Strict`);
    if (!hostAllowed(hosts, req.headers.host)) {
      refuseHost(req, res);
      return;
    }
    void (async () => {
      if (opts.workshop && (await opts.workshop.handle(req, res))) return;
      if (
        await handleApi(req, res, {
          sessions: opts.sessions,
          hosts,
          podWatch: opts.podWatch,
          cluster: opts.cluster ?? 'kind',
        })
      )
        return;
      if (serveStatic) await serveStatic(req, res);
      else if (next) next();
      else res.writeHead(404).end();
    })().catch((err: unknown) => {
      log(`lab server: ${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };

  const limits = { ...defaultLimits, ...opts.limits };
  // How often Node looks for requests past their header/request timeout (its default is 30 s).
  const connectionsCheckingInterval = Math.max(100, Math.min(5_000, limits.headersTimeoutMs / 4));
  const server = opts.tls
    ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key, connectionsCheckingInterval }, handle)
    : createServer({ connectionsCheckingInterval }, handle);
  applyLimits(server, limits);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!terminal.upgrade(req, socket, head) && !opts.workshop?.upgrade(req, socket, head))
      refuseUpgrade(socket, 404, 'Not Found');
  });

  const sweep = sweeper(opts.sessions, opts.sweepEveryMs ?? 60_000, log);

  const close = async () => {
    sweep.stop();
    opts.sessions.closeTerminals();
    opts.podWatch?.closeAll();
    for (const ws of terminal.wss.clients) ws.terminate();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };

  return { server, handle, upgrade: terminal.upgrade, startSweeper: sweep.start, close };
}
