// The lab terminal in the page: xterm.js + the fit addon, connected to /api/terminal/<id>.
//
// Loaded with a dynamic import when the learner starts (or resumes) a lab, so lesson pages do not
// ship xterm until it is needed. Reconnects on its own after a dropped connection and asks the server
// to replay only the output it has not shown yet.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import {
  CLOSE_REPLACED,
  CLOSE_SESSION_ENDED,
  decodeServerFrame,
  encodeClientControl,
  offeredProtocols,
} from '../server/protocol.ts';
import { backoffDelay } from './reconnect.ts';

export interface TerminalEvents {
  /** The connection is up and the server said hello. */
  onConnected(): void;
  /** Status in words for the panel (reconnecting, replaced by another tab, ...). */
  onStatus(text: string): void;
  /** The server ended the session (stopped, reset, expired) or refused us: the panel decides what next. */
  onSessionEnded(reason: string): void;
  /** A problem the learner should see, with its fix. */
  onProblem(message: string, fix?: string): void;
}

export interface LabTerminalOptions {
  container: HTMLElement;
  sessionId: string;
  token: string;
  screenReaderMode: boolean;
  events: TerminalEvents;
}

export class LabTerminal {
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly opts: LabTerminalOptions;
  private ws: WebSocket | undefined;
  /** Absolute offset of the shell output shown so far (what a reconnect resumes from). */
  private received = 0;
  private attempts = 0;
  private closedByUs = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly observer: ResizeObserver;
  private readonly encoder = new TextEncoder();

  constructor(opts: LabTerminalOptions) {
    this.opts = opts;
    this.term = new Terminal({
      cursorBlink: true,
      fontSize: 14,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
      screenReaderMode: opts.screenReaderMode,
      scrollback: 5000,
      theme: { background: '#1b1e24', foreground: '#e6e6e6', cursor: '#f5f5f5' },
    });
    this.term.loadAddon(this.fit);
    this.term.open(opts.container);
    this.safeFit();
    this.term.onData((data) => this.send(this.encoder.encode(data)));
    this.term.onBinary((data) => this.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    this.term.onResize(({ cols, rows }) => {
      opts.container.dataset.cols = String(cols);
      this.control({ type: 'resize', cols, rows });
    });
    opts.container.dataset.cols = String(this.term.cols);
    this.observer = new ResizeObserver(() => this.safeFit());
    this.observer.observe(opts.container);
    this.connect();
  }

  /** Type a command as if the learner typed it, then Enter. */
  run(command: string): void {
    this.send(this.encoder.encode(command.replace(/\r?\n/g, '\r') + '\r'));
    this.term.focus();
  }

  focus(): void {
    this.term.focus();
  }

  setScreenReaderMode(on: boolean): void {
    this.term.options.screenReaderMode = on;
  }

  /** Reconnect now (after a reset made a new shell). */
  reconnect(): void {
    this.closedByUs = false;
    this.attempts = 0;
    this.ws?.close();
    this.connect();
  }

  dispose(): void {
    this.closedByUs = true;
    clearTimeout(this.retry);
    this.observer.disconnect();
    this.ws?.close();
    this.term.dispose();
  }

  private safeFit(): void {
    // fit() throws if the container is not laid out yet (hidden); the observer calls us again later.
    try {
      this.fit.fit();
    } catch {
      /* not visible yet */
    }
  }

  private connect(): void {
    clearTimeout(this.retry);
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${scheme}//${location.host}/api/terminal/${encodeURIComponent(this.opts.sessionId)}`;
    const ws = new WebSocket(url, offeredProtocols(this.opts.token));
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let greeted = false;
    ws.onopen = () => {
      this.control({
        type: 'hello',
        cols: Math.max(2, this.term.cols),
        rows: Math.max(2, this.term.rows),
        resumeFrom: this.received,
      });
    };
    ws.onmessage = (ev: MessageEvent<ArrayBuffer | string>) => {
      const isBinary = typeof ev.data !== 'string';
      const frame = decodeServerFrame(
        isBinary ? new Uint8Array(ev.data as ArrayBuffer) : (ev.data as string),
        isBinary,
      );
      if (frame.kind === 'data') {
        this.received += frame.bytes.length;
        this.term.write(frame.bytes);
        return;
      }
      if (frame.kind === 'invalid') return; // a newer server; ignore what we do not understand
      const m = frame.message;
      if (m.type === 'hello') {
        greeted = true;
        this.attempts = 0;
        this.received = m.offset;
        if (m.truncated) this.term.write('\r\n[some output was lost while disconnected]\r\n');
        this.opts.events.onConnected();
      } else if (m.type === 'error') {
        this.opts.events.onProblem(m.message, m.fix);
      }
      // 'exit' needs nothing here: the server already printed a note into the terminal.
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws || this.closedByUs) return;
      if (ev.code === CLOSE_REPLACED) {
        this.opts.events.onStatus('The terminal is open in another tab or window.');
        return;
      }
      if (ev.code === CLOSE_SESSION_ENDED) {
        this.opts.events.onSessionEnded(ev.reason || 'session ended');
        return;
      }
      if (!greeted && this.attempts >= 2) {
        // Refused twice at the handshake: the session is most likely gone; let the panel find out.
        this.opts.events.onSessionEnded('the terminal connection was refused');
        return;
      }
      const delay = backoffDelay(this.attempts++);
      this.opts.events.onStatus(`Connection lost; reconnecting in ${Math.round(delay / 100) / 10} s…`);
      this.retry = setTimeout(() => this.connect(), delay);
    };
  }

  private send(bytes: Uint8Array): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(bytes);
  }

  private control(message: Parameters<typeof encodeClientControl>[0]): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(encodeClientControl(message));
  }
}
