// The learner's shell: `bash` exec'd (with a TTY) in the toolbox pod of the session's namespace.
//
// Never a host shell: the only process this module can start runs inside the cluster, in the pod the
// engine created for the session, whose ServiceAccount may act only in that namespace.
import { PassThrough, Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import type { Kube } from '../engine/index.ts';
import type { Shell, ShellHandlers, ShellSpawner } from './terminal-bridge.ts';
import type { TerminalTarget } from './engine-port.ts';

/** stdout for Exec: a Writable that also looks like a TTY, so client-node sends resize messages. */
class TtyOut extends Writable {
  columns: number;
  rows: number;
  private readonly onData: (bytes: Uint8Array) => void;
  constructor(cols: number, rows: number, onData: (bytes: Uint8Array) => void) {
    super();
    this.columns = cols;
    this.rows = rows;
    this.onData = onData;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    done();
  }
  setSize(cols: number, rows: number): void {
    if (cols === this.columns && rows === this.rows) return;
    this.columns = cols;
    this.rows = rows;
    this.emit('resize');
  }
}

function exitCodeOf(status: V1Status): number | null {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined ? Number(cause.message) : null;
}

/** The command run in the toolbox container; interactive (a TTY), so it reads ~/.bashrc and the lab prompt. */
export const SHELL_COMMAND = ['bash'];

/** `kube`: the cluster door whose TTY exec runs the shell (the engine's, created on first use). */
export function kubeShellSpawner(kube: () => Pick<Kube, 'execTty'>, target: () => TerminalTarget): ShellSpawner {
  return async (size, handlers: ShellHandlers): Promise<Shell> => {
    const where = target();
    const stdin = new PassThrough();
    const stdout = new TtyOut(size.cols, size.rows, handlers.onData);
    let finished = false;
    const finish = (code: number | null, reason: string) => {
      if (finished) return;
      finished = true;
      stdin.end();
      handlers.onExit(code, reason);
    };
    let status: V1Status | undefined;
    const socket = await kube().execTty(where, SHELL_COMMAND, stdout, stdin, (s) => {
      status = s;
    });
    socket.on('close', () => {
      if (status) finish(exitCodeOf(status), status.message ?? status.status ?? 'exited');
      else finish(null, 'connection to the lab pod closed');
    });
    socket.on('error', (err: Error) => finish(null, err.message));
    return {
      write: (bytes) => {
        if (!finished) stdin.write(bytes);
      },
      resize: (cols, rows) => stdout.setSize(cols, rows),
      // Back-pressure: stop reading the exec WebSocket, so TCP pushes back to the API server and
      // the kubelet, and bash blocks on its TTY instead of this process buffering its output.
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      // client-node sends each stdin chunk at once; a pod that does not read leaves it queued here
      inputQueued: () => stdin.readableLength + socket.bufferedAmount,
      kill: () => {
        // Closing stdin ends bash; closing the socket makes sure nothing lingers if it ignores EOF.
        stdin.end();
        socket.close();
        finish(null, 'terminal closed');
      },
    };
  };
}
