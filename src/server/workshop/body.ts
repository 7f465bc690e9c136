// Request bodies and NDJSON streams of the workshop's routes: a zod-checked body (400 with the first
// issue) and a long operation as progress lines and a last line.
import type { ServerResponse } from 'node:http';
import type * as z from 'zod';
import type { ProgressEvent } from '../engine-port.ts';
import { HttpError, publicError, startStream, writeLine } from '../http-util.ts';

export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new HttpError(`bad request: ${issue?.path.join('.') || 'body'}: ${issue?.message}`, { status: 400 });
}

/** Run `op` as an NDJSON stream of progress lines and a last line (the API's long-operation form). */
export async function stream(
  res: ServerResponse,
  op: (progress: (e: ProgressEvent) => void) => Promise<object>,
): Promise<void> {
  startStream(res);
  try {
    writeLine(res, await op((e) => writeLine(res, { type: 'progress', ...e })));
  } catch (err) {
    const { message, fix } = publicError(err);
    writeLine(res, { type: 'error', message, fix });
  }
  res.end();
}
