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
  await dialog.getByRole('textbox', { name: 'Search' }).fill('xylophonequartz');
  await expect(dialog.getByText(/No results/i)).toBeVisible();
  await expect(dialog.locator('a[href*="/lessons/"]')).toHaveCount(0);
});
