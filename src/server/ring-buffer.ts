// Recent terminal output of one session, kept so a reconnecting browser sees what it missed.
//
// Offsets are absolute (bytes since the shell started), so a client can say "I have shown up to N"
// and get exactly the rest, or everything still held if N fell out of the window.
export class OutputRing {
  readonly capacity: number;
  private buf: Uint8Array;
  /** Absolute offset one past the last byte written. */
  private end = 0;

  constructor(capacity = 64 * 1024) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.buf = new Uint8Array(capacity);
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return Math.max(0, this.end - this.capacity);
  }

  /** Absolute offset one past the newest byte. */
  get offset(): number {
    return this.end;
  }

  write(chunk: Uint8Array): void {
    // Only the tail of a chunk larger than the ring can survive; skip straight to it.
    const data = chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk;
    this.end += chunk.length - data.length;
    const at = this.end % this.capacity;
    const first = Math.min(data.length, this.capacity - at);
    this.buf.set(data.subarray(0, first), at);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    this.end += data.length;
  }

  /**
   * Bytes from absolute offset `from` to the end. `from` below the window is clamped (truncated=true);
   * beyond the end (a client that talked to an earlier server process) replays the whole window.
   */
  since(from = 0): { offset: number; bytes: Uint8Array; truncated: boolean } {
    let begin = from;
    let truncated = false;
    if (begin > this.end) begin = this.start;
    if (begin < this.start) {
      truncated = true;
      begin = this.start;
    }
    const length = this.end - begin;
    const out = new Uint8Array(length);
    const at = begin % this.capacity;
    const first = Math.min(length, this.capacity - at);
    out.set(this.buf.subarray(at, at + first), 0);
    if (first < length) out.set(this.buf.subarray(0, length - first), first);
    return { offset: begin, bytes: out, truncated };
  }
}
