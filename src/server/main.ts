// `npm start` runs this (through scripts/start.ts): the lab server with the built site on PORT.
//   --host <name|address>   listen there (default HOST or 127.0.0.1); a name is also an allowed Host
//   --port <n>              (default PORT or 4321)
//   --tls-cert <pem> --tls-key <pem>   serve HTTPS (or SIDECAR_LABS_TLS_CERT / SIDECAR_LABS_TLS_KEY)
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import { isLoopback, loadTls, plainHttpWarning, tlsFilesFrom } from './tls.ts';

export interface MainOptions {
  port?: number;
  host?: string;
  distDir?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** Options from the command line (unknown flags are an error that names them). */
export function optionsFromArgs(argv: string[]): MainOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      // scripts/start.ts's own flags
      'no-build': { type: 'boolean' },
      dev: { type: 'boolean' },
    },
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new Error(`--port ${values.port}: expected a port number between 1 and 65535`);
  }
  return { host: values.host, port, tlsCert: values['tls-cert'], tlsKey: values['tls-key'] };
}

export async function main(opts: MainOptions = {}): Promise<() => Promise<void>> {
  const port = opts.port ?? (Number(process.env.PORT) || 4321);
  const host = opts.host ?? process.env.HOST ?? '127.0.0.1';
  const distDir =
    opts.distDir ?? process.env.SIDECAR_LABS_DIST ?? fileURLToPath(new URL('../../dist/', import.meta.url));
  const tlsFiles = tlsFilesFrom({ cert: opts.tlsCert, key: opts.tlsKey });
  const tls = tlsFiles ? loadTls(tlsFiles) : undefined;
  // A host given as a name (not 0.0.0.0 or an address) is the name learners will type.
  const names = isIP(host) === 0 && !isLoopback(host) ? [host] : [];
  const { lab, recover } = createApp({ distDir, tls, hosts: names });
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
  lab.server.on('error', (err) => process.stderr.write(`lab server: ${err.message}\n`));
  const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  process.stdout.write(`Sidecar Labs: ${tls ? 'https' : 'http'}://${shown}:${port}/  (Ctrl-C to stop)\n`);
  const warning = tls ? undefined : plainHttpWarning(host);
  if (warning) process.stderr.write(warning + '\n');
  await recover();
  lab.startSweeper();
  return lab.close;
}

/**
 * Last resort: an error nothing else caught is logged and the server keeps serving the other
 * learners. Every socket, stream and upgrade has its own handler; this is the net under them.
 */
export function installSafetyNet(log: (line: string) => void = (l) => process.stderr.write(l + '\n')): void {
  process.on('uncaughtException', (err) =>
    log(`lab server: unexpected error (still serving): ${err.stack ?? err.message}`),
  );
  process.on('unhandledRejection', (err) =>
    log(
      `lab server: unexpected error (still serving): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    ),
  );
}

/** Runs the server until SIGINT/SIGTERM; start-up errors end the process with a plain message. */
export async function serveUntilSignal(opts: MainOptions = {}): Promise<void> {
  try {
    const close = await main({ ...optionsFromArgs(process.argv.slice(2)), ...opts });
    installSafetyNet();
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
