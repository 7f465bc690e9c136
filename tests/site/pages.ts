import type { APIRequestContext } from '@playwright/test';

/**
 * The pages of the built site, read from its sitemap (the build writes one), as paths.
 * Reading the server's sitemap, not dist/, lets the tests run against any server.
 */
export async function sitePages(request: APIRequestContext): Promise<string[]> {
  const index = await (await request.get('/sitemap-index.xml')).text();
  const maps = [...index.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname);
  const pages: string[] = [];
  for (const map of maps) {
    const xml = await (await request.get(map)).text();
    pages.push(...[...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1]).pathname));
  }
  return pages.sort();
}
