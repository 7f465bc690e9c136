// Workshop mode's parts for one server process: the routes, and the warm pool when --reserve > 0.
import { WarmPool } from '../../engine/index.ts';
import type { SessionInfo } from '../../engine/index.ts';
import type { StartExtras } from '../engine-port.ts';
import { Workshop, type WorkshopDeps } from './workshop.ts';

export interface WorkshopParts {
  workshop: Workshop;
  pool?: WarmPool;
  /** A ready session from the pool for this learner, or undefined (then Start builds one). */
  claim(slug: string, extras: StartExtras | undefined): Promise<SessionInfo | undefined>;
  /** Begin following the cluster (banner, terminal-view requests) and refilling the pool (after the server listens). */
  startPool(): void;
}

export function createWorkshop(deps: WorkshopDeps & { maxSessions: number }): WorkshopParts {
  const workshop = new Workshop(deps);
  let pool: WarmPool | undefined;
  const poolFor = () => {
    if (deps.config.reserve <= 0) return undefined;
    pool ??= new WarmPool(deps.engine.engineNow(), {
      reserve: deps.config.reserve,
      slugs: deps.engine.labSlugs().filter((s) => !deps.config.poolLabs || deps.config.poolLabs.includes(s)),
      ttlSeconds: Math.round(deps.expiryMs / 1000),
      // the pool counts against the session cap: learners' sessions first
      roomFor: (poolSize) => deps.sessions.size + poolSize < deps.maxSessions,
      // a shell waits in every ready pool session: the claimer's prompt is already on screen
      onReady: (ready) => deps.sessions.syncWarmShells(ready.map((r) => ({ namespace: r.name, slug: r.slug }))),
      log: deps.log,
    });
    return pool;
  };
  return {
    workshop,
    get pool() {
      return pool;
    },
    claim: async (slug, extras) => {
      const p = poolFor();
      if (!p) return undefined;
      try {
        const t0 = performance.now();
        const { info, timing: t } = await p.claimTimed(slug, extras);
        // SIDECAR_LABS_TIMING=1: where a claim spent its time (bench/workshop.ts sets it)
        if (deps.timing)
          deps.log(
            `warm pool: claim ${info ? info.namespace : 'missed'} in ${Math.round(performance.now() - t0)} ms (${t.fromWatch ? 'ready list from the watch' : 'listed'} ${Math.round(t.listMs)} ms, ${t.tries} patch(es) ${Math.round(t.patchMs)} ms)`,
          );
        return info;
      } catch (e) {
        deps.log(`warm pool: claim failed, starting a fresh session: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    },
    startPool: () => {
      workshop.startWatches();
      poolFor()?.start();
    },
  };
}
