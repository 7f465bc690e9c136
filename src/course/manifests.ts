import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import * as k8s from '@kubernetes/client-node';

/**
 * Checks for the Kubernetes manifests under labs/: parse every YAML document, validate it
 * against Kubernetes' published OpenAPI schema (kubernetes-models), and refuse fields the
 * schema does not know (the API server would silently drop a misspelt `volumeMount`).
 */

export interface Manifest {
  file: string;
  /** 1-based line where the document starts, for error messages. */
  line: number;
  object: Record<string, unknown>;
}

export async function loadManifests(file: string): Promise<Manifest[]> {
  const text = await readFile(file, 'utf8');
  const docs = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML document stream`);
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new Error(doc.errors.map((e) => `${file}: ${e.message}`).join('\n'));
    }
    const object: unknown = doc.toJS();
    if (object === null || object === undefined) continue; // an empty document
    const line = lineOf(doc.contents?.range?.[0] ?? 0);
    if (typeof object !== 'object' || Array.isArray(object)) {
      throw new Error(`${file}:${line}: expected a Kubernetes object (a mapping), got ${typeof object}`);
    }
    manifests.push({ file, line, object: object as Record<string, unknown> });
  }
  return manifests;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Validates one object against the published schema of its apiVersion and kind. */
export async function validateAgainstSchema(object: Record<string, unknown>): Promise<string[]> {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return ['apiVersion and kind must both be set'];
  }
  const { group, version } = splitApiVersion(apiVersion);
  let mod: Record<string, unknown>;
  try {
    // One module per API group/version; computed, so the bundler must not try to resolve it.
    const specifier = `kubernetes-models/${group ? `${group}/` : ''}${version}`;
    mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
  } catch {
    return [`unknown apiVersion ${apiVersion}`];
  }
  const Model = mod[kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (typeof Model !== 'function') return [`unknown kind ${kind} in ${apiVersion}`];
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  problems.push(...unknownFields(object, `${capitalise(version)}${kind}`));
  return problems;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

interface Attribute {
  baseName: string;
  type: string;
}

function attributesOf(typeName: string): Attribute[] | undefined {
  const cls = (k8s as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>)[typeName];
  return Array.isArray(cls?.attributeTypeMap) ? cls.attributeTypeMap : undefined;
}

/**
 * Lists fields that the typed models of @kubernetes/client-node (generated from the same
 * OpenAPI document) do not define, e.g. `spec.containers[0].volumeMount`.
 */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) {
    return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(item, array[1], `${path}[${i}]`)) : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) {
    return typeof value === 'object'
      ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1], `${path}.${key}`))
      : [];
  }
  const attributes = attributesOf(typeName);
  if (!attributes || typeof value !== 'object' || Array.isArray(value)) return [];
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    const at = path ? `${path}.${key}` : key;
    if (!attribute) problems.push(`unknown field ${at} (not in ${typeName})`);
    else problems.push(...unknownFields(item, attribute.type, at));
  }
  return problems;
}

export interface PodTemplate {
  /** Where the Pod spec sits, e.g. "Pod sidecar" or "Job report". */
  owner: string;
  spec: k8s.V1PodSpec;
}

/** The Pod spec inside a Pod, or inside a workload's template (Job, Deployment, ...). */
export function podSpecOf(object: Record<string, unknown>): PodTemplate | undefined {
  const name = (object.metadata as { name?: string } | undefined)?.name ?? '?';
  const spec = object.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (object.kind === 'Pod') return { owner: `Pod ${name}`, spec: spec as unknown as k8s.V1PodSpec };
  const template = spec.template as { spec?: k8s.V1PodSpec } | undefined;
  if (template?.spec) return { owner: `${String(object.kind)} ${name}`, spec: template.spec };
  return undefined;
}

/** Containers that run for the life of the Pod: app containers and native sidecars. */
export function longRunningContainers(spec: k8s.V1PodSpec): k8s.V1Container[] {
  const nativeSidecars = (spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...nativeSidecars, ...spec.containers];
}

export function allContainers(spec: k8s.V1PodSpec): k8s.V1Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}
