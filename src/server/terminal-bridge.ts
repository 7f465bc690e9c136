// One learner's terminal: a shell (in the toolbox pod) that outlives browser connections.
//
// The shell keeps running when the WebSocket drops; its output goes into a ring buffer, and the next
// connection gets what it missed (from the offset it reports) before live bytes. One browser at a
// time: a newer connection replaces the older one (a second tab takes the terminal over).
import { OutputRing } from './ring-buffer.ts';
import { CLOSE_REPLACED, CLOSE_SESSION_ENDED, type ClientControl, type ServerControl } from './protocol.ts';

/** A running shell; kube-shell.ts implements it with a Kubernetes exec, tests with a fake. */
export interface Shell {
  write(bytes: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** End the shell; onExit fires once. */
  kill(): void;
  /** Stop reading the shell's output for now (the browser fell behind); the TTY then blocks. */
  pause?(): void;
  resume?(): void;
  /** Bytes of input written but not yet taken by the pod (the exec socket's queue). */
  inputQueued?(): number;
}

export interface ShellHandlers {
  onData(bytes: Uint8Array): void;
  onExit(code: number | null, reason: string): void;
}

export type ShellSpawner = (size: { cols: number; rows: number }, handlers: ShellHandlers) => Promise<Shell>;

/** The browser end, as the bridge sees it (a WebSocket in production). */
export interface TerminalPeer {
  sendData(bytes: Uint8Array): void;
  sendControl(message: ServerControl): void;
  close(code: number, reason: string): void;
}

export { CLOSE_REPLACED, CLOSE_SESSION_ENDED };

export class TerminalBridge {
  sessionId: string;
  private readonly spawn: ShellSpawner;
  private readonly ring: OutputRing;
  private peer: TerminalPeer | undefined;
  private shell: Shell | undefined;
  private starting: Promise<Shell | undefined> | undefined;
  private size = { cols: 80, rows: 24 };
  private disposed = false;
  /** The attached browser cannot take more output right now (see backpressure.ts). */
  private held = false;
  /** Read-only subscribers (the instructor looking over a learner's shoulder): output only. */
  private readonly watchers = new Set<TerminalPeer>();
  /** Input typed while the shell starts, waiting for it (counted in inputQueued). */
  private pendingInput = 0;
  /** Called on every keystroke and resize, so the session manager can count the learner active. */
  onActivity: () => void = () => {};

  constructor(sessionId: string, spawn: ShellSpawner, ringBytes = 64 * 1024) {
    this.sessionId = sessionId;
    this.spawn = spawn;
    this.ring = new OutputRing(ringBytes);
  }

  get attached(): boolean {
    return this.peer !== undefined;
  }

  get running(): boolean {
    return this.shell !== undefined;
  }

  /** A browser connected and said hello: replay, then make sure a shell runs. */
  async attach(peer: TerminalPeer, hello: Extract<ClientControl, { type: 'hello' }>): Promise<void> {
    if (this.disposed) {
      peer.close(CLOSE_SESSION_ENDED, 'session ended');
      return;
    }
    const previous = this.peer;
    this.peer = peer;
    this.hold(false);
    if (previous && previous !== peer) previous.close(CLOSE_REPLACED, 'terminal opened elsewhere');
    this.size = { cols: hello.cols, rows: hello.rows };
    const replay = this.ring.since(hello.resumeFrom ?? 0);
    peer.sendControl({ type: 'hello', sessionId: this.sessionId, offset: replay.offset, truncated: replay.truncated });
    if (replay.bytes.length > 0) peer.sendData(replay.bytes);
    this.onActivity();
    const shell = await this.ensureShell();
    shell?.resize(this.size.cols, this.size.rows);
  }

  /**
   * A shell opened ahead for a warm-pool session becomes a claimed session's (new id). False when
   * there is nothing to hand over (disposed, or the shell is not running or starting).
   */
  adoptAs(sessionId: string): boolean {
    if (this.disposed || (!this.shell && !this.starting) || this.peer || this.watchers.size) return false;
    this.sessionId = sessionId;
    return true;
  }

  /** Start the shell before any browser attaches (its output waits in the ring for the first hello). */
  prewarm(): void {
    if (!this.disposed) void this.ensureShell();
  }

  /** Add a read-only viewer: it gets the recent output, then live output; it can never type. */
  watch(peer: TerminalPeer): void {
    if (this.disposed) {
      peer.close(CLOSE_SESSION_ENDED, 'session ended');
      return;
    }
    this.watchers.add(peer);
    const replay = this.ring.since(0);
    peer.sendControl({ type: 'hello', sessionId: this.sessionId, offset: replay.offset, truncated: replay.truncated });
    if (replay.bytes.length > 0) peer.sendData(replay.bytes);
  }

  unwatch(peer: TerminalPeer): void {
    this.watchers.delete(peer);
  }

  detach(peer: TerminalPeer): void {
    if (this.peer !== peer) return;
    this.peer = undefined;
    this.hold(false); // with nobody attached, output goes to the ring only
  }

  /** Flow control from the connection: `held` while the browser falls behind, released when it catches up. */
  flow(peer: TerminalPeer, held: boolean): void {
    if (peer === this.peer) this.hold(held);
  }

  private hold(held: boolean): void {
    if (this.held === held) return;
    this.held = held;
    if (held) this.shell?.pause?.();
    else this.shell?.resume?.();
  }

  async handle(
    peer: TerminalPeer,
    frame: { kind: 'data'; bytes: Uint8Array } | { kind: 'control'; message: ClientControl },
  ): Promise<void> {
    if (peer !== this.peer) return; // a replaced connection's late frames
    this.onActivity();
    if (frame.kind === 'data') {
      if (this.shell) {
        this.shell.write(frame.bytes);
      } else if (this.starting) {
        // Typed while the shell starts: deliver once it is there.
        this.pendingInput += frame.bytes.byteLength;
        const shell = await this.starting;
        this.pendingInput -= frame.bytes.byteLength;
        shell?.write(frame.bytes);
      } else {
        // The shell had ended ("press any key for a new one"): this key only wakes a new shell.
        await this.ensureShell();
      }
      return;
    }
    if (frame.message.type === 'resize') {
      this.size = { cols: frame.message.cols, rows: frame.message.rows };
      this.shell?.resize(this.size.cols, this.size.rows);
      return;
    }
    // hello is handled by attach(), once per connection: terminal-socket.ts refuses a second one.
  }

  /** Input bytes on their way to the shell (see InputGate in backpressure.ts). */
  inputQueued(): number {
    return this.pendingInput + (this.shell?.inputQueued?.() ?? 0);
  }

  private ensureShell(): Promise<Shell | undefined> {
    if (this.shell) return Promise.resolve(this.shell);
    this.starting ??= this.startShell().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startShell(): Promise<Shell | undefined> {
    let spawned: Shell | undefined;
    let ended = false;
    try {
      spawned = await this.spawn(this.size, {
        onData: (bytes) => this.output(bytes),
        onExit: (code, reason) => {
          ended = true;
          this.exited(spawned, code, reason);
        },
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.peer?.sendControl({
        type: 'error',
        message: `could not open a shell in the lab: ${message}`,
        fix: 'press "Reset lab", or reload the page and press "Start lab"',
      });
      return undefined;
    }
    if (this.disposed) {
      spawned.kill();
      return undefined;
    }
    if (ended) return undefined; // died before we even saw it
    this.shell = spawned;
    if (this.held) spawned.pause?.();
    return spawned;
  }

  private output(bytes: Uint8Array): void {
    this.ring.write(bytes);
    this.peer?.sendData(bytes);
    for (const w of this.watchers) w.sendData(bytes);
  }

  private exited(shell: Shell | undefined, code: number | null, reason: string): void {
    if (this.disposed || (this.shell !== undefined && this.shell !== shell)) return;
    this.shell = undefined;
    const note = `\r\n[shell ended${code === null ? '' : ` with exit code ${code}`}; press any key for a new one]\r\n`;
    this.output(new TextEncoder().encode(note));
    this.peer?.sendControl({ type: 'exit', code, reason });
  }

  /** The session is over (stopped, expired, reset): end the shell and the connection. */
  dispose(reason = 'session ended'): void {
    this.disposed = true;
    const shell = this.shell;
    this.shell = undefined;
    shell?.kill();
    this.peer?.close(CLOSE_SESSION_ENDED, reason);
    this.peer = undefined;
    for (const w of this.watchers) w.close(CLOSE_SESSION_ENDED, reason);
    this.watchers.clear();
  }
}
