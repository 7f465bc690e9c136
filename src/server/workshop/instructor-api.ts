// The instructor's routes under /api/instructor/ (every one needs the instructor secret):
//   GET  roster          the room: rows, per-lab class view, banner
//   GET  roster.csv      the roster as CSV
//   POST banner {text}   a message every learner's page shows ('' clears it)
//   POST sessions/<id>/reset | rebuild {upTo} | extend {minutes};  DELETE sessions/<id>
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { RebuildBody } from '../api-schema.ts';
import { HttpError, readJson, sendJson } from '../http-util.ts';
import type { WorkshopFace as Workshop } from './face.ts';
import { parseBody, stream } from './body.ts';

const BannerBody = z.object({ text: z.string().max(500) });
const ExtendBody = z.object({ minutes: z.int().min(1).max(240) });

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export async function instructorRoute(
  w: Workshop,
  method: string,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  w.requireInstructor(bearer(req));
  const rest = path.slice('/api/instructor/'.length);
  if (rest === 'roster' && method === 'GET') return sendJson(res, 200, await w.rosterView());
  if (rest === 'roster.csv' && method === 'GET') {
    const text = await w.csv();
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'cache-control': 'no-store',
      'content-disposition': `attachment; filename="workshop-roster-${new Date().toISOString().slice(0, 16).replace(':', '')}.csv"`,
    });
    res.end(text);
    return;
  }
  if (rest === 'banner' && method === 'POST') {
    const text = await w.banner.set(parseBody(BannerBody, await readJson(req)).text);
    return sendJson(res, 200, { banner: text || null });
  }
  const m = /^sessions\/([A-Za-z0-9-]{8,80})(?:\/(reset|rebuild|extend))?$/.exec(rest);
  if (!m) throw new HttpError(`no instructor route ${method} ${path}`, { status: 404 });
  await sessionAction(w, method, m[1]!, m[2], req, res);
}

async function sessionAction(
  w: Workshop,
  method: string,
  id: string,
  action: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { sessions, engine, expiryMs } = w.deps;
  const live = await sessions.byId(id);
  if (!live) throw new HttpError('that session is not running any more', { status: 404 });
  if (!action && method === 'DELETE') {
    await sessions.stop(live);
    res.writeHead(204).end();
    return;
  }
  if (method !== 'POST') throw new HttpError(`${method} is not allowed here`, { status: 405 });
  if (action === 'extend') {
    const { minutes } = parseBody(ExtendBody, await readJson(req));
    // counts as activity until then: the idle sweep leaves it alone, the namespace expiry follows
    live.lastActive = Math.max(live.lastActive, Date.now() + minutes * 60_000 - expiryMs);
    const expiresAt = new Date(live.lastActive + expiryMs);
    await engine.extendSession(live.record, expiresAt);
    live.pushedExpiry = expiresAt.getTime();
    return sendJson(res, 200, { expiresAt: expiresAt.toISOString() });
  }
  if (action === 'reset') {
    await readJson(req);
    return stream(res, async (progress) => {
      await sessions.reset(live, progress);
      return { type: 'done' };
    });
  }
  const { upTo } = parseBody(RebuildBody, await readJson(req));
  await stream(res, async (progress) => {
    await sessions.reset(live, progress);
    for (let step = 0; step < upTo; step++) {
      await sessions.applySolution(live, step, (e) => progress({ ...e, message: `Step ${step + 1}: ${e.message}` }));
      await sessions.check(live, step);
    }
    return { type: 'done' };
  });
}
