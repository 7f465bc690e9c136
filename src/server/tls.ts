// HTTPS for a server reachable beyond this machine: session tokens, keystrokes and the instructor's
// key must not cross a room's Wi-Fi in clear text. Certificate and key come from `--tls-cert/--tls-key`
// or SIDECAR_LABS_TLS_CERT / SIDECAR_LABS_TLS_KEY (PEM files, named in the configuration: src/config/).
// Plain HTTP on an address other machines reach is refused unless `--insecure-http` says so.
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

/**
 * Why the server will not serve plain HTTP on `host` (undefined: it may). Loopback is fine; anything
 * else needs TLS, or `--insecure-http` to take the risk knowingly (then plainHttpWarning is printed).
 */
export function plainHttpRefusal(host: string, tls: boolean, insecureHttp: boolean): string | undefined {
  if (tls || insecureHttp || isLoopback(host)) return undefined;
  return (
    `refusing to serve plain HTTP on ${host}: other machines can reach that address, and anyone on the ` +
    "network could read learners' session tokens and keystrokes and the instructor page's key (it sends " +
    'it every second). Serve HTTPS with --tls-cert FILE --tls-key FILE (or SIDECAR_LABS_TLS_CERT and ' +
    'SIDECAR_LABS_TLS_KEY), listen on 127.0.0.1 behind a reverse proxy that terminates TLS, or pass ' +
    '--insecure-http (SIDECAR_LABS_INSECURE_HTTP=1) to serve plain HTTP anyway'
  );
}

/** The warning printed when plain HTTP listens where other machines can reach it (--insecure-http). */
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
