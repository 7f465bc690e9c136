import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';

// Browser tests run in Debian's Chromium; never download a browser.
export const chromiumUse = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  },
};

// The "site" project tests the built pages. By default it serves dist/ with tests/site/serve.ts;
// SITE_SERVER_COMMAND replaces that command (e.g. the lab server), and SITE_URL points the tests
// at a server that is already running (then none is started).
const sitePort = Number(process.env.SITE_PORT ?? 4329);
export const siteURL = process.env.SITE_URL ?? `http://127.0.0.1:${sitePort}`;
const siteServer: NonNullable<PlaywrightTestConfig['webServer']> = {
  command: process.env.SITE_SERVER_COMMAND ?? 'node tests/site/serve.ts',
  url: siteURL,
  env: { SITE_PORT: String(sitePort) },
  reuseExistingServer: !process.env.CI,
  timeout: 180_000,
  stdout: 'pipe',
};

// Other projects (the live-lab helper's "labs") add themselves to these two lists.
const projects: NonNullable<PlaywrightTestConfig['projects']> = [
  { name: 'site', testDir: 'tests/site', use: { ...chromiumUse, baseURL: siteURL } },
];
const webServers = process.env.SITE_URL ? [] : [siteServer];

// The "labs" project: live labs end to end, against the real lab server (`npm start` without the
// build step: npm test builds first) and the real kind cluster. LABS_URL points at a running server.
const labsPort = Number(process.env.LABS_PORT ?? 4330);
const labsURL = process.env.LABS_URL ?? `http://127.0.0.1:${labsPort}`;
projects.push({
  name: 'labs',
  testDir: 'tests/labs',
  // Each test drives a real cluster; several labs run at once (workers), steps within a lab in order.
  timeout: 10 * 60_000,
  expect: { timeout: 20_000 },
  use: { ...chromiumUse, baseURL: labsURL, viewport: { width: 1280, height: 1000 }, screenshot: 'only-on-failure' },
});
if (!process.env.LABS_URL) {
  webServers.push({
    command: 'node scripts/start.ts',
    url: `${labsURL}/api/health`,
    env: { PORT: String(labsPort) },
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'pipe',
  });
}

// The "bootstrap" project: `npm start` with no cluster creates one (a second kind cluster, deleted at
// the end) while the page shows its progress. It starts its own server; tests/bootstrap/.
projects.push({
  name: 'bootstrap',
  testDir: 'tests/bootstrap',
  timeout: 15 * 60_000,
  use: { ...chromiumUse, viewport: { width: 1280, height: 1000 } },
});

export default defineConfig({
  outputDir: 'test-results/playwright',
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/playwright.xml' }]] : 'list',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  projects,
  webServer: webServers,
});
