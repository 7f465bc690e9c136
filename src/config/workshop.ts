// Workshop settings from the environment, so that every server process of one workshop (the
// instructor's command, a second process on another machine) shares them:
//   SIDECAR_LABS_WORKSHOP_CODE       the event code learners type (workshop mode is on when set)
//   SIDECAR_LABS_INSTRUCTOR_SECRET   the instructor's own secret (at least 16 characters)
//   SIDECAR_LABS_RESERVE             ready sessions to keep per lab (warm pool), default 0
//   SIDECAR_LABS_POOL_LABS           which labs the pool prepares (comma-separated slugs), default all
import { UserError } from '../errors.ts';
import type { WorkshopSettings } from './schema.ts';

/** Codes compare without case and spaces: "k8s-7q2m" and "K8S 7Q2M" are the same code. */
export function normalizeCode(code: string): string {
  return code
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, '-')
    .replace(/[^A-Z0-9-]/g, '')
    .replace(/^-+|-+$/g, '');
}

/** Workshop mode's settings, or undefined when no event code is set (not a workshop). */
export function workshopFromEnv(env: NodeJS.ProcessEnv): WorkshopSettings | undefined {
  const code = env.SIDECAR_LABS_WORKSHOP_CODE?.trim();
  if (!code) return undefined;
  const secret = env.SIDECAR_LABS_INSTRUCTOR_SECRET?.trim() ?? '';
  if (secret.length < 16)
    throw new UserError(
      'usage',
      'SIDECAR_LABS_INSTRUCTOR_SECRET must be set to at least 16 characters in workshop mode',
    );
  if (normalizeCode(code).length < 4)
    throw new UserError('usage', `SIDECAR_LABS_WORKSHOP_CODE "${code}" is too short: use at least 4 letters or digits`);
  const reserve = Number(env.SIDECAR_LABS_RESERVE ?? 0);
  if (!Number.isInteger(reserve) || reserve < 0 || reserve > 50)
    throw new UserError(
      'usage',
      `SIDECAR_LABS_RESERVE must be a whole number from 0 to 50, got "${env.SIDECAR_LABS_RESERVE}"`,
    );
  const poolLabs = env.SIDECAR_LABS_POOL_LABS?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  return { code: normalizeCode(code), instructorSecret: secret, reserve, ...(poolLabs?.length ? { poolLabs } : {}) };
}
