// Keystroke echo latency as a learner sees it in Debian's Chromium: from the key press to the
// character drawn in the xterm.js terminal (WebSocket, lab server, exec, bash, back, render).
// 100 keys, one at a time. Compare with bench/live-echo.ts (the same path without the browser).
// Goal (issue 5): p95 <= 50 ms.
//   node bench/live-echo-browser.ts [keys]      (LAB_URL=... to use a running server)
import { chromium, type Page } from '@playwright/test';
import { labServer, percentile, ms, stopPageSession } from './live-lib.ts';

const keys = Number(process.argv[2] ?? 100);
const server = await labServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const samples: number[] = [];
let page: Page | undefined;
try {
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${server.url}/lessons/what-is-a-sidecar/`);
  await page.getByRole('button', { name: 'Start lab' }).click();
  await page.locator('[data-lab][data-terminal="connected"]').waitFor({ timeout: 240_000 });
  await page.waitForFunction(() => /learner@lab/.test(document.querySelector('.xterm-rows')?.textContent ?? ''));
  await page.locator('[aria-label="Lab terminal"]').click();
  for (let i = 0; i < keys; i++) {
    const ch = 'abcdefghijklmnopqrstuvwxyz'[i % 26]!;
    // Key press -> one more of that character drawn. Timed from Node, so the figure also holds two
    // DevTools round trips (an upper bound of what the learner sees).
    const count = (c: string) => (document.querySelector('.xterm-rows')?.textContent ?? '').split(c).length;
    const before = await page.evaluate(count, ch);
    const t0 = performance.now();
    await page.keyboard.press(ch);
    await page.waitForFunction(
      ([c, n, f]) => new Function('c', `return (${f})(c)`)(c) > n,
      [ch, before, count.toString()] as const,
      { polling: 1, timeout: 10_000 },
    );
    const elapsed = performance.now() - t0;
    samples.push(elapsed);
    if (i % 40 === 39) {
      await page.keyboard.press('Control+U'); // clear the line; wait until it shows a bare prompt
      await page.waitForFunction(
        () => /\$\s*$/.test((document.querySelector('.xterm-rows')?.textContent ?? '').trimEnd()),
        undefined,
        { timeout: 10_000 },
      );
    }
  }
  await page.getByRole('button', { name: 'Stop lab' }).click();
  await page.getByRole('button', { name: 'Start lab' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
} catch (err) {
  console.error(`live-echo-browser: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  if (page) await stopPageSession(page, server.url);
  await browser.close();
  await server.stop();
}
console.log(
  `keystroke echo in Chromium over ${keys} keys (key press -> character drawn by xterm.js; includes DevTools round trips)`,
);
console.log(
  `  p50 ${ms(percentile(samples, 50))}  p95 ${ms(percentile(samples, 95))}  max ${ms(Math.max(...samples))}`,
);
console.log('goal: p95 <= 50 ms');
