// sidecar-labs list: the labs, their lessons and the images they need (no cluster needed).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLabs } from '../engine/index.ts';
import { reportError } from './report-error.ts';
import { parseCommand } from '../config/args.ts';

const usage = `usage: sidecar-labs list [--json]

The labs with their lessons, steps, checks and images (no cluster needed).

  --json   the same as JSON
`;

function lessonTitle(slug: string): string | undefined {
  const file = join(fileURLToPath(new URL('../../content/lessons/', import.meta.url)), `${slug}.mdx`);
  if (!existsSync(file)) return undefined;
  const fm = /^---\n([\s\S]*?)\n---/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
  return /^title:\s*["']?(.*?)["']?\s*$/m.exec(fm)?.[1];
}

export async function run(args: string[]): Promise<number> {
  let labs, json;
  try {
    const parsed = parseCommand({ usage, options: { json: { type: 'boolean' } } }, args);
    if (!parsed) return 0;
    json = parsed.values.json ?? false;
    labs = loadLabs();
  } catch (e) {
    return reportError('list', e);
  }
  const rows = labs.map((l) => ({
    slug: l.slug,
    title: l.title,
    lesson: `/lessons/${l.lesson}/`,
    lessonTitle: lessonTitle(l.lesson),
    minKubernetes: l.minKubernetes,
    steps: l.steps.length,
    checks: l.steps.reduce((n, s) => n + s.checks.length, 0),
    images: l.images,
  }));
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const r of rows) {
    process.stdout.write(`${r.slug}\n`);
    process.stdout.write(
      `  lab:     ${r.title} (${r.steps} steps, ${r.checks} checks, Kubernetes >= ${r.minKubernetes})\n`,
    );
    process.stdout.write(`  lesson:  ${r.lesson}${r.lessonTitle ? `  "${r.lessonTitle}"` : ''}\n`);
    process.stdout.write(`  images:  ${r.images.join(', ')}\n`);
  }
  const steps = rows.reduce((n, r) => n + r.steps, 0);
  const checks = rows.reduce((n, r) => n + r.checks, 0);
  process.stdout.write(`${rows.length} labs, ${steps} steps, ${checks} checks\n`);
  return 0;
}
