// The offline kit: builds (once, cached) a kind node image with every control-plane and lab image
// preloaded, from Go modules and Debian packages only. The work is in scripts/kit/*.sh; this module
// runs them and turns their log lines into progress.
import { fileURLToPath } from 'node:url';
import { run } from './exec.ts';
import { ClusterError } from './errors.ts';
import type { Progress } from './progress.ts';

const kitDir = fileURLToPath(new URL('../../scripts/kit/', import.meta.url));

const phaseOf: Array<[RegExp, string]> = [
  [/^\[kit\/go/, 'building kind and Kubernetes from Go modules'],
  [/^\[kit\/rootfs/, 'building Debian root filesystems'],
  [/^\[kit\/images/, 'building control-plane and lab images'],
  [/^\[kit\/node/, 'assembling the node image'],
];

export async function buildOfflineNodeImage(progress: Progress): Promise<string> {
  let current = '';
  const result = await run('bash', [`${kitDir}build-node-image.sh`], {
    onLine(line) {
      const phase = phaseOf.find(([re]) => re.test(line))?.[1];
      if (phase && phase !== current) {
        current = phase;
        progress.phase(phase);
      }
      if (phase) progress.detail(line.replace(/^\[[^\]]*\]\s*/, ''));
    },
  });
  const tag = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code !== 0 || !tag.startsWith('sidecar-labs/node:')) {
    const tail = `${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new ClusterError(`building the offline kit failed (exit ${result.code}). Last lines:\n${tail}`);
  }
  return tag;
}

/** Lab images as the manifests name them, and the ones this project builds itself in every mode (scripts/kit/images.txt). */
export { labImages as LAB_IMAGES, projectImages as PROJECT_IMAGES } from '../course/images.ts';

/** Builds all images with the kit (online too: the project's own images need it) and returns the archive. */
export async function buildImageArchive(progress: Progress): Promise<string> {
  progress.phase('building the lab images');
  const go = await run('bash', [`${kitDir}build-go.sh`], { onLine: (l) => progress.detail(l) });
  if (go.code !== 0)
    throw new ClusterError(`building Go programs failed:\n${go.stderr.split('\n').slice(-10).join('\n')}`);
  const r = await run('bash', [`${kitDir}build-images.sh`], { onLine: (l) => progress.detail(l) });
  if (r.code !== 0)
    throw new ClusterError(`building the lab images failed:\n${r.stderr.split('\n').slice(-10).join('\n')}`);
  return r.stdout.trim().split('\n').pop() ?? '';
}
