// sidecar-labs cluster up|down|status [--offline] [--progress=json] [--registry-mirror URL] [--node-image IMAGE]
// (the usage below says what each does)
import { clusterDown, clusterStatus, clusterUp } from '../cluster/up.ts';
import { createJsonProgress, createProgress, timedProgress } from '../cluster/progress.ts';
import { recordDurations } from '../cluster/steps.ts';
import { isUserError } from '../errors.ts';
import { CLUSTER_NAME } from '../kube/paths.ts';
import { oneOf, parseCommand, UsageError } from '../config/args.ts';

const usage = `usage: sidecar-labs cluster up|down|status [--offline] [--registry-mirror URL] [--node-image IMAGE]

  up       create the kind cluster "${CLUSTER_NAME}" for the labs (or reuse it): online with upstream
           images, or from the offline kit when no registry answers (built once, cached)
  down     delete it
  status   is it there, running, reachable, its nodes Ready (exit 0 only then)

Options of up:
  --offline                 use the offline kit even when a registry answers (SIDECAR_LABS_OFFLINE=1)
  --registry-mirror URL     pull through this registry mirror (SIDECAR_LABS_REGISTRY_MIRROR)
  --node-image IMAGE        the kind node image to start (SIDECAR_LABS_NODE_IMAGE)
  --progress=json           progress as JSON lines (what \`npm start\` reads); also for down
`;

const spec = {
  usage,
  positionals: true,
  options: {
    offline: { type: 'boolean' },
    'registry-mirror': { type: 'string' },
    'node-image': { type: 'string' },
    progress: { type: 'string' },
  },
} as const;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(spec, args);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [sub, ...extra] = positionals;
  if (sub !== 'up' && sub !== 'down' && sub !== 'status')
    throw new UsageError(
      sub ? `unknown cluster command "${sub}"` : 'which cluster command? (up, down or status)',
      usage,
    );
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`, usage);
  if (values.progress !== undefined) oneOf('progress', values.progress, ['json'], usage);
  const upOnly = (['offline', 'registry-mirror', 'node-image'] as const).find((f) => values[f] !== undefined);
  if (sub !== 'up' && upOnly)
    throw new UsageError(`--${upOnly} is an option of \`cluster up\`, not of \`cluster ${sub}\``, usage);
  for (const f of ['registry-mirror', 'node-image'] as const)
    if (values[f] === '') throw new UsageError(`--${f} needs a value`, usage);
  // `npm start` reads JSON lines (--progress=json); every `up` records its step times for the next estimate.
  const shown = values.progress === 'json' ? createJsonProgress() : createProgress();
  const progress = sub === 'up' ? timedProgress(shown, (s) => recordDurations(s)) : shown;
  try {
    switch (sub) {
      case 'up': {
        const r = await clusterUp({
          offline: values.offline ?? false,
          registryMirror: values['registry-mirror'],
          nodeImage: values['node-image'],
          progress,
        });
        progress.done(
          `cluster "${CLUSTER_NAME}" is ready${r.reused ? ' (reused)' : ''}${r.offline ? ' [offline kit]' : ''}. ` +
            `kubectl: export KUBECONFIG=${process.env.SIDECAR_LABS_KUBECONFIG ?? '~/.cache/sidecar-labs/kubeconfig'}`,
        );
        return 0;
      }
      case 'down': {
        const deleted = await clusterDown(progress);
        progress.done(deleted ? `cluster "${CLUSTER_NAME}" deleted` : `no cluster "${CLUSTER_NAME}" to delete`);
        return 0;
      }
      case 'status': {
        const s = await clusterStatus();
        if (!s.exists) {
          process.stdout.write(`cluster "${CLUSTER_NAME}": not created (run \`npx sidecar-labs cluster up\`)\n`);
          return 1;
        }
        process.stdout.write(
          `cluster "${CLUSTER_NAME}": ${s.running ? 'running' : 'stopped'}, API ${s.apiReachable ? 'reachable' : 'unreachable'}\n` +
            `node image: ${s.image ?? '?'}\nkubeconfig: ${s.kubeconfig}\n` +
            s.nodes.map((n) => `node ${n.name}: ${n.ready ? 'Ready' : 'NotReady'} (${n.version})\n`).join(''),
        );
        return s.apiReachable && s.nodes.every((n) => n.ready) ? 0 : 1;
      }
    }
  } catch (err) {
    progress.fail(`✗ ${err instanceof Error ? err.message : String(err)}`);
    return isUserError(err, 'usage') ? 2 : 1;
  }
}
