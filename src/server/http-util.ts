// Small HTTP helpers for the JSON API: bodies, JSON replies, NDJSON progress streams, and turning any
// error into words a learner can act on (never a stack trace).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LabError } from './engine-port.ts';
import { originAllowed as originMatches, type HostPolicy } from './hosts.ts';

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

const CLUSTER_FIX = 'start the cluster with `npx sidecar-labs cluster up` (Docker must be running), then press "Start lab" again';

/**
 * The learner-facing form of an error. Cluster trouble (no kubeconfig, API server down, Docker
 * stopped) gets the command that fixes it; anything unexpected gets a plain sentence, not internals.
 */
export function publicError(err: unknown): PublicError & { status: number } {
  if (err instanceof LabError) return { status: err.status, message: err.message, fix: err.fix };
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  const message = e?.message ?? String(err);
  if (e?.name === 'NoClusterError' || /no kind cluster|kubeconfig/i.test(message)) {
    return { status: 503, message: 'No Kubernetes cluster is running for the labs.', fix: CLUSTER_FIX };
  }
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'ENOTFOUND'].includes(code ?? '') ||
    /ECONNREFUSED|connect|unreachable|socket hang up/i.test(message)
  ) {
    return { status: 503, message: 'The lab cluster does not answer (is Docker running?).', fix: CLUSTER_FIX };
  }
  // First line only: engine errors are written for people; anything longer is likely internals.
  const firstLine = message.split('\n')[0]!.slice(0, 500);
  return { status: 500, message: firstLine || 'something went wrong', fix: 'press "Reset lab" or try again; if it keeps failing, restart `npm start`' };
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
