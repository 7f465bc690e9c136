/* eslint-disable @typescript-eslint/no-explicit-any -- the loader walks YAML of any shape, before it is validated */
// Cross-references between lab.yaml and the rest of the lab: a check that names a pod, container,
// Service or Job that no manifest and no command of the lab creates could only ever time out, so it is an
// error at load time. Names are checked against Kubernetes' rules first. Checks are read by field name
// (pod, selector, container, service, job, from, kind/name), so every check type that uses them is covered.
// A mistake's `detect` checks are held to the same rule, with what its own `apply` creates counted too.
import type { KubeObject } from './kube-object.ts';
import type { LabSpec } from '../schema.ts';
import { LEARNER_SA, TERMINAL_CONTAINER, TERMINAL_POD } from '../terminal.ts';
import { commandInventory, type CommandInventory } from './commands.ts';
import { podSpecOf } from './manifest.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain } from './names.ts';
import { proxyPathProblem } from './http-path.ts';
import type { YamlPath } from './positions.ts';

type At = (path: YamlPath, message: string) => void;

interface Template {
  labels: Record<string, string>;
  containers: Set<string> | null;
  owner: string;
}

interface Inventory {
  objects: Map<string, Set<string>>;
  /** Pod name → its containers (null: unknown, e.g. a pod of a StatefulSet made by a command). */
  pods: Map<string, Set<string> | null>;
  /** Pod templates with the labels their pods will carry (a controller's own labels included). */
  templates: Template[];
  commands: CommandInventory;
}

/** Objects that exist in every session namespace without the lab creating them. */
const BUILT_IN: [string, string][] = [
  ['ServiceAccount', 'default'],
  ['ConfigMap', 'kube-root-ca.crt'],
  ['ServiceAccount', LEARNER_SA],
  ['Pod', TERMINAL_POD],
];
/** Kinds whose names a check may only use when the lab creates them (others may be made by controllers). */
const CHECKED_KINDS = new Set([
  'Pod',
  'Service',
  'Job',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'PersistentVolumeClaim',
]);

function containerNames(spec: Record<string, any>): Set<string> {
  const names = ['initContainers', 'containers', 'ephemeralContainers'].flatMap((k) =>
    (Array.isArray(spec[k]) ? spec[k] : []).map((c: any) => c?.name),
  );
  return new Set(names.filter((n): n is string => typeof n === 'string'));
}

function addName(map: Map<string, Set<string>>, kind: string, name: string): void {
  map.set(kind, (map.get(kind) ?? new Set()).add(name));
}

function inventory(objects: KubeObject[], commandLines: string[]): Inventory {
  const inv: Inventory = {
    objects: new Map(),
    pods: new Map([[TERMINAL_POD, new Set([TERMINAL_CONTAINER])]]),
    templates: [],
    commands: commandInventory(commandLines),
  };
  for (const [kind, name] of BUILT_IN) addName(inv.objects, kind, name);
  for (const o of objects) {
    addName(inv.objects, o.kind, o.metadata.name);
    const ps = podSpecOf(o);
    if (!ps) continue;
    const containers = containerNames(ps.spec);
    const template = o.kind === 'Pod' ? o : (ps.path.slice(0, -1).reduce<any>((x, k) => x?.[k], o) ?? {});
    const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}) };
    if (o.kind === 'Job')
      Object.assign(labels, { 'job-name': o.metadata.name, 'batch.kubernetes.io/job-name': o.metadata.name });
    inv.templates.push({ labels, containers, owner: `${o.kind} ${o.metadata.name}` });
    if (o.kind === 'Pod')
      inv.pods.set(o.metadata.name, new Set([...(inv.pods.get(o.metadata.name) ?? []), ...containers]));
  }
  for (const [kind, names] of inv.commands.objects) for (const n of names) addName(inv.objects, kind, n);
  for (const [pod, names] of inv.commands.containers) {
    const known = inv.pods.get(pod);
    inv.pods.set(pod, known === null ? null : new Set([...(known ?? []), ...names]));
  }
  for (const labels of inv.commands.podLabels) inv.templates.push({ labels, containers: null, owner: 'a command' });
  return inv;
}

/** Is there a Pod named `name`: a manifest or command makes it, YAML in a command names it, or a StatefulSet's pod. */
function podExists(inv: Inventory, name: string): boolean {
  if (inv.pods.has(name) || inv.commands.inlineNames.has(name)) return true;
  return [...(inv.objects.get('StatefulSet') ?? [])].some((s) =>
    new RegExp(`^${s.replace(/\./g, '\\.')}-\\d+$`).test(name),
  );
}

/** Equality-based selector terms, or undefined when the selector uses set-based forms. */
function selectorTerms(selector: string): [string, string, boolean][] | undefined {
  const terms: [string, string, boolean][] = [];
  for (const part of selector.split(',').map((s) => s.trim())) {
    const m = /^([A-Za-z0-9][-A-Za-z0-9_./]*)\s*(==|=|!=)\s*([-A-Za-z0-9_.]*)$/.exec(part);
    if (!m) return undefined;
    terms.push([m[1], m[3], m[2] !== '!=']);
  }
  return terms;
}

const CONTROLLER_LABELS = new Set([
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'pod-template-hash',
  'controller-revision-hash',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'batch.kubernetes.io/job-completion-index',
]);

function matching(inv: Inventory, selector: string): Template[] | undefined {
  const terms = selectorTerms(selector);
  if (!terms) return undefined;
  return inv.templates.filter((t) =>
    terms.every(([k, v, eq]) => CONTROLLER_LABELS.has(k) || (eq ? t.labels[k] === v : t.labels[k] !== v)),
  );
}

function list(names: Iterable<string>): string {
  const a = [...names].sort();
  return a.length ? a.map((n) => `"${n}"`).join(', ') : 'none';
}

type Check = Record<string, any>;

/** `pod`/`selector` + `container` (at path base, or base.from for an http check run from a pod). */
function checkPodRef(c: Check, base: YamlPath, inv: Inventory, at: At): void {
  const podWhy = typeof c.pod === 'string' ? dns1123Subdomain(c.pod) : undefined;
  const cWhy = typeof c.container === 'string' ? dns1123Label(c.container) : undefined;
  if (podWhy) at([...base, 'pod'], `pod name ${podWhy}`);
  if (cWhy) at([...base, 'container'], `container name ${cWhy}`);
  if (typeof c.pod === 'string' && !podWhy) {
    if (!podExists(inv, c.pod)) {
      return at(
        [...base, 'pod'],
        `no manifest or command of this lab creates a pod "${c.pod}" (pods: ${list(inv.pods.keys())})`,
      );
    }
    const containers = inv.pods.get(c.pod);
    if (
      typeof c.container === 'string' &&
      !cWhy &&
      containers &&
      !containers.has(c.container) &&
      !inv.commands.inlineNames.has(c.container)
    ) {
      at([...base, 'container'], `pod "${c.pod}" has no container "${c.container}" (containers: ${list(containers)})`);
    }
  }
  if (typeof c.selector === 'string' && !inv.commands.opaque) {
    const found = matching(inv, c.selector);
    if (!found) return; // set-based selectors: not judged statically
    if (found.length === 0)
      return at(
        [...base, 'selector'],
        `no pod of this lab matches selector "${c.selector}" (no manifest or command gives its pods these labels)`,
      );
    const containers = found.map((t) => t.containers);
    if (typeof c.container === 'string' && !cWhy && containers.every((s) => s && !s.has(c.container))) {
      at(
        [...base, 'container'],
        `the pods selected by "${c.selector}" (${found.map((t) => t.owner).join(', ')}) have no container "${c.container}" (containers: ${list(containers.flatMap((s) => [...(s ?? [])]))})`,
      );
    }
  }
}

function exists(inv: Inventory, kind: string, name: string): boolean {
  return (
    !!inv.objects.get(kind)?.has(name) || inv.commands.inlineNames.has(name) || (kind === 'Pod' && podExists(inv, name))
  );
}

/** `service`, `job`, and a `field` check's kind/name. */
function checkNamedObjects(c: Check, base: YamlPath, inv: Inventory, at: At): void {
  const refs: [string, string, string, (n: string) => string | undefined][] = [];
  if (typeof c.service === 'string') refs.push(['service', 'Service', c.service, dns1035Label]);
  if (typeof c.job === 'string') refs.push(['job', 'Job', c.job, dns1123Subdomain]);
  if (c.type === 'field' && typeof c.kind === 'string' && typeof c.name === 'string')
    refs.push(['name', c.kind, c.name, c.kind === 'Service' ? dns1035Label : dns1123Subdomain]);
  for (const [field, kind, name, rule] of refs) {
    const why = rule(name);
    if (why) at([...base, field], why);
    else if ((field !== 'name' || CHECKED_KINDS.has(kind)) && !exists(inv, kind, name)) {
      at(
        [...base, field],
        `no manifest or command of this lab creates a ${kind} "${name}" (${kind}s: ${list(inv.objects.get(kind) ?? [])})`,
      );
    }
  }
}

/** One check against an inventory: names, pods, containers, selectors, named objects, http path. */
function checkOne(c: Check, base: YamlPath, inv: Inventory, at: At): void {
  checkPodRef(c, base, inv, at);
  if (c.from && typeof c.from === 'object') checkPodRef(c.from, [...base, 'from'], inv, at);
  checkNamedObjects(c, base, inv, at);
  if (c.type === 'http' && typeof c.path === 'string' && !c.from) {
    const why = proxyPathProblem(c.path);
    if (why) at([...base, 'path'], why);
  }
}

/** Rewords a message for a mistake's detect check: its own apply counts as a creator too. */
function mistakeAt(at: At): At {
  return (path, message) =>
    at(
      path,
      message
        .replace(
          'no manifest or command of this lab creates',
          "no manifest or command of this lab or of this mistake's apply creates",
        )
        .replace('no manifest or command gives', "no manifest or command of the lab or of this mistake's apply gives"),
    );
}

/**
 * Every check of every step against what the lab's manifests and commands create; every mistake's
 * `detect` check against that plus what the mistake's own `apply` creates (`mistakeObjects`: the objects
 * of each manifest file a mistake may apply, by file name, those in mistakes/ included).
 */
export function checkReferences(
  spec: LabSpec,
  objects: KubeObject[],
  at: At,
  mistakeObjects: Record<string, KubeObject[]> = {},
): void {
  const lines = spec.steps.flatMap((s) => [
    ...s.commands.map((c) => (typeof c === 'string' ? c : c.run)),
    ...s.solution.commands,
  ]);
  const inv = inventory(objects, lines);
  spec.steps.forEach((step, si) => {
    step.checks.forEach((check, ci) => checkOne(check as Check, ['steps', si, 'checks', ci], inv, at));
    step.mistakes.forEach((mistake, mi) => {
      const own = mistake.apply.manifests.flatMap((m) => mistakeObjects[m] ?? []);
      const mInv = inventory([...objects, ...own], [...lines, ...mistake.apply.commands]);
      mistake.detect.forEach((check, di) =>
        checkOne(check as Check, ['steps', si, 'mistakes', mi, 'detect', di], mInv, mistakeAt(at)),
      );
    });
  });
}
