// Cluster benchmarks (issue 3). Prints figures; asserts nothing.
//   node bench/cluster.ts            warm `cluster up` (delete + up with the cached kit) and pod ready times
//   node bench/cluster.ts --pods     only the pod create-to-Ready figures (cluster must be up)
//   node bench/cluster.ts --cold     also a cold kit build: empty kit cache, Go build cache and module cache
// Pod figure: create-to-Ready of a two-container pod (nginx + busybox sidecar sharing an emptyDir),
// median of 10, against a one-container pod measured in the same run as the baseline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { loadKubeConfig } from '../src/kube/kubeconfig.ts';

const args = new Set(process.argv.slice(2));
const cli = (sub: string[], env: NodeJS.ProcessEnv = process.env) => {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['src/cli/main.ts', ...sub], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (r.status !== 0) throw new Error(`sidecar-labs ${sub.join(' ')} failed`);
  return (performance.now() - t) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (args.has('--cold')) {
  const scratch = mkdtempSync(join(tmpdir(), 'sidecar-labs-cold-'));
  const env = {
    ...process.env,
    SIDECAR_LABS_CACHE: join(scratch, 'cache'),
    GOCACHE: join(scratch, 'gocache'),
    GOMODCACHE: join(scratch, 'gomod'),
  };
  // Remove the kit's Docker images so nothing of a previous build is reused.
  const imgs = spawnSync(
    'sh',
    [
      '-c',
      "docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^sidecar-labs/|^registry.k8s.io/|^sidecarlabs/|^(nginx|busybox|alpine):'",
    ],
    { encoding: 'utf8' },
  )
    .stdout.split('\n')
    .filter(Boolean);
  cli(['cluster', 'down']);
  if (imgs.length) spawnSync('docker', ['rmi', '-f', ...imgs], { stdio: 'ignore' });
  const t = performance.now();
  const r = spawnSync('bash', ['scripts/kit/build-node-image.sh'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  const cold = (performance.now() - t) / 1000;
  rmSync(scratch, { recursive: true, force: true });
  if (r.status !== 0) throw new Error('cold kit build failed');
  console.log(
    `cold kit build (Go modules, Debian rootfs, images, node image): ${(cold / 60).toFixed(1)} min  (goal <= 40 min)`,
  );
}

if (!args.has('--pods')) {
  cli(['cluster', 'down']);
  const warm = cli(['cluster', 'up']);
  console.log(`warm cluster up (kit cached, cluster created and Ready): ${warm.toFixed(1)} s  (goal <= 60 s)`);
}

const { kc } = loadKubeConfig('kind');
const core = kc.makeApiClient(CoreV1Api);
const namespace = `bench-${process.pid}`;
await core.createNamespace({ body: { metadata: { name: namespace } } });

function podSpec(name: string, sidecar: boolean): V1Pod {
  const mounts = [{ name: 'shared', mountPath: '/shared' }];
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [
        {
          name: 'nginx',
          image: 'docker.io/library/nginx:1.24.0',
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: mounts,
        },
        ...(sidecar
          ? [
              {
                name: 'sidecar',
                image: 'docker.io/library/busybox:1.36.0',
                imagePullPolicy: 'IfNotPresent',
                command: ['sh', '-c', 'echo hi > /shared/index.html; sleep 3600'],
                volumeMounts: mounts,
              },
            ]
          : []),
      ],
    },
  };
}

async function createToReady(pod: V1Pod): Promise<number> {
  const name = pod.metadata!.name!;
  const watch = new Watch(kc);
  const readyAt = new Promise<number>((resolve, reject) => {
    watch
      .watch(
        `/api/v1/namespaces/${namespace}/pods`,
        { fieldSelector: `metadata.name=${name}` },
        (_type, obj: V1Pod) => {
          if (obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
            resolve(performance.now());
        },
        (err) => err && reject(err),
      )
      .then((ctl) => readyAt.finally(() => ctl.abort()), reject);
  });
  const t0 = performance.now();
  await core.createNamespacedPod({ namespace, body: pod });
  const ms = (await readyAt) - t0;
  await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  return ms;
}

const one: number[] = [];
const two: number[] = [];
for (let i = 0; i < 10; i++) {
  one.push(await createToReady(podSpec(`one-${i}`, false)));
  two.push(await createToReady(podSpec(`two-${i}`, true)));
}
await core.deleteNamespace({ name: namespace });
const m1 = median(one) / 1000;
const m2 = median(two) / 1000;
console.log(
  `pod create-to-Ready, median of 10: two-container ${m2.toFixed(2)} s (goal <= 3 s); one-container baseline ${m1.toFixed(2)} s; ratio ${(m2 / m1).toFixed(2)}x`,
);
