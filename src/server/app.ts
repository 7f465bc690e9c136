// Wiring: the real engine, sessions, terminal shells and settings from the environment. Used by
// `npm start` (main.ts, with the built site) and by the dev integration (astro dev serves pages).
import { EngineAdapter } from './engine-adapter.ts';
import { kubeShellSpawner } from './kube-shell.ts';
import { SessionManager } from './sessions.ts';
import { PodWatchHub } from './pod-watch.ts';
import { TokenSigner, loadOrCreateSecret } from './tokens.ts';
import { createLabServer, type LabServer } from './server.ts';
import { defaultClusterChoice } from '../cluster/kubeconfig.ts';

export interface AppSettings {
  distDir?: string;
  log?: (line: string) => void;
}

function minutes(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v * 60_000 : fallback;
}

export function createApp(settings: AppSettings = {}): { lab: LabServer; sessions: SessionManager; recover: () => Promise<void> } {
  const log = settings.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const idleMs = minutes('SIDECAR_LABS_IDLE_MINUTES', 30 * 60_000);
  const expiryMs = Math.max(idleMs + 5 * 60_000, minutes('SIDECAR_LABS_EXPIRY_MINUTES', 45 * 60_000));
  const engine = new EngineAdapter({ choice: defaultClusterChoice(), ttlSeconds: Math.round(expiryMs / 1000) });
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
    },
  );
  const allowedOrigins = (process.env.SIDECAR_LABS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const sweepSeconds = Number(process.env.SIDECAR_LABS_SWEEP_SECONDS);
  const lab = createLabServer({
    sessions,
    distDir: settings.distDir,
    allowedOrigins,
    log,
    sweepEveryMs: sweepSeconds > 0 ? sweepSeconds * 1000 : 60_000,
    podWatch: new PodWatchHub((namespace, resource, onChange, onError) => engine.watchObjects(namespace, resource, onChange, onError)),
  });
  const recover = async () => {
    try {
      const n = await sessions.recover();
      if (n) log(`lab server: found ${n} running lab session(s) on the cluster`);
    } catch (err) {
      log(`lab server: no cluster yet (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); labs start once it is up`);
    }
  };
  return { lab, sessions, recover };
}
