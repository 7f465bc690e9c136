// The lab panel around the terminal: progress kept across a reload (and the terminal reconnects with
// its output), "Reset lab" and "Rebuild to step N", resize, screen-reader mode, axe with a live terminal.
import { expect, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { LabPage } from './lab-page.ts';

const slug = 'what-is-a-sidecar';

test('progress survives a reload; reset and rebuild bring the lab back', async ({ page }) => {
  test.setTimeout(10 * 60_000);
  const learner = new LabPage(page, slug);
  await learner.open();
  await learner.start();
  try {
    await learner.type('echo before-reload-$((6*7))');
    await expect(learner.terminal).toContainText('before-reload-42');
    await learner.type('kubectl exec pair -c helper -- wget -qO- http://localhost');
    await learner.checkUntilPassed(0);

    await page.reload();
    await expect(learner.status(0)).toHaveText('Passed');
    await expect(learner.status(1)).toHaveText('Not yet');
    // The same session: the terminal reconnects and replays what it showed before.
    await expect(learner.terminal).toContainText('before-reload-42', { timeout: 30_000 });
    await learner.waitForPrompt();
    await learner.type('echo still-here');
    await expect(learner.terminal).toContainText('still-here');

    await page.getByRole('button', { name: 'Reset lab' }).click();
    await expect(page.getByRole('button', { name: 'Rebuild to step 2' })).toBeVisible({ timeout: 240_000 });
    await expect(learner.status(0)).toHaveText('Not yet');
    await expect(page.getByRole('status')).toContainText('back at its start');
    // Reset recreated the Pod: nginx has not served anything yet, so step 1 is really undone.
    await learner.waitForPrompt(60_000);
    await learner.type('kubectl logs pair -c app | grep -c Wget || true');
    expect(
      (await learner.rows())
        .filter((r) => r.trim() !== '')
        .at(-2)
        ?.trim(),
    ).toBe('0');
    expect(await learner.checkOnce(1)).toBe('Not yet'); // step 2 was never done

    await page.getByRole('button', { name: 'Rebuild to step 2' }).click();
    await expect(learner.status(0)).toHaveText('Passed', { timeout: 240_000 });
    await expect(page.getByRole('button', { name: 'Rebuild to step 2' })).toBeHidden();
  } finally {
    await learner.stop();
  }
});

test('the terminal follows the panel size, a command runs with "Run", and axe finds no serious issue', async ({
  page,
}) => {
  test.setTimeout(6 * 60_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  const learner = new LabPage(page, slug);
  await learner.open();
  await learner.start();
  try {
    // `stty size` prints "rows cols" as the shell sees them: the browser's size reached the pod's TTY.
    const ttyCols = async () => Number([...(await learner.type('stty size')).matchAll(/^(\d+) (\d+)$/gm)].at(-1)?.[2]);
    const wide = await ttyCols();
    expect(wide).toBe(Number(await learner.terminal.getAttribute('data-cols')));
    // Narrow screens dock the lab as a full-width sheet along the bottom: 480 px is narrower than the
    // lab's column beside the lesson at 1400 px.
    await page.setViewportSize({ width: 480, height: 1000 });
    await expect.poll(ttyCols, { timeout: 30_000 }).toBeLessThan(wide);
    expect(await ttyCols()).toBe(Number(await learner.terminal.getAttribute('data-cols')));

    // "Run" types the command into the terminal for the learner.
    await learner.step(0).getByRole('button', { name: 'Run' }).first().click();
    await expect(learner.terminal).toContainText(/pair\s+2\/2\s+Running/);

    const sr = page.getByRole('checkbox', { name: 'Screen reader mode' });
    await sr.check();
    await expect(learner.terminal.locator('.xterm-accessibility')).toHaveCount(1);

    const results = await new AxeBuilder({ page }).include('.sl-lab').analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
    const whole = await new AxeBuilder({ page }).analyze();
    expect(whole.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual(
      [],
    );
  } finally {
    await learner.stop();
  }
});

test('"Show solution" reveals the solution; before "Start lab" there is nothing to check', async ({ page }) => {
  const learner = new LabPage(page, slug);
  await learner.open();
  const show = learner.step(0).getByRole('button', { name: 'Show solution' });
  await expect(show).toHaveAttribute('aria-expanded', 'false');
  await show.click();
  await expect(show).toHaveAttribute('aria-expanded', 'true');
  await expect(learner.step(0).locator('.sl-lab-solution')).toContainText('wget -qO- http://localhost');
  // Before "Start lab" there is nothing to check or run.
  await expect(learner.step(0).getByRole('button', { name: 'Check' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reset lab' })).toBeDisabled();
});
