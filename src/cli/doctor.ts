// sidecar-labs doctor [--cluster kind|current] [--json]: can every lab run here? A ✔/✘ table with the
// fix for each failure; exit 0 only when every lab can run.
import { defaultClusterChoice, type ClusterChoice } from '../kube/index.ts';
import { CLUSTER_NAME } from '../kube/paths.ts';
import { formatTable, labsCanRun, runDoctor } from '../cluster/doctor/index.ts';

const usage = 'usage: sidecar-labs doctor [--cluster kind|current] [--json]\n';

export function parseArgs(args: string[]): { cluster: ClusterChoice; json: boolean } | string {
  let cluster = defaultClusterChoice();
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = a.startsWith('--cluster=') ? a.slice('--cluster='.length) : a === '--cluster' ? args[++i] : undefined;
    if (value !== undefined || a === '--cluster') {
      if (value !== 'kind' && value !== 'current') return `--cluster takes "kind" or "current", not "${value ?? ''}"`;
      cluster = value;
    } else if (a === '--json') json = true;
    else return `unknown option ${a}`;
  }
  return { cluster, json };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`sidecar-labs doctor: ${parsed}\n${usage}`);
    return 2;
  }
  const what =
    parsed.cluster === 'kind'
      ? `the kind cluster "${CLUSTER_NAME}" and this machine`
      : 'the cluster of your kubeconfig';
  if (!parsed.json) process.stdout.write(`Sidecar Labs doctor: checking ${what}…\n`);
  const results = await runDoctor({ cluster: parsed.cluster });
  const good = labsCanRun(results);
  if (parsed.json) {
    process.stdout.write(JSON.stringify({ ok: good, cluster: parsed.cluster, checks: results }, null, 2) + '\n');
  } else {
    process.stdout.write(formatTable(results));
    process.stdout.write(good ? 'Every lab can run here.\n' : `Labs cannot run until the ✘ above are fixed.\n`);
  }
  return good ? 0 : 1;
}
