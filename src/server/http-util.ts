// Small HTTP helpers for the JSON API: bodies, JSON replies, NDJSON progress streams, and turning any
// error into words a learner can act on (never a stack trace).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError } from './engine-port.ts';
import { originAllowed as originMatches, type HostPolicy } from './hosts.ts';
import { CLUSTER_FIX, UserError, type ErrorKind } from '../errors.ts';

export class HttpError extends LabError {}

const MAX_BODY = 16 * 1024;

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  // Requiring JSON makes any cross-site request a CORS preflight, which we never approve.
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError('send the request body as application/json', { status: 415 });
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError('request body too large', { status: 413 });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('request body is not valid JSON', { status: 400 });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export interface PublicError {
  message: string;
  fix?: string;
}

const START_AGAIN = `${CLUSTER_FIX}, then press "Start lab" again`;
const TRY_AGAIN = 'try again, or press "Reset lab"';

/**
 * Every kind of UserError as the browser sees it: the HTTP status and, where the learner needs other
 * words than the engine's (which are written for authors and CI), the message and the fix.
 */
const HTTP: Record<ErrorKind, { status: number; message?: string; fix?: string }> = {
  usage: { status: 400 },
  'bad-request': { status: 400 },
  'lab-format': { status: 500, fix: TRY_AGAIN },
  'manifest-refused': { status: 500, fix: TRY_AGAIN },
  'lab-not-found': { status: 404 },
  'session-not-found': {
    status: 404,
    message: 'This lab session is not running any more.',
    fix: 'press "Start lab" to begin a new one',
  },
  'step-not-found': { status: 400 },
  'not-found': { status: 404 },
  'no-cluster': { status: 503, message: 'No Kubernetes cluster is set up for the labs yet.', fix: START_AGAIN },
  'cluster-unreachable': { status: 503, message: 'The lab cluster does not answer.', fix: START_AGAIN },
  cluster: { status: 503, fix: START_AGAIN },
  'image-missing': { status: 503 },
  'crash-loop': { status: 500, fix: 'press "Reset lab" to go back to the start of the lab' },
  'command-failed': { status: 500, fix: TRY_AGAIN },
  timeout: { status: 504, fix: TRY_AGAIN },
  aborted: { status: 500, fix: TRY_AGAIN },
  interrupted: { status: 503, fix: TRY_AGAIN },
  engine: { status: 500, fix: TRY_AGAIN },
  server: { status: 500, fix: TRY_AGAIN },
};

/** The HTTP form of a UserError (the one mapping from kinds to statuses). */
export function httpError(err: UserError): PublicError & { status: number } {
  if (err instanceof LabError) return { status: err.status, message: err.message, fix: err.fix };
  const m = HTTP[err.kind];
  return { status: m.status, message: m.message ?? err.message, fix: m.fix ?? err.fix };
}

/**
 * The learner-facing form of an error. A UserError by its kind; a network failure that no layer
 * wrapped, as the cluster not answering; anything else as a plain sentence, not internals.
 */
export function publicError(err: unknown): PublicError & { status: number } {
  if (err instanceof UserError) return httpError(err);
  const e = err as { message?: string; code?: string; cause?: { code?: string } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  if (['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND'].includes(code ?? '')) {
    return { status: 503, message: 'The lab cluster does not answer (is Docker running?).', fix: START_AGAIN };
  }
  // First line only: anything unexpected is likely internals.
  const firstLine = (e?.message ?? String(err)).split('\n')[0]!.slice(0, 500);
  return {
    status: 500,
    message: firstLine || 'something went wrong',
    fix: 'press "Reset lab" or try again; if it keeps failing, restart `npm start`',
  };
}

export function sendError(res: ServerResponse, err: unknown): void {
  const { status, message, fix } = publicError(err);
  if (res.headersSent) {
    writeLine(res, { type: 'error', message, fix });
    res.end();
    return;
  }
  sendJson(res, status, { error: message, fix });
}

/** Begin a streamed NDJSON reply: one JSON object per line, flushed as it happens. */
export function startStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.flushHeaders();
}

export function writeLine(res: ServerResponse, value: unknown): void {
  if (!res.writableEnded) res.write(JSON.stringify(value) + '\n');
}

/** Origins allowed to talk to the API: the server's own under an allowed Host name, plus configured ones. */
export function originAllowed(req: IncomingMessage, hosts: HostPolicy): boolean {
  return originMatches(hosts, req.headers);
}
