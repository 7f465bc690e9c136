// sidecar-labs kit push --registry URL: fills a registry mirror from the offline kit (the node image and
// every lab image, under the mirror layout of src/cluster/mirror.ts). How an instructor prepares a room.
import { run } from '../cluster/exec.ts';
import { ClusterError } from '../cluster/errors.ts';
import { buildImageArchive, buildOfflineNodeImage, LAB_IMAGES } from '../cluster/kit.ts';
import { mirrorReachable, pushToMirror } from '../cluster/mirror.ts';
import { checkDocker } from '../cluster/preflight.ts';
import { createProgress } from '../cluster/progress.ts';
import { parseCommand, UsageError } from '../config/args.ts';

const usage = `usage: sidecar-labs kit push --registry URL [--node-image IMAGE | --no-node-image]

Fills a registry mirror from the offline kit: the kit's node image and every lab image, each under
<registry>/<upstream registry>/… (builds what the kit lacks first).

  --registry URL       the mirror, e.g. http://127.0.0.1:5001 (default SIDECAR_LABS_REGISTRY_MIRROR)
  --node-image IMAGE   push this node image instead of building the kit's
  --no-node-image      push the lab images only
`;

const spec = {
  usage,
  positionals: true,
  options: {
    registry: { type: 'string' },
    'node-image': { type: 'string' },
    'no-node-image': { type: 'boolean' },
  },
} as const;

export async function run_(args: string[]): Promise<number> {
  const parsed = parseCommand(spec, args);
  if (!parsed) return 0;
  const [sub, ...extra] = parsed.positionals;
  if (sub !== 'push') throw new UsageError(sub ? `unknown kit command "${sub}"` : 'which kit command? (push)', usage);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
  const registry = parsed.values.registry || process.env.SIDECAR_LABS_REGISTRY_MIRROR || '';
  if (!registry) throw new UsageError('--registry URL is needed (or set SIDECAR_LABS_REGISTRY_MIRROR)', usage);
  if (parsed.values['no-node-image'] && parsed.values['node-image'])
    throw new UsageError('--node-image and --no-node-image exclude each other', usage);
  const nodeImage = !parsed.values['no-node-image'];
  const namedNode = parsed.values['node-image']; // a node image already built (skips the kit's build)
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
