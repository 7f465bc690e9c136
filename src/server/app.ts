// Wiring: the real engine, sessions, terminal shells and settings from the environment. Used by
// `npm start` (main.ts, with the built site) and by the dev integration (astro dev serves pages).
import { EngineAdapter } from './engine-adapter.ts';
import { kubeShellSpawner } from './kube-shell.ts';
import { SessionManager } from './sessions.ts';
import { PodWatchHub } from './pod-watch.ts';
import { TokenSigner, loadOrCreateSecret } from './tokens.ts';
import { createLabServer, type LabServer } from './server.ts';
import { defaultClusterChoice } from '../cluster/kubeconfig.ts';
import { hostPolicy } from './hosts.ts';
import { limitsFromEnv } from './limits.ts';
import type { TlsMaterial } from './tls.ts';
import { workshopFromEnv } from './workshop/config.ts';
import { createWorkshop, type WorkshopParts } from './workshop/wire.ts';

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

export function createApp(settings: AppSettings = {}): {
  lab: LabServer;
  sessions: SessionManager;
  recover: () => Promise<void>;
  workshop?: WorkshopParts;
} {
  const log = settings.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const idleMs = minutes('SIDECAR_LABS_IDLE_MINUTES', 30 * 60_000);
  const expiryMs = Math.max(idleMs + 5 * 60_000, minutes('SIDECAR_LABS_EXPIRY_MINUTES', 45 * 60_000));
  const maxLifetimeMs = minutes('SIDECAR_LABS_MAX_SESSION_MINUTES', 120 * 60_000);
  const limits = limitsFromEnv();
  const workshopConfig = workshopFromEnv();
  let workshop: WorkshopParts | undefined;
  const engine = new EngineAdapter({
    choice: defaultClusterChoice(),
    ttlSeconds: Math.round(expiryMs / 1000),
    // a room shares the cluster: every session its own NodePort, Start from the warm pool when there is one
    ...(workshopConfig
      ? {
          nodePorts: 'allocate' as const,
          claim: (_e, slug, extras) => workshop?.claim(slug, extras) ?? Promise.resolve(undefined),
        }
      : {}),
  });
  const sessions = new SessionManager(
    engine,
    new TokenSigner(loadOrCreateSecret()),
    (record) => {
      const spawn = kubeShellSpawner(
        () => engine.kubeConfig(),
        () => engine.terminalTarget(record),
      );
      return spawn;
    },
    {
      idleMs,
      expiryMs,
      maxSessions: Number(process.env.SIDECAR_LABS_MAX_SESSIONS) || 50,
      maxSessionsPerClient: limits.maxSessionsPerClient,
      maxLifetimeMs,
      onCheck: (live, step, result) => workshop?.workshop.onCheck(live, step, result),
      onReset: (live) => workshop?.workshop.onReset(live),
    },
  );
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const hosts = hostPolicy({
    hosts: [...(settings.hosts ?? []), ...list(process.env.SIDECAR_LABS_HOSTS)],
    origins: list(process.env.SIDECAR_LABS_ORIGINS),
  });
  if (workshopConfig)
    workshop = createWorkshop({
      config: workshopConfig,
      sessions,
      engine,
      expiryMs,
      hosts,
      log,
      maxSessions: Number(process.env.SIDECAR_LABS_MAX_SESSIONS) || 50,
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
  const recover = async () => {
    try {
      const n = await sessions.recover();
      if (n) log(`lab server: found ${n} running lab session(s) on the cluster`);
    } catch (err) {
      log(
        `lab server: no cluster yet (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); labs start once it is up`,
      );
    }
    workshop?.startPool();
  };
  return { lab, sessions, recover, workshop };
}
