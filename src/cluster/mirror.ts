// Registry mirrors: one registry (a corporate proxy, an instructor's room registry, or the local test
// registry) that serves every upstream registry the cluster pulls from.
//
// Layout: one path prefix per upstream registry. docker.io/library/nginx:1.24.0 lives in the mirror as
// <mirror>/docker.io/library/nginx:1.24.0, registry.k8s.io/git-sync/git-sync:v4.4.2 as
// <mirror>/registry.k8s.io/git-sync/git-sync:v4.4.2. The node's containerd finds them through one
// /etc/containerd/certs.d/<registry>/hosts.toml per registry whose host is <mirror>/v2/<registry> with
// override_path (so containerd asks <mirror>/v2/docker.io/library/nginx/manifests/1.24.0). A pull-through
// proxy for a single registry (e.g. Docker Hub only) is not this layout; a registry filled with
// `sidecar-labs kit push` is.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.ts';
import { ClusterError } from './errors.ts';
import { LAB_IMAGES } from './kit.ts';
import { fail, ok, warn, type CheckOutcome } from './doctor/types.ts';

/** Registries the cluster may pull from: those of the lab images, the control plane's, and the common ones. */
export const MIRRORED_REGISTRIES = [
  ...new Set([
    ...LAB_IMAGES.map((i) => parseImageRef(i).registry),
    'docker.io',
    'registry.k8s.io',
    'ghcr.io',
    'quay.io',
  ]),
];

/** Where the node's containerd looks for hosts.toml files (set by the config patch below). */
export const CERTS_DIR = '/etc/containerd/certs.d';

/** kind containerdConfigPatches entry: containerd 1.6+ reads per-registry hosts.toml from CERTS_DIR. */
export const CONTAINERD_PATCH = `[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "${CERTS_DIR}"`;

/** The registry host of a reference and the rest, with Docker's defaults (nginx:1 is docker.io/library/nginx:1). */
export function parseImageRef(ref: string): { registry: string; path: string } {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { registry: first, path: ref.slice(slash + 1) };
  }
  return { registry: 'docker.io', path: slash < 0 ? `library/${ref}` : ref };
}

/** A mirror URL as given (http://host:port, host:port, with or without a trailing slash), normalised. */
export function parseMirror(url: string): { base: string; hostPort: string } {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ClusterError(`--registry-mirror "${url}" is not a URL (expected e.g. http://127.0.0.1:5001)`);
  }
  if (u.pathname !== '/' && u.pathname !== '')
    throw new ClusterError(`--registry-mirror "${url}": give the registry's root, without a path`);
  return { base: `${u.protocol}//${u.host}`, hostPort: u.host };
}

/** The name of an image in the mirror: <mirror host:port>/<upstream registry>/<path>. */
export function mirrorRef(mirror: string, ref: string): string {
  const { registry, path } = parseImageRef(ref);
  return `${parseMirror(mirror).hostPort}/${registry}/${path}`;
}

function upstreamServer(registry: string): string {
  return registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`;
}

/** hosts.toml for one upstream registry: the mirror first, the registry itself as the fallback. */
export function hostsToml(registry: string, nodeBase: string): string {
  return [
    `server = "${upstreamServer(registry)}"`,
    '',
    `[host."${nodeBase}/v2/${registry}"]`,
    '  capabilities = ["pull", "resolve"]',
    '  override_path = true',
    ...(nodeBase.startsWith('http://') ? ['  skip_verify = true'] : []),
    '',
  ].join('\n');
}

/** Writes <dir>/<registry>/hosts.toml for every mirrored registry; kind mounts <dir> at CERTS_DIR. */
export function writeHostsDir(dir: string, nodeBase: string): string {
  rmSync(dir, { recursive: true, force: true });
  for (const registry of MIRRORED_REGISTRIES) {
    mkdirSync(join(dir, registry), { recursive: true });
    writeFileSync(join(dir, registry, 'hosts.toml'), hostsToml(registry, nodeBase));
  }
  return dir;
}

const loopback = (host: string) => host === 'localhost' || host.startsWith('127.') || host === '[::1]';

/**
 * The mirror's address as the node sees it. A mirror on the host's loopback (127.0.0.1:5001) is not
 * reachable from inside the node container; when it is a container publishing that port, it is joined
 * to kind's network and named by its container name and port there (kind's local-registry recipe).
 */
export async function nodeMirrorBase(mirror: string): Promise<string> {
  const { base } = parseMirror(mirror);
  const u = new URL(base);
  if (!loopback(u.hostname)) return base;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const ps = await run('docker', ['ps', '--format', '{{.Names}}\t{{.Ports}}']);
  for (const line of ps.stdout.split('\n')) {
    const [name, ports = ''] = line.split('\t');
    const m = ports.match(new RegExp(`(?:127\\.0\\.0\\.1|0\\.0\\.0\\.0|\\[::\\]|::):${port}->(\\d+)/tcp`));
    if (!name || !m) continue;
    await run('docker', ['network', 'create', 'kind']); // kind makes it too; "already exists" is fine
    const c = await run('docker', ['network', 'connect', 'kind', name]);
    if (c.code !== 0 && !/already exists/.test(c.stderr))
      throw new ClusterError(`could not join ${name} to the kind network: ${c.stderr.trim()}`);
    return `${u.protocol}//${name}:${m[1]}`;
  }
  throw new ClusterError(
    `the mirror ${base} is on this host's loopback, which the kind node cannot reach. Run it as a container ` +
      `publishing that port (scripts/mirror-registry.sh start does), or give an address the node can reach.`,
  );
}

/** True when the mirror answers the registry API's base endpoint (200, or 401 for a registry with auth). */
export async function mirrorReachable(mirror: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const r = await fetch(`${parseMirror(mirror).base}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    return r.status === 200 || r.status === 401;
  } catch {
    return false;
  }
}

/** True when the mirror holds the image (under the layout above). */
export async function mirrorHas(mirror: string, ref: string, timeoutMs = 5000): Promise<boolean> {
  const { registry, path } = parseImageRef(ref);
  const at = path.lastIndexOf(':');
  const [repo, tag] = at > path.lastIndexOf('/') ? [path.slice(0, at), path.slice(at + 1)] : [path, 'latest'];
  try {
    const r = await fetch(`${parseMirror(mirror).base}/v2/${registry}/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        accept: [
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.oci.image.index.v1+json',
        ].join(', '),
      },
    });
    return r.status === 200;
  } catch {
    return false;
  }
}

/** Makes `image` present in the host's Docker, pulling it through the mirror and tagging it with its own name. */
export async function pullThroughMirror(mirror: string, image: string): Promise<void> {
  if ((await run('docker', ['image', 'inspect', image])).code === 0) return;
  const from = mirrorRef(mirror, image);
  const pull = await run('docker', ['pull', '-q', from]);
  if (pull.code !== 0)
    throw new ClusterError(`could not pull ${image} through the mirror (${from}): ${pull.stderr.trim()}`);
  const tag = await run('docker', ['tag', from, image]);
  if (tag.code !== 0) throw new ClusterError(`could not tag ${from} as ${image}: ${tag.stderr.trim()}`);
}

/** Pushes local images to the mirror under the layout above; returns the mirror names. */
export async function pushToMirror(mirror: string, images: string[], onLine?: (l: string) => void): Promise<string[]> {
  const pushed: string[] = [];
  for (const image of images) {
    const to = mirrorRef(mirror, image);
    const tag = await run('docker', ['tag', image, to]);
    if (tag.code !== 0) throw new ClusterError(`could not tag ${image}: ${tag.stderr.trim()}`);
    onLine?.(`pushing ${image} as ${to}`);
    const push = await run('docker', ['push', '-q', to]);
    await run('docker', ['rmi', to]); // the tag only; the image stays under its own name
    if (push.code !== 0) throw new ClusterError(`could not push ${to}: ${push.stderr.trim()}`);
    pushed.push(to);
  }
  return pushed;
}

/** `sidecar-labs doctor` with SIDECAR_LABS_REGISTRY_MIRROR: does the mirror answer and hold every lab image? */
export async function mirrorHealth(mirror: string): Promise<CheckOutcome> {
  const name = 'registry mirror';
  if (!(await mirrorReachable(mirror))) {
    return fail(name, `${mirror} does not answer /v2/`, 'start the mirror, or unset SIDECAR_LABS_REGISTRY_MIRROR');
  }
  const missing: string[] = [];
  for (const image of LAB_IMAGES) if (!(await mirrorHas(mirror, image))) missing.push(image);
  if (missing.length) {
    return warn(
      name,
      `${mirror} lacks ${missing.length} lab image(s): ${missing.join(', ')}`,
      `npx sidecar-labs kit push --registry ${mirror}`,
    );
  }
  return ok(name, `${mirror} holds all ${LAB_IMAGES.length} lab images`);
}
