import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lessonSlugs } from '../../src/course/lessons.ts';

// Code blocks are highlighted by Expressive Code (Shiki) and their copy button copies exactly
// the code. Lessons show the real lab manifests, so the copied YAML is compared with the file.

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

for (const slug of lessonSlugs) {
  test(`${slug}: code blocks are highlighted and copy their code`, async ({ page }) => {
    await page.goto(`/lessons/${slug}/`);
    const blocks = page.locator('.expressive-code');
    expect(await blocks.count()).toBeGreaterThan(1);

    // The first block that shows a manifest from labs/<slug>/ (with <Code title="labs/...">); a lesson
    // may open with another example (log-pipeline starts with the article's Fluentd Pod).
    const first = blocks.filter({ has: page.locator('figcaption .title', { hasText: /^labs\// }) }).first();
    const title = (await first.locator('figcaption .title').textContent())?.trim() ?? '';
    expect(title).toMatch(new RegExp(`^labs/${slug}/[\\w.-]+\\.yaml$`));

    // Highlighted: YAML keys and values get different token colours.
    const colours = await first
      .locator('pre code span[style]')
      .evaluateAll((spans) => new Set(spans.map((s) => getComputedStyle(s).color)).size);
    expect(colours).toBeGreaterThanOrEqual(3);

    // Copy: the button copies the file's exact text and says so.
    const button = first.getByRole('button', { name: /copy/i });
    await first.hover();
    await button.click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const file = readFileSync(join(import.meta.dirname, '..', '..', title), 'utf8');
    expect(copied.trimEnd()).toBe(file.trimEnd());
    await expect(first.locator('.feedback')).toHaveClass(/show/);

    // Every other block has a copy button too.
    for (const block of await blocks.all()) {
      await expect(block.getByRole('button', { name: /copy/i })).toHaveCount(1);
    }
  });
}
