import { expect, test, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { lessonSlugs } from '../../src/course/lessons.ts';
import { sitePages } from './pages.ts';

// Every page of the built site, in light and dark mode: it renders without console errors,
// and axe finds no serious or critical accessibility violation.

const expectedPages = ['/', '/instructor/', '/run-a-workshop/', ...lessonSlugs.map((s) => `/lessons/${s}/`)].sort();

test('the sitemap lists the landing page, every lesson, the workshop guide and the instructor page', async ({
  request,
}) => {
  expect(await sitePages(request)).toEqual(expectedPages);
});

/** Collects console errors and uncaught exceptions while a page is open. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => errors.push(`exception: ${err.message}`));
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  return errors;
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} mode`, () => {
    test.use({ colorScheme });

    for (const path of expectedPages) {
      test(`${path} renders cleanly and passes axe`, async ({ page }) => {
        const errors = watchErrors(page);
        const response = await page.goto(path);
        expect(response?.status()).toBe(200);
        await expect(page.locator('h1').first()).toBeVisible();
        await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
        // Images (the diagram) must load.
        for (const img of await page.locator('main img').all()) {
          await expect(img).toHaveAttribute('alt', /\S/);
          expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
        }
        // Expressive Code makes overflowing code blocks focusable (tabindex) from a debounced
        // ResizeObserver; let it finish so axe sees the page as a reader would.
        await page.waitForLoadState('networkidle');
        await page.waitForFunction(() =>
          [...document.querySelectorAll('.expressive-code pre')].every(
            (pre) => pre.scrollWidth > pre.clientWidth === pre.hasAttribute('tabindex'),
          ),
        );
        const results = await new AxeBuilder({ page }).analyze();
        const bad = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(bad).toEqual([]);
        expect(errors).toEqual([]);
      });
    }
  });
}

test('the theme switch turns dark mode on and keeps it across pages', async ({ page }) => {
  await page.goto('/lessons/what-is-a-sidecar/');
  await page.getByRole('combobox', { name: 'Select theme' }).first().selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.goto('/lessons/date-tailer/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('an unknown address gets the 404 page, which passes axe too', async ({ page }) => {
  const errors = watchErrors(page);
  const response = await page.goto('/lessons/no-such-lesson/');
  expect(response?.status()).toBe(404);
  await expect(page.locator('h1')).toHaveText('404');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  // The browser reports the page's own 404 status; nothing else may fail.
  expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
});
