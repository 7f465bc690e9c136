// scripts/start.ts decides whether `npm start` must build the site first.
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReason } from '../../../scripts/start.ts';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sl-start-'));
  for (const d of ['content/lessons', 'src/server/__tests__', 'labs/x', 'public'])
    mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'content/lessons/a.mdx'), '# a');
  writeFileSync(join(dir, 'labs/x/lab.yaml'), 'title: x');
  writeFileSync(join(dir, 'astro.config.mjs'), '');
  return dir;
}

const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

describe('buildReason', () => {
  it('builds when there is no build, or a source is newer than it; not otherwise', () => {
    const dir = project();
    expect(buildReason(dir)).toBe('no build yet');
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/index.html'), '<h1>');
    for (const f of ['content/lessons/a.mdx', 'labs/x/lab.yaml', 'astro.config.mjs']) at(join(dir, f), 1_000);
    at(join(dir, 'dist/index.html'), 2_000);
    expect(buildReason(dir)).toBeUndefined();
    at(join(dir, 'labs/x/lab.yaml'), 3_000);
    expect(buildReason(dir)).toBe('changed since the last build: labs');
  });

  it('ignores tests, which the build does not read', () => {
    const dir = project();
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/index.html'), '<h1>');
    writeFileSync(join(dir, 'src/server/__tests__/x.test.ts'), '');
    for (const f of ['content/lessons/a.mdx', 'labs/x/lab.yaml', 'astro.config.mjs']) at(join(dir, f), 1_000);
    at(join(dir, 'dist/index.html'), 2_000);
    at(join(dir, 'src/server/__tests__/x.test.ts'), 3_000);
    expect(buildReason(dir)).toBeUndefined();
  });
});
