import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenSigner, loadOrCreateSecret } from '../tokens.ts';

describe('session tokens', () => {
  it('verifies its own token and nothing else', () => {
    const signer = new TokenSigner(Buffer.alloc(32, 7));
    const token = signer.tokenFor('session-a');
    expect(signer.verify('session-a', token)).toBe(true);
    expect(signer.verify('session-b', token)).toBe(false);
    expect(signer.verify('session-a', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(signer.verify('session-a', '')).toBe(false);
    expect(signer.verify('session-a', undefined)).toBe(false);
    expect(new TokenSigner(Buffer.alloc(32, 8)).verify('session-a', token)).toBe(false);
  });

  it('keeps the secret in a private file so a restarted server accepts old tokens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-secret-'));
    const path = join(dir, 'nested', 'secret');
    const saved = process.env.SIDECAR_LABS_SECRET;
    delete process.env.SIDECAR_LABS_SECRET;
    try {
      const first = loadOrCreateSecret(path);
      expect(first.length).toBe(32);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(loadOrCreateSecret(path).equals(first)).toBe(true);
      expect(readFileSync(path, 'utf8').trim()).toBe(first.toString('base64url'));
    } finally {
      if (saved !== undefined) process.env.SIDECAR_LABS_SECRET = saved;
    }
  });
});
