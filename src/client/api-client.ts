// The browser side of the lab server's JSON API (src/server/api.ts).
import { identityFields } from './workshop-identity.ts';
export interface ProgressLine {
  type: 'progress';
  phase: string;
  message: string;
  done: number;
  total: number;
}
export interface Problem {
  message: string;
  fix?: string;
}
export interface CheckResult {
  ok: boolean;
  message: string;
  hint?: string;
  observed?: string;
  /** A listed common mistake the learner's namespace shows: its title and what to do instead. */
  diagnosis?: { id: string; title: string; text: string };
}
export interface SessionInfo {
  id: string;
  slug: string;
  token: string;
}

/** An API failure with the server's learner-facing message and fix. */
export class LabApiError extends Error {
  readonly fix?: string;
  readonly status: number;
  constructor(problem: Problem, status: number) {
    super(problem.message);
    this.fix = problem.fix;
    this.status = status;
  }
}

const offline: Problem = {
  message: 'The lab server does not answer.',
  fix: 'start it with `npm start` (it serves this page and the labs), then reload',
};

async function request(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new LabApiError(offline, 0);
  }
  if (!res.ok) {
    let problem: Problem = { message: `The lab server answered ${res.status}.` };
    try {
      const body = (await res.json()) as { error?: string; fix?: string };
      if (body.error) problem = { message: body.error, fix: body.fix };
    } catch {
      // A static host without the lab server answers 404/405 with HTML.
      if (res.status === 404 || res.status === 405) problem = offline;
    }
    throw new LabApiError(problem, res.status);
  }
  return res;
}

/** Read an NDJSON stream: progress lines go to onProgress; returns the final line. */
export async function readStream<T>(res: Response, onProgress: (p: ProgressLine) => void): Promise<T> {
  if (!res.body) throw new LabApiError({ message: 'empty answer from the lab server' }, res.status);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let last: unknown;
  const handle = (line: string) => {
    if (!line.trim()) return;
    const value = JSON.parse(line) as { type: string };
    if (value.type === 'progress') onProgress(value as ProgressLine);
    else last = value;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      handle(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  }
  handle(buffer);
  const final = last as ({ type: 'error' } & Problem) | undefined;
  if (!final)
    throw new LabApiError(
      { message: 'the lab server stopped answering mid-way', fix: 'press "Reset lab", or reload the page' },
      0,
    );
  if (final.type === 'error') throw new LabApiError(final, 0);
  return final as T;
}

export async function startSession(slug: string, onProgress: (p: ProgressLine) => void): Promise<SessionInfo> {
  // in a workshop the event code and the learner's name go along (src/client/workshop-identity.ts)
  const res = await request('/api/sessions', { method: 'POST', body: JSON.stringify({ slug, ...identityFields() }) });
  return (await readStream<{ session: SessionInfo }>(res, onProgress)).session;
}

/** Whether the server still runs this session (after a reload or a server restart). */
export async function sessionAlive(id: string, token: string): Promise<boolean> {
  try {
    await request(`/api/sessions/${encodeURIComponent(id)}`, { method: 'GET', token });
    return true;
  } catch (err) {
    if (err instanceof LabApiError && err.status === 404) return false;
    throw err;
  }
}

export async function checkStep(id: string, token: string, step: number): Promise<CheckResult> {
  const res = await request(`/api/sessions/${encodeURIComponent(id)}/check`, {
    method: 'POST',
    token,
    body: JSON.stringify({ step }),
  });
  return (await res.json()) as CheckResult;
}

export async function resetSession(id: string, token: string, onProgress: (p: ProgressLine) => void): Promise<void> {
  const res = await request(`/api/sessions/${encodeURIComponent(id)}/reset`, { method: 'POST', token, body: '{}' });
  await readStream(res, onProgress);
}

export async function rebuildTo(
  id: string,
  token: string,
  upTo: number,
  onProgress: (p: ProgressLine) => void,
): Promise<void> {
  const res = await request(`/api/sessions/${encodeURIComponent(id)}/rebuild`, {
    method: 'POST',
    token,
    body: JSON.stringify({ upTo }),
  });
  await readStream(res, onProgress);
}

export async function stopSession(id: string, token: string): Promise<void> {
  await request(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE', token });
}
