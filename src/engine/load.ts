// Reading labs from disk: lab.yaml through the zod schema, manifests through static safety checks. Every
// problem is collected with its file:line:column (from the yaml package's node ranges) and thrown at once
// as one LabFormatError, so an author fixes everything in one round.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LineCounter,
  parseAllDocuments,
  parseDocument,
  isMap,
  isNode,
  isPair,
  isScalar,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { LabSpec, CHECK_TYPES } from './schema.ts';
import { LabFormatError, LabNotFoundError, type FormatProblem } from './errors.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

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

/** Kinds that are never namespaced: refused statically (the API's discovery refuses the rest at apply time). */
export const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

class Positions {
  readonly lc = new LineCounter();
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  at(offset: number | undefined): { line: number; column: number } {
    if (offset === undefined) return { line: 1, column: 1 };
    const p = this.lc.linePos(offset);
    return { line: p.line, column: p.col };
  }
}

function pathString(path: PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s;
}

/** The node at `path`, or the closest existing ancestor (a missing key is reported at its parent). */
function nodeAt(doc: Document, path: PropertyKey[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node)) return node;
  }
  return doc.contents ?? undefined;
}

function keyNode(map: Node | undefined, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key;
  }
  return undefined;
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
        out.push({ file: pos.file, ...p, path: pathString([...path, key]), message: `unknown field "${key}"` });
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

interface PodSpecLike {
  containers?: { name?: string; image?: string; imagePullPolicy?: string }[];
  initContainers?: { name?: string; image?: string; imagePullPolicy?: string }[];
}

/** The pod spec inside a workload object, with its path (for positions). */
export function podSpecOf(obj: KubeObject): { spec: PodSpecLike; path: string[] } | undefined {
  const get = (path: string[]) => path.reduce<any>((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
  const candidates: string[][] = [
    ['spec'], // Pod
    ['spec', 'template', 'spec'], // Deployment, Job, StatefulSet, DaemonSet, ReplicaSet
    ['spec', 'jobTemplate', 'spec', 'template', 'spec'], // CronJob
  ];
  const path = obj.kind === 'Pod' ? candidates[0] : obj.kind === 'CronJob' ? candidates[2] : candidates[1];
  const spec = get(path);
  return spec && typeof spec === 'object' && (spec.containers || spec.initContainers) ? { spec, path } : undefined;
}

function checkManifest(
  obj: unknown,
  doc: Document,
  pos: Positions,
  docIndex: number,
  images: Set<string> | null,
  problems: FormatProblem[],
): obj is KubeObject {
  const where = (path: (string | number)[]) => pos.at(nodeAt(doc, path)?.range?.[0]);
  const prefix = (p: string) => (docIndex > 0 ? `document ${docIndex + 1}: ${p}` : p);
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
    problems.push({
      file: pos.file,
      ...where([]),
      path: prefix(''),
      message: 'expected a Kubernetes object (a mapping with apiVersion, kind, metadata)',
    });
    return false;
  }
  const o = obj as Record<string, any>;
  let ok = true;
  for (const k of ['apiVersion', 'kind'] as const) {
    if (typeof o[k] !== 'string' || !o[k]) {
      problems.push({ file: pos.file, ...where([k]), path: prefix(k), message: `missing "${k}"` });
      ok = false;
    }
  }
  if (typeof o.metadata?.name !== 'string' || !o.metadata.name) {
    problems.push({
      file: pos.file,
      ...where(['metadata', 'name']),
      path: prefix('metadata.name'),
      message: 'missing "metadata.name"',
    });
    ok = false;
  }
  if (o.metadata?.namespace !== undefined) {
    problems.push({
      file: pos.file,
      ...where(['metadata', 'namespace']),
      path: prefix('metadata.namespace'),
      message: `names namespace "${o.metadata.namespace}": lab manifests must not set a namespace (each session gets its own; remove the line)`,
    });
    ok = false;
  }
  if (CLUSTER_SCOPED_KINDS.has(o.kind)) {
    problems.push({
      file: pos.file,
      ...where(['kind']),
      path: prefix('kind'),
      message: `${o.kind} is cluster-scoped: a lab may only create objects inside its own namespace`,
    });
    ok = false;
  }
  const ps = podSpecOf(o as KubeObject);
  if (ps) {
    for (const list of ['initContainers', 'containers'] as const) {
      (ps.spec[list] ?? []).forEach((c, i) => {
        const cpath = [...ps.path, list, i];
        if (typeof c.image !== 'string') return;
        if (!/:[^/]+$/.test(c.image) || c.image.endsWith(':latest')) {
          problems.push({
            file: pos.file,
            ...where([...cpath, 'image']),
            path: prefix(pathString([...cpath, 'image'])),
            message: `image "${c.image}" is not pinned: use an exact tag (never :latest)`,
          });
        } else if (images && !images.has(c.image)) {
          problems.push({
            file: pos.file,
            ...where([...cpath, 'image']),
            path: prefix(pathString([...cpath, 'image'])),
            message: `image "${c.image}" is not listed in lab.yaml "images" (${[...(images ?? [])].join(', ') || 'none listed'})`,
          });
        }
        if (c.imagePullPolicy === 'Always') {
          problems.push({
            file: pos.file,
            ...where([...cpath, 'imagePullPolicy']),
            path: prefix(pathString([...cpath, 'imagePullPolicy'])),
            message: 'imagePullPolicy Always cannot work on the offline cluster: use IfNotPresent',
          });
        }
      });
    }
  }
  return ok;
}

function isManifestFileName(f: string): boolean {
  return /\.ya?ml$/.test(f) && f !== 'lab.yaml';
}

/** Every object of one manifest file (problems collected, with positions). */
function parseManifests(
  text: string,
  path: string,
  images: Set<string> | null,
  problems: FormatProblem[],
): KubeObject[] {
  const mpos = new Positions(relative(process.cwd(), path) || path);
  const list: KubeObject[] = [];
  parseAllDocuments(text, { lineCounter: mpos.lc, prettyErrors: false }).forEach((d, i) => {
    for (const e of d.errors)
      problems.push({
        file: mpos.file,
        ...mpos.at(e.pos[0]),
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      });
    if (d.errors.length) return;
    const obj = d.toJS();
    if (obj === null || obj === undefined) return; // empty document (e.g. trailing ---)
    if (checkManifest(obj, d, mpos, i, images, problems)) list.push(obj as KubeObject);
  });
  return list;
}

/** Parse lab.yaml text; exported for tests (no disk needed). */
export function parseLabYaml(
  text: string,
  file: string,
): { spec?: LabSpec; problems: FormatProblem[]; doc: Document; pos: Positions } {
  const pos = new Positions(file);
  const doc = parseDocument(text, { lineCounter: pos.lc, prettyErrors: false });
  const problems: FormatProblem[] = [];
  for (const e of doc.errors)
    problems.push({ file, ...pos.at(e.pos[0]), path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` });
  if (problems.length) return { problems, doc, pos };
  const parsed = LabSpec.safeParse(doc.toJS() ?? {});
  if (!parsed.success) return { problems: zodProblems(parsed.error.issues, doc, pos), doc, pos };
  return { spec: parsed.data, problems, doc, pos };
}

export function loadLab(slug: string, labsDir: string = defaultLabsDir()): Lab {
  const dir = resolve(labsDir, slug);
  const file = join(dir, 'lab.yaml');
  if (!existsSync(file)) throw new LabNotFoundError(slug, labsDir, listLabSlugs(labsDir));
  const display = relative(process.cwd(), file) || file;
  const { spec, problems, doc, pos } = parseLabYaml(readFileSync(file, 'utf8'), display);

  const manifests: Record<string, KubeObject[]> = {};
  const files: Record<string, string> = {};
  const images = spec ? new Set(spec.images) : null;
  for (const f of readdirSync(dir).filter(isManifestFileName).sort()) {
    files[f] = readFileSync(join(dir, f), 'utf8');
    manifests[f] = parseManifests(files[f], join(dir, f), images, problems);
  }
  // the manifests of common mistakes: parsed and checked the same way, but not among the learner's files
  const mistakesDir = join(dir, 'mistakes');
  if (existsSync(mistakesDir)) {
    for (const f of readdirSync(mistakesDir).filter(isManifestFileName).sort()) {
      manifests[`mistakes/${f}`] = parseManifests(
        readFileSync(join(mistakesDir, f), 'utf8'),
        join(mistakesDir, f),
        images,
        problems,
      );
    }
  }

  if (spec) {
    const refAt = (path: (string | number)[]) => ({
      file: display,
      ...pos.at(nodeAt(doc, path)?.range?.[0]),
      path: pathString(path),
    });
    if (spec.lesson !== slug) {
      problems.push({
        ...refAt(['lesson']),
        message: `lesson "${spec.lesson}" must equal the lab folder name "${slug}"`,
      });
    }
    const refs: [string, (string | number)[]][] = [];
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
      if (!(m in manifests))
        problems.push({
          ...refAt(path),
          message: `manifest "${m}" does not exist in ${relative(process.cwd(), dir) || dir}`,
        });
      else if (manifests[m].length === 0 && !problems.some((p) => p.file.endsWith(m)))
        problems.push({ ...refAt(path), message: `manifest "${m}" contains no objects` });
    }
    nodePortProblems(spec, manifests, refAt, problems);
    if (Array.isArray(spec.setup.wait)) {
      const setupObjs = spec.setup.manifests.flatMap((m) => manifests[m] ?? []);
      spec.setup.wait.forEach((ref, i) => {
        const [kind, name] = ref.split('/');
        if (!setupObjs.some((o) => o.kind === kind && o.metadata.name === name)) {
          problems.push({
            ...refAt(['setup', 'wait', i]),
            message: `"${ref}" is not an object of the setup manifests`,
          });
        }
      });
    }
  }
  if (problems.length) throw new LabFormatError(sortProblems(problems));
  return { ...(spec as LabSpec), slug, dir, file, manifests, files };
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
      if (c.type === 'http' && c.nodePort !== undefined && !declared.has(c.nodePort)) {
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

export function listLabSlugs(labsDir: string = defaultLabsDir()): string[] {
  if (!existsSync(labsDir)) return [];
  return readdirSync(labsDir)
    .filter((d) => statSync(join(labsDir, d)).isDirectory() && existsSync(join(labsDir, d, 'lab.yaml')))
    .sort();
}

/** Every lab in the folder; problems of all labs are reported together. */
export function loadLabs(labsDir: string = defaultLabsDir()): Lab[] {
  const labs: Lab[] = [];
  const problems: FormatProblem[] = [];
  for (const slug of listLabSlugs(labsDir)) {
    try {
      labs.push(loadLab(slug, labsDir));
    } catch (e) {
      if (e instanceof LabFormatError) problems.push(...e.problems);
      else throw e;
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
