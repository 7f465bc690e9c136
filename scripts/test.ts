// `npm test`: every test, in the order their prerequisites appear.
//   0. the host: on a fresh machine (Docker engine missing or stopped, no Chromium) it is prepared here
//      (scripts/kit/host-setup.sh, apt-get chromium) when we are root or have passwordless sudo, saying
//      so; otherwise npm test stops at once with the one command to run (src/cluster/host-prep.ts)
//   1. the TypeScript typecheck, then unit tests (Vitest, no cluster)
//   2. the kind cluster (`sidecar-labs cluster up`: reused when already up, built offline when needed)
//      then the NetworkPolicy enforcer's own tests: go test and its IPv4/IPv6 datapath test in
//      network namespaces (scripts/kit/netpol-test.sh; root or passwordless sudo)
//   3. integration tests on the cluster (Vitest)
//   4. `sidecar-labs validate` of every lab, JUnit to test-results/validate.xml
//   5. the site build, then browser tests in Debian's Chromium (Playwright: site and live labs)
// Every step runs even when an earlier one failed (except those that need the cluster when it could
// not be created), and the exit code is non-zero when any failed.
// SIDECAR_LABS_CLUSTER=current runs steps 3-5 against your own kubeconfig instead of kind.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostFacts, planHost, runHostActions } from '../src/cluster/host-prep.ts';

interface Step {
  name: string;
  cmd: string[];
  before?: string[];
  needsCluster?: boolean;
}

const node = process.execPath;
const cli = ['src/cli/main.ts'];
const useKind = (process.env.SIDECAR_LABS_CLUSTER ?? 'kind') === 'kind';
const only = process.argv.slice(2); // e.g. `npm test -- unit site` runs just those steps

const steps: Step[] = [
  // `astro sync` writes .astro/types.d.ts (the astro:content types) that a fresh clone lacks.
  {
    name: 'typecheck',
    before: [node, 'node_modules/astro/bin/astro.mjs', 'sync'],
    cmd: [node, 'node_modules/typescript/bin/tsc', '--noEmit', '-p', '.'],
  },
  { name: 'unit', cmd: [node, 'node_modules/vitest/vitest.mjs', 'run', '--project', 'unit'] },
  // ESLint (typescript-eslint), Prettier and shellcheck: `npm run lint` alone; `npm run format` fixes the formatting.
  { name: 'lint', cmd: ['bash', 'scripts/lint.sh'] },
  ...(useKind ? [{ name: 'cluster', cmd: [node, ...cli, 'cluster', 'up'] }] : []),
  // after the cluster step: its kit build brings the Go toolchain and the enforcer's modules
  ...(useKind ? [{ name: 'netpol', cmd: ['bash', 'scripts/kit/netpol-test.sh'] }] : []),
  {
    name: 'integration',
    cmd: [node, 'node_modules/vitest/vitest.mjs', 'run', '--project', 'integration'],
    needsCluster: true,
  },
  {
    name: 'validate',
    cmd: [node, ...cli, 'validate', '--junit', 'test-results/validate.xml', '--parallel', '4'],
    needsCluster: true,
  },
  // The online path through a local registry mirror, on a second cluster (scripts/mirror-test.ts).
  ...(useKind ? [{ name: 'mirror', cmd: [node, 'scripts/mirror-test.ts'] }] : []),
  { name: 'build', cmd: [node, 'node_modules/astro/bin/astro.mjs', 'build'] },
  { name: 'browser', cmd: [node, 'node_modules/@playwright/test/cli.js', 'test'], needsCluster: true },
];

/** Step 0: make the host able to run every step, or stop with the one command that does. */
async function prepareHost(): Promise<void> {
  const needs = {
    docker: useKind && (!only.length || only.includes('cluster')),
    chromium: !only.length || only.includes('browser'),
  };
  if (!needs.docker && !needs.chromium) return;
  const plan = planHost(await hostFacts(needs));
  const say = (line: string) => console.log(`npm test: ${line}`);
  if (!plan.ok) {
    console.error(
      `\nnpm test cannot run on this machine yet: ${plan.message}\nRun this once, then \`npm test\` again:\n\n    ${plan.command}\n`,
    );
    process.exit(1);
  }
  if (plan.actions.length && !runHostActions(plan.actions, say)) process.exit(1);
}

await prepareHost();
mkdirSync('test-results', { recursive: true });
const results: Array<{ name: string; ok: boolean; seconds: number; skipped?: string }> = [];
let clusterOk = true;
for (const step of steps) {
  if (only.length && !only.includes(step.name)) continue;
  if (step.needsCluster && !clusterOk) {
    results.push({ name: step.name, ok: false, seconds: 0, skipped: 'the cluster could not be brought up' });
    continue;
  }
  console.log(`\n━━ npm test: ${step.name} ━━ ${step.cmd.slice(1).join(' ')}`);
  const started = Date.now();
  const pre = step.before
    ? spawnSync(step.before[0]!, step.before.slice(1), { stdio: 'inherit', env: process.env })
    : undefined;
  const r =
    pre && pre.status !== 0 ? pre : spawnSync(step.cmd[0]!, step.cmd.slice(1), { stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  if (step.name === 'cluster') clusterOk = ok;
  results.push({ name: step.name, ok, seconds: (Date.now() - started) / 1000 });
}

console.log('\n━━ npm test: summary ━━');
for (const r of results) {
  console.log(
    `${r.ok ? '✓' : '✗'} ${r.name.padEnd(12)} ${r.skipped ? `not run: ${r.skipped}` : `${r.seconds.toFixed(1)}s`}`,
  );
}
const failed = results.filter((r) => !r.ok);
console.log(
  failed.length ? `${failed.length} step(s) failed: ${failed.map((r) => r.name).join(', ')}` : 'all steps passed',
);
process.exit(failed.length ? 1 : 0);
