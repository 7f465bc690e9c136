/**
 * The TypeScript view of the kit's image list, scripts/kit/images.txt: every image a lab manifest may
 * name, exactly as upstream publishes it and pinned, so a lab never needs a registry. The offline kit
 * (build-images.sh) reads the same file, so the list lives in one place.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ImageOrigin = 'upstream' | 'project';

export interface LabImage {
  name: string;
  /** upstream: pulled online, built offline under the same name; project: ours, built in every mode. */
  origin: ImageOrigin;
}

/**
 * scripts/kit/images.txt, found from this module's place in the repository; when the site build bundles
 * this module into dist/, from the folder the build runs in (the repository's root).
 */
export const imageListFile =
  [
    fileURLToPath(new URL('../../scripts/kit/images.txt', import.meta.url)),
    join(process.cwd(), 'scripts', 'kit', 'images.txt'),
  ].find((f) => existsSync(f)) ?? join(process.cwd(), 'scripts', 'kit', 'images.txt');

/** Parses images.txt: `name origin` per line; `#` comments and blank lines are skipped. */
export function parseImageList(text: string, file = imageListFile): LabImage[] {
  const images: LabImage[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [name, origin, ...rest] = line.split(/\s+/);
    if ((origin !== 'upstream' && origin !== 'project') || rest.length > 0) {
      throw new Error(`${file}:${i + 1}: expected "<image> upstream|project", got "${line}"`);
    }
    if (!/^[a-z0-9.-]+\/[^\s:]+:[^\s:]+$/.test(name)) {
      throw new Error(`${file}:${i + 1}: expected a registry-qualified, pinned image name, got "${name}"`);
    }
    images.push({ name, origin });
  });
  return images;
}

export const labImageList: readonly LabImage[] = parseImageList(readFileSync(imageListFile, 'utf8'));

/** Every lab image name, as the manifests write it. */
export const labImages: readonly string[] = labImageList.map((i) => i.name);

/** Images this project builds itself in every mode: there is no upstream for them. */
export const projectImages: readonly string[] = labImageList.filter((i) => i.origin === 'project').map((i) => i.name);

/** The one image whose name contains `fragment` (e.g. "/sidecarlabs/toolbox:"). */
export function labImage(fragment: string): string {
  const found = labImages.filter((n) => n.includes(fragment));
  if (found.length !== 1)
    throw new Error(`${imageListFile}: expected one image matching "${fragment}", found ${found.length}`);
  return found[0];
}
