// Builds the ServerConfig (schema.ts) once, at an entry point: a flag wins over its variable, a
// variable over the default. A bad value is a usage error that names the flag or variable and what
// was expected; nothing starts half-configured.
import { UserError } from '../errors.ts';
import { DEFAULT_MAX_SESSIONS } from './defaults.ts';
import { limitsFromEnv } from './limits.ts';
import { workshopFromEnv } from './workshop.ts';
import { ServerConfigSchema, type ServerConfig, type WorkshopSettings } from './schema.ts';

/** What an entry point's flags say; each one, when given, replaces its variable. */
export interface ConfigFlags {
  port?: number;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureHttp?: boolean;
  cluster?: 'kind' | 'current';
  maxSessions?: number;
  /** The workshop command's settings (workshop mode on), replacing SIDECAR_LABS_WORKSHOP_CODE etc. */
  workshop?: WorkshopSettings;
}

/** Defaults that differ per entry point (the workshop listens on every interface). */
export interface ConfigDefaults {
  host?: string;
  maxSessions?: number;
}

/** Where each setting comes from, for error messages. */
const SOURCE: Record<string, string> = {
  port: '--port / PORT',
  host: '--host / HOST',
  tls: '--tls-cert and --tls-key / SIDECAR_LABS_TLS_CERT and SIDECAR_LABS_TLS_KEY',
  cluster: '--cluster / SIDECAR_LABS_CLUSTER',
  maxSessions: '--max-sessions / SIDECAR_LABS_MAX_SESSIONS',
  workshop: 'the workshop settings (SIDECAR_LABS_WORKSHOP_CODE, SIDECAR_LABS_INSTRUCTOR_SECRET, SIDECAR_LABS_RESERVE)',
};

function configError(message: string): UserError {
  return new UserError('usage', message);
}

/** A comma-separated setting as a list, blanks dropped. */
function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Minutes from a variable as ms; not a positive number: the default. */
function minutes(env: NodeJS.ProcessEnv, name: string, fallbackMinutes: number): number {
  const v = Number(env[name]);
  return (Number.isFinite(v) && v > 0 ? v : fallbackMinutes) * 60_000;
}

/** PORT, strictly: unset or empty is the default, anything else must be a port number. */
function envPort(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT?.trim();
  if (!raw) return 4321;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw configError(`PORT=${raw}: expected a port number from 1 to 65535`);
  return n;
}

function tlsFiles(flags: ConfigFlags, env: NodeJS.ProcessEnv): ServerConfig['tls'] {
  const cert = flags.tlsCert ?? (env.SIDECAR_LABS_TLS_CERT || undefined);
  const key = flags.tlsKey ?? (env.SIDECAR_LABS_TLS_KEY || undefined);
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw configError(
      'HTTPS needs both a certificate and its key: pass --tls-cert <file> and --tls-key <file> (or set SIDECAR_LABS_TLS_CERT and SIDECAR_LABS_TLS_KEY)',
    );
  return { cert, key };
}

/** The server's configuration from `flags` and `env`; throws a UserError ('usage') on a bad value. */
export function serverConfig(
  env: NodeJS.ProcessEnv,
  flags: ConfigFlags = {},
  defaults: ConfigDefaults = {},
): ServerConfig {
  const idleMs = minutes(env, 'SIDECAR_LABS_IDLE_MINUTES', 30);
  const sweepSeconds = Number(env.SIDECAR_LABS_SWEEP_SECONDS);
  const cluster = flags.cluster ?? (env.SIDECAR_LABS_CLUSTER === 'current' ? 'current' : 'kind');
  const raw = {
    port: flags.port ?? envPort(env),
    host: flags.host ?? (env.HOST || defaults.host || '127.0.0.1'),
    distDir: env.SIDECAR_LABS_DIST || undefined,
    tls: tlsFiles(flags, env),
    insecureHttp: flags.insecureHttp || env.SIDECAR_LABS_INSECURE_HTTP === '1',
    hosts: list(env.SIDECAR_LABS_HOSTS),
    origins: list(env.SIDECAR_LABS_ORIGINS),
    cluster,
    idleMs,
    expiryMs: Math.max(idleMs + 5 * 60_000, minutes(env, 'SIDECAR_LABS_EXPIRY_MINUTES', 45)),
    maxLifetimeMs: minutes(env, 'SIDECAR_LABS_MAX_SESSION_MINUTES', 120),
    maxSessions:
      flags.maxSessions ?? (Number(env.SIDECAR_LABS_MAX_SESSIONS) || defaults.maxSessions || DEFAULT_MAX_SESSIONS),
    sweepEveryMs: sweepSeconds > 0 ? sweepSeconds * 1000 : 60_000,
    timing: env.SIDECAR_LABS_TIMING === '1',
    limits: limitsFromEnv(env),
    workshop: flags.workshop ?? workshopFromEnv(env),
  };
  const parsed = ServerConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? '');
  throw configError(`${SOURCE[field] ?? field}: ${issue.message}`);
}
