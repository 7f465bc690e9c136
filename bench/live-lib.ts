// Shared by the live-lab benchmarks: a lab server process of their own (or LAB_URL), the API calls
// a browser makes, and a terminal WebSocket client speaking the same protocol as the page.
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { decodeServerFrame, encodeClientControl, offeredProtocols } from '../src/server/protocol.ts';

export interface Server {
  url: string;
  stop: () => Promise<void>;
}

export async function labServer(): Promise<Server> {
  if (process.env.LAB_URL) return { url: process.env.LAB_URL.replace(/\/$/, ''), stop: async () => {} };
  const port = Number(process.env.BENCH_PORT ?? 4340);
  const child: ChildProcess = spawn(process.execPath, ['src/server/main.ts'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    // Keep reading the server's output (a full pipe would stall it); only the start line matters.
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Sidecar Labs: http://') && resolve());
    child.once('exit', (code) => reject(new Error(`lab server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Session {
  id: string;
  token: string;
}

/** POST /api/sessions and read the NDJSON stream to its last line. */
export async function startLab(url: string, slug: string): Promise<Session> {
  const res = await fetch(`${url}/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ slug }),
  });
  const lines = (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; session?: Session; message?: string });
  const last = lines.at(-1)!;
  if (last.type !== 'ready') throw new Error(`start failed: ${last.message}`);
  return last.session!;
}

export async function stopLab(url: string, s: Session): Promise<void> {
  await fetch(`${url}/api/sessions/${s.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.token}` } });
}

/** A terminal connection like the page's: origin, token subprotocol, hello, then bytes. */
export class TerminalClient {
  readonly ws: WebSocket;
  text = '';
  /** performance.now() when the socket opened and when the first output byte came (0 = not yet). */
  openedAt = 0;
  firstDataAt = 0;
  error = '';
  private waiters: Array<{ test: (t: string) => boolean; resolve: () => void }> = [];

  constructor(url: string, s: Session) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/terminal/${s.id}`, offeredProtocols(s.token), {
      origin: url,
    });
    this.ws.on('open', () => {
      this.openedAt = performance.now();
      this.ws.send(encodeClientControl({ type: 'hello', cols: 120, rows: 40 }));
    });
    // a refused or dropped socket is an error of this learner, never an unhandled 'error' event
    this.ws.on('error', (e) => (this.error ||= e.message));
    this.ws.on('message', (data, isBinary) => {
      const frame = decodeServerFrame(data as Buffer, isBinary);
      if (frame.kind !== 'data') return;
      this.firstDataAt ||= performance.now();
      this.text += Buffer.from(frame.bytes).toString('utf8');
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(this.text)) return true;
        w.resolve();
        return false;
      });
    });
  }

  /** Resolves once the received text satisfies `test` (checked on every new chunk). */
  until(test: (text: string) => boolean, timeoutMs = 60_000): Promise<void> {
    if (test(this.text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`terminal did not show the expected output in time${this.error ? ` (${this.error})` : ''}`)),
        timeoutMs,
      );
      this.waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  send(text: string): void {
    this.ws.send(Buffer.from(text), { binary: true });
  }

  close(): void {
    this.ws.close();
  }
}

export const PROMPT = /learner@lab\S*\$ $/;

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;

/** After a browser run, whatever happened: stop the session the page still holds (no namespace left behind). */
export async function stopPageSession(page: { evaluate: <T>(fn: () => T) => Promise<T> }, url: string): Promise<void> {
  const held = await page
    .evaluate(() =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('sidecar-labs:lab:'))
        .map((k) => (JSON.parse(localStorage.getItem(k) ?? '{}') as { session?: Session }).session)
        .filter((s): s is Session => !!s),
    )
    .catch(() => [] as Session[]);
  for (const s of held) await stopLab(url, s).catch(() => {});
}
