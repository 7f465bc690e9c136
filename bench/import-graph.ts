// The import graph of src/ in numbers, for before/after notes: cycles, upward imports and imports of a
// package's internals (the rules of .dependency-cruiser.js), files per top folder, the longest files.
// Run: node bench/import-graph.ts [DIR]   (DIR: a checkout to measure, default this one; tests excluded)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import config from '../.dependency-cruiser.js';

const dir = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)));
process.chdir(dir);
const r = await cruise(['src'], {
  ruleSet: { forbidden: config.forbidden },
  ...config.options,
  tsConfig: undefined,
  validate: true,
});
const out = (typeof r.output === 'string' ? JSON.parse(r.output) : r.output) as {
  modules: { source: string }[];
  summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[] };
};
const v = out.summary.violations;
const cycles = new Set(
  v
    .filter((x) => x.rule.name === 'no-cycle')
    .map((x) => [x.from, ...(x.cycle ?? []).map((c) => c.name)].sort().join(' ')),
);
const files = out.modules.map((m) => m.source).filter((f) => f.startsWith('src/') && /\.(ts|mjs|js)$/.test(f));
const perFolder: Record<string, number> = {};
for (const f of files) {
  const top = f.split('/').length > 2 ? f.split('/')[1]! : '(src root)';
  perFolder[top] = (perFolder[top] ?? 0) + 1;
}
const lines = files
  .map((f) => ({ f, n: readFileSync(join(dir, f), 'utf8').split('\n').length }))
  .sort((a, b) => b.n - a.n);
console.log(`import graph of ${dir}/src (tests excluded): ${files.length} files`);
console.log(
  `  files in a cycle: ${new Set(v.filter((x) => x.rule.name === 'no-cycle').map((x) => x.from)).size}, cycle paths reported: ${cycles.size}`,
);
console.log(`  upward imports: ${v.filter((x) => x.rule.name.includes('upward')).length}`);
for (const x of v.filter((y) => y.rule.name.includes('upward'))) console.log(`    ${x.from} -> ${x.to}`);
console.log(`  imports of a package's internals: ${v.filter((x) => x.rule.name.endsWith('-internals')).length}`);
console.log(
  `  files per folder: ${Object.entries(perFolder)
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`,
);
console.log(
  `  longest files: ${lines
    .slice(0, 3)
    .map((l) => `${l.f} ${l.n}`)
    .join(', ')}`,
);
