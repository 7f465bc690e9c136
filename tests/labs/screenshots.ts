// Takes the README screenshots of a running lab: the lesson with the lab docked beside it, and the
// live Pod view of the content-sidecar Pod. Needs the cluster and a lab server:
//   LABS_URL=http://127.0.0.1:4407 node tests/labs/screenshots.ts
// Not a test (Playwright only runs *.spec.ts); kept here so the pictures can be re-made.
import { join } from 'node:path';
import { chromium, expect } from '@playwright/test';
import { LabPage } from './lab-page.ts';

const root = join(import.meta.dirname, '..', '..');
const base = process.env.LABS_URL ?? 'http://127.0.0.1:4407';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'dark', baseURL: base });
const learner = new LabPage(page, 'content-sidecar');
try {
  await learner.open();
  await learner.start();
  await learner.type('kubectl apply -f pod.yaml');
  const pod = page.locator('sl-pod-view [data-pod="nginx"]');
  await expect(pod.locator('[data-container="content"] .pv-state')).toHaveText('running', { timeout: 120_000 });
  await learner.type('kubectl get pods');
  // Scroll the lesson to the Pod's manifest: the lab stays beside it.
  await page.locator('h2#share-a-volume-with-a-sidecar').scrollIntoViewIfNeeded();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(root, 'docs', 'split-view-screenshot.png') });
  // The Pod view close up: the lab panel as wide as it goes (End on its edge).
  await page.getByRole('separator', { name: 'Resize the lab panel' }).focus();
  await page.keyboard.press('End');
  // Only for the picture: let the Pod view take the height it wants instead of scrolling.
  await page.addStyleTag({
    content: 'sl-lab-panel[data-docked] .sl-lab-live-extra { max-height: none !important; flex: none !important }',
  });
  await page.waitForTimeout(500);
  await page.locator('sl-pod-view .pv-figure').screenshot({ path: join(root, 'docs', 'pod-view-screenshot.png') });
  console.log('wrote docs/split-view-screenshot.png and docs/pod-view-screenshot.png');
} finally {
  await learner.stop();
  await browser.close();
}
