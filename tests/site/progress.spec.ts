// Course progress at a glance: lessons whose lab is done (or begun) are marked in the sidebar and on
// the home page, from the progress the lab panel keeps in localStorage.
import { expect, test } from '@playwright/test';
import { lessonSlugs } from '../../src/course/lessons.ts';

test('the sidebar and the home page mark done and begun labs', async ({ page }) => {
  await page.goto('/lessons/date-tailer/');
  const steps = JSON.parse((await page.locator('sl-lab-panel').getAttribute('data-steps'))!) as string[];
  await page.evaluate((ids) => {
    localStorage.setItem('sidecar-labs:lab:date-tailer', JSON.stringify({ passed: ids }));
    localStorage.setItem('sidecar-labs:lab:content-sidecar', JSON.stringify({ passed: ['content-pod'] }));
  }, steps);
  await page.reload();
  const sidebar = page.locator('nav.sidebar');
  await expect(sidebar.getByRole('link', { name: /The date tailer.*\(lab done\)/ })).toBeVisible();
  await expect(sidebar.getByRole('link', { name: /Content sidecar.*\(1 of 4 lab steps done\)/ })).toBeVisible();
  await expect(sidebar.getByRole('link', { name: /What a sidecar is/ })).not.toContainText('done');

  await page.goto('/');
  await expect(page.getByRole('link', { name: /The date tailer.*\(lab done\)/ })).toBeVisible();
  await expect(page.getByText(`You have done 1 of ${lessonSlugs.length} labs`)).toBeVisible();
});
