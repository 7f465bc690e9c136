import { describe, expect, it } from 'vitest';
import { LabApiError, readStream, type ProgressLine } from '../api-client.ts';

/** A streamed Response whose body arrives in the given chunks (split mid-line on purpose). */
function streamed(chunks: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const chunk of chunks) c.enqueue(new TextEncoder().encode(chunk));
      c.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } });
}

describe('readStream (NDJSON progress)', () => {
  it('reports progress lines as they come and returns the final line', async () => {
    const seen: ProgressLine[] = [];
    const res = streamed([
      '{"type":"progress","phase":"namespace","message":"creating","done":0,"total":1}\n{"type":"prog',
      'ress","phase":"wait","message":"waiting","done":1,"total":2}\n',
      '{"type":"ready","session":{"id":"s","slug":"x","token":"t"}}',
    ]);
    const final = await readStream<{ type: string; session: { id: string } }>(res, (p) => seen.push(p));
    expect(seen.map((p) => p.phase)).toEqual(['namespace', 'wait']);
    expect(final.session.id).toBe('s');
  });

  it('turns an error line into a LabApiError with the fix', async () => {
    const res = streamed(['{"type":"error","message":"No cluster.","fix":"run `npx sidecar-labs cluster up`"}\n']);
    const err = await readStream(res, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabApiError);
    expect(err).toMatchObject({ message: 'No cluster.', fix: 'run `npx sidecar-labs cluster up`' });
  });

  it('says so when the stream ends without a result', async () => {
    const res = streamed(['{"type":"progress","phase":"apply","message":"x","done":0,"total":1}\n']);
    await expect(readStream(res, () => {})).rejects.toThrow(/stopped answering/);
  });
});
