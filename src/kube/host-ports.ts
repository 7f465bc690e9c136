// The NodePorts kind maps to the host (loopback) and the host ports they reach there: a fact of the cluster
// that the engine (which address a NodePort check asks) and the kind provider (its config) both need.
import { UserError } from '../errors.ts';

/** NodePorts 30080-30089 reach the host on loopback only (the labs' NodePort checks use them). */
export const NODE_PORTS = Array.from({ length: 10 }, (_, i) => 30080 + i);

/**
 * Host ports for NODE_PORTS: the same numbers by default. A second cluster on the same machine sets
 * SIDECAR_LABS_NODE_PORT_BASE to another base (e.g. 31080) or to `none` for no port mappings.
 */
export function hostPorts(env = process.env.SIDECAR_LABS_NODE_PORT_BASE): Array<{ container: number; host: number }> {
  if (env === 'none') return [];
  const base = env ? Number(env) : NODE_PORTS[0];
  if (!Number.isInteger(base) || base < 1024 || base + NODE_PORTS.length > 65535) {
    throw new UserError(
      'cluster',
      `SIDECAR_LABS_NODE_PORT_BASE="${env}" is not a port between 1024 and ${65535 - NODE_PORTS.length} (or "none")`,
    );
  }
  return NODE_PORTS.map((p, i) => ({ container: p, host: base + i }));
}

/** The host port the first NodePort maps to (undefined: no mappings), from SIDECAR_LABS_NODE_PORT_BASE. */
export function nodePortBase(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return hostPorts(env.SIDECAR_LABS_NODE_PORT_BASE)[0]?.host;
}

/** The host ports the cluster's NodePorts map to (127.0.0.1). */
export function hostNodePorts(env: NodeJS.ProcessEnv = process.env): number[] {
  return hostPorts(env.SIDECAR_LABS_NODE_PORT_BASE).map((p) => p.host);
}
