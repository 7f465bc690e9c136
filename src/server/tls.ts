// HTTPS for a server reachable beyond this machine: session tokens and keystrokes must not cross a
// room's Wi-Fi in clear text. Certificate and key come from `--tls-cert/--tls-key` or
// SIDECAR_LABS_TLS_CERT / SIDECAR_LABS_TLS_KEY (PEM files).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h.endsWith('.localhost')) return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}

/** TLS files from the flags or the environment; both or neither. */
export function tlsFilesFrom(
  flags: { cert?: string; key?: string },
  env: NodeJS.ProcessEnv = process.env,
): TlsFiles | undefined {
  const cert = flags.cert ?? env.SIDECAR_LABS_TLS_CERT;
  const key = flags.key ?? env.SIDECAR_LABS_TLS_KEY;
  if (!cert && !key) return undefined;
  if (!cert || !key) {
    throw new Error(
      `HTTPS needs both a certificate and its key: pass --tls-cert <file> and --tls-key <file> (or set SIDECAR_LABS_TLS_CERT and SIDECAR_LABS_TLS_KEY)`,
    );
  }
  return { cert, key };
}

/** Read the PEM files, with an error that names the file and what was expected. */
export function loadTls(files: TlsFiles): TlsMaterial {
  const read = (path: string, what: string, marker: RegExp): Buffer => {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, {
        cause: err,
      });
    }
    if (!marker.test(data.toString('latin1')))
      throw new Error(`${path}: expected a PEM ${what} (a "-----BEGIN …-----" block)`);
    return data;
  };
  return {
    cert: read(files.cert, 'certificate', /-----BEGIN CERTIFICATE-----/),
    key: read(files.key, 'private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

/** The warning printed when plain HTTP listens where other machines can reach it. */
export function plainHttpWarning(host: string): string | undefined {
  if (isLoopback(host)) return undefined;
  const bar = '!'.repeat(78);
  return [
    bar,
    `!! WARNING: serving PLAIN HTTP on ${host}: anyone on the network can read session tokens`,
    "!! and keystrokes, and take over learners' terminals. Serve HTTPS with",
    '!!   --tls-cert cert.pem --tls-key key.pem   (or SIDECAR_LABS_TLS_CERT / SIDECAR_LABS_TLS_KEY),',
    '!! or listen on 127.0.0.1 behind a reverse proxy that terminates TLS.',
    bar,
  ].join('\n');
}
