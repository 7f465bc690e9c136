// Serves the built site (dist/) on 127.0.0.1 for the Playwright "site" project: static files
// only, through the lab server's own file handler, so the pages are tested exactly as
// `npm start` serves them, without a cluster. Builds first when there is no build yet
// (or always with SITE_BUILD=1); `npm test` builds before it runs Playwright.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { siteRoot, staticHandler } from '../../src/server/static-files.ts';

const dist = join(import.meta.dirname, '..', '..', 'dist');
const port = Number(process.env.SITE_PORT ?? 4329);

if (process.env.SITE_BUILD === '1' || !existsSync(join(siteRoot(dist), 'index.html'))) {
  const astro = join(import.meta.dirname, '..', '..', 'node_modules', 'astro', 'bin', 'astro.mjs');
  const r = spawnSync(process.execPath, [astro, 'build'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('serve: `astro build` failed; fix the build, then run the site tests again');
    process.exit(1);
  }
}

const handler = staticHandler(dist);
createServer(handler).listen(port, '127.0.0.1', () => {
  console.log(`serving ${siteRoot(dist)} on http://127.0.0.1:${port}`);
});
