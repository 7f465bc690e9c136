// `npm start` with no cluster, end to end and for real: the server serves at once, creates a kind
// cluster in the background (a SECOND cluster, so the shared one is untouched; its NodePorts map to
// host ports 30180-30189), every lab panel shows the progress, and "Start lab" becomes enabled and
// works without a reload. The cluster is deleted at the end. With a warm kit this takes about a minute.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { LabPage } from '../labs/lab-page.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const port = Number(process.env.BOOTSTRAP_PORT ?? 4405);
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env,
  PORT: String(port),
  SIDECAR_LABS_CLUSTER: 'kind',
  SIDECAR_LABS_CLUSTER_NAME: process.env.BOOTSTRAP_CLUSTER_NAME ?? 'sidecar-labs-bootstrap',
  SIDECAR_LABS_KUBECONFIG: process.env.BOOTSTRAP_KUBECONFIG ?? '/tmp/sidecar-labs-bootstrap-kubeconfig',
  SIDECAR_LABS_NODE_PORT_BASE: '30180',
};
if (env.SIDECAR_LABS_CLUSTER_NAME === 'sidecar-labs')
  throw new Error('the bootstrap test must never use the shared cluster');

const clusterDown = () =>
  spawnSync(process.execPath, ['src/cli/main.ts', 'cluster', 'down'], { cwd: root, env, stdio: 'inherit' });

let server: ChildProcess | undefined;
const serverLog: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  clusterDown(); // nothing left from an earlier run: the test starts with no cluster
  server = spawn(process.execPath, ['scripts/start.ts', '--no-build'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const s of [server.stdout!, server.stderr!]) s.setEncoding('utf8').on('data', (d: string) => serverLog.push(d));
  await expect
    .poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, { timeout: 60_000 })
    .toBe(200);
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
  clusterDown();
  console.log(`npm start said:\n${serverLog.join('')}`);
});

test('with no cluster: progress in the panel, then a working Start lab without a reload', async ({ page }) => {
  test.setTimeout(15 * 60_000);
  const started = Date.now();
  const learner = new LabPage(page, 'what-is-a-sidecar');
  await page.goto(`${base}/lessons/what-is-a-sidecar/`);
  // The element's text lives in its shadow root (CSS locators reach into it).
  const status = page.locator('sidecar-cluster-status .box');
  const start = page.getByRole('button', { name: 'Start lab' });

  // The site answered before the cluster exists; the panel says what the cluster is doing.
  await expect(status).toContainText(
    /(Checking Docker|Starting the cluster|Waiting for Kubernetes|Building|step \d of \d)/,
    { timeout: 30_000 },
  );
  await expect(start).toBeDisabled();
  const api = (await (await fetch(`${base}/api/cluster`)).json()) as {
    state: string;
    step: number;
    of: number;
    etaSeconds: number;
  };
  expect(['checking', 'preparing', 'building', 'starting']).toContain(api.state);

  // Record what the panel shows until the cluster is ready: steps advance, the estimate is in words.
  const seen = new Set<string>();
  await expect
    .poll(
      async () => {
        seen.add((await status.innerText().catch(() => '')).split('\n')[0]!);
        return start.isEnabled();
      },
      { timeout: 12 * 60_000, intervals: [500] },
    )
    .toBe(true);
  const shown = [...seen].filter(Boolean);
  console.log(`panel lines seen (${Math.round((Date.now() - started) / 1000)} s to ready):\n  ${shown.join('\n  ')}`);
  expect(shown.some((l) => /(~\d+ s|about \d+ min left)/.test(l))).toBe(true);
  await expect(status).toContainText('The lab cluster is ready');

  // No reload: the same page starts the lab, and the terminal in the new cluster answers.
  await learner.start();
  await learner.type('kubectl get pods -o name | wc -l');
  await learner.stop();
});
