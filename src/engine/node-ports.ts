// Per-session NodePorts. A NodePort is cluster-wide: two learners applying the same Service with
// `nodePort: 30080` collide. A lab declares its node ports by name with the port its manifests use
// (`nodePorts: { web: 30080 }`); a session either keeps those (one learner, the lesson's numbers) or
// gets a free port per name. The allocation lives in a namespace annotation, and everything the
// session touches is rewritten with it: the manifests applied, the checks, the learner's files and
// environment ($NODE_PORT). Pure functions, except allocateNodePorts (it lists the cluster's ports).
import type { Check } from './schema.ts';
import type { KubeObject } from './load.ts';

export type NodePortMap = Record<string, number>;

export const ANNOTATION_NODE_PORTS = 'sidecar-labs.dev/node-ports';
/** Ports the allocator never hands out: the lessons' defaults and kind's host-mapped range. */
export const RESERVED_LOW = 30000;
export const RESERVED_HIGH = 30099;
export const RANGE_HIGH = 32767;

/** Pick a free port per name; `used` are ports already taken on the cluster (or by other sessions). */
export function pickNodePorts(
  names: readonly string[],
  used: ReadonlySet<number>,
  random: () => number = Math.random,
): NodePortMap {
  const out: NodePortMap = {};
  const taken = new Set(used);
  const span = RANGE_HIGH - RESERVED_HIGH;
  for (const name of names) {
    // random start, then linear probe: two server processes rarely race for the same port
    const start = Math.floor(random() * span);
    let port = 0;
    for (let i = 0; i < span && !port; i++) {
      const p = RESERVED_HIGH + 1 + ((start + i) % span);
      if (!taken.has(p)) port = p;
    }
    if (!port) throw new Error('no free NodePort is left on the cluster');
    taken.add(port);
    out[name] = port;
  }
  return out;
}

/** old port → new port, for the ports that changed. */
function portMapping(defaults: NodePortMap, session: NodePortMap | undefined): Map<number, number> {
  const m = new Map<number, number>();
  for (const [name, port] of Object.entries(defaults)) {
    const mine = session?.[name];
    if (mine && mine !== port) m.set(port, mine);
  }
  return m;
}

/** The objects with each Service's declared nodePort replaced by the session's. */
export function rewriteObjects(
  objects: KubeObject[],
  defaults: NodePortMap,
  session: NodePortMap | undefined,
): KubeObject[] {
  const m = portMapping(defaults, session);
  if (m.size === 0) return objects;
  return objects.map((o) => {
    if (o.kind !== 'Service') return o;
    const copy = structuredClone(o) as KubeObject & { spec?: { ports?: { nodePort?: number }[] } };
    for (const p of copy.spec?.ports ?? []) if (p.nodePort && m.has(p.nodePort)) p.nodePort = m.get(p.nodePort);
    return copy;
  });
}

/** The learner's working copy of the manifests: `nodePort: 30080` lines show the session's port. */
export function rewriteFiles(
  files: Record<string, string>,
  defaults: NodePortMap,
  session: NodePortMap | undefined,
): Record<string, string> {
  const m = portMapping(defaults, session);
  if (m.size === 0) return files;
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    out[name] = text.replace(/(\bnodePort:\s*)(\d{5})\b/g, (all, key: string, port: string) =>
      m.has(Number(port)) ? `${key}${m.get(Number(port))}` : all,
    );
  }
  return out;
}

/** $NODE_PORT (the first declared port) and $NODE_PORT_<NAME> for each, for the terminal and scripts. */
export function nodePortEnv(defaults: NodePortMap, session: NodePortMap | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  const names = Object.keys(defaults);
  for (const name of names)
    env[`NODE_PORT_${name.toUpperCase().replace(/-/g, '_')}`] = String(session?.[name] ?? defaults[name]);
  if (names.length) env.NODE_PORT = String(session?.[names[0]!] ?? defaults[names[0]!]);
  return env;
}

/**
 * A check as this session runs it. A NodePort check on a port of the lesson's own stays as it is (on
 * kind the host reaches 30080-30089 on loopback). On an allocated port the host may not reach the
 * node, so the check asks from inside the cluster, the way the learner does: curl from the terminal
 * pod to the node's address ($HOST_IP).
 */
export function sessionCheck(
  check: Check,
  defaults: NodePortMap,
  session: NodePortMap | undefined,
  hasTerminal: boolean,
): Check {
  if (check.type !== 'http' || typeof check.nodePort !== 'number') return check; // names are resolved at load
  const m = portMapping(defaults, session);
  const port = m.get(check.nodePort);
  if (port === undefined) return check;
  const title = (check.title ?? `HTTP GET ${check.path} on NodePort {port}`).replace(/\b\d{5}\b|\{port\}/g, (p) =>
    p === String(check.nodePort) || p === '{port}' ? String(port) : p,
  );
  if (!hasTerminal) return { ...check, nodePort: port, title };
  const fail = check.status >= 200 && check.status < 300 ? ' -f' : '';
  return {
    type: 'exec',
    title,
    hint: check.hint ?? `is there a NodePort Service with nodePort ${port}?`,
    timeout: check.timeout,
    settle: check.settle,
    pod: 'terminal',
    container: 'terminal',
    command: `curl -sS${fail} -m 5 "http://$HOST_IP:${port}${check.path}"`,
    stdout: check.body,
    exitCode: 0,
  } as Check;
}

/** Ports that Services hold on the cluster now, plus what sessions were given (maybe not applied yet). */
export function usedPorts(
  services: { spec?: { ports?: { nodePort?: number }[] } }[],
  annotations: (string | undefined)[],
): Set<number> {
  const used = new Set<number>();
  for (const s of services) for (const p of s.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
  for (const a of annotations) for (const p of Object.values(parseNodePorts(a) ?? {})) used.add(p);
  return used;
}

export function parseNodePorts(text: string | undefined): NodePortMap | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const out: NodePortMap = {};
    for (const [k, p] of Object.entries(v))
      if (Number.isInteger(p) && (p as number) >= 30000 && (p as number) <= RANGE_HIGH) out[k] = p as number;
    return out;
  } catch {
    return undefined;
  }
}
