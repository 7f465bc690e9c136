// sidecar-labs kit push --registry URL: fills a registry mirror from the offline kit (the node image and
// every lab image, under the mirror layout of src/cluster/mirror.ts). How an instructor prepares a room.
import { run } from '../cluster/exec.ts';
import { ClusterError } from '../cluster/errors.ts';
import { buildImageArchive, buildOfflineNodeImage, LAB_IMAGES } from '../cluster/kit.ts';
import { mirrorReachable, pushToMirror } from '../cluster/mirror.ts';
import { checkDocker } from '../cluster/preflight.ts';
import { createProgress } from '../cluster/progress.ts';

const usage = 'usage: sidecar-labs kit push --registry URL [--node-image IMAGE | --no-node-image]';

export async function run_(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let registry = process.env.SIDECAR_LABS_REGISTRY_MIRROR || '';
  let nodeImage = true;
  let namedNode: string | undefined; // a node image already built (skips the kit's build)
  for (let i = 0; i < rest.length; i++) {
    const f = rest[i]!;
    if (f === '--registry') registry = rest[++i] ?? '';
    else if (f.startsWith('--registry=')) registry = f.slice('--registry='.length);
    else if (f === '--no-node-image') nodeImage = false;
    else if (f === '--node-image') namedNode = rest[++i];
    else {
      process.stderr.write(`sidecar-labs kit: unknown option ${f}\n${usage}\n`);
      return 2;
    }
  }
  if (sub !== 'push' || !registry) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const progress = createProgress();
  try {
    progress.phase('checking Docker and the registry');
    await checkDocker();
    if (!(await mirrorReachable(registry))) throw new ClusterError(`no registry answers at ${registry}/v2/`);
    const node = nodeImage ? (namedNode ?? (await buildOfflineNodeImage(progress))) : undefined;
    const images: string[] = [...LAB_IMAGES];
    const absent = [];
    for (const i of images) if ((await run('docker', ['image', 'inspect', i])).code !== 0) absent.push(i);
    if (absent.length) {
      const archive = await buildImageArchive(progress);
      progress.phase(`loading ${archive} into Docker`);
      const load = await run('docker', ['load', '-q', '-i', archive]);
      if (load.code !== 0) throw new ClusterError(`docker load failed: ${load.stderr.trim()}`);
    }
    progress.phase(`pushing ${images.length + (node ? 1 : 0)} images to ${registry}`);
    const pushed = await pushToMirror(registry, [...(node ? [node] : []), ...images], (l) => progress.detail(l));
    progress.done(
      `pushed ${pushed.length} images:\n${pushed.map((p) => `  ${p}`).join('\n')}` +
        (node ? `\nUse: sidecar-labs cluster up --registry-mirror ${registry} --node-image ${node}` : ''),
    );
    return 0;
  } catch (err) {
    progress.fail(`✗ ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

export { run_ as run };
