// Workshop secrets: new event codes and instructor secrets, and comparing them in constant time.
// The settings themselves (code, secret, warm pool) are part of the configuration: src/config/workshop.ts.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export type { WorkshopSettings as WorkshopConfig } from '../../config/schema.ts';

/** Constant-time comparison of two strings (hashes first, so lengths leak nothing either). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A code a person can read aloud and type: 8 characters without 0/O, 1/I. */
export function newEventCode(random: (n: number) => Buffer = randomBytes): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = random(8);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

export function newInstructorSecret(): string {
  return randomBytes(24).toString('base64url');
}

// Read once at the entry points, with the rest of the configuration (src/config/).
export { normalizeCode, workshopFromEnv } from '../../config/workshop.ts';
