// Takes the README screenshot of a lesson page from the current build:
//   npm run build && node tests/site/screenshot.ts [path] [out.png]
// Not a test (Playwright only runs *.spec.ts); kept here so the picture can be re-made.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { staticHandler } from '../../src/server/static-files.ts';

const root = join(import.meta.dirname, '..', '..');
const path = process.argv[2] ?? '/lessons/log-shipping-sidecar/';
const out = process.argv[3] ?? join(root, 'docs', 'lesson-screenshot.png');

const server = createServer(staticHandler(join(root, 'dist'))).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'dark' });
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { waitUntil: 'networkidle' });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.close();
}
