// What the workshop's route files (instructor-api.ts, watch-socket.ts) need of a Workshop: its
// dependencies and a few operations. They import this, not workshop.ts, so workshop.ts can register
// them without an import cycle.
import type { HostPolicy } from '../hosts.ts';
import type { SessionManager } from '../sessions.ts';
import type { EngineAdapter } from '../engine-adapter.ts';
import type { WorkshopConfig } from './config.ts';
import type { BannerStore } from './banner-store.ts';
import type { ViewRelay, RelayKube } from './view-relay.ts';
import type { GuessLimits } from './guess-limiter.ts';

export interface WorkshopDeps {
  config: WorkshopConfig;
  sessions: SessionManager;
  engine: EngineAdapter;
  expiryMs: number;
  hosts: HostPolicy;
  log: (line: string) => void;
  /** Log where a Start spends its time (SIDECAR_LABS_TIMING=1). */
  timing?: boolean;
  /** The cluster calls of the banner and the terminal-view relay (default: the engine's Kube). */
  kube?: () => RelayKube;
  /** Wrong event codes allowed per address (default: guess-limiter.ts). */
  guessLimits?: GuessLimits;
}

/** The workshop as its routes see it (implemented by Workshop). */
export interface WorkshopFace {
  readonly deps: WorkshopDeps;
  readonly banner: BannerStore;
  readonly relay: ViewRelay;
  /** Throws a 401 HttpError unless `token` is the instructor key. */
  requireInstructor(token: string | undefined): void;
  rosterView(): Promise<object>;
  csv(): Promise<string>;
}
