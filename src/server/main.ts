// `npm start` runs this (through scripts/start.ts): the lab server with the built site on PORT.
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';

export interface MainOptions {
  port?: number;
  host?: string;
  distDir?: string;
}

export async function main(opts: MainOptions = {}): Promise<() => Promise<void>> {
  const port = opts.port ?? (Number(process.env.PORT) || 4321);
  const host = opts.host ?? process.env.HOST ?? '127.0.0.1';
  const distDir = opts.distDir ?? process.env.SIDECAR_LABS_DIST ?? fileURLToPath(new URL('../../dist/', import.meta.url));
  const { lab, recover } = createApp({ distDir });
  await new Promise<void>((resolve, reject) => {
    lab.server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} is already in use: stop the other server, or run with PORT=4322 npm start`)
          : err,
      );
    });
    lab.server.listen(port, host, resolve);
  });
  const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host;
  process.stdout.write(`Sidecar Labs: http://${shown}:${port}/  (Ctrl-C to stop)\n`);
  await recover();
  lab.startSweeper();
  return lab.close;
}

/** Runs the server until SIGINT/SIGTERM; start-up errors end the process with a plain message. */
export async function serveUntilSignal(opts: MainOptions = {}): Promise<void> {
  try {
    const close = await main(opts);
    const stop = () => {
      process.stdout.write('\nSidecar Labs: stopping (lab sessions stay on the cluster; the next start finds them)\n');
      close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    process.stderr.write(`sidecar-labs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await serveUntilSignal();
