// Lab folders for the loader's tests: a fresh temporary labs folder per test, a lab written into it
// from text, a copy of a course lab to break one thing in, and a LabFormatError's problems as lines.
import { afterEach, beforeEach } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabFormatError } from '../errors.ts';

/** A one-container nginx Pod named web, the manifest most loader tests start from. */
export const WEB_POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: nginx
      image: docker.io/library/nginx:1.24.0
`;

const COURSE = fileURLToPath(new URL('../../../labs/', import.meta.url));

/** A temporary labs folder made before each test and removed after it; read `.dir` inside a test. */
export function tempLabsDir(prefix: string): { dir: string } {
  const t = { dir: '' };
  beforeEach(() => {
    t.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(t.dir, { recursive: true, force: true }));
  return t;
}

/** labs/<slug>/lab.yaml and other files (paths relative to the lab folder) in `dir`. */
export function writeLab(dir: string, slug: string, labYaml: string, files: Record<string, string> = {}): void {
  mkdirSync(join(dir, slug));
  writeFileSync(join(dir, slug, 'lab.yaml'), labYaml);
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(join(dir, slug, f, '..'), { recursive: true });
    writeFileSync(join(dir, slug, f), t);
  }
}

/** A copy of a course lab (labs/<slug>) in `dir`; returns its folder. */
export function copyCourseLab(dir: string, slug: string): string {
  cpSync(join(COURSE, slug), join(dir, slug), { recursive: true });
  return join(dir, slug);
}

/** The problems `fn` throws, as "file:line:column: path: message" with the file's last two parts. */
export function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof LabFormatError)
      return e.problems.map(
        (p) =>
          `${p.file.split('/').slice(-2).join('/')}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`,
      );
    throw e;
  }
  throw new Error('expected a LabFormatError');
}
