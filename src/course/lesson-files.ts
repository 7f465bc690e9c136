import { readFile, readdir } from 'node:fs/promises';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Reads lesson sources (content/lessons/*.mdx) the way tests and benchmarks need them. */

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const lessonsDir = join(repoRoot, 'content', 'lessons');
export const labsDir = join(repoRoot, 'labs');

export interface LessonSource {
  slug: string;
  file: string;
  text: string;
  frontmatter: Record<string, unknown>;
  /** Files imported with `?raw`, resolved to absolute paths. */
  rawImports: { name: string; specifier: string; path: string }[];
  /** slug attributes of every `<Lab slug="..." />` in the body. */
  labPanels: string[];
}

export async function lessonFiles(): Promise<string[]> {
  const names = await readdir(lessonsDir);
  return names.filter((n) => /\.mdx?$/.test(n)).sort();
}

export async function readLesson(fileName: string): Promise<LessonSource> {
  const file = join(lessonsDir, fileName);
  const text = await readFile(file, 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!match) throw new Error(`${file}:1: expected front-matter between --- lines`);
  const frontmatter: unknown = parse(match[1]);
  if (!frontmatter || typeof frontmatter !== 'object') {
    throw new Error(`${file}:2: front-matter must be a YAML mapping`);
  }
  const rawImports = [...text.matchAll(/^import\s+(\w+)\s+from\s+['"]([^'"]+)\?raw['"];?\s*$/gm)].map((m) => ({
    name: m[1],
    specifier: m[2],
    path: resolve(dirname(file), m[2]),
  }));
  const labPanels = [...text.matchAll(/<Lab\s+slug=["']([^"']+)["']\s*\/>/g)].map((m) => m[1]);
  return {
    slug: fileName.replace(/\.mdx?$/, ''),
    file,
    text,
    frontmatter: frontmatter as Record<string, unknown>,
    rawImports,
    labPanels,
  };
}

export async function readAllLessons(): Promise<LessonSource[]> {
  return Promise.all((await lessonFiles()).map(readLesson));
}
