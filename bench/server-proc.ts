// Shared by the server benchmarks: a lab server process of their own (so its RSS is the server's
// alone), its resident memory from /proc, and a way to stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident set size in bytes, from /proc/<pid>/status. */
  rss(): number;
  output(): string;
  /** The process is still the one started (it never exited). */
  alive(): boolean;
  stop(): Promise<void>;
}

/** `node src/server/main.ts` on `port` with extra environment; `dir` is the checkout to run. */
export async function serverProcess(
  port: number,
  env: Record<string, string> = {},
  dir = process.cwd(),
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['src/server/main.ts'], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Sidecar Labs: http')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lab server exited with ${code}:\n${log}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    rss: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    },
    output: () => log,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
