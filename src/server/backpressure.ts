// Bounded memory per terminal connection. A browser that stops reading (a frozen tab, a hostile
// client) must not make the server buffer the shell's output without end: past `highWater` bytes
// queued on the socket the shell's output is paused (the exec stream stops being read, so the pod's
// TTY blocks), it resumes below `lowWater`, and a client that makes no progress for `stallMs` (or
// whose queue still passes `maxBuffered`) is disconnected; the shell's output then goes to the
// session's ring buffer, which the next connection replays.

export interface FlowLimits {
  highWater: number;
  lowWater: number;
  maxBuffered: number;
  stallMs: number;
}

export const defaultFlowLimits: FlowLimits = {
  highWater: 256 * 1024,
  lowWater: 64 * 1024,
  maxBuffered: 4 * 1024 * 1024,
  stallMs: 60_000,
};

/** The part of a `ws` WebSocket this needs (tests use a fake). */
export interface SendTarget {
  readonly bufferedAmount: number;
  send(data: Uint8Array | string, options: { binary: boolean }, cb: (err?: Error) => void): void;
  terminate(): void;
}

export interface FlowEvents {
  /** The client fell behind: stop producing. */
  pause(): void;
  /** The client caught up: produce again. */
  resume(): void;
  /** The client was disconnected for being too slow. */
  tooSlow?(): void;
}

export class SendQueue {
  private paused = false;
  private closed = false;
  private stall: NodeJS.Timeout | undefined;
  private readonly target: SendTarget;
  private readonly limits: FlowLimits;
  private readonly events: FlowEvents;

  constructor(target: SendTarget, events: FlowEvents, limits: FlowLimits = defaultFlowLimits) {
    this.target = target;
    this.events = events;
    this.limits = limits;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  send(data: Uint8Array | string, binary: boolean): void {
    if (this.closed) return;
    this.target.send(data, { binary }, () => this.progress());
    const queued = this.target.bufferedAmount;
    if (queued > this.limits.maxBuffered) {
      this.drop();
      return;
    }
    if (!this.paused && queued > this.limits.highWater) {
      this.paused = true;
      this.armStall();
      this.events.pause();
    }
  }

  /** The connection ended: forget timers; a paused producer is released. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stall);
    if (this.paused) {
      this.paused = false;
      this.events.resume();
    }
  }

  private progress(): void {
    if (!this.paused || this.closed) return;
    if (this.target.bufferedAmount <= this.limits.lowWater) {
      this.paused = false;
      clearTimeout(this.stall);
      this.events.resume();
    } else {
      this.armStall(); // some bytes went out: the client is slow, not stuck
    }
  }

  private armStall(): void {
    clearTimeout(this.stall);
    this.stall = setTimeout(() => this.drop(), this.limits.stallMs);
    this.stall.unref();
  }

  private drop(): void {
    if (this.closed) return;
    this.events.tooSlow?.();
    this.close();
    this.target.terminate();
  }
}

// The other direction: keystrokes (and pastes, and a hostile client's flood) go to the shell's stdin
// through the exec WebSocket to the pod. A shell that is not reading (`sleep 40`) fills the pod's TTY,
// the kubelet stops reading, and the bytes would pile up in this process. So the terminal socket
// stops reading the browser's socket while more than `highWater` bytes wait for the pod (TCP then
// pushes back on the client), reads again below `lowWater`, and closes a connection whose input
// still passes `maxQueued`.

export interface InputLimits {
  highWater: number;
  lowWater: number;
  maxQueued: number;
  /** How often a paused connection looks whether the shell took its input. */
  pollMs: number;
}

export const defaultInputLimits: InputLimits = {
  highWater: 256 * 1024,
  lowWater: 64 * 1024,
  maxQueued: 4 * 1024 * 1024,
  pollMs: 50,
};

/** The part of a `ws` WebSocket the gate drives (tests use a fake). */
export interface ReadSource {
  pause(): void;
  resume(): void;
}

export class InputGate {
  private paused = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly source: ReadSource;
  private readonly queued: () => number;
  private readonly tooMuch: () => void;
  private readonly limits: InputLimits;

  /** `queued`: bytes of input not yet taken by the pod; `tooMuch`: close the connection. */
  constructor(source: ReadSource, queued: () => number, tooMuch: () => void, limits: InputLimits = defaultInputLimits) {
    this.source = source;
    this.queued = queued;
    this.tooMuch = tooMuch;
    this.limits = limits;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** After each input frame was handed on. */
  afterInput(): void {
    if (this.closed) return;
    const n = this.queued();
    if (n > this.limits.maxQueued) {
      this.close();
      this.tooMuch();
      return;
    }
    if (!this.paused && n > this.limits.highWater) {
      this.paused = true;
      this.source.pause();
      this.poll();
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private poll(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.closed) return;
      if (this.queued() <= this.limits.lowWater) {
        this.paused = false;
        this.source.resume();
      } else this.poll();
    }, this.limits.pollMs);
    this.timer.unref();
  }
}
