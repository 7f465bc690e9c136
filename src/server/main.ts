// The lab server with the built site: `npm start` (scripts/start.ts), `sidecar-labs workshop`, and
// `node src/server/main.ts [--host …] [--port …]` (tests and benches) all end here with one
// configuration (src/config/) built from their flags and the environment.
import { isIP } from 'node:net';
import { createApp } from './app.ts';
import { isLoopback, loadTls, plainHttpRefusal, plainHttpWarning } from './tls.ts';
import type { ServerConfig } from '../config/schema.ts';
import { UserError, isUserError } from '../errors.ts';
import { parseCommand } from '../config/args.ts';
import { serverFlags, serverOptions, serverUsage } from '../config/server-flags.ts';

/** The address as a person types it in a URL. */
export function shownHost(host: string): string {
  return host === '127.0.0.1' || host === '::1' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}

const usage = `usage: node src/server/main.ts [--host ADDR] [--port N] [--tls-cert FILE --tls-key FILE] [--insecure-http]

The lab server with the built site in dist/ (what \`npm start\` runs after building it).

${serverUsage}`;

/** Listens, finds the sessions a previous server left, starts the sweeper; resolves to `close`. */
export async function main(config: ServerConfig): Promise<() => Promise<void>> {
  const { port, host } = config;
  const refusal = plainHttpRefusal(host, config.tls !== undefined, config.insecureHttp);
  if (refusal) throw new UserError('usage', refusal);
  const tls = config.tls ? loadTls(config.tls) : undefined;
  // A host given as a name (not 0.0.0.0 or an address) is the name learners will type.
  const names = isIP(host) === 0 && !isLoopback(host) ? [host] : [];
  const { lab, recover } = createApp({ config, serveSite: true, tls, hosts: names });
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
  process.stdout.write(`Sidecar Labs: ${tls ? 'https' : 'http'}://${shownHost(host)}:${port}/  (Ctrl-C to stop)\n`);
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
export async function serveUntilSignal(config: ServerConfig): Promise<void> {
  try {
    const close = await main(config);
    installSafetyNet();
    const stop = () => {
      process.stdout.write('\nSidecar Labs: stopping (lab sessions stay on the cluster; the next start finds them)\n');
      close().finally(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (err) {
    process.stderr.write(`sidecar-labs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(isUserError(err, 'usage') ? 2 : 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { serverConfig } = await import('../config/load.ts');
  try {
    const parsed = parseCommand({ usage, options: serverOptions }, process.argv.slice(2));
    if (parsed) await serveUntilSignal(serverConfig(process.env, serverFlags(parsed.values, usage)));
  } catch (err) {
    process.stderr.write(`sidecar-labs: ${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
    process.exit(2);
  }
}
