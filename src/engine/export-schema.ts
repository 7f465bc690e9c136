// Writes labs/lab.schema.json from the zod schema (the single source of truth), so editors with the YAML
// language server autocomplete and validate lab.yaml. Run: node src/engine/export-schema.ts [--check]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LabV1 } from './schema.ts';

export const SCHEMA_PATH = fileURLToPath(new URL('../../labs/lab.schema.json', import.meta.url));

export function labJsonSchema(): string {
  const schema = z.toJSONSchema(LabV1, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<
    string,
    unknown
  >;
  const out = {
    ...schema,
    $id: 'https://sidecar-labs.dev/lab.schema.json',
    title: 'Sidecar Labs lab.yaml',
    description:
      'A lab: setup manifests and ordered steps with checks. Generated from src/engine/schema.ts; do not edit.',
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = labJsonSchema();
  if (process.argv.includes('--check')) {
    const current = existsSync(SCHEMA_PATH) ? readFileSync(SCHEMA_PATH, 'utf8') : '';
    if (current !== text) {
      process.stderr.write(`${SCHEMA_PATH} is out of date: run node src/engine/export-schema.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_PATH, text);
    process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
  }
}
