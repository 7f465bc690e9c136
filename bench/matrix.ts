// The Kubernetes version matrix: for each version the offline kit pins (MATRIX_KUBERNETES_VERSIONS in
// scripts/kit/matrix.env), build the kit for it (cached; the first build of a version costs 15+ min
// of CPU on two cores), start a SECOND kind cluster from it, validate every lab, delete the cluster,
// and print a lab × version table. It never touches the main "sidecar-labs" cluster.
//
//   node bench/matrix.ts                         every pinned version
//   node bench/matrix.ts v1.33.13 v1.35.4        just these
//
// Other versions than the default build into <cache>/bin-<version> (KIT_BIN, KIT_KUBERNETES_VERSION),
// so the default kit's binaries and cache keys stay as they are. Runs everything under `nice -n 10`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../src/kube/paths.ts';
import { kitVersions } from '../src/cluster/kit-state.ts';
import { listLabSlugs } from '../src/engine/index.ts';

const NAME = 'sidecar-labs-matrix';
const KUBECONFIG = '/tmp/sidecar-labs-matrix-kubeconfig';
const defaults = kitVersions();
const versions = process.argv.slice(2).length
  ? process.argv.slice(2)
  : (defaults.MATRIX_KUBERNETES_VERSIONS ?? '').split(/\s+/).filter(Boolean);

interface Column {
  version: string;
  upSeconds: number;
  /** Why the cluster did not come up, or undefined. */
  clusterProblem?: string;
  /** slug → [passed steps, steps] */
  labs: Map<string, [number, number]>;
}

function envFor(version: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(version === defaults.KUBERNETES_VERSION
      ? {}
      : { KIT_KUBERNETES_VERSION: version, KIT_BIN: join(cacheDir(), `bin-${version}`) }),
    SIDECAR_LABS_CLUSTER_NAME: NAME,
    SIDECAR_LABS_KUBECONFIG: KUBECONFIG,
    // host ports apart from the main cluster (30080+), bootstrap/mirror (30180+) and a dev cluster (30280+)
    SIDECAR_LABS_NODE_PORT_BASE: process.env.MATRIX_NODE_PORT_BASE ?? '30380',
    SIDECAR_LABS_OFFLINE: '1',
  };
}

function cli(args: string[], env: NodeJS.ProcessEnv, capture = false) {
  return spawnSync('nice', ['-n', '10', process.execPath, 'src/cli/main.ts', ...args], {
    env,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** testsuite name → [passed, tests] from validate's JUnit report. */
export function parseJunit(xml: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const m of xml.matchAll(/<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)"/g)) {
    out.set(m[1]!, [Number(m[2]) - Number(m[3]), Number(m[2])]);
  }
  return out;
}

function measure(version: string): Column {
  const env = envFor(version);
  console.log(`\n━━ matrix: Kubernetes ${version} ━━`);
  const t0 = Date.now();
  const up = cli(['cluster', 'up', '--offline'], env);
  const col: Column = { version, upSeconds: (Date.now() - t0) / 1000, labs: new Map() };
  try {
    if (up.status !== 0) {
      col.clusterProblem = `cluster up failed (exit ${up.status})`;
      return col;
    }
    const junit = `/tmp/sidecar-labs-matrix-${version}.xml`;
    // --cluster current: the lab checks reach NodePorts on the node's own address, not the host's ports.
    cli(['validate', '--cluster', 'current', '--parallel', '2', '--junit', junit], { ...env, KUBECONFIG });
    col.labs = parseJunit(readFileSync(junit, 'utf8'));
  } catch (err) {
    col.clusterProblem = err instanceof Error ? err.message : String(err);
  } finally {
    cli(['cluster', 'down'], env);
  }
  return col;
}

export function table(cols: Column[], slugs: string[]): string {
  const w = Math.max(4, ...slugs.map((s) => s.length));
  const cell = (c: Column, slug: string) => {
    if (c.clusterProblem) return '✘ no cluster';
    const r = c.labs.get(slug);
    if (!r) return '✘ not run';
    return `${r[0] === r[1] ? '✔' : '✘'} ${r[0]}/${r[1]} steps`;
  };
  const lines = [
    `| ${'lab'.padEnd(w)} | ${cols.map((c) => c.version.padEnd(14)).join(' | ')} |`,
    `| ${'-'.repeat(w)} | ${cols.map(() => '-'.repeat(14)).join(' | ')} |`,
    ...slugs.map((s) => `| ${s.padEnd(w)} | ${cols.map((c) => cell(c, s).padEnd(14)).join(' | ')} |`),
    `| ${'cluster up'.padEnd(w)} | ${cols.map((c) => `${Math.round(c.upSeconds)} s`.padEnd(14)).join(' | ')} |`,
  ];
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!versions.length)
    throw new Error('no versions: set MATRIX_KUBERNETES_VERSIONS in scripts/kit/matrix.env or name them');
  const cols = versions.map(measure);
  console.log(`\nKubernetes version matrix (${new Date().toISOString()}):\n\n${table(cols, listLabSlugs())}`);
  for (const c of cols) if (c.clusterProblem) console.log(`${c.version}: ${c.clusterProblem}`);
}
