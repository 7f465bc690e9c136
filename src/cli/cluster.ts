// sidecar-labs cluster up|down|status [--offline] [--registry-mirror URL] [--node-image IMAGE]
import { clusterDown, clusterStatus, clusterUp } from '../cluster/up.ts';
import { createProgress } from '../cluster/progress.ts';
import { ClusterError } from '../cluster/errors.ts';
import { CLUSTER_NAME } from '../cluster/paths.ts';

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const flags: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const f = rest[i]!;
    const [name, inline] = f.split(/=(.*)/s) as [string, string | undefined];
    if (name === '--registry-mirror' || name === '--node-image') {
      const v = inline ?? rest[++i];
      if (!v) {
        process.stderr.write(`sidecar-labs cluster: ${name} needs a value\n`);
        return 2;
      }
      values[name] = v;
    } else flags.push(f);
  }
  const unknown = flags.filter((f) => f !== '--offline');
  if (unknown.length) {
    process.stderr.write(`sidecar-labs cluster: unknown option ${unknown[0]} (expected --offline, --registry-mirror URL, --node-image IMAGE)\n`);
    return 2;
  }
  const progress = createProgress();
  try {
    switch (sub) {
      case 'up': {
        const r = await clusterUp({
          offline: flags.includes('--offline'),
          registryMirror: values['--registry-mirror'],
          nodeImage: values['--node-image'],
          progress,
        });
        progress.done(`cluster "${CLUSTER_NAME}" is ready${r.reused ? ' (reused)' : ''}${r.offline ? ' [offline kit]' : ''}. ` +
          `kubectl: export KUBECONFIG=${process.env.SIDECAR_LABS_KUBECONFIG ?? '~/.cache/sidecar-labs/kubeconfig'}`);
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
    progress.fail(`✗ ${err instanceof ClusterError ? err.message : err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
