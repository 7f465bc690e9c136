// The images of a lab, read from what it runs: every container of its manifests (mistakes/ included)
// and every `--image` of its commands (`kubectl run visitor --image=…`). sidecar-labs.dev/v1 derives
// the lab's image list from them; a list written in lab.yaml must name no image beyond them.
import type { KubeObject } from './kube-object.ts';
import type { LabSpec } from '../schema.ts';
import { podSpecOf } from './manifest.ts';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const IMAGE_FLAG = /--image[= ](\S+)/g;

function manifestImages(manifests: Record<string, KubeObject[]>): string[] {
  const out: string[] = [];
  for (const objects of Object.values(manifests))
    for (const o of objects) {
      const spec = podSpecOf(o)?.spec as Record<string, unknown> | undefined;
      for (const list of CONTAINER_LISTS)
        for (const c of Array.isArray(spec?.[list]) ? (spec[list] as { image?: unknown }[]) : [])
          if (typeof c?.image === 'string') out.push(c.image);
    }
  return out;
}

function commandImages(spec: LabSpec): string[] {
  const commands = spec.steps.flatMap((s) => [
    ...s.solution.commands,
    ...s.commands.map((c) => (typeof c === 'string' ? c : c.run)),
    ...s.mistakes.flatMap((m) => m.apply.commands),
  ]);
  return commands.flatMap((c) => [...c.matchAll(IMAGE_FLAG)].map((m) => m[1]!.replace(/^['"]|['"]$/g, '')));
}

/** Every image the lab runs, each once, in the order first met (manifest files, then commands). */
export function derivedImages(spec: LabSpec, manifests: Record<string, KubeObject[]>): string[] {
  return [...new Set([...manifestImages(manifests), ...commandImages(spec)])];
}

/** Images listed in lab.yaml that nothing of the lab runs, with their index in the list. */
export function unusedImages(
  spec: LabSpec,
  manifests: Record<string, KubeObject[]>,
): { index: number; image: string }[] {
  const used = new Set(derivedImages(spec, manifests));
  return spec.images.flatMap((image, index) => (used.has(image) ? [] : [{ index, image }]));
}
