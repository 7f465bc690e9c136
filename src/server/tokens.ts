// Per-session tokens: HMAC(server secret, session id).
//
// Deriving the token instead of storing it means a restarted server accepts the tokens browsers
// already hold for sessions it rediscovers on the cluster, without writing secrets into the cluster.
// The secret lives in the cache directory (mode 0600) or in SIDECAR_LABS_SECRET.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from '../kube/paths.ts';

export class TokenSigner {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < 16) throw new RangeError('token secret must be at least 16 bytes');
    this.secret = secret;
  }

  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.secret).update(sessionId).digest('base64url');
  }

  verify(sessionId: string, token: string | undefined | null): boolean {
    if (!token) return false;
    const expected = Buffer.from(this.tokenFor(sessionId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

export function secretPath(): string {
  return join(cacheDir(), 'lab-server.secret');
}

/** The server's secret: from the environment, else from its file, else a new one written there. */
export function loadOrCreateSecret(path = secretPath()): Buffer {
  const fromEnv = process.env.SIDECAR_LABS_SECRET;
  if (fromEnv) return Buffer.from(fromEnv, 'utf8');
  try {
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another server process won the race: use its secret.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecret(path);
    throw err;
  }
  return secret;
}
