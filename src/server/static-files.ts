// Serves the built Astro site (dist/) as files.
//
// The site is fully static (Starlight pages prerendered, Pagefind index), so the server only needs a
// careful file handler: no Astro SSR adapter in the build, which keeps `astro build` output the same
// plain dist/ that the site's own tests and any static host use. If the build ever gains an adapter,
// its prerendered pages land in dist/client/, which this handler also understands.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.yaml': 'text/plain; charset=utf-8',
  // Pagefind's index fragments are binary.
  '.pf_fragment': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pagefind': 'application/octet-stream',
};

/** The directory holding index.html of the built site. */
export function siteRoot(distDir: string): string {
  const dist = resolve(distDir); // no trailing slash: the traversal check compares prefixes
  const client = join(dist, 'client');
  return existsSync(join(client, 'index.html')) ? client : dist;
}

function fileAt(path: string): string | undefined {
  try {
    const st = statSync(path);
    if (st.isFile()) return path;
    if (st.isDirectory()) {
      const index = join(path, 'index.html');
      if (statSync(index, { throwIfNoEntry: false })?.isFile()) return index;
    }
  } catch {
    // not there
  }
  return undefined;
}

/** Text worth compressing (the lab terminal's xterm chunk: ~350 kB raw, ~90 kB gzipped). */
const COMPRESSIBLE = /^(text\/|application\/(json|xml|manifest\+json)|image\/svg)/;

export function staticHandler(distDir: string) {
  const root = siteRoot(distDir);
  // Gzipped copies, made once per file version (the build changes mtime or size).
  const gzipped = new Map<string, { key: string; body: Buffer }>();
  const gzipOf = (file: string, key: string): Buffer => {
    const hit = gzipped.get(file);
    if (hit?.key === key) return hit.body;
    const body = gzipSync(readFileSync(file));
    gzipped.set(file, { key, body });
    return body;
  };
  return function serve(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    const full = normalize(join(root, pathname));
    if (full !== root && !full.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    let file = fileAt(full);
    // /lessons/x → /lessons/x/ so relative links inside the page resolve as the build intended.
    if (file?.endsWith(`${sep}index.html`) && !pathname.endsWith('/') && !full.endsWith('index.html')) {
      res.writeHead(308, { location: `${url.pathname}/${url.search}` }).end();
      return;
    }
    let status = 200;
    if (!file) {
      file = fileAt(join(root, '404.html'));
      status = 404;
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
    }
    const st = statSync(file);
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const gzip = st.size > 1024 && COMPRESSIBLE.test(type) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? gzipOf(file, `${st.mtimeMs}:${st.size}`) : undefined;
    const headers: Record<string, string | number> = {
      'content-type': type,
      'content-length': body ? body.length : st.size,
      vary: 'accept-encoding',
      ...(body ? { 'content-encoding': 'gzip' } : {}),
      'x-content-type-options': 'nosniff',
      // Hashed build assets never change; pages must be re-fetched to pick up a new build.
      'cache-control': pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      'last-modified': st.mtime.toUTCString(),
    };
    res.writeHead(status, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (body) res.end(body);
    else createReadStream(file).pipe(res);
  };
}
