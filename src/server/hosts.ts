// Which Host names the server answers to, and which Origins may drive it.
//
// DNS rebinding: a page on evil.example re-points its own name at 127.0.0.1, so the browser sends
// `Host: evil.example:4321` and `Origin: http://evil.example:4321` to this server, and the two match.
// So matching Origin against Host is not enough: the Host name itself must be one we serve. A
// rebinding attack needs a name the attacker controls, so loopback names, IP literals (a browser
// sends an IP as Host only when the page itself was opened at that IP) and the names the operator
// configured are allowed; every other name is refused, on HTTP and on the WebSocket upgrade.
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export interface HostPolicy {
  /** Public names the server answers to besides loopback and IP literals (lower case). */
  readonly names: readonly string[];
  /** Full origins allowed besides the server's own (e.g. a reverse proxy's public URL). */
  readonly extraOrigins: readonly string[];
}

/** Host name of a Host header or URL host (`[::1]:4321` → `::1`, `Lab.Example:80` → `lab.example`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  const name = colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * The policy from configured names: `SIDECAR_LABS_HOSTS` (comma separated), the host the server
 * listens on (when it is a name), and the hosts of `SIDECAR_LABS_ORIGINS`.
 */
export function hostPolicy(opts: { hosts?: readonly string[]; origins?: readonly string[] } = {}): HostPolicy {
  const names = new Set<string>();
  for (const h of opts.hosts ?? []) if (h.trim()) names.add(hostName(h));
  const extraOrigins: string[] = [];
  for (const o of opts.origins ?? []) {
    try {
      const url = new URL(o);
      extraOrigins.push(url.origin);
      names.add(hostName(url.host));
    } catch {
      throw new Error(`SIDECAR_LABS_ORIGINS: "${o}" is not an origin such as https://labs.example.org`);
    }
  }
  return { names: [...names], extraOrigins };
}

/** True when the server answers to this Host header value. */
export function hostAllowed(policy: HostPolicy, host: string | undefined): boolean {
  if (!host) return false; // HTTP/1.1 requires Host; browsers always send it
  const name = hostName(host);
  if (name === '' || /[^a-z0-9.:_-]/.test(name)) return false;
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost') || isIP(name) !== 0) return true;
  return policy.names.includes(name);
}

/**
 * True when a browser request's Origin is one of ours: the page was served by this server under an
 * allowed name (Origin equals the request's allowed Host), or it is a configured extra origin.
 * No Origin (a non-browser client) is not allowed here; callers decide when Origin is optional.
 */
export function originAllowed(policy: HostPolicy, headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (!origin || origin === 'null') return false;
  if (policy.extraOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = headers.host;
  return host !== undefined && hostAllowed(policy, url.host) && url.host === host.toLowerCase();
}
