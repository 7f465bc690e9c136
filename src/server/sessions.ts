// Lab sessions as the server sees them: who may use which session, when it was last used, its
// terminal, and the clean-up of sessions the learner walked away from.
//
// The cluster is the source of truth (namespaces labelled with lab and session); this map is a cache
// of it plus what only the server knows (last activity, open terminal). `recover()` rebuilds the map
// from the cluster after a restart; `sweep()` ends idle sessions and asks the engine to reap expired
// namespaces nobody owns any more.
import {
  LabError,
  type CheckResult,
  type LabEnginePort,
  type OnProgress,
  type SessionRecord,
  type StartExtras,
} from './engine-port.ts';
import { TerminalBridge, type ShellSpawner } from './terminal-bridge.ts';
import type { TokenSigner } from './tokens.ts';
import { isLoopback } from './tls.ts';

export interface SessionOptions {
  /** Inactivity after which a session is stopped. */
  idleMs: number;
  /** How far ahead of the last activity the namespace's expires-at is set (>= idleMs). */
  expiryMs: number;
  /** At most this many live sessions at once (protects a shared workshop cluster). */
  maxSessions: number;
  /** At most this many live sessions started by one client address (0 = no limit; loopback is exempt). */
  maxSessionsPerClient: number;
  /** Absolute lifetime of a session, however active: it is stopped this long after it was created. */
  maxLifetimeMs: number;
  now: () => number;
  /** Called after every Check (workshop mode records progress for the roster). */
  onCheck?: (live: LiveSession, step: number, result: CheckResult) => void;
  /** Called after a reset (workshop mode clears the recorded progress). */
  onReset?: (live: LiveSession) => void;
}

export const defaultSessionOptions: SessionOptions = {
  idleMs: 30 * 60_000,
  expiryMs: 45 * 60_000,
  maxSessions: 50,
  maxSessionsPerClient: 3,
  maxLifetimeMs: 120 * 60_000,
  now: () => Date.now(),
};

export interface LiveSession {
  record: SessionRecord;
  lastActive: number;
  /** expires-at last written to the cluster, to avoid patching the namespace on every keystroke. */
  pushedExpiry: number;
  terminal: TerminalBridge;
  /** Operations on one session run one at a time (check during reset would read a half state). */
  queue: Promise<unknown>;
  /** When this server took the session on (started or recovered). */
  adoptedAt: number;
  /** When the session must end however active it is (creation + maxLifetimeMs). */
  endsAt: number;
  /** Address of the client that started it (undefined for sessions found after a restart). */
  client?: string;
}

import type { PublicSession } from './api-schema.ts';
export type { PublicSession };

export class SessionManager {
  private readonly sessions = new Map<string, LiveSession>();
  private readonly engine: LabEnginePort;
  private readonly signer: TokenSigner;
  private readonly spawnerFor: (record: SessionRecord) => ShellSpawner;
  private readonly opts: SessionOptions;
  private starting = 0;
  /** Shells opened ahead in ready warm-pool sessions, by namespace: a claimed one's prompt is waiting. */
  private readonly warmShells = new Map<string, TerminalBridge>();
  private readonly leaving = new WeakSet<TerminalBridge>();
  /** Sessions being started, per client address. */
  private readonly startingBy = new Map<string, number>();

  constructor(
    engine: LabEnginePort,
    signer: TokenSigner,
    spawnerFor: (record: SessionRecord) => ShellSpawner,
    opts: Partial<SessionOptions> = {},
  ) {
    this.engine = engine;
    this.signer = signer;
    this.spawnerFor = spawnerFor;
    this.opts = { ...defaultSessionOptions, ...opts };
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Start a session of lab `slug` for the client at address `client` (counted against its limit). */
  async start(slug: string, onProgress: OnProgress, client?: string, extras?: StartExtras): Promise<PublicSession> {
    if (!this.engine.labSlugs().includes(slug)) throw new LabError(`there is no lab "${slug}"`, { status: 404 });
    if (this.sessions.size + this.starting >= this.opts.maxSessions) {
      throw new LabError(`this server already runs ${this.opts.maxSessions} lab sessions`, {
        status: 503,
        fix: 'stop a lab you no longer use (or wait for idle ones to expire), then press "Start lab" again',
      });
    }
    const limited = this.clientLimited(client);
    this.starting++;
    if (limited) this.startingBy.set(limited, (this.startingBy.get(limited) ?? 0) + 1);
    try {
      const record = await this.engine.startSession(slug, onProgress, extras);
      const live = this.adopt(record);
      this.takeWarmShell(live);
      live.client = limited;
      // The engine set the first expiry; the next push comes with activity.
      live.pushedExpiry = record.expiresAt?.getTime() ?? 0;
      // Open the shell now, while the browser loads the terminal code: the prompt is waiting for it.
      live.terminal.prewarm();
      return this.describe(live);
    } finally {
      this.starting--;
      if (limited) this.startingBy.set(limited, (this.startingBy.get(limited) ?? 1) - 1);
    }
  }

  /**
   * Keep a shell open in each ready warm-pool session (workshop --reserve), so the learner who claims
   * one finds the prompt already there; shells of sessions no longer ready here (claimed through
   * another process, deleted) are ended.
   */
  syncWarmShells(ready: { namespace: string; slug: string }[], graceMs = 10_000): void {
    const keep = new Set(ready.map((r) => r.namespace));
    for (const [namespace, bridge] of this.warmShells)
      if (!keep.has(namespace) && !this.leaving.has(bridge)) {
        // the watch may report our own claim before the claim's answer arrives: a moment's grace
        this.leaving.add(bridge);
        setTimeout(() => {
          this.leaving.delete(bridge);
          if (this.warmShells.get(namespace) !== bridge) return;
          this.warmShells.delete(namespace);
          bridge.dispose('warm-pool session taken elsewhere');
        }, graceMs).unref();
      }
    for (const r of ready) {
      if (this.warmShells.has(r.namespace)) continue;
      const bridge = new TerminalBridge(`pool:${r.namespace}`, this.spawnerFor({ id: `pool:${r.namespace}`, ...r }));
      this.warmShells.set(r.namespace, bridge);
      bridge.prewarm();
    }
  }

  /** A claimed pool session: its shell, opened ahead, becomes the learner's. */
  private takeWarmShell(live: LiveSession): void {
    const warm = this.warmShells.get(live.record.namespace);
    if (!warm) return;
    this.warmShells.delete(live.record.namespace);
    if (!warm.adoptAs(live.record.id)) return; // its shell ended meanwhile: a fresh one opens as usual
    warm.onActivity = () => this.touch(live);
    live.terminal = warm;
  }

  /** The key to count `client` under, after refusing it when it already holds its share of sessions. */
  private clientLimited(client: string | undefined): string | undefined {
    const max = this.opts.maxSessionsPerClient;
    if (!client || max <= 0 || isLoopback(client)) return undefined;
    let held = this.startingBy.get(client) ?? 0;
    for (const live of this.sessions.values()) if (live.client === client) held++;
    if (held >= max) {
      throw new LabError(
        `you already have ${held} lab session${held === 1 ? '' : 's'} running on this server (at most ${max} per computer)`,
        {
          status: 429,
          fix: 'press "Stop lab" on a lab you have finished (or close it and wait for it to expire), then press "Start lab" again',
        },
      );
    }
    return client;
  }

  /** The session if `token` is its token; the same error for unknown and wrong, so ids cannot be probed. */
  authorize(id: string, token: string | null | undefined): LiveSession {
    const live = this.sessions.get(id);
    if (!live || !this.signer.verify(id, token)) {
      throw new LabError('this lab session is not running any more', {
        status: 404,
        fix: 'press "Start lab" to begin a new one',
      });
    }
    return live;
  }

  /**
   * Like authorize, but a session this process does not know yet is looked up on the cluster (another
   * server process started it: sessions live in namespace labels). The token is checked first, so an
   * unknown id with a wrong token costs no cluster call.
   */
  async authorizeShared(id: string, token: string | null | undefined): Promise<LiveSession> {
    const known = this.sessions.get(id);
    if (known || !this.signer.verify(id, token) || !this.engine.findSession) return this.authorize(id, token);
    const record = await this.engine.findSession(id).catch(() => undefined);
    if (!record) return this.authorize(id, token);
    const live = this.sessions.get(id) ?? this.adopt(record);
    live.pushedExpiry = record.expiresAt?.getTime() ?? 0;
    return live;
  }

  /** The session if this process has it now (no token, no cluster lookup: workshop mode's terminal-view relay). */
  local(id: string): LiveSession | undefined {
    return this.sessions.get(id);
  }

  /** A session by id without a token (instructor routes, which hold their own secret). */
  async byId(id: string): Promise<LiveSession | undefined> {
    const known = this.sessions.get(id);
    if (known) return known;
    const record = await this.engine.findSession?.(id).catch(() => undefined);
    return record ? (this.sessions.get(id) ?? this.adopt(record)) : undefined;
  }

  touch(live: LiveSession): void {
    live.lastActive = this.opts.now();
    void this.pushExpiry(live, false);
  }

  check(live: LiveSession, step: number): Promise<CheckResult> {
    this.touch(live);
    return this.serialize(live, async () => {
      const result = await this.engine.checkStep(live.record, step);
      this.opts.onCheck?.(live, step, result);
      return result;
    });
  }

  applySolution(live: LiveSession, step: number, onProgress: OnProgress): Promise<void> {
    this.touch(live);
    return this.serialize(live, () => this.engine.applySolution(live.record, step, onProgress));
  }

  reset(live: LiveSession, onProgress: OnProgress): Promise<void> {
    this.touch(live);
    return this.serialize(live, async () => {
      // The terminal pod is recreated by a reset: end the old shell so the browser reconnects to the new.
      live.terminal.dispose('lab reset');
      await this.engine.resetSession(live.record, onProgress);
      this.opts.onReset?.(live);
      live.terminal = this.newTerminal(live);
      live.terminal.prewarm();
    });
  }

  async stop(live: LiveSession, reason = 'lab stopped'): Promise<void> {
    this.sessions.delete(live.record.id);
    live.terminal.dispose(reason);
    await this.serialize(live, () => this.engine.stopSession(live.record));
  }

  /** Rebuild the map from the cluster's labelled namespaces (after a restart). */
  async recover(): Promise<number> {
    const found = await this.engine.listSessions();
    let added = 0;
    for (const record of found) {
      if (this.sessions.has(record.id)) continue;
      const live = this.adopt(record);
      if (record.expiresAt) {
        // Servers push expires-at to (last activity + expiryMs), so the expiry tells when the learner
        // was last active; a session another live server keeps fresh is not idle here either.
        live.pushedExpiry = record.expiresAt.getTime();
        live.lastActive = record.expiresAt.getTime() - this.opts.expiryMs;
      }
      added++;
    }
    return added;
  }

  /** Stop sessions idle for longer than idleMs, then let the engine reap expired namespaces. */
  async sweep(): Promise<{ stopped: string[]; reaped: string[] }> {
    const now = this.opts.now();
    const stopped: string[] = [];
    // Another server process may serve this learner: its expiry pushes count as activity here too.
    const expiries = new Map((await this.engine.listSessions()).map((r) => [r.id, r.expiresAt?.getTime() ?? 0]));
    for (const live of [...this.sessions.values()]) {
      const seen = (expiries.get(live.record.id) ?? 0) - this.opts.expiryMs;
      if (seen > live.lastActive && seen <= now) live.lastActive = seen;
      const overTime = now >= live.endsAt;
      if (overTime || now - live.lastActive >= this.opts.idleMs) {
        stopped.push(live.record.id);
        await this.stop(live, overTime ? this.timeUpReason() : 'lab stopped after inactivity').catch(() => {});
      }
    }
    const reaped = await this.engine.reapExpired();
    // Forget sessions whose namespace went away behind our back (reaped, stopped by another server,
    // deleted by an admin), so the page hears "ended" instead of reconnecting to a missing pod.
    const listedAt = this.opts.now();
    const onCluster = new Set((await this.engine.listSessions()).map((r) => r.id));
    for (const live of [...this.sessions.values()]) {
      const id = live.record.id;
      const missing = !onCluster.has(id) && live.adoptedAt < listedAt; // not one that started meanwhile
      if (reaped.includes(id) || missing) {
        this.sessions.delete(id);
        live.terminal.dispose(reaped.includes(id) ? 'lab expired' : 'lab removed from the cluster');
        if (!reaped.includes(id)) reaped.push(id);
      }
    }
    return { stopped, reaped };
  }

  private timeUpReason(): string {
    return `lab reached its time limit of ${Math.round(this.opts.maxLifetimeMs / 60_000)} minutes`;
  }

  describe(live: LiveSession): PublicSession {
    return { id: live.record.id, slug: live.record.slug, token: this.signer.tokenFor(live.record.id) };
  }

  /** End every terminal (server shutdown); the namespaces stay, for the next server to find. */
  closeTerminals(): void {
    for (const live of this.sessions.values()) live.terminal.dispose('server stopping');
    for (const bridge of this.warmShells.values()) bridge.dispose('server stopping');
    this.warmShells.clear();
  }

  private adopt(record: SessionRecord): LiveSession {
    const live: LiveSession = {
      record,
      lastActive: this.opts.now(),
      pushedExpiry: 0,
      terminal: undefined as unknown as TerminalBridge,
      queue: Promise.resolve(),
      adoptedAt: this.opts.now(),
      endsAt: (record.createdAt?.getTime() ?? this.opts.now()) + this.opts.maxLifetimeMs,
    };
    live.terminal = this.newTerminal(live);
    this.sessions.set(record.id, live);
    return live;
  }

  private newTerminal(live: LiveSession): TerminalBridge {
    const bridge = new TerminalBridge(live.record.id, this.spawnerFor(live.record));
    bridge.onActivity = () => this.touch(live);
    return bridge;
  }

  private serialize<T>(live: LiveSession, op: () => Promise<T>): Promise<T> {
    const run = live.queue.then(op, op);
    live.queue = run.catch(() => {});
    return run;
  }

  private async pushExpiry(live: LiveSession, force: boolean): Promise<void> {
    // Never past the session's absolute end, so a cluster-side reaper ends it even if we die.
    const target = Math.min(live.lastActive + this.opts.expiryMs, live.endsAt);
    // Patch the namespace at most about once a minute of activity.
    if (!force && target - live.pushedExpiry < 60_000) return;
    live.pushedExpiry = target;
    try {
      await this.engine.extendSession(live.record, new Date(target));
    } catch {
      // Not fatal: the idle sweep still ends the session; the annotation only matters if we die.
      live.pushedExpiry = 0;
    }
  }
}
