// Serves the built Astro site (dist/) as files.
//
// The site is fully static (Starlight pages prerendered, Pagefind index), so the server only needs a
// careful file handler: no Astro SSR adapter in the build, which keeps `astro build` output the same
// plain dist/ that the site's own tests and any static host use. If the build ever gains an adapter,
// its prerendered pages land in dist/client/, which this handler also understands.
//
// Files are opened once and streamed from that descriptor with stream.pipeline: an aborted download
// closes it, a file deleted or replaced by a rebuild meanwhile is a 404 (or the old bytes), never a crash.
// A client may leave while the handler waits (open, stat, gzip, the page's CSP): nothing is written
// or piped after that, and the descriptor is closed on every path (__tests__/static-abort.test.ts).
import { existsSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentSecurityPolicy, inlineScriptHashes } from './headers.ts';

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

/** Derived data per file version (the build changes mtime or size): gzipped bytes, a page's CSP. */
class PerVersion<T> {
  private readonly cache = new Map<string, { key: string; value: T }>();
  async get(file: string, key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(file);
    if (hit?.key === key) return hit.value;
    const value = await make();
    this.cache.set(file, { key, value });
    return value;
  }
}

/** The request path inside root, or an HTTP status when it is not a file path we serve. */
function resolvePath(root: string, rawUrl: string | undefined): { pathname: string; full: string } | number {
  const url = new URL(rawUrl ?? '/', 'http://x');
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return 400;
  }
  if (pathname.includes('\0')) return 400;
  const full = normalize(join(root, pathname));
  if (full !== root && !full.startsWith(root + sep)) return 403;
  return { pathname, full };
}

/** The canonical URL of a directory's index page: built from the file's place under root, so the
 * Location is always a path on this site (`/.//evil.example/` must not become `//evil.example/`). */
function directoryUrl(root: string, indexFile: string, search: string): string {
  const parts = relative(root, dirname(indexFile)).split(sep).filter(Boolean);
  return `/${parts.map(encodeURIComponent).join('/')}${parts.length ? '/' : ''}${search}`;
}

function fileHeaders(
  type: string,
  length: number,
  gzip: boolean,
  pathname: string,
  mtime: Date,
): Record<string, string | number> {
  return {
    'content-type': type,
    'content-length': length,
    vary: 'accept-encoding',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    'x-content-type-options': 'nosniff',
    // Hashed build assets never change; pages must be re-fetched to pick up a new build.
    'cache-control': pathname.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'last-modified': mtime.toUTCString(),
  };
}

/** What the handler keeps per file version. */
interface FileCaches {
  gzipped: PerVersion<Buffer>;
  pageCsp: PerVersion<string>;
  open: OpenFile;
}

/** How a file is opened (fs/promises `open`; tests wrap it to act at each step of a request). */
export type OpenFile = (path: string) => Promise<FileHandle>;

/** A page's Content-Security-Policy, allowing exactly its own inline scripts. */
function pageSecurityPolicy(caches: FileCaches, file: string, key: string, handle: FileHandle): Promise<string> {
  return caches.pageCsp.get(file, key, async () =>
    contentSecurityPolicy({ inlineScripts: inlineScriptHashes((await readAll(handle)).toString('utf8')) }),
  );
}

/** The client went away (reset, closed the tab): nothing more may be written or piped to `res`. */
const clientLeft = (res: ServerResponse) => res.destroyed || res.writableEnded;

/**
 * Sends one file with `status`: gzipped from the cache when the client takes it, else streamed.
 * The client may leave at any await; after each one the handler looks before it writes, and the
 * descriptor is closed on every path: here in `finally`, or by the read stream once it was handed one.
 */
async function sendFile(
  caches: FileCaches,
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  status: number,
  pathname: string,
): Promise<void> {
  if (clientLeft(res)) return;
  let handle: FileHandle;
  try {
    handle = await caches.open(file);
  } catch {
    if (!clientLeft(res)) res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    return;
  }
  let streaming = false;
  try {
    if (clientLeft(res)) return;
    const st = await handle.stat();
    const key = `${st.mtimeMs}:${st.size}`;
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const gzip =
      st.size > 1024 && COMPRESSIBLE.test(type) && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? await caches.gzipped.get(file, key, async () => gzipSync(await readAll(handle))) : undefined;
    const csp = type.startsWith('text/html') ? await pageSecurityPolicy(caches, file, key, handle) : undefined;
    if (clientLeft(res)) return;
    if (csp) res.setHeader('content-security-policy', csp);
    res.writeHead(status, fileHeaders(type, body ? body.length : st.size, !!body, pathname, st.mtime));
    if (req.method === 'HEAD' || body) {
      res.end(body);
      return;
    }
    // From here the read stream owns the descriptor: it closes it when it ends, fails, or is
    // destroyed by pipeline because the client went away.
    const stream = handle.createReadStream({ start: 0, end: Math.max(0, st.size - 1), autoClose: true });
    streaming = true;
    pipeline(stream, res, () => {});
  } finally {
    if (!streaming) await handle.close().catch(() => {});
  }
}

/** One GET or HEAD request: the file, a redirect to a directory's canonical URL, or the 404 page. */
async function serveRequest(root: string, caches: FileCaches, req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const where = resolvePath(root, req.url);
  if (typeof where === 'number') {
    res.writeHead(where, { 'content-type': 'text/plain; charset=utf-8' }).end(where === 403 ? 'forbidden' : 'bad path');
    return;
  }
  const { pathname, full } = where;
  const file = fileAt(full);
  // /lessons/x → /lessons/x/ so relative links inside the page resolve as the build intended.
  if (file?.endsWith(`${sep}index.html`) && !pathname.endsWith('/') && !full.endsWith('index.html')) {
    res.writeHead(308, { location: directoryUrl(root, file, new URL(req.url ?? '/', 'http://x').search) }).end();
    return;
  }
  if (file) return sendFile(caches, req, res, file, 200, pathname);
  const notFound = fileAt(join(root, '404.html'));
  if (notFound) return sendFile(caches, req, res, notFound, 404, pathname);
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
}

export function staticHandler(distDir: string, opts: { open?: OpenFile } = {}) {
  const root = siteRoot(distDir);
  const caches: FileCaches = {
    gzipped: new PerVersion<Buffer>(),
    pageCsp: new PerVersion<string>(),
    open: opts.open ?? ((path) => open(path, 'r')),
  };
  // Never rejects: a plain `createServer(handler)` (tests/site/serve.ts) has nobody to catch it.
  return async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await serveRequest(root, caches, req, res);
    } catch {
      if (clientLeft(res)) return;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('server error');
      else res.destroy();
    }
  };
}

/** The whole file from its start (a FileHandle's readFile reads from the current position). */
async function readAll(handle: FileHandle): Promise<Buffer> {
  const st = await handle.stat();
  const buf = Buffer.alloc(st.size);
  const { bytesRead } = await handle.read(buf, 0, st.size, 0);
  return buf.subarray(0, bytesRead);
}
