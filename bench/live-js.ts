// JavaScript a lab page costs in Debian's Chromium: what it fetched once the lesson page was idle
// (before "Start lab"), and what "Start lab" added (xterm.js, the fit addon, the terminal protocol),
// with a real running terminal. "wire" is what the lab server sent (it gzips text), "raw" the
// decoded size. Baseline: the same page's HTML + CSS.
//   node bench/live-js.ts [slug]      (LAB_URL=... to use a running server)
import { chromium, type Page } from '@playwright/test';
import { labServer, stopPageSession } from './live-lib.ts';

const slug = process.argv[2] ?? 'content-sidecar';
const server = await labServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
interface Fetched {
  url: string;
  type: string;
  bytes: number;
  wire: number;
}
let page: Page | undefined;
try {
  page = await browser.newPage();
  const fetched: Fetched[] = [];
  page.on('response', async (res) => {
    const type = res.request().resourceType();
    try {
      const body = await res.body();
      const sizes = await res.request().sizes();
      fetched.push({ url: res.url(), type, bytes: body.length, wire: sizes.responseBodySize });
    } catch {
      /* redirects have no body */
    }
  });
  await page.goto(`${server.url}/lessons/${slug}/`, { waitUntil: 'networkidle' });
  const before = fetched.length;
  await page.getByRole('button', { name: 'Start lab' }).click();
  await page.locator('[data-lab][data-terminal="connected"]').waitFor({ timeout: 240_000 });
  await page.waitForLoadState('networkidle');
  const sum = (xs: Fetched[], pick: (f: Fetched) => boolean) =>
    xs.filter(pick).reduce((a, f) => ({ bytes: a.bytes + f.bytes, wire: a.wire + f.wire }), { bytes: 0, wire: 0 });
  const js = (f: Fetched) => f.type === 'script';
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  const initial = sum(fetched.slice(0, before), js);
  const onStart = sum(fetched.slice(before), js);
  const docCss = sum(fetched.slice(0, before), (f) => f.type === 'document' || f.type === 'stylesheet');
  console.log(`lab page /lessons/${slug}/`);
  console.log(
    `  JS before "Start lab":        ${kb(initial.bytes).padStart(9)} raw  (wire ${kb(initial.wire)})  goal <= 50 kB`,
  );
  console.log(
    `  JS added by "Start lab":      ${kb(onStart.bytes).padStart(9)} raw  (wire ${kb(onStart.wire)})  xterm + fit + protocol, loaded on demand`,
  );
  console.log(
    `  JS with a running terminal:   ${kb(initial.bytes + onStart.bytes).padStart(9)} raw  (wire ${kb(initial.wire + onStart.wire)})`,
  );
  console.log(`  baseline, HTML + CSS:         ${kb(docCss.bytes).padStart(9)} raw  (wire ${kb(docCss.wire)})`);
  for (const f of fetched.filter(js)) console.log(`    ${kb(f.bytes).padStart(9)}  ${new URL(f.url).pathname}`);
  // Leave nothing behind on the cluster.
  const stop = page.getByRole('button', { name: 'Stop lab' });
  await stop.click();
  await page.getByRole('button', { name: 'Start lab' }).and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
} finally {
  if (page) await stopPageSession(page, server.url);
  await browser.close();
  await server.stop();
}
