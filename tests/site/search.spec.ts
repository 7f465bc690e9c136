import { expect, test } from '@playwright/test';

// Pagefind search (Starlight's search dialog) over the built site.

test('searching "log shipping" finds the log-shipping lesson', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Search' }).first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Search' }).fill('log shipping');
  const hit = dialog.locator('a[href*="/lessons/log-shipping-sidecar/"]').first();
  await expect(hit).toBeVisible();
  await hit.click();
  await expect(page).toHaveURL(/\/lessons\/log-shipping-sidecar\//);
  await expect(page.locator('h1')).toHaveText('Shipping nginx logs with a sidecar');
});

test('a word that appears nowhere finds nothing', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Search' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Search' }).fill('jabberwockyquux'); // Pagefind matches prefixes: no word of the course starts with j…
  await expect(dialog.getByText(/No results/i)).toBeVisible();
  await expect(dialog.locator('a[href*="/lessons/"]')).toHaveCount(0);
});

test('the search UI loads only when a reader goes to search', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await page.goto('/lessons/date-tailer/', { waitUntil: 'networkidle' });
  await page.evaluate(() => new Promise((r) => requestIdleCallback(() => r(null), { timeout: 2000 })));
  const before = scripts.length;
  // Pagefind's UI bundle (ui-core) and its runtime under /pagefind/ are not fetched yet.
  const searchUI = (s: string) => s.includes('ui-core') || s.startsWith('/pagefind/');
  expect(scripts.filter(searchUI)).toEqual([]);
  // Ctrl+K opens the dialog and loads the UI; the search box gets the focus once it exists.
  await page.keyboard.press('Control+k');
  const box = page.getByRole('dialog').getByRole('textbox', { name: 'Search' });
  await expect(box).toBeFocused();
  expect(scripts.slice(before).some(searchUI)).toBe(true);
  await page.keyboard.type('native sidecar');
  await expect(page.getByRole('dialog').locator('a[href*="/lessons/native-sidecars/"]').first()).toBeVisible();
});
