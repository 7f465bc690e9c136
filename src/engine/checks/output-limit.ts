// How much of a check's output the engine keeps: exec stdout + stderr, a container's logs, an HTTP
// body, a script's output. A learner controls all of these (a 400 MB index.html, a container that
// logs without end), and one learner's Check must not take the server's memory: past the limit the
// stream is closed (exec, HTTP) or the rest is read and dropped (a script, so its exit code stays
// true), and the check's result says the output was cut.

/** Bytes one output stream of a check keeps (64 KiB: every lab's real output is far below it). */
export const CHECK_OUTPUT_LIMIT = 64 * 1024;

/** What a result says when its output passed the limit. */
export function outputCutNote(limit = CHECK_OUTPUT_LIMIT): string {
  return `output cut at ${Math.round(limit / 1024)} KiB`;
}

/** Collects chunks up to `limit` bytes; `add` answers false once the limit is reached (then stop). */
export class CappedBytes {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  readonly limit: number;

  constructor(limit = CHECK_OUTPUT_LIMIT) {
    this.limit = limit;
  }

  get bytes(): number {
    return this.size;
  }

  /** Keep what fits; false when the limit is reached (the chunk's rest was dropped). */
  add(chunk: Uint8Array): boolean {
    if (this.truncated) return false;
    const room = this.limit - this.size;
    if (chunk.byteLength > room) {
      if (room > 0) this.chunks.push(Buffer.from(chunk.subarray(0, room)));
      this.size = this.limit;
      this.truncated = true;
      return false;
    }
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.byteLength;
    return true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
