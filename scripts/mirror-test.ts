// The online path, proven against a local registry standing in for the internet (`npm test -- mirror`):
//   1. a CNCF distribution registry on 127.0.0.1 (scripts/mirror-registry.sh), filled from the offline
//      kit with `sidecar-labs kit push`;
//   2. `cluster up` NOT offline, pointed at the mirror and the pushed node image, creates a second
//      cluster (sidecar-labs-mirror, host ports from 30180) whose containerd pulls through the mirror;
//   3. the lab images the node image preloads are removed from the node (ctr), so every one is pulled;
//   4. `sidecar-labs validate` runs every lab on it; the registry's access log and the node's image
//      list show the pulls. Then the cluster and the registry are removed.
// Prints the wall time of each phase. Exit code 0 only when every lab validated and every lab image was
// pulled through the mirror.
import { spawnSync } from 'node:child_process';
import { labImages } from '../src/course/images.ts';
import { toolPath } from '../src/kube/paths.ts';

const port = process.env.SIDECAR_LABS_MIRROR_PORT ?? '5001';
const cluster = 'sidecar-labs-mirror';
const env: NodeJS.ProcessEnv & { SIDECAR_LABS_KUBECONFIG: string } = {
  ...process.env,
  SIDECAR_LABS_CLUSTER_NAME: cluster,
  SIDECAR_LABS_KUBECONFIG: process.env.SIDECAR_LABS_MIRROR_KUBECONFIG ?? '/tmp/mirror-kubeconfig',
  SIDECAR_LABS_NODE_PORT_BASE: process.env.SIDECAR_LABS_MIRROR_NODE_PORT_BASE ?? '30180',
  SIDECAR_LABS_CLUSTER: 'kind',
  PATH: toolPath(), // kind from the kit when it is not installed
};
delete env.SIDECAR_LABS_OFFLINE;
delete env.SIDECAR_LABS_REGISTRY_MIRROR;
const node = process.execPath;
const t0 = Date.now();
const times: Array<[string, number]> = [];

function sh(cmd: string, args: string[], opts: { capture?: boolean; allowFail?: boolean } = {}): string {
  const r = spawnSync(cmd, args, {
    env,
    encoding: 'utf8',
    stdio: opts.capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r.stdout ?? '';
}
function phase<T>(name: string, f: () => T): T {
  console.log(`\n── mirror test: ${name}`);
  const s = Date.now();
  try {
    return f();
  } finally {
    times.push([name, (Date.now() - s) / 1000]);
  }
}

let ok = false;
try {
  const url = phase('registry (build + start)', () =>
    sh('bash', ['scripts/mirror-registry.sh', 'start', port], { capture: true }).trim().split('\n').pop()!,
  );
  // the lab engine then lets this kind cluster pull instead of requiring preloaded images
  env.SIDECAR_LABS_REGISTRY_MIRROR = url;
  // SIDECAR_LABS_MIRROR_NODE_IMAGE names a node image already built (e.g. the one the shared cluster runs).
  const nodeImage =
    process.env.SIDECAR_LABS_MIRROR_NODE_IMAGE ||
    phase('kit node image (cached)', () =>
      sh('bash', ['scripts/kit/build-node-image.sh'], { capture: true }).trim().split('\n').pop()!,
    );
  phase('kit push', () => sh(node, ['src/cli/main.ts', 'kit', 'push', '--registry', url, '--node-image', nodeImage]));
  phase('cluster up (online, through the mirror)', () =>
    sh(node, ['src/cli/main.ts', 'cluster', 'up', '--registry-mirror', url, '--node-image', nodeImage]),
  );
  const ctl = `${cluster}-control-plane`;
  phase('remove the preloaded lab images from the node', () =>
    sh('docker', ['exec', ctl, 'ctr', '-n', 'k8s.io', 'images', 'rm', ...labImages], { allowFail: true }),
  );
  const validated = phase(
    'validate every lab',
    () =>
      spawnSync(
        node,
        ['src/cli/main.ts', 'validate', '--parallel', '2', '--junit', 'test-results/validate-mirror.xml'],
        { env, stdio: 'inherit' },
      ).status === 0,
  );

  console.log("\n── evidence: the node's images (ctr -n k8s.io images ls; the kit node image has no crictl)");
  const images = sh('docker', ['exec', ctl, 'ctr', '-n', 'k8s.io', 'images', 'ls'], { capture: true })
    .split('\n')
    .filter((l) => !/^(sha256:|import-)/.test(l))
    .map((l) => l.split(/\s+/).slice(0, 4).join('  '))
    .join('\n');
  console.log(images);
  console.log('── evidence: manifest requests the registry served to the node');
  const log = spawnSync('docker', ['logs', 'sidecar-labs-registry'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const nodeIp = sh('docker', ['inspect', '-f', '{{(index .NetworkSettings.Networks "kind").IPAddress}}', ctl], {
    capture: true,
  }).trim();
  // containerd resolves a tag with HEAD and fetches the manifest by digest with GET, each with ?ns=<registry>.
  const served = `${log.stdout}${log.stderr}`
    .split('\n')
    .filter((l) => l.includes(nodeIp) && /(GET|HEAD) \/v2\/[^ ]*\/manifests\//.test(l));
  const paths = [...new Set(served.map((l) => l.match(/((?:GET|HEAD) \/v2\/[^ ]*\/manifests\/[^ "]*)/)![1]!))];
  for (const p of paths) console.log(`  ${nodeIp} ${p}`);
  const repoOf = (i: string) => i.slice(0, i.lastIndexOf(':'));
  // Images a lab used: back in the node after they were removed. Each must have come through the mirror.
  const used = labImages.filter((i) => images.split('\n').some((l) => l.startsWith(`${i} `) || l.startsWith(`${i}  `)));
  const pulledThrough = used.filter((i) => paths.some((p) => p.includes(` /v2/${repoOf(i)}/manifests/`)));
  console.log(
    `lab images the labs used: ${used.length}/${labImages.length}; pulled by the node through the mirror: ${pulledThrough.length}/${used.length}`,
  );
  const unused = labImages.filter((i) => !used.includes(i));
  if (unused.length) console.log(`not used by any lab's validation (the terminal's image): ${unused.join(', ')}`);
  const notPulled = used.filter((i) => !pulledThrough.includes(i));
  ok = validated && used.length > 0 && notPulled.length === 0;
} catch (err) {
  console.error(`mirror test: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  if (!process.env.SIDECAR_LABS_MIRROR_KEEP) {
    phase('cleanup', () => {
      sh('kind', ['delete', 'cluster', '--name', cluster, '--kubeconfig', env.SIDECAR_LABS_KUBECONFIG], {
        allowFail: true,
      });
      sh('bash', ['scripts/mirror-registry.sh', 'stop'], { allowFail: true });
    });
  }
  console.log('\n── mirror test: wall times');
  for (const [n, s] of times) console.log(`  ${s.toFixed(1).padStart(7)}s  ${n}`);
  console.log(`  ${((Date.now() - t0) / 1000).toFixed(1).padStart(7)}s  total — ${ok ? 'PASS' : 'FAIL'}`);
  process.exitCode = ok ? 0 : 1;
}
