// Site weight benchmark: builds the site (timed), then, for every page, the JavaScript it ships:
//  - "eager": external module scripts, the modules they import statically, and inline scripts,
//    read from dist/ (what the HTML asks for before anything runs);
//  - "browser": what Debian's Chromium actually fetched once the page went idle (this includes
//    modules that scripts import dynamically right away or when the browser is idle);
//  - "lazy": dynamic imports not fetched by then (the lab terminal, after "Start lab").
// Goal: a lesson page without a running terminal ships at most 50 kB of JavaScript ("browser").
//
//   node bench/site-js.ts            build, then measure
//   node bench/site-js.ts --no-build measure the existing dist/
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { staticHandler } from '../src/server/static-files.ts';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
const GOAL = 50 * 1024;

function build(): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'node_modules/astro/bin/astro.mjs'), 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('astro build failed: run `npm run build` to see why');
  return (performance.now() - started) / 1000;
}

/** The directory holding the built pages (dist/client when an adapter is configured). */
function siteRoot(): string {
  const client = join(dist, 'client');
  return existsSync(join(client, 'index.html')) ? client : dist;
}

function htmlPages(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === '_astro' || name === 'pagefind' ? [] : htmlPages(path);
    return name === 'index.html' ? [path] : [];
  });
}

const JS_TYPES = new Set(['', 'module', 'text/javascript', 'application/javascript']);
// Minified output quotes specifiers with ", ' or ` (template literals without ${...}).
const staticImport =
  /(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["'`]([^"'`$]+)["'`]|export\s*(?:\*|\{[^}]*\})\s*from\s*["'`]([^"'`$]+)["'`]/g;
const dynamicImport = /import\(\s*["'`]([^"'`$]+)["'`]\s*\)/g;

interface Weight {
  files: Set<string>;
  inlineBytes: number;
}

/** Adds `file` and everything it imports statically; collects dynamic imports in `lazy`. */
function follow(file: string, site: string, seen: Set<string>, lazy: Set<string>): void {
  if (seen.has(file) || !existsSync(file)) return;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const resolve = (spec: string) => (spec.startsWith('/') ? join(site, spec) : join(dirname(file), spec));
  for (const m of code.matchAll(staticImport)) {
    const spec = m[1] ?? m[2];
    if (spec && (spec.startsWith('.') || spec.startsWith('/'))) follow(resolve(spec), site, seen, lazy);
  }
  for (const m of code.matchAll(dynamicImport)) {
    if (m[1].startsWith('.') || m[1].startsWith('/')) lazy.add(resolve(m[1]));
  }
}

function pageWeight(page: string, site: string): { initial: Weight; lazy: Set<string> } {
  const html = readFileSync(page, 'utf8');
  const initial: Weight = { files: new Set(), inlineBytes: 0 };
  const lazy = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    const attrs = m[1];
    const type = /\btype=["']?([^"'\s>]+)/.exec(attrs)?.[1] ?? '';
    if (!JS_TYPES.has(type)) continue;
    const src = /\bsrc=["']?([^"'\s>]+)/.exec(attrs)?.[1];
    if (src) follow(join(site, src.split('?')[0]), site, initial.files, lazy);
    else initial.inlineBytes += Buffer.byteLength(m[2]);
  }
  for (const m of html.matchAll(/<link\b[^>]*rel=["']?modulepreload[^>]*>/g)) {
    const href = /\bhref=["']?([^"'\s>]+)/.exec(m[0])?.[1];
    if (href) follow(join(site, href), site, initial.files, lazy);
  }
  // Lazy closure: what the dynamic imports pull in, minus what is already loaded.
  const lazyFiles = new Set<string>();
  const pending = [...lazy];
  while (pending.length) {
    const next = pending.pop()!;
    const more = new Set<string>();
    follow(next, site, lazyFiles, more);
    for (const f of more) if (!lazyFiles.has(f)) pending.push(f);
  }
  for (const f of initial.files) lazyFiles.delete(f);
  return { initial, lazy: lazyFiles };
}

const sum = (files: Iterable<string>, measure: (f: string) => number) => [...files].reduce((n, f) => n + measure(f), 0);
const raw = (f: string) => statSync(f).size;
const gz = (f: string) => gzipSync(readFileSync(f)).length;
const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

/** Loads every page in Chromium and sums the script bytes it fetched, plus inline scripts. */
async function browserBytes(paths: string[], site: string): Promise<Map<string, number>> {
  const server = createServer(staticHandler(dist)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const result = new Map<string, number>();
  try {
    for (const path of paths) {
      const page = await browser.newPage();
      const pending: Promise<number>[] = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'script')
          pending.push(
            r.body().then(
              (b) => b.length,
              () => 0,
            ),
          );
      });
      await page.goto(base + path, { waitUntil: 'networkidle' });
      // Give requestIdleCallback work (Starlight loads its search UI then) time to run.
      await page.evaluate(() => new Promise((r) => requestIdleCallback(() => r(null), { timeout: 2000 })));
      await page.waitForLoadState('networkidle');
      const inline = await page.evaluate(() =>
        [...document.scripts]
          .filter((s) => !s.src && ['', 'module', 'text/javascript'].includes(s.type))
          .reduce((n, s) => n + new TextEncoder().encode(s.textContent ?? '').length, 0),
      );
      result.set(path, (await Promise.all(pending)).reduce((a, b) => a + b, 0) + inline);
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  void site;
  return result;
}

const buildSeconds = process.argv.includes('--no-build') ? undefined : build();
const site = siteRoot();
const rows = htmlPages(site)
  .map((page) => {
    const { initial, lazy } = pageWeight(page, site);
    const path = '/' + posix.join(...relative(site, dirname(page)).split(/[\\/]/).filter(Boolean), '/');
    return {
      path: path === '//' ? '/' : path,
      eager: sum(initial.files, raw) + initial.inlineBytes,
      gzip: sum(initial.files, gz) + initial.inlineBytes,
      lazyFiles: lazy,
    };
  })
  .sort((a, b) => a.path.localeCompare(b.path));
const measured = await browserBytes(
  rows.map((r) => r.path),
  site,
);

const header = ['page', 'eager', 'eager gzip', 'browser', 'lazy, later', 'goal ≤ 50 kB'];
const lines = rows.map((r) => {
  const browser = measured.get(r.path) ?? 0;
  // Lazy = dynamic-import closure minus what the browser already fetched by idle time.
  const lazyLater = Math.max(0, sum(r.lazyFiles, raw) - Math.max(0, browser - r.eager));
  return [
    r.path,
    kB(r.eager),
    kB(r.gzip),
    kB(browser),
    kB(lazyLater),
    browser <= GOAL ? 'ok' : `over by ${kB(browser - GOAL)}`,
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
const fmt = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(fmt(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const l of lines) console.log(fmt(l));
console.log('');
if (buildSeconds !== undefined) console.log(`site build (astro build, incl. Pagefind): ${buildSeconds.toFixed(1)} s`);
const lessons = rows.filter((r) => r.path.startsWith('/lessons/'));
const worst = Math.max(...lessons.map((r) => measured.get(r.path) ?? 0));
console.log(
  `lesson pages: ${lessons.length}; largest JS fetched by a lesson page before "Start lab": ${kB(worst)} ` +
    `(${(worst / GOAL).toFixed(2)}× the 50 kB goal)`,
);
