// Test doubles for the server's unit tests: an engine that keeps sessions in memory, a shell that
// echoes what it is sent, and a terminal peer (a browser tab) that records what reaches it. They implement the same interfaces as the real parts.
import type { CheckResult, LabEnginePort, OnProgress, SessionRecord, TerminalTarget } from '../engine-port.ts';
import type { Shell, ShellHandlers, ShellSpawner, TerminalPeer } from '../terminal-bridge.ts';
import type { ServerControl } from '../protocol.ts';

export class FakeEngine implements LabEnginePort {
  sessions = new Map<string, SessionRecord>();
  calls: string[] = [];
  expired = new Set<string>();
  extended = new Map<string, Date>();
  passing = new Set<string>(); // "id:step" pairs whose check passes
  failStart: Error | undefined;
  private n = 0;

  labSlugs(): string[] {
    return ['content-sidecar', 'date-tailer'];
  }
  async startSession(slug: string, onProgress: OnProgress): Promise<SessionRecord> {
    this.calls.push(`start ${slug}`);
    if (this.failStart) throw this.failStart;
    onProgress({ phase: 'namespace', message: 'Creating namespace', done: 0, total: 2 });
    onProgress({ phase: 'ready', message: 'Pods ready', done: 2, total: 2 });
    const id = `fake-session-${++this.n}-${slug}`;
    const record = { id, slug, namespace: `lab-${id}`, expiresAt: new Date(Date.now() + 45 * 60_000) };
    this.sessions.set(id, record);
    return record;
  }
  async checkStep(s: SessionRecord, step: number): Promise<CheckResult> {
    this.calls.push(`check ${s.id} ${step}`);
    return this.passing.has(`${s.id}:${step}`)
      ? { ok: true, message: 'all good' }
      : { ok: false, message: 'index.html not found', hint: 'run kubectl apply -f pod.yaml', observed: 'nothing' };
  }
  async applySolution(s: SessionRecord, step: number, onProgress: OnProgress): Promise<void> {
    this.calls.push(`solution ${s.id} ${step}`);
    onProgress({ phase: 'apply', message: 'applied', done: 1, total: 1 });
    this.passing.add(`${s.id}:${step}`);
  }
  async resetSession(s: SessionRecord, onProgress: OnProgress): Promise<void> {
    this.calls.push(`reset ${s.id}`);
    onProgress({ phase: 'reset', message: 'reset', done: 1, total: 1 });
    for (const k of [...this.passing]) if (k.startsWith(`${s.id}:`)) this.passing.delete(k);
  }
  async stopSession(s: SessionRecord): Promise<void> {
    this.calls.push(`stop ${s.id}`);
    this.sessions.delete(s.id);
  }
  async listSessions(): Promise<SessionRecord[]> {
    return [...this.sessions.values()];
  }
  async reapExpired(): Promise<string[]> {
    const ids = [...this.expired].filter((id) => this.sessions.has(id));
    for (const id of ids) this.sessions.delete(id);
    this.expired.clear();
    return ids;
  }
  async extendSession(s: SessionRecord, at: Date): Promise<void> {
    this.extended.set(s.id, at);
  }
  terminalTarget(s: SessionRecord): TerminalTarget {
    return { namespace: s.namespace, pod: 'terminal', container: 'toolbox' };
  }
}

/** A shell that echoes input back (like a TTY in cooked mode) and ends on "exit\r". */
export class FakeShell implements Shell {
  written: string[] = [];
  sizes: Array<[number, number]> = [];
  killed = false;
  private readonly handlers: ShellHandlers;
  constructor(handlers: ShellHandlers) {
    this.handlers = handlers;
  }
  write(bytes: Uint8Array): void {
    const text = new TextDecoder().decode(bytes);
    this.written.push(text);
    this.handlers.onData(bytes);
    if (text === 'exit\r') this.handlers.onExit(0, 'exited');
  }
  resize(cols: number, rows: number): void {
    this.sizes.push([cols, rows]);
  }
  kill(): void {
    this.killed = true;
    this.handlers.onExit(null, 'killed');
  }
  print(text: string): void {
    this.handlers.onData(new TextEncoder().encode(text));
  }
}

export function fakeSpawner(): { spawn: ShellSpawner; shells: FakeShell[] } {
  const shells: FakeShell[] = [];
  const spawn: ShellSpawner = async (_size, handlers) => {
    const shell = new FakeShell(handlers);
    shells.push(shell);
    handlers.onData(new TextEncoder().encode('learner@lab:~$ '));
    return shell;
  };
  return { spawn, shells };
}

/** A terminal peer (one browser tab's WebSocket): keeps the text, control messages and close it got. */
export class FakePeer implements TerminalPeer {
  text = '';
  controls: ServerControl[] = [];
  closed: [number, string] | undefined;
  sendData(bytes: Uint8Array) {
    this.text += new TextDecoder().decode(bytes);
  }
  sendControl(m: ServerControl) {
    this.controls.push(m);
  }
  close(code: number, reason: string) {
    this.closed = [code, reason];
  }
}
