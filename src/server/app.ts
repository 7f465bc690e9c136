// Wiring: the real engine, sessions and terminal shells, from the one configuration (src/config/). Used by
// `npm start` (main.ts, with the built site) and by the dev integration (astro dev serves pages).
import { EngineAdapter } from './engine-adapter.ts';
import { kubeShellSpawner } from './kube-shell.ts';
import { SessionManager } from './sessions.ts';
import { PodWatchHub } from './pod-watch.ts';
import { TokenSigner, loadOrCreateSecret } from './tokens.ts';
import { createLabServer, type LabServer } from './server.ts';
import { hostPolicy } from './hosts.ts';
import type { TlsMaterial } from './tls.ts';
import { fileURLToPath } from 'node:url';
import type { ServerConfig } from '../config/schema.ts';
import { createWorkshop, type WorkshopParts } from './workshop/wire.ts';

export interface AppSettings {
  /** The one configuration, built at the entry point (src/config/load.ts). */
  config: ServerConfig;
  /** Serve the built site from config.distDir (main.ts); astro dev serves pages itself. */
  serveSite?: boolean;
  log?: (line: string) => void;
  /** Names the server answers to besides loopback, IP literals and config.hosts (a `--host` name). */
  hosts?: readonly string[];
  /** Serve HTTPS with this certificate and key (read from config.tls by main.ts). */
  tls?: TlsMaterial;
}

/** The workshop, once it exists (it is made after the engine and sessions that call into it). */
type WorkshopRef = () => WorkshopParts | undefined;

function createEngine(config: ServerConfig, workshop: WorkshopRef): EngineAdapter {
  const workshopConfig = config.workshop;
  return new EngineAdapter({
    choice: config.cluster,
    ttlSeconds: Math.round(config.expiryMs / 1000),
    // a room shares the cluster: every session its own NodePort, Start from the warm pool when there is one
    ...(workshopConfig
      ? {
          nodePorts: 'allocate' as const,
          claim: (_e, slug, extras) => workshop()?.claim(slug, extras) ?? Promise.resolve(undefined),
        }
      : {}),
  });
}

function createSessions(engine: EngineAdapter, config: ServerConfig, workshop: WorkshopRef): SessionManager {
  return new SessionManager(
    engine,
    new TokenSigner(loadOrCreateSecret()),
    (record) =>
      kubeShellSpawner(
        () => engine.kube(),
        () => engine.terminalTarget(record),
      ),
    {
      idleMs: config.idleMs,
      expiryMs: config.expiryMs,
      maxSessions: config.maxSessions,
      maxSessionsPerClient: config.limits.maxSessionsPerClient,
      maxLifetimeMs: config.maxLifetimeMs,
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
    startWorkshopWhenReachable(workshop, log);
  };
}

/** How often the workshop tries again to start its watches and pool while there is no cluster. */
const WORKSHOP_RETRY_MS = 5_000;

/**
 * The workshop's watches and warm pool need the cluster. Without one yet (no kubeconfig while `cluster
 * up` runs in the background), the server serves the course anyway and tries again every few seconds,
 * as `npm start` does; it never ends the process for that.
 */
function startWorkshopWhenReachable(workshop: WorkshopRef, log: (line: string) => void, saidSo = false): void {
  const parts = workshop();
  if (!parts) return;
  try {
    parts.startPool();
    if (saidSo) log('workshop: the cluster is there; watches and warm pool started');
  } catch (err) {
    if (!saidSo)
      log(
        `workshop: waiting for the cluster (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); the course serves meanwhile`,
      );
    setTimeout(() => startWorkshopWhenReachable(workshop, log, true), WORKSHOP_RETRY_MS).unref();
  }
}

export function createApp(settings: AppSettings): {
  lab: LabServer;
  sessions: SessionManager;
  recover: () => Promise<void>;
  workshop?: WorkshopParts;
} {
  const { config } = settings;
  const log = settings.log ?? ((line: string) => process.stdout.write(line + '\n'));
  let workshop: WorkshopParts | undefined;
  const engine = createEngine(config, () => workshop);
  const sessions = createSessions(engine, config, () => workshop);
  const hosts = hostPolicy({ hosts: [...(settings.hosts ?? []), ...config.hosts], origins: config.origins });
  if (config.workshop)
    workshop = createWorkshop({
      config: config.workshop,
      sessions,
      engine,
      expiryMs: config.expiryMs,
      hosts,
      log,
      maxSessions: config.maxSessions,
      timing: config.timing,
    });
  const lab = createLabServer({
    sessions,
    distDir: settings.serveSite
      ? (config.distDir ?? fileURLToPath(new URL('../../dist/', import.meta.url)))
      : undefined,
    hosts,
    limits: config.limits,
    tls: settings.tls,
    log,
    cluster: config.cluster,
    sweepEveryMs: config.sweepEveryMs,
    workshop: workshop?.workshop,
    podWatch: new PodWatchHub((namespace, resource, onChange, onError) =>
      engine.watchObjects(namespace, resource, onChange, onError),
    ),
  });
  return { lab, sessions, recover: recoverer(sessions, log, () => workshop), workshop };
}
