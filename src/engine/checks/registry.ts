// Every check type, one file each. To add one: write its file (schema, defaults, title, probe) beside
// these, list it here, and give it a test; schema.ts, the JSON Schema and the runner pick it up.
import { podReady } from './pod-ready.ts';
import { containerRunning } from './container-running.ts';
import { exec } from './exec.ts';
import { logs } from './logs.ts';
import { http } from './http.ts';
import { field } from './field.ts';
import { restartsStable } from './restarts-stable.ts';
import { jobComplete } from './job-complete.ts';
import { script } from './script.ts';
import type { CheckDefinition } from './types.ts';

export const CHECK_DEFINITIONS = [
  podReady,
  containerRunning,
  exec,
  logs,
  http,
  field,
  restartsStable,
  jobComplete,
  script,
] as const;

type SchemasOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never;
};
type Schemas = SchemasOf<typeof CHECK_DEFINITIONS>;

/** The schemas, in order, for the discriminated union in schema.ts. */
export const CHECK_SCHEMAS = CHECK_DEFINITIONS.map((d) => d.schema) as unknown as Schemas;

// The registry holds checks of different types: each definition's own types meet only in here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCheckDefinition = CheckDefinition<any, any>;

const byType = new Map<string, AnyCheckDefinition>(CHECK_DEFINITIONS.map((d) => [d.type, d as AnyCheckDefinition]));

export function checkDefinition(type: string): AnyCheckDefinition {
  const d = byType.get(type);
  if (!d) throw new Error(`unknown check type "${type}"`);
  return d;
}
