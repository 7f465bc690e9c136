/**
 * The course, in order. The slug of a lesson is also the slug of its lab
 * (content/lessons/<slug>.mdx <-> labs/<slug>/). Site config, landing page and tests
 * read this list so the order lives in one place.
 */
export const lessonSlugs = [
  'what-is-a-sidecar',
  'log-shipping-sidecar',
  'content-sidecar',
  'date-tailer',
  'localhost-between-containers',
  'native-sidecars',
  'resources-probes-troubleshooting',
  'log-pipeline',
  'tls-auth-proxy',
  'ambassador',
  'adapter',
  'config-reloader',
  'caching-sidecar',
  'sidecar-injection',
] as const;

export type LessonSlug = (typeof lessonSlugs)[number];

export function isLessonSlug(value: string): value is LessonSlug {
  return (lessonSlugs as readonly string[]).includes(value);
}
