// Wiring: the real engine, sessions, terminal shells and settings from the environment. Used by
// `npm start` (main.ts, with the built site) and by the dev integration (astro dev serves pages).
import { EngineAdapter } from './engine-adapter.ts';
import { kubeShellSpawner } from './kube-shell.ts';
import { SessionManager } from './sessions.ts';
import { PodWatchHub } from './pod-watch.ts';
import { TokenSigner, loadOrCreateSecret } from './tokens.ts';
import { createLabServer, type LabServer } from './server.ts';
import { defaultClusterChoice } from '../kube/index.ts';
import { hostPolicy } from './hosts.ts';
import { limitsFromEnv, type ServerLimits } from './limits.ts';
import type { TlsMaterial } from './tls.ts';
import { workshopFromEnv, type WorkshopConfig } from './workshop/config.ts';
import { createWorkshop, type WorkshopParts } from './workshop/wire.ts';
import { maxSessionsSetting } from '../engine/index.ts';

export interface AppSettings {
  distDir?: string;
  log?: (line: string) => void;
  /** Names the server answers to besides loopback and IP literals (plus SIDECAR_LABS_HOSTS). */
  hosts?: readonly string[];
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsMaterial;
}

function minutes(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v * 60_000 : fallback;
}

/** How long sessions live: idle cut-off, namespace expiry (always past the idle cut-off), hard maximum. */
function sessionTimes(): { idleMs: number; expiryMs: number; maxLifetimeMs: number } {
  const idleMs = minutes('SIDECAR_LABS_IDLE_MINUTES', 30 * 60_000);
  const expiryMs = Math.max(idleMs + 5 * 60_000, minutes('SIDECAR_LABS_EXPIRY_MINUTES', 45 * 60_000));
  const maxLifetimeMs = minutes('SIDECAR_LABS_MAX_SESSION_MINUTES', 120 * 60_000);
  return { idleMs, expiryMs, maxLifetimeMs };
}

function maxSessions(): number {
  return maxSessionsSetting();
}

/** A comma-separated setting as a list, blanks dropped. */
function envList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The workshop, once it exists (it is made after the engine and sessions that call into it). */
type WorkshopRef = () => WorkshopParts | undefined;

function createEngine(
  expiryMs: number,
  workshopConfig: WorkshopConfig | undefined,
  workshop: WorkshopRef,
): EngineAdapter {
  return new EngineAdapter({
    choice: defaultClusterChoice(),
    ttlSeconds: Math.round(expiryMs / 1000),
    // a room shares the cluster: every session its own NodePort, Start from the warm pool when there is one
    ...(workshopConfig
      ? {
          nodePorts: 'allocate' as const,
          claim: (_e, slug, extras) => workshop()?.claim(slug, extras) ?? Promise.resolve(undefined),
        }
      : {}),
  });
}

function createSessions(
  engine: EngineAdapter,
  times: ReturnType<typeof sessionTimes>,
  limits: ServerLimits,
  workshop: WorkshopRef,
): SessionManager {
  return new SessionManager(
    engine,
    new TokenSigner(loadOrCreateSecret()),
    (record) =>
      kubeShellSpawner(
        () => engine.kube(),
        () => engine.terminalTarget(record),
      ),
    {
      idleMs: times.idleMs,
      expiryMs: times.expiryMs,
      maxSessions: maxSessions(),
      maxSessionsPerClient: limits.maxSessionsPerClient,
      maxLifetimeMs: times.maxLifetimeMs,
      onCheck: (live, step, result) => workshop()?.workshop.onCheck(live, step, result),
      onReset: (live) => workshop()?.workshop.onReset(live),
    },
  );
}

/** Finds the sessions a previous server left running, then fills the workshop's warm pool (if any). */
function recoverer(sessions: SessionManager, log: (line: string) => void, workshop: WorkshopRef) {
  return async () => {
    try {
      const n = await sessions.recover();
      if (n) log(`lab server: found ${n} running lab session(s) on the cluster`);
    } catch (err) {
      log(
        `lab server: no cluster yet (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); labs start once it is up`,
      );
    }
    workshop()?.startPool();
  };
}

export function createApp(settings: AppSettings = {}): {
  lab: LabServer;
  sessions: SessionManager;
  recover: () => Promise<void>;
  workshop?: WorkshopParts;
} {
  const log = settings.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const times = sessionTimes();
  const limits = limitsFromEnv();
  const workshopConfig = workshopFromEnv();
  let workshop: WorkshopParts | undefined;
  const engine = createEngine(times.expiryMs, workshopConfig, () => workshop);
  const sessions = createSessions(engine, times, limits, () => workshop);
  const hosts = hostPolicy({
    hosts: [...(settings.hosts ?? []), ...envList(process.env.SIDECAR_LABS_HOSTS)],
    origins: envList(process.env.SIDECAR_LABS_ORIGINS),
  });
  if (workshopConfig)
    workshop = createWorkshop({
      config: workshopConfig,
      sessions,
      engine,
      expiryMs: times.expiryMs,
      hosts,
      log,
      maxSessions: maxSessions(),
      timing: process.env.SIDECAR_LABS_TIMING === '1',
    });
  const sweepSeconds = Number(process.env.SIDECAR_LABS_SWEEP_SECONDS);
  const lab = createLabServer({
    sessions,
    distDir: settings.distDir,
    hosts,
    limits,
    tls: settings.tls,
    log,
    sweepEveryMs: sweepSeconds > 0 ? sweepSeconds * 1000 : 60_000,
    workshop: workshop?.workshop,
    podWatch: new PodWatchHub((namespace, resource, onChange, onError) =>
      engine.watchObjects(namespace, resource, onChange, onError),
    ),
  });
  return { lab, sessions, recover: recoverer(sessions, log, () => workshop), workshop };
}
