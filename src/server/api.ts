// The JSON API under /api/ (see README.md in this folder for the table of routes).
//
// Long operations (start, reset, apply solution) answer with NDJSON: progress lines while the engine
// works, then one final line. Session routes need the session's token (Authorization: Bearer), which
// the browser keeps in localStorage, so no cookie is involved and cross-site requests carry nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as z from 'zod';
import { RebuildBody, StartBody, StepBody } from './api-schema.ts';
import type { LiveSession, SessionManager } from './sessions.ts';
import type { HostPolicy } from './hosts.ts';
import { clientKey } from './limits.ts';
import type { ProgressEvent } from './engine-port.ts';
import { clusterView } from '../cluster/background.ts';
import type { ClusterChoice } from '../kube/index.ts';
import { streamPods, type PodWatchHub } from './pod-watch.ts';
import {
  HttpError,
  originAllowed,
  publicError,
  readJson,
  sendError,
  sendJson,
  startStream,
  writeLine,
} from './http-util.ts';

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new HttpError(`bad request: ${issue?.path.join('.') || 'body'}: ${issue?.message}`, { status: 400 });
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export interface ApiOptions {
  sessions: SessionManager;
  /** Allowed Host names and origins (hosts.ts). */
  hosts: HostPolicy;
  /** The live Pod view's watches (GET /api/sessions/<id>/pods); absent: the route answers 404. */
  podWatch?: PodWatchHub;
  /** The cluster GET /api/cluster reports on. */
  cluster: ClusterChoice;
}

/** Handle the request if it is an API route; false when it is not ours (static files take it). */
export async function handleApi(req: IncomingMessage, res: ServerResponse, opts: ApiOptions): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (!url.pathname.startsWith('/api/')) return false;
  const method = req.method ?? 'GET';
  try {
    if (method !== 'GET' && method !== 'HEAD' && req.headers.origin && !originAllowed(req, opts.hosts)) {
      throw new HttpError('requests from other sites are not allowed', { status: 403 });
    }
    await route(method, url.pathname, req, res, opts);
  } catch (err) {
    sendError(res, err);
  }
  return true;
}

async function route(
  method: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  { sessions, podWatch, cluster }: ApiOptions,
): Promise<void> {
  if (path === '/api/health' && (method === 'GET' || method === 'HEAD')) {
    sendJson(res, 200, { ok: true, sessions: sessions.size });
    return;
  }
  if (path === '/api/cluster' && method === 'GET') {
    // The lab cluster's state and, while npm start creates it, its progress (src/cluster/view.ts).
    sendJson(res, 200, await clusterView(cluster));
    return;
  }
  if (path === '/api/sessions' && method === 'POST') {
    const { slug } = parse(StartBody, await readJson(req));
    await streamOperation(res, async (progress) => {
      const session = await sessions.start(slug, progress, clientKey(req.socket.remoteAddress));
      return { type: 'ready', session };
    });
    return;
  }
  const m = /^\/api\/sessions\/([A-Za-z0-9-]{8,80})(?:\/(check|solution|rebuild|reset|pods))?$/.exec(path);
  if (!m) throw new HttpError(`no API route ${method} ${path}`, { status: 404 });
  const [, id, action] = m;
  const live = await sessions.authorizeShared(id!, bearer(req));
  if (!action && method === 'GET') {
    sessions.touch(live);
    sendJson(res, 200, { id: live.record.id, slug: live.record.slug, terminal: live.terminal.running });
    return;
  }
  if (!action && method === 'DELETE') {
    await sessions.stop(live);
    res.writeHead(204).end();
    return;
  }
  if (action === 'pods' && method === 'GET' && podWatch) {
    const token = bearer(req);
    streamPods(req, res, {
      hub: podWatch,
      namespace: live.record.namespace,
      alive: () => isLive(sessions, id!, token),
    });
    return;
  }
  if (method !== 'POST') throw new HttpError(`${method} is not allowed here`, { status: 405 });
  await sessionAction(action, req, res, sessions, live);
}

/** The POST actions on one session: check, solution, rebuild, reset. */
async function sessionAction(
  action: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  sessions: SessionManager,
  live: LiveSession,
): Promise<void> {
  if (action === 'check') {
    const { step } = parse(StepBody, await readJson(req));
    sendJson(res, 200, await sessions.check(live, step));
    return;
  }
  if (action === 'solution') {
    const { step } = parse(StepBody, await readJson(req));
    await streamOperation(res, async (progress) => {
      await sessions.applySolution(live, step, progress);
      return { type: 'done' };
    });
    return;
  }
  if (action === 'rebuild') {
    // "Rebuild to step N": replay the solutions of steps 0..N-1, in order, as one streamed operation.
    const { upTo } = parse(RebuildBody, await readJson(req));
    await streamOperation(res, async (progress) => {
      for (let step = 0; step < upTo; step++) {
        progress({ phase: 'solution', message: `Applying the solution of step ${step + 1}`, done: step, total: upTo });
        await sessions.applySolution(live, step, (e) => progress({ ...e, message: `Step ${step + 1}: ${e.message}` }));
      }
      progress({ phase: 'solution', message: `Rebuilt up to step ${upTo + 1}`, done: upTo, total: upTo });
      return { type: 'done' };
    });
    return;
  }
  // reset
  await readJson(req);
  await streamOperation(res, async (progress) => {
    await sessions.reset(live, progress);
    return { type: 'done' };
  });
}

function isLive(sessions: SessionManager, id: string, token: string | undefined): boolean {
  try {
    sessions.authorize(id, token);
    return true;
  } catch {
    return false;
  }
}

/** Run `op`, streaming its progress as NDJSON; its result (or a friendly error) is the last line. */
async function streamOperation(
  res: ServerResponse,
  op: (progress: (e: ProgressEvent) => void) => Promise<object>,
): Promise<void> {
  startStream(res);
  // Closing the tab does not cancel the operation: the session must end up consistent either way.
  try {
    const result = await op((e) => writeLine(res, { type: 'progress', ...e }));
    writeLine(res, result);
  } catch (err) {
    const { message, fix } = publicError(err);
    writeLine(res, { type: 'error', message, fix });
  }
  res.end();
}
