// Reading labs from disk: lab.yaml through the zod schema, manifests through static safety checks. Every
// problem is collected with its file:line:column (from the yaml package's node ranges) and thrown at once
// as one LabFormatError, so an author fixes everything in one round. The folder is not trusted: the rules
// for files, YAML limits, manifests and references live in load/ (labs/README.md lists them for authors).
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { CHECK_TYPES, LAB_API_VERSION, type LabSpec } from './schema.ts';
import { LabFormatError, LabNotFoundError, type FormatProblem } from './errors.ts';
import { Positions, keyNode, nodeAt, pathString, type YamlPath } from './load/positions.ts';
import { listManifestFiles, readLabFile } from './load/read.ts';
import { parseYamlFile } from './load/yaml.ts';
import { documentObjects } from './load/manifest.ts';
import type { KubeObject } from './load/kube-object.ts';
import { checkReferences } from './load/references.ts';
import { pickFormat, toLabSpec } from './load/version.ts';
import { derivedImages, unusedImages } from './load/images.ts';

export { CLUSTER_SCOPED_KINDS, podSpecOf } from './load/manifest.ts';
export { LIMITS } from './load/limits.ts';

export type { KubeObject } from './load/kube-object.ts';

export interface Lab extends LabSpec {
  slug: string;
  /** Absolute path of the lab folder (solution commands run there). */
  dir: string;
  /** Absolute path of lab.yaml. */
  file: string;
  /** Every manifest file in the folder, parsed (the terminal gets them all as its working files). */
  manifests: Record<string, KubeObject[]>;
  /** Raw text of every manifest file, for the terminal's working copy and the site. */
  files: Record<string, string>;
}

export function defaultLabsDir(): string {
  return process.env.SIDECAR_LABS_DIR ?? fileURLToPath(new URL('../../labs/', import.meta.url));
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** Turn zod issues into positioned problems with wording an author understands. */
export function zodProblems(issues: z.core.$ZodIssue[], doc: Document, pos: Positions): FormatProblem[] {
  const out: FormatProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    const value = doc.getIn(path as (string | number)[]);
    let node = nodeAt(doc, path);
    let message = issue.message;
    let where = path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const kn = keyNode(node, key);
        const p = pos.at(kn?.range?.[0] ?? node?.range?.[0]);
        const why =
          path.length === 0 && key === 'lesson'
            ? `: in ${LAB_API_VERSION} the slug is the lab folder's name; remove "lesson"`
            : '';
        out.push({ file: pos.file, ...p, path: pathString([...path, key]), message: `unknown field "${key}"${why}` });
      }
      continue;
    }
    if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'type') {
      const got = doc.getIn(path as (string | number)[]);
      message =
        got === undefined
          ? `missing "type": expected one of ${CHECK_TYPES.join(', ')}`
          : `unknown check type ${describeValue(got)}: expected one of ${CHECK_TYPES.join(', ')}`;
    } else if (value === undefined && !doc.hasIn(path as (string | number)[]) && path.length > 0) {
      message = `missing required field "${String(path[path.length - 1])}"`;
    } else if (issue.code === 'invalid_type') {
      message =
        value === undefined && doc.hasIn(path as (string | number)[]) === false
          ? `missing required field "${String(path[path.length - 1])}" (expected ${issue.expected})`
          : `expected ${issue.expected}, got ${describeValue(value)}`;
    } else if (issue.code === 'invalid_value' && 'values' in issue) {
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`;
    } else if (issue.code === 'invalid_union') {
      message = `${issue.message}: got ${describeValue(value)}`;
    }
    if (value === undefined && !doc.hasIn(path as (string | number)[])) {
      // a missing key: point at the mapping that should contain it
      where = path;
      node = nodeAt(doc, path.slice(0, -1));
    }
    out.push({ file: pos.file, ...pos.at(node?.range?.[0]), path: pathString(where), message });
  }
  return out;
}

/** The root of lab.yaml: exactly one document, a mapping. A problem (with its offset) otherwise. */
function rootProblem(docs: { doc: Document; value: unknown }[]): { offset?: number; message: string } | undefined {
  const filled = docs.filter((d) => d.value !== null && d.value !== undefined);
  if (filled.length > 1) {
    return {
      offset: filled[1].doc.range?.[0],
      message: `lab.yaml holds ${filled.length} YAML documents (a "---" line starts another one): a lab is one document; move manifests into their own files`,
    };
  }
  const v = filled[0]?.value;
  if (v === undefined) return { message: 'lab.yaml is empty: it needs title, lesson, images and steps' };
  if (Array.isArray(v))
    return {
      offset: filled[0].doc.contents?.range?.[0],
      message: 'lab.yaml must be a mapping (title: …, lesson: …, steps: …), not a list: remove the leading "- "',
    };
  if (typeof v !== 'object')
    return {
      offset: filled[0].doc.contents?.range?.[0],
      message: `lab.yaml must be a mapping (title: …, lesson: …, steps: …), not ${describeValue(v)}`,
    };
  return undefined;
}

/** Parse lab.yaml text (any format version) into a LabSpec; exported for tests and the site build (no disk needed). */
export function parseLabYaml(
  text: string,
  file: string,
  slug: string = basename(dirname(file)),
): { spec?: LabSpec; problems: FormatProblem[]; doc?: Document; pos: Positions; imagesGiven?: boolean; v0?: boolean } {
  const pos = new Positions(file);
  const { docs, problems } = parseYamlFile(text, pos);
  if (problems.length) return { problems, doc: docs[0]?.doc, pos };
  const root = rootProblem(docs);
  if (root) return { problems: [pos.problem(root.offset, '', root.message)], doc: docs[0]?.doc, pos };
  const { doc, value } = docs.find((d) => d.value !== null)!;
  const at = (path: YamlPath, message: string) => pos.problem(nodeAt(doc, path)?.range?.[0], pathString(path), message);
  const format = pickFormat(value as Record<string, unknown>);
  if ('message' in format) return { problems: [at(format.path, format.message)], doc, pos };
  const parsed = format.schema.safeParse(value);
  if (!parsed.success) return { problems: zodProblems(parsed.error.issues, doc, pos), doc, pos };
  const lab = toLabSpec(format.version, parsed.data, slug, file);
  if (lab.problems.length) return { problems: lab.problems.map((p) => at(p.path, p.message)), doc, pos };
  return { spec: lab.spec, problems, doc, pos, imagesGiven: lab.imagesGiven, v0: format.version === 'v0' };
}

const display = (path: string) => relative(process.cwd(), path) || path;

/** Every manifest file of the lab folder, read and checked; `seen` gets every named object, even refused ones. */
function readManifests(dir: string, images: Set<string> | null, problems: FormatProblem[], seen: KubeObject[]) {
  const manifests: Record<string, KubeObject[]> = {};
  const files: Record<string, string> = {};
  const unreadable = new Set<string>();
  const listed = listManifestFiles(dir, display(dir));
  if (listed.problem) problems.push(listed.problem);
  for (const f of listed.names) {
    const pos = new Positions(display(join(dir, f)));
    const read = readLabFile(dir, f, pos.file);
    if (read.problem) {
      problems.push(read.problem);
      unreadable.add(f);
      continue;
    }
    files[f] = read.text;
    const parsed = parseYamlFile(read.text, pos);
    problems.push(...parsed.problems);
    if (parsed.problems.length) unreadable.add(f); // some documents are missing: references cannot be judged
    manifests[f] = parsed.docs.flatMap((d) =>
      d.value === null ? [] : documentObjects(d.value, d.doc, pos, d.index, images, problems, seen),
    );
  }
  const mistakeSeen = readMistakeManifests(dir, images, problems, manifests, unreadable);
  return { manifests, files, unreadable, mistakeSeen };
}

/**
 * The manifests of common mistakes (`mistakes/`): read and checked like the others, but not among the
 * learner's files, and what they create does not count as created by the lab (check references): only
 * for the detect checks of the mistake that applies them. Returns every named object of each file, even
 * refused ones, by `mistakes/<file>`.
 */
function readMistakeManifests(
  dir: string,
  images: Set<string> | null,
  problems: FormatProblem[],
  manifests: Record<string, KubeObject[]>,
  unreadable: Set<string>,
): Record<string, KubeObject[]> {
  const seen: Record<string, KubeObject[]> = {};
  const sub = join(dir, 'mistakes');
  if (!existsSync(sub) || !lstatSync(sub).isDirectory()) return seen;
  const listed = listManifestFiles(sub, display(sub));
  if (listed.problem) problems.push(listed.problem);
  for (const f of listed.names) {
    const name = `mistakes/${f}`;
    const pos = new Positions(display(join(sub, f)));
    const read = readLabFile(sub, f, pos.file);
    const parsed = read.problem ? undefined : parseYamlFile(read.text, pos);
    if (!parsed || parsed.problems.length) {
      problems.push(...(read.problem ? [read.problem] : (parsed?.problems ?? [])));
      unreadable.add(name);
      continue;
    }
    seen[name] = [];
    manifests[name] = parsed.docs.flatMap((d) =>
      d.value === null ? [] : documentObjects(d.value, d.doc, pos, d.index, images, problems, seen[name]),
    );
  }
  return seen;
}

/** lab.yaml against the folder: lesson = folder, manifests exist, setup waits, check references. */
function crossCheck(
  slug: string,
  dir: string,
  spec: LabSpec,
  doc: Document,
  pos: Positions,
  read: ReturnType<typeof readManifests>,
  seen: KubeObject[],
  problems: FormatProblem[],
  listed: boolean,
): void {
  const at = (path: YamlPath, message: string) =>
    problems.push(pos.problem(nodeAt(doc, path)?.range?.[0], pathString(path), message));
  if (spec.lesson !== slug) at(['lesson'], `lesson "${spec.lesson}" must equal the lab folder name "${slug}"`);
  if (listed && read.unreadable.size === 0)
    for (const { index, image } of unusedImages(spec, read.manifests))
      at(['images', index], `image "${image}" is listed but no manifest or command of the lab uses it: remove it`);
  const refs: [string, YamlPath][] = [];
  spec.setup.manifests.forEach((m, i) => refs.push([m, ['setup', 'manifests', i]]));
  spec.steps.forEach((s, si) =>
    s.solution.manifests.forEach((m, i) => refs.push([m, ['steps', si, 'solution', 'manifests', i]])),
  );
  spec.steps.forEach((s, si) =>
    s.mistakes.forEach((mk, mi) =>
      mk.apply.manifests.forEach((m, i) => refs.push([m, ['steps', si, 'mistakes', mi, 'apply', 'manifests', i]])),
    ),
  );
  for (const [m, path] of refs) {
    if (read.unreadable.has(m)) continue; // its own problems say why
    if (!(m in read.manifests)) at(path, `manifest "${m}" does not exist in ${display(dir)}`);
    else if (read.manifests[m].length === 0 && !problems.some((p) => p.file.endsWith(m)))
      at(path, `manifest "${m}" contains no objects`);
  }
  if (Array.isArray(spec.setup.wait)) {
    const setupObjs = spec.setup.manifests.flatMap((m) => read.manifests[m] ?? []);
    spec.setup.wait.forEach((ref, i) => {
      const [kind, name] = ref.split('/');
      if (!setupObjs.some((o) => o.kind === kind && o.metadata.name === name))
        at(['setup', 'wait', i], `"${ref}" is not an object of the setup manifests`);
    });
  }
  const refAt = (path: YamlPath) => ({
    file: pos.file,
    ...pos.at(nodeAt(doc, path)?.range?.[0]),
    path: pathString(path),
  });
  nodePortProblems(spec, read.manifests, refAt, problems);
  // a manifest that could not be read or parsed hides its objects: references would only add noise
  if (read.unreadable.size === 0) checkReferences(spec, seen, at, read.mistakeSeen);
}

/** A lab folder name: one path segment, nothing that could climb out of the labs folder. */
const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function loadLab(slug: string, labsDir: string = defaultLabsDir()): Lab {
  const dir = resolve(labsDir, slug);
  const file = join(dir, 'lab.yaml');
  if (!SLUG.test(slug) || slug.includes('..') || !isLabFolder(labsDir, slug))
    throw new LabNotFoundError(slug, labsDir, listLabSlugs(labsDir));
  const read = readLabFile(dir, 'lab.yaml', display(file));
  const parsed = read.problem ? { problems: [read.problem] } : parseLabYaml(read.text, display(file));
  const { spec, doc, pos, imagesGiven = false, v0 = false } = parsed as ReturnType<typeof parseLabYaml>;
  const problems = [...parsed.problems];
  const seen: KubeObject[] = [];
  const manifests = readManifests(dir, spec && imagesGiven ? new Set(spec.images) : null, problems, seen);
  if (spec && doc) crossCheck(slug, dir, spec, doc, pos, manifests, seen, problems, imagesGiven && !v0);
  if (problems.length) throw new LabFormatError(sortProblems(problems));
  const images = imagesGiven ? spec!.images : derivedImages(spec!, manifests.manifests);
  return { ...(spec as LabSpec), images, slug, dir, file, manifests: manifests.manifests, files: manifests.files };
}

/** A Service's fixed nodePort must be declared in `nodePorts` (else two learners would collide on it). */
function nodePortProblems(
  spec: LabSpec,
  manifests: Record<string, KubeObject[]>,
  refAt: (path: (string | number)[]) => { file: string; line: number; column: number; path: string },
  problems: FormatProblem[],
): void {
  const declared = new Set(Object.values(spec.nodePorts));
  for (const [file, objects] of Object.entries(manifests)) {
    for (const o of objects) {
      const ports =
        (o.kind === 'Service' ? (o.spec as { ports?: { nodePort?: unknown }[] } | undefined)?.ports : undefined) ?? [];
      for (const p of ports) {
        if (typeof p.nodePort === 'number' && !declared.has(p.nodePort)) {
          problems.push({
            ...refAt(['nodePorts']),
            message: `${file}: Service "${o.metadata.name}" uses nodePort ${p.nodePort}: declare it in "nodePorts" (e.g. nodePorts: {web: ${p.nodePort}}) so each workshop session gets its own`,
          });
        }
      }
    }
  }
  spec.steps.forEach((s, si) =>
    s.checks.forEach((c, ci) => {
      if (c.type === 'http' && typeof c.nodePort === 'number' && !declared.has(c.nodePort)) {
        problems.push({
          ...refAt(['steps', si, 'checks', ci, 'nodePort']),
          message: `nodePort ${c.nodePort} is not declared in "nodePorts"`,
        });
      }
    }),
  );
}

function sortProblems(p: FormatProblem[]): FormatProblem[] {
  return [...p].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** A folder holding a lab.yaml entry (any kind of entry: a broken one is reported by loadLab, not skipped). */
function isLabFolder(labsDir: string, d: string): boolean {
  try {
    return statSync(join(labsDir, d)).isDirectory() && lstatSync(join(labsDir, d, 'lab.yaml')) !== undefined;
  } catch {
    return false; // a dangling link, a folder without lab.yaml, no permission
  }
}

export function listLabSlugs(labsDir: string = defaultLabsDir()): string[] {
  if (!existsSync(labsDir)) return [];
  return readdirSync(labsDir)
    .filter((d) => isLabFolder(labsDir, d))
    .sort();
}

/** Every lab in the folder; problems of all labs are reported together, and no lab's failure hides another's. */
export function loadLabs(labsDir: string = defaultLabsDir()): Lab[] {
  const labs: Lab[] = [];
  const problems: FormatProblem[] = [];
  for (const slug of listLabSlugs(labsDir)) {
    try {
      labs.push(loadLab(slug, labsDir));
    } catch (e) {
      if (e instanceof LabFormatError) problems.push(...e.problems);
      else
        problems.push({
          file: display(join(labsDir, slug, 'lab.yaml')),
          line: 1,
          column: 1,
          path: '',
          message: `the lab cannot be loaded: ${e instanceof Error ? e.message : String(e)}`,
        });
    }
  }
  if (problems.length) throw new LabFormatError(problems);
  return labs;
}

/** Objects a step's solution applies, in file order. */
export function solutionObjects(lab: Lab, stepId: string): KubeObject[] {
  const step = lab.steps.find((s) => s.id === stepId);
  return (step?.solution.manifests ?? []).flatMap((m) => lab.manifests[m] ?? []);
}

export function setupObjects(lab: Lab): KubeObject[] {
  return lab.setup.manifests.flatMap((m) => lab.manifests[m] ?? []);
}
