// The lab server's own flags, shared by every command that starts it (`npm start`, `node
// src/server/main.ts`, `sidecar-labs workshop`): their parseArgs options, their usage lines, and
// their values as configuration flags (load.ts).
import { wholeNumber } from './args.ts';
import type { ConfigFlags } from './load.ts';

/** The server's own flags (scripts/start.ts and the workshop command take them too). */
export const serverOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'insecure-http': { type: 'boolean' },
} as const;

/** Their lines of a usage text. */
export const serverUsage = `  --host ADDR             listen on this address or name (default HOST or 127.0.0.1)
  --port N                listen on this port (default PORT or 4321)
  --tls-cert FILE         serve HTTPS with this PEM certificate (SIDECAR_LABS_TLS_CERT)
  --tls-key FILE          … and its PEM private key (SIDECAR_LABS_TLS_KEY)
  --insecure-http         serve plain HTTP on an address other machines reach (refused without it)
`;

/** The parsed values of serverOptions as configuration flags; a bad --port is a UsageError. */
export function serverFlags(
  values: { host?: string; port?: string; 'tls-cert'?: string; 'tls-key'?: string; 'insecure-http'?: boolean },
  usageText: string,
): ConfigFlags {
  return {
    host: values.host,
    port: values.port === undefined ? undefined : wholeNumber('port', values.port, 1, 65535, usageText),
    tlsCert: values['tls-cert'],
    tlsKey: values['tls-key'],
    insecureHttp: values['insecure-http'],
  };
}
