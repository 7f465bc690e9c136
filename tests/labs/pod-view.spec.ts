// The live Pod view and the docked lab: the content-sidecar Pod drawn with its two containers
// sharing shared-data at two mount paths, following the cluster when a container restarts and when
// the learner deletes the Pod; the table for screen readers; the terminal staying in view; axe.
import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { LabPage } from './lab-page.ts';

async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return (
      r.height > 50 &&
      r.top >= 0 &&
      r.bottom <= window.innerHeight + 1 &&
      r.left >= 0 &&
      r.right <= window.innerWidth + 1
    );
  });
}

test('the Pod view draws the content-sidecar Pod and follows restarts and deletion', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  const learner = new LabPage(page, 'content-sidecar');
  await learner.open();
  await learner.start();
  try {
    const view = page.locator('sl-pod-view');
    await expect(view).toBeVisible();
    await learner.type('kubectl apply -f pod.yaml');
    const pod = view.locator('[data-pod="nginx"]');
    await expect(pod).toBeVisible({ timeout: 10_000 });
    await expect(pod.locator('[data-container]')).toHaveCount(2);
    await expect(pod.locator('[data-container="nginx"] .pv-role')).toHaveText('main');
    await expect(pod.locator('[data-container="content"] .pv-role')).toHaveText('sidecar');
    await expect(pod.locator('[data-volume="shared-data"]')).toBeVisible();
    await expect(pod.locator('[data-mount="nginx:shared-data"] text')).toHaveText('/usr/share/nginx/html');
    await expect(pod.locator('[data-mount="content:shared-data"] text')).toHaveText('/nginx-data');
    await expect(pod.locator('[data-container="nginx"] .pv-state')).toHaveText('running', { timeout: 120_000 });
    await expect(pod.locator('[data-container="content"] .pv-state')).toHaveText('running', { timeout: 60_000 });

    // The text alternative: one row per container, with its mounts.
    await view.getByText('Pod view as a table').click();
    const table = view.getByRole('table', { name: 'Containers' });
    // (The lab's setup also runs a git server Pod: its own row.)
    const rows = table.getByRole('row').filter({ hasText: 'shared-data at' });
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(0)).toContainText(
      /nginx.*nginx.*main.*running.*yes.*0.*shared-data at \/usr\/share\/nginx\/html/,
    );
    await expect(rows.nth(1)).toContainText(/nginx.*content.*sidecar.*running.*yes.*0.*shared-data at \/nginx-data/);

    // A container restarts: nginx stops itself, the kubelet starts it again.
    await learner.type('kubectl exec nginx -c nginx -- nginx -s stop');
    await expect(pod.locator('[data-container="nginx"]')).toContainText('restarts 1', { timeout: 30_000 });

    // The terminal and the steps stay in view while the lesson scrolls; "Run" does not move them.
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await inViewport(page, '.sl-lab-terminal')).toBe(true);
    await learner.step(0).getByRole('button', { name: 'Run' }).nth(1).click();
    await expect(learner.terminal).toContainText(/nginx\s+\d\/2\s+Running\s+1/);
    expect(await inViewport(page, '.sl-lab-terminal')).toBe(true);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    const results = await new AxeBuilder({ page }).analyze();
    expect(
      results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help}`),
    ).toEqual([]);

    // The learner deletes the Pod: the drawing shows it terminating within seconds, then it is gone.
    await learner.type('kubectl delete pod nginx --wait=false');
    await expect(pod).toHaveClass(/pv-deleting/, { timeout: 5_000 });
    await expect(pod).toHaveCount(0, { timeout: 90_000 });
    // The lab's git server Pod is still drawn (data-pods lists the drawn Pods).
    await expect(view).toHaveAttribute('data-pods', /^git-server-\S+$/);
  } finally {
    await learner.stop();
  }
});

test('the docked lab: resizable by keyboard, Alt+Shift+L moves focus between lesson and terminal', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const learner = new LabPage(page, 'what-is-a-sidecar');
  await learner.open();
  await learner.start();
  try {
    const handle = page.getByRole('separator', { name: 'Resize the lab panel' });
    await expect(handle).toBeVisible();
    await expect(page.locator('.sl-lab-keys')).toContainText('Alt+Shift+L');
    // Wide screen: lesson on the left, lab on the right.
    const lab = await page.locator('.sl-lab').boundingBox();
    const lesson = await page.locator('main h1').boundingBox();
    expect(lab!.x).toBeGreaterThan(lesson!.x + lesson!.width - 1);
    const cols = Number(await learner.terminal.getAttribute('data-cols'));
    const before = Number(await handle.getAttribute('aria-valuenow'));
    await handle.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
    expect(Number(await handle.getAttribute('aria-valuenow'))).toBe(before + 96);
    await expect.poll(async () => Number(await learner.terminal.getAttribute('data-cols'))).toBeGreaterThan(cols);

    // From the lesson to the terminal and back.
    await page.locator('main h1').click();
    await page.keyboard.press('Alt+Shift+KeyL');
    await expect(learner.terminal.locator('textarea')).toBeFocused();
    await page.keyboard.press('Alt+Shift+KeyL');
    expect(
      await page.evaluate(
        () => !!document.activeElement?.closest('main') && !document.activeElement?.closest('sl-lab-panel'),
      ),
    ).toBe(true);

    // Narrow screen: the lab is a sheet along the bottom, the terminal still in view.
    await page.setViewportSize({ width: 700, height: 900 });
    await expect.poll(() => inViewport(page, '.sl-lab-terminal')).toBe(true);
    await expect(handle).toHaveAttribute('aria-orientation', 'horizontal');
  } finally {
    await learner.stop();
  }
});
