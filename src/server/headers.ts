// Security headers on every response the lab server sends (pages, assets, API).
//
// The Content-Security-Policy is sized for what the built site really does: Astro/Starlight pages
// with a few small inline scripts (theme choice before paint), Expressive Code and xterm.js styles
// (inline <style> elements and style attributes), Pagefind's WebAssembly search index, and the
// terminal WebSocket to this same origin. Nothing is loaded from another origin, and no other site
// may frame the course (clickjacking a live terminal).
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export interface CspSources {
  /** Inline script hashes ('sha256-…') or 'unsafe-inline' when the build's inline scripts are unknown. */
  inlineScripts: readonly string[];
}

export function contentSecurityPolicy(sources: CspSources): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' ${sources.inlineScripts.join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The fixed headers; `csp` from contentSecurityPolicy(), `tls` adds Strict-Transport-Security. */
export function securityHeaders(csp: string, tls: boolean): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    ...(tls ? { 'strict-transport-security': 'max-age=86400' } : {}),
  };
}

export function applyHeaders(res: ServerResponse, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

const INLINE_SCRIPT = /<script\b(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script\s*>/gi;

/** CSP hash sources ('sha256-…') of the inline scripts of one HTML page. */
export function inlineScriptHashes(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(INLINE_SCRIPT)) {
    if (m[1]!.trim() === '') continue;
    out.add(`'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  }
  return [...out];
}
