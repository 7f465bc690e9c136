// The server's connection limits: their defaults, sized for a workshop room of ~50 learners each with
// a browser that opens a handful of connections, and their SIDECAR_LABS_* overrides (src/server/limits.ts applies them).
import type { z } from 'zod';
import type { LimitsSchema } from './schema.ts';

export type ServerLimits = z.infer<typeof LimitsSchema>;

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
export function limitsFromEnv(env: NodeJS.ProcessEnv): ServerLimits {
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
