// Everything that can be refused is refused before anything exists: a cluster too old for the lab,
// manifests that are cluster-scoped or name another namespace, images the offline node does not hold.
import { EngineError, ImageMissingError, ManifestRefusedError } from '../errors.ts';
import type { Kube } from '../kube.ts';
import type { KubeObject, Lab } from '../load.ts';
import { TOOLBOX_IMAGE } from '../terminal.ts';
import type { EngineCore } from './core.ts';

/** Every manifest the lab may apply: setup, solutions and mistakes. */
function labObjects(lab: Lab, setup: KubeObject[]): KubeObject[] {
  const named = lab.steps.flatMap((s) => [...s.solution.manifests, ...s.mistakes.flatMap((m) => m.apply.manifests)]);
  return [...setup, ...named.flatMap((m) => lab.manifests[m] ?? [])];
}

export async function assertStartable(
  core: EngineCore,
  lab: Lab,
  setup: KubeObject[],
  opts: { terminal?: boolean; signal?: AbortSignal },
): Promise<void> {
  // asked together (independent reads), reported in this order when more than one refuses
  const results = await Promise.allSettled([
    assertVersion(core.kube, lab),
    assertNamespaced(core.kube, labObjects(lab, setup)),
    assertImagesPresent(core, [...lab.images, ...(opts.terminal ? [TOOLBOX_IMAGE] : [])]),
  ]);
  const refused = results.find((r) => r.status === 'rejected');
  if (refused) throw refused.reason;
  opts.signal?.throwIfAborted();
}

async function assertVersion(kube: Kube, lab: Lab): Promise<void> {
  const version = await kube.ping();
  const [wantMajor, wantMinor] = lab.minKubernetes.split('.').map(Number);
  if (version.major > 0 && (version.major < wantMajor || (version.major === wantMajor && version.minor < wantMinor)))
    throw new EngineError(
      `lab "${lab.slug}" needs Kubernetes ${lab.minKubernetes} or newer; the cluster runs ${version.gitVersion}. Use the lab cluster (\`npx sidecar-labs cluster up\`) or a newer one`,
    );
}

/** Refuse (before anything is applied) objects that are cluster-scoped or name another namespace. */
export async function assertNamespaced(kube: Kube, objects: KubeObject[]): Promise<void> {
  const problems: string[] = [];
  for (const o of objects) {
    const what = `${o.kind} "${o.metadata?.name}"`;
    if (o.metadata?.namespace)
      problems.push(`${what} names namespace "${o.metadata.namespace}": a lab may only act in its own namespace`);
    const namespaced = await kube.isNamespaced(o.apiVersion, o.kind);
    if (namespaced === false)
      problems.push(
        `${what} is cluster-scoped (${o.apiVersion} ${o.kind}): a lab may only create objects inside its own namespace`,
      );
    if (namespaced === undefined) problems.push(`${what}: the cluster does not know ${o.apiVersion} ${o.kind}`);
  }
  if (problems.length)
    throw new ManifestRefusedError(`refused the lab's manifests, nothing was applied:\n  ${problems.join('\n  ')}`);
}

/**
 * On kind (offline) every image must already be on the node; other clusters may pull, and so may a kind
 * cluster that pulls through a registry mirror (SIDECAR_LABS_REGISTRY_MIRROR, as for `cluster up`).
 */
async function assertImagesPresent(core: EngineCore, images: string[]): Promise<void> {
  if (core.choice !== 'kind' || process.env.SIDECAR_LABS_REGISTRY_MIRROR) return;
  const nodes = await core.kube.listNodes();
  const have = new Set(nodes.flatMap((n) => n.status?.images ?? []).flatMap((i) => i.names ?? []));
  const missing = [...new Set(images)].filter(
    (img) =>
      !have.has(img) &&
      !have.has(img.replace(/^docker\.io\/library\//, '')) &&
      !have.has(img.replace(/^docker\.io\//, '')),
  );
  if (missing.length) throw new ImageMissingError(missing);
}
