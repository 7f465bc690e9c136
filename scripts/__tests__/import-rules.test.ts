// The import-structure rule of the lint step (.dependency-cruiser.js): passes on src/ as it is, and
// fails on a planted cycle, an upward import and an import of a package's internals (a temp tree).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import config from '../../.dependency-cruiser.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The rule names violated when cruising `src` under `cwd` with the project's config. */
async function violations(cwd: string): Promise<string[]> {
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const r = await cruise(['src'], {
      ruleSet: { forbidden: config.forbidden },
      ...config.options,
      tsConfig: undefined,
      validate: true,
    });
    const out = typeof r.output === 'string' ? JSON.parse(r.output) : r.output;
    return out.summary.violations.map(
      (v: { rule: { name: string }; from: string; to: string }) => `${v.rule.name}: ${v.from} -> ${v.to}`,
    );
  } finally {
    process.chdir(before);
  }
}

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'import-rules-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

describe('the import rule (.dependency-cruiser.js)', () => {
  it('src/ has no cycle, no upward import and no import of a package internal', async () => {
    expect(await violations(ROOT)).toEqual([]);
  }, 60_000);

  it('fails on a planted cycle, an upward import and an internals import', async () => {
    const dir = tree({
      'src/errors.ts': 'export const E = 1;\n',
      'src/engine/index.ts': "export { A } from './a.ts';\n",
      'src/engine/a.ts': "import { B } from './b.ts';\nexport const A = B;\n",
      'src/engine/b.ts':
        "import { A } from './a.ts';\nimport { P } from '../cluster/up.ts';\nexport const B = () => [A, P];\n",
      'src/cluster/up.ts': "import { A } from '../engine/a.ts';\nexport const P = A;\n",
    });
    try {
      const v = await violations(dir);
      expect(v).toEqual(
        expect.arrayContaining([
          'no-cycle: src/engine/a.ts -> src/engine/b.ts',
          'layer-1-imports-upward: src/engine/b.ts -> src/cluster/up.ts',
          'engine-internals: src/cluster/up.ts -> src/engine/a.ts',
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
