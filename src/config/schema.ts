// The lab server's one typed configuration. Built once at an entry point (`npm start` →
// scripts/start.ts, `node src/server/main.ts`, `sidecar-labs workshop`, `astro dev`) from its flags
// and the SIDECAR_LABS_* environment (src/config/load.ts), then passed down: nothing below the entry
// points reads process.env for these settings. Each field names the flag and variable it comes from.
import { z } from 'zod';

/** A TCP port. */
const port = z.number().int().min(1).max(65535);

/** Timeouts and connection caps of the http(s) server (src/server/limits.ts); 0 turns a cap off. */
export const LimitsSchema = z.object({
  /** Time allowed to send the request headers, ms. `SIDECAR_LABS_HEADERS_TIMEOUT_SECONDS` (10). */
  headersTimeoutMs: z.number().nonnegative(),
  /** Time allowed to send a whole request, ms. `SIDECAR_LABS_REQUEST_TIMEOUT_SECONDS` (30). */
  requestTimeoutMs: z.number().nonnegative(),
  /** An idle keep-alive connection is closed after this, ms. `SIDECAR_LABS_KEEPALIVE_SECONDS` (5). */
  keepAliveTimeoutMs: z.number().nonnegative(),
  /** Requests on one keep-alive connection. `SIDECAR_LABS_MAX_REQUESTS_PER_CONNECTION` (1,000). */
  maxRequestsPerSocket: z.number().nonnegative(),
  /** Open connections in total. `SIDECAR_LABS_MAX_CONNECTIONS` (800). */
  maxConnections: z.number().nonnegative(),
  /** Open connections from one address. `SIDECAR_LABS_MAX_CONNECTIONS_PER_CLIENT` (200). */
  maxConnectionsPerClient: z.number().nonnegative(),
  /** Live sessions from one address, loopback exempt. `SIDECAR_LABS_SESSIONS_PER_CLIENT` (3). */
  maxSessionsPerClient: z.number().nonnegative(),
});

/** Workshop mode (src/server/workshop/): on when an event code is set. */
export const WorkshopSchema = z.object({
  /** The event code learners type, normalized. `--code`, `SIDECAR_LABS_WORKSHOP_CODE`. */
  code: z.string().min(4),
  /** The instructor's own secret (≥ 16 characters). `SIDECAR_LABS_INSTRUCTOR_SECRET`. */
  instructorSecret: z.string().min(16),
  /** Ready sessions kept per lab (the warm pool). `--reserve`, `SIDECAR_LABS_RESERVE` (0). */
  reserve: z.number().int().min(0).max(50),
  /** The labs the warm pool prepares (default all). `--pool-labs`, `SIDECAR_LABS_POOL_LABS`. */
  poolLabs: z.array(z.string()).optional(),
});

export const ServerConfigSchema = z.object({
  /** Port to listen on. `--port`, `PORT` (4321). */
  port,
  /** Address or name to listen on. `--host`, `HOST` (127.0.0.1; the workshop: 0.0.0.0). */
  host: z.string().min(1),
  /** The built site to serve (default dist/); none under `astro dev`. `SIDECAR_LABS_DIST`. */
  distDir: z.string().optional(),
  /** HTTPS: PEM certificate and key files. `--tls-cert`/`--tls-key`, `SIDECAR_LABS_TLS_CERT`/`_KEY`. */
  tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /**
   * Serve plain HTTP on an address other machines reach. Refused without it: tokens, keystrokes and
   * the instructor's key would cross the network in clear. `--insecure-http`, `SIDECAR_LABS_INSECURE_HTTP=1`.
   */
  insecureHttp: z.boolean(),
  /** Host names served besides loopback names and IP literals. `SIDECAR_LABS_HOSTS` (+ a `--host` name). */
  hosts: z.array(z.string()),
  /** Origins allowed besides the server's own, e.g. a reverse proxy's. `SIDECAR_LABS_ORIGINS`. */
  origins: z.array(z.string()),
  /** The kind cluster, or the one of your kubeconfig. `--cluster`, `SIDECAR_LABS_CLUSTER` (kind). */
  cluster: z.enum(['kind', 'current']),
  /** A session with no activity this long is stopped, ms. `SIDECAR_LABS_IDLE_MINUTES` (30). */
  idleMs: z.number().positive(),
  /** How far ahead a namespace's expiry is pushed, ms; always past idleMs. `SIDECAR_LABS_EXPIRY_MINUTES` (45). */
  expiryMs: z.number().positive(),
  /** A session ends this long after it began, however active, ms. `SIDECAR_LABS_MAX_SESSION_MINUTES` (120). */
  maxLifetimeMs: z.number().positive(),
  /** Live sessions at most. `--max-sessions`, `SIDECAR_LABS_MAX_SESSIONS` (50; the workshop: 40). */
  maxSessions: z.number().int().positive(),
  /** How often idle sessions are swept and expired namespaces reaped, ms. `SIDECAR_LABS_SWEEP_SECONDS` (60). */
  sweepEveryMs: z.number().positive(),
  /** Log the time each workshop Start took. `SIDECAR_LABS_TIMING=1`. */
  timing: z.boolean(),
  limits: LimitsSchema,
  workshop: WorkshopSchema.optional(),
});

export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type WorkshopSettings = z.infer<typeof WorkshopSchema>;
