// sidecar-labs cluster up|down|status [--offline] [--progress=json] [--registry-mirror URL] [--node-image IMAGE]
import { clusterDown, clusterStatus, clusterUp } from '../cluster/up.ts';
import { createJsonProgress, createProgress, timedProgress } from '../cluster/progress.ts';
import { recordDurations } from '../cluster/steps.ts';
import { isUserError } from '../errors.ts';
import { CLUSTER_NAME } from '../kube/paths.ts';

/** Splits `--registry-mirror URL` / `--node-image IMAGE` (or `--name=value`) from the plain flags. */
function parseValues(rest: string[]): { flags: string[]; values: Record<string, string> } | string {
  const flags: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const f = rest[i]!;
    const [name, inline] = f.split(/=(.*)/s) as [string, string | undefined];
    if (name === '--registry-mirror' || name === '--node-image') {
      const v = inline ?? rest[++i];
      if (!v) return `${name} needs a value`;
      values[name] = v;
    } else flags.push(f);
  }
  return { flags, values };
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseValues(rest);
  if (typeof parsed === 'string') {
    process.stderr.write(`sidecar-labs cluster: ${parsed}\n`);
    return 2;
  }
  const { flags, values } = parsed;
  const unknown = flags.filter((f) => f !== '--offline' && f !== '--progress=json');
  if (unknown.length) {
    process.stderr.write(
      `sidecar-labs cluster: unknown option ${unknown[0]} (expected --offline, --progress=json, --registry-mirror URL or --node-image IMAGE)\n`,
    );
    return 2;
  }
  // `npm start` reads JSON lines (--progress=json); every `up` records its step times for the next estimate.
  const shown = flags.includes('--progress=json') ? createJsonProgress() : createProgress();
  const progress = sub === 'up' ? timedProgress(shown, (s) => recordDurations(s)) : shown;
  try {
    switch (sub) {
      case 'up': {
        const r = await clusterUp({
          offline: flags.includes('--offline'),
          registryMirror: values['--registry-mirror'],
          nodeImage: values['--node-image'],
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
      default:
        process.stderr.write('usage: sidecar-labs cluster up|down|status [--offline]\n');
        return 2;
    }
  } catch (err) {
    progress.fail(`✗ ${err instanceof Error ? err.message : String(err)}`);
    return isUserError(err, 'usage') ? 2 : 1;
  }
}
