// Workshop mode on the lab server: learners join with the event code and a display name (no
// accounts), their Start carries both, their Check results are recorded in the session namespace for
// the roster; the instructor, holding a secret of their own, sees the roster and acts on sessions.
// Everything a roster shows is read from the cluster, so every server process shows the same room.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import { JoinBody, WorkshopStartBody } from '../api-schema.ts';
import type { LiveSession } from '../sessions.ts';
import type { EngineAdapter } from '../engine-adapter.ts';
import type { CheckResult } from '../engine-port.ts';
import { clientKey } from '../limits.ts';
import { HttpError, originAllowed, readJson, sendError, sendJson } from '../http-util.ts';
import { normalizeCode, sameSecret } from './config.ts';
import {
  ANN_ACTIVITY,
  ANN_LEARNER,
  ANN_LEARNER_ID,
  ANN_POOL,
  ANN_PROGRESS,
  cleanName,
  classView,
  distinctLabels,
  markStep,
  rosterCsv,
  rosterRow,
  type RosterRow,
} from './roster.ts';
import { instructorRoute } from './instructor-api.ts';
import { watchUpgradeHandler } from './watch-socket.ts';
import { BANNER_NAMESPACE, BannerStore } from './banner-store.ts';
import { parseBody, stream } from './body.ts';
import type { WorkshopDeps, WorkshopFace } from './face.ts';

export type { WorkshopDeps } from './face.ts';
export { parseBody, stream } from './body.ts';
import { ViewRelay, type RelayKube } from './view-relay.ts';
import { GuessLimiter } from './guess-limiter.ts';

export const WORKSHOP_COOKIE = 'sidecar-labs-workshop';
export const WRONG_CODE = 'That is not the event code of this workshop.';
const WRONG_CODE_FIX =
  'type the code your instructor shows (letters and digits, like ABCD-2345); ask them if you are unsure';

export class Workshop implements WorkshopFace {
  readonly deps: WorkshopDeps;
  /** The banner, shared by every server process of the room through the cluster. */
  readonly banner: BannerStore;
  /** The terminal view of a learner whose shell another server process runs. */
  readonly relay: ViewRelay;
  /** Wrong event codes per address: a guessing script slows down only itself. */
  private readonly guesses: GuessLimiter;
  private readonly writes = new Map<string, Promise<unknown>>();
  private rosterCache: { at: number; rows: Promise<RosterRow[]> } | undefined;
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

  constructor(deps: WorkshopDeps) {
    this.deps = deps;
    this.guesses = new GuessLimiter(deps.guessLimits);
    const kube = deps.kube ?? ((): RelayKube => deps.engine.engineNow().kube);
    this.banner = new BannerStore(
      () => ({
        write: (ns) =>
          kube()
            .apply(ns)
            .then(() => undefined),
        watch: (onChange, onError) =>
          kube().watchNamespaces(
            { field: `metadata.name=${BANNER_NAMESPACE}` },
            (items) => onChange(items[0]),
            onError,
          ),
      }),
      deps.log,
    );
    this.relay = new ViewRelay({ kube, local: (id) => deps.sessions.local(id), log: deps.log });
    this.upgrade = watchUpgradeHandler(this).upgrade;
  }

  /** Follow the cluster's banner and terminal-view requests (after the server listens). */
  startWatches(): void {
    this.banner.start();
    this.relay.start();
  }

  stopWatches(): void {
    this.banner.stop();
    this.relay.stop();
  }

  /** True when the request was a workshop route (answered here). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const ours =
      path === '/api/workshop' ||
      path === '/api/workshop/join' ||
      (path === '/api/sessions' && method === 'POST') ||
      path.startsWith('/api/instructor/');
    // a flag (not a secret) that tells the lesson pages to show the join form and the banner
    if (!ours) {
      if (!res.headersSent) res.appendHeader('set-cookie', `${WORKSHOP_COOKIE}=1; Path=/; SameSite=Strict`);
      return false;
    }
    try {
      if (method !== 'GET' && method !== 'HEAD' && req.headers.origin && !originAllowed(req, this.deps.hosts)) {
        throw new HttpError('requests from other sites are not allowed', { status: 403 });
      }
      if (path.startsWith('/api/instructor/')) await instructorRoute(this, method, path, req, res);
      else if (path === '/api/workshop') sendJson(res, 200, { workshop: true, banner: this.banner.text || null });
      else if (path === '/api/workshop/join' && method === 'POST')
        this.join(parseBody(JoinBody, await readJson(req)), res, clientKey(req.socket.remoteAddress));
      else if (path === '/api/sessions')
        await this.start(parseBody(WorkshopStartBody, await readJson(req)), res, clientKey(req.socket.remoteAddress));
      else throw new HttpError(`no API route ${method} ${path}`, { status: 404 });
    } catch (err) {
      sendError(res, err);
    }
    return true;
  }

  /** The instructor's secret, from `Authorization: Bearer`; every instructor route calls this first. */
  requireInstructor(token: string | undefined): void {
    if (!sameSecret(token, this.deps.config.instructorSecret)) {
      throw new HttpError('the instructor key is missing or wrong', {
        status: 401,
        fix: 'open the instructor URL the workshop command printed (it ends with #key=…)',
      });
    }
  }

  /** The event code from `address`: refused (429) only when this address sent too many wrong ones. */
  private checkCode(code: string, address: string): void {
    if (this.guesses.blocked(address))
      throw new HttpError('Too many wrong event codes from your network in the last minute.', {
        status: 429,
        fix: 'wait a minute, then type the code your instructor shows',
      });
    if (!sameSecret(normalizeCode(code), this.deps.config.code)) {
      this.guesses.wrong(address);
      throw new HttpError(WRONG_CODE, { status: 403, fix: WRONG_CODE_FIX });
    }
  }

  private join(body: { code: string; name: string }, res: ServerResponse, client: string): void {
    this.checkCode(body.code, client);
    const name = cleanName(body.name);
    if (!name) throw new HttpError('Please enter the name the instructor should see.', { status: 400 });
    sendJson(res, 200, { name, learnerId: randomBytes(9).toString('base64url') });
  }

  private async start(body: z.infer<typeof WorkshopStartBody>, res: ServerResponse, client: string): Promise<void> {
    if (!body.code)
      throw new HttpError('This lab is part of a workshop: join it first.', {
        status: 403,
        fix: 'enter the event code and your name in the "Join the workshop" form above the lab',
      });
    this.checkCode(body.code, client);
    const name = cleanName(body.name ?? '') || '(no name)';
    const annotations = {
      [ANN_LEARNER]: name,
      [ANN_LEARNER_ID]: body.learnerId ?? '',
      [ANN_ACTIVITY]: new Date().toISOString(),
    };
    const t0 = performance.now();
    await stream(res, async (progress) => ({
      type: 'ready',
      session: await this.deps.sessions.start(body.slug, progress, client, { annotations }),
    }));
    if (this.deps.timing) this.deps.log(`workshop: Start answered in ${Math.round(performance.now() - t0)} ms`);
    this.rosterCache = undefined;
  }

  /** SessionManager hook: record a Check result in the namespace (one write at a time per session). */
  onCheck(live: LiveSession, step: number, result: CheckResult): void {
    this.record(live, (current, steps) => ({
      [ANN_PROGRESS]: markStep(current, steps, step, result.ok),
      [ANN_ACTIVITY]: new Date().toISOString(),
    }));
  }

  onReset(live: LiveSession): void {
    this.record(live, () => ({ [ANN_PROGRESS]: '', [ANN_ACTIVITY]: new Date().toISOString() }));
  }

  private record(
    live: LiveSession,
    change: (current: string | undefined, steps: number) => Record<string, string>,
  ): void {
    const id = live.record.id;
    const engine = this.deps.engine.engineNow();
    const run = (this.writes.get(id) ?? Promise.resolve())
      .then(async () => {
        const info = await engine.getSession(live.record.namespace);
        await engine.annotateSession(
          info,
          change(info.annotations?.[ANN_PROGRESS], engine.lab(info.slug).steps.length),
        );
        this.rosterCache = undefined;
      })
      .catch((e: unknown) =>
        this.deps.log(
          `workshop: could not record progress of ${live.record.namespace}: ${e instanceof Error ? e.message : String(e)}`,
        ),
      );
    this.writes.set(id, run);
    void run.finally(() => {
      if (this.writes.get(id) === run) this.writes.delete(id);
    });
  }

  /** The roster from the cluster (cached for 500 ms: many instructor tabs cost one list). */
  roster(): Promise<RosterRow[]> {
    const now = Date.now();
    if (this.rosterCache && now - this.rosterCache.at < 500) return this.rosterCache.rows;
    const engine = this.deps.engine.engineNow();
    const known = new Set(this.deps.engine.labSlugs());
    const rows = engine
      .listSessions()
      .then((list) =>
        list
          // the room: sessions started by learners who joined (not a plain `npm start` session, nor
          // one of a lab this server does not have: another course on the same cluster)
          .filter(
            (s) =>
              s.phase === 'Active' &&
              s.terminal &&
              s.annotations?.[ANN_POOL] !== 'ready' &&
              known.has(s.slug) &&
              s.annotations?.[ANN_LEARNER] !== undefined,
          )
          .map((s) => rosterRow(s, safeSteps(engine, s.slug).length, this.deps.expiryMs))
          .sort(
            (a, b) =>
              a.learner.localeCompare(b.learner) ||
              a.slug.localeCompare(b.slug) ||
              a.learnerId.localeCompare(b.learnerId) ||
              a.sessionId.localeCompare(b.sessionId),
          ),
      )
      .then(distinctLabels);
    rows.catch(() => {
      this.rosterCache = undefined;
    });
    this.rosterCache = { at: now, rows };
    return rows;
  }

  async rosterView(): Promise<object> {
    const rows = await this.roster();
    const engine = this.deps.engine.engineNow();
    const slugs = [...new Set(rows.map((r) => r.slug))];
    const labs = slugs.map((slug) => ({
      slug,
      title: engine.lab(slug).title,
      steps: safeSteps(engine, slug).map((s) => s.title),
    }));
    return {
      now: new Date().toISOString(),
      banner: this.banner.text || null,
      rows,
      labs,
      classes: classView(rows, labs),
    };
  }

  csv(): Promise<string> {
    return this.roster().then(rosterCsv);
  }
}

function safeSteps(engine: ReturnType<EngineAdapter['engineNow']>, slug: string): { id: string; title: string }[] {
  try {
    return engine.lab(slug).steps;
  } catch {
    return [];
  }
}
