// sidecar-labs doctor [--cluster kind|current] [--json]: can every lab run here? A ✔/✘ table with the
// fix for each failure; exit 0 only when every lab can run.
import { defaultClusterChoice, type ClusterChoice } from '../kube/index.ts';
import { CLUSTER_NAME } from '../kube/paths.ts';
import { oneOf, parseCommand } from '../config/args.ts';
import { formatTable, labsCanRun, runDoctor } from '../cluster/doctor/index.ts';

const usage = `usage: sidecar-labs doctor [--cluster kind|current] [--json]

Can every lab run here? A ✔/✘ table of this machine and the cluster, with the fix for each failure.
Exit 0 only when every lab can run.

  --cluster kind|current  check the kind cluster (default) or your kubeconfig's (SIDECAR_LABS_CLUSTER)
  --json                  the results as JSON
`;

const spec = { usage, options: { cluster: { type: 'string' }, json: { type: 'boolean' } } } as const;

/** The options of `doctor`, or undefined after --help printed the usage; bad input is a UsageError. */
export function parseArgs(
  args: string[],
  write?: (s: string) => void,
): { cluster: ClusterChoice; json: boolean } | undefined {
  const parsed = parseCommand(spec, args, write);
  if (!parsed) return undefined;
  const cluster =
    parsed.values.cluster === undefined
      ? defaultClusterChoice()
      : oneOf('cluster', parsed.values.cluster, ['kind', 'current'] as const, usage);
  return { cluster, json: parsed.values.json ?? false };
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (!parsed) return 0;
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
