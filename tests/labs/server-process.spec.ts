// Tests that need a lab server process of their own: a restart (the server finds its sessions on
// the cluster again by their namespace labels, accepts the browser's token, and the page's terminal
// reconnects on its own), and a server that has no cluster (the panel says what to run).
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../../src/kube/kubeconfig.ts';
import { namespaceFor } from '../../src/engine/index.ts';
import { LabPage } from './lab-page.ts';

const port = Number(process.env.LABS_RESTART_PORT ?? 4333);
const base = `http://127.0.0.1:${port}`;

async function startServer(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['src/server/main.ts'], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('Sidecar Labs: http://')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lab server exited with ${code}`)));
  });
  return child;
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

test.describe.configure({ mode: 'serial' }); // both use the same port

test('after a server restart the session is found again and the terminal reconnects', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  let server = await startServer();
  const learner = new LabPage(page, 'what-is-a-sidecar');
  try {
    await page.goto(`${base}/lessons/what-is-a-sidecar/`);
    await learner.start();
    await learner.type('touch /tmp/made-before-restart');
    const before = await learner.session();

    await stopServer(server);
    await expect(page.getByRole('status')).toContainText(/reconnecting|does not answer/i, { timeout: 20_000 });
    server = await startServer();

    // The page reconnects by itself to a new shell in the same pod.
    await expect
      .poll(() => page.locator('[data-lab]').getAttribute('data-terminal'), { timeout: 60_000 })
      .toBe('connected');
    await learner.waitForPrompt(60_000);
    expect(await learner.type('ls /tmp/made-before-restart')).toMatch(/\n\/tmp\/made-before-restart\s*\n/);
    expect(await learner.session()).toEqual(before);
    await learner.type('kubectl exec pair -c helper -- wget -qO- http://localhost');
    await learner.checkUntilPassed(0);
  } finally {
    await learner.stop().catch(() => {});
    await stopServer(server);
  }
});

test('without a cluster the panel says what to run, with no stack trace', async ({ page }) => {
  const server = await startServer({
    SIDECAR_LABS_CLUSTER: 'kind',
    SIDECAR_LABS_KUBECONFIG: '/nonexistent/sidecar-labs/kubeconfig',
  });
  try {
    await page.goto(`${base}/lessons/date-tailer/`);
    await page.getByRole('button', { name: 'Start lab' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('No Kubernetes cluster is set up for the labs yet.');
    await expect(alert.locator('code')).toHaveText('npx sidecar-labs cluster up');
    expect(await alert.innerText()).not.toMatch(/\bat .*\.(ts|js):\d+|Error:/);
    await expect(page.getByRole('button', { name: 'Start lab' })).toBeEnabled();
    await expect(page.getByRole('region', { name: 'Lab terminal' })).toBeHidden();
  } finally {
    await stopServer(server);
  }
});

/** Whether a namespace is gone or on its way out. */
async function namespaceGone(core: CoreV1Api, name: string): Promise<boolean> {
  try {
    const ns = await core.readNamespace({ name });
    return Boolean(ns.metadata?.deletionTimestamp);
  } catch {
    return true;
  }
}

test('an idle session is stopped, and an expired namespace nobody serves is reaped', async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const core = loadKubeConfig('kind').kc.makeApiClient(CoreV1Api);
  // An orphan: a session namespace whose server went away and whose expiry has passed.
  const orphanId = `orphan${randomBytes(6).toString('hex')}`;
  const orphan = namespaceFor('date-tailer', orphanId);
  await core.createNamespace({
    body: {
      metadata: {
        name: orphan,
        labels: { 'sidecar-labs.dev/lab': 'date-tailer', 'sidecar-labs.dev/session': orphanId },
        annotations: { 'sidecar-labs.dev/expires-at': new Date(Date.now() - 60_000).toISOString() },
      },
    },
  });
  // Idle after 6 s. The short expiry (5.1 min, the least for that idle time) matters as much: this
  // server also finds the sessions of the other tests running now, and infers their last activity
  // from their expiry (set 45 min ahead by their own server), so it leaves them alone.
  const server = await startServer({
    SIDECAR_LABS_IDLE_MINUTES: '0.1',
    SIDECAR_LABS_EXPIRY_MINUTES: '1',
    SIDECAR_LABS_SWEEP_SECONDS: '2',
  });
  const learner = new LabPage(page, 'date-tailer');
  try {
    await expect.poll(() => namespaceGone(core, orphan), { timeout: 60_000 }).toBe(true);
    await page.goto(`${base}/lessons/date-tailer/`);
    await learner.start();
    const s = (await learner.session())!;
    // Nobody types: after 6 s of inactivity the next sweep stops the session; the page says so.
    await expect(page.getByRole('status')).toContainText('Your lab session has ended', { timeout: 60_000 });
    await expect(page.getByRole('button', { name: 'Start lab' })).toBeEnabled();
    expect(await learner.session()).toBeUndefined();
    await expect.poll(() => namespaceGone(core, namespaceFor('date-tailer', s.id)), { timeout: 60_000 }).toBe(true);
  } finally {
    await stopServer(server);
    await core.deleteNamespace({ name: orphan }).catch(() => {});
  }
});
