/* eslint-disable @typescript-eslint/no-explicit-any -- the loader walks YAML of any shape, before it is validated */
// The static rules for a lab's manifests: each document must be one namespaced Kubernetes object (a
// `List` is unwrapped and every item checked the same way), without a namespace, with valid names,
// pinned and listed images, no imagePullPolicy Always and no field that reaches the node.
import type { Document } from 'yaml';
import type { FormatProblem } from '../errors.ts';
import type { KubeObject } from './kube-object.ts';
import { checkObjectHostAccess, checkPodSpecHostAccess } from './host-access.ts';
import { dns1123Label, labelKey, labelValue, objectName, portName } from './names.ts';
import { reporter, type At, type Positions, type YamlPath } from './positions.ts';

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
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
  'DeviceClass',
  'ResourceSlice',
  'ClusterTrustBundle',
  'VolumeAttributesClass',
  'IPAddress',
  'ServiceCIDR',
  'TokenReview',
  'SelfSubjectReview',
  'SubjectAccessReview',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'ComponentStatus',
]);

export interface PodSpecLike {
  containers?: { name?: string; image?: string; imagePullPolicy?: string }[];
  initContainers?: { name?: string; image?: string; imagePullPolicy?: string }[];
  [k: string]: unknown;
}

/** The pod spec inside a workload object, with its path (for positions). */
export function podSpecOf(obj: KubeObject): { spec: PodSpecLike; path: string[] } | undefined {
  const get = (path: string[]) => path.reduce<any>((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj);
  const path =
    obj.kind === 'Pod'
      ? ['spec']
      : obj.kind === 'CronJob'
        ? ['spec', 'jobTemplate', 'spec', 'template', 'spec']
        : obj.kind === 'PodTemplate'
          ? ['template', 'spec']
          : ['spec', 'template', 'spec']; // Deployment, Job, StatefulSet, DaemonSet, ReplicaSet, ReplicationController
  const spec = get(path);
  return spec && typeof spec === 'object' && !Array.isArray(spec) && (spec.containers || spec.initContainers)
    ? { spec, path }
    : undefined;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function checkImage(c: Obj, cpath: YamlPath, images: Set<string> | null, at: At): void {
  if (typeof c.image === 'string') {
    if (!/:[^/]+$/.test(c.image) || c.image.endsWith(':latest')) {
      at([...cpath, 'image'], `image "${c.image}" is not pinned: use an exact tag (never :latest)`);
    } else if (images && !images.has(c.image)) {
      at(
        [...cpath, 'image'],
        `image "${c.image}" is not listed in lab.yaml "images" (${[...images].join(', ') || 'none listed'})`,
      );
    }
  }
  if (c.imagePullPolicy === 'Always')
    at([...cpath, 'imagePullPolicy'], 'imagePullPolicy Always cannot work on the offline cluster: use IfNotPresent');
}

function checkPodSpec(spec: Obj, path: YamlPath, images: Set<string> | null, at: At): void {
  for (const list of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    (Array.isArray(spec[list]) ? spec[list] : []).forEach((c: unknown, i: number) => {
      if (!isObj(c)) return;
      const cpath = [...path, list, i];
      const bad = typeof c.name === 'string' ? dns1123Label(c.name) : undefined;
      if (bad) at([...cpath, 'name'], `container name ${bad}`);
      checkImage(c, cpath, images, at);
      (Array.isArray(c.ports) ? c.ports : []).forEach((p: unknown, j: number) => {
        const why = isObj(p) && typeof p.name === 'string' ? portName(p.name) : undefined;
        if (why) at([...cpath, 'ports', j, 'name'], why);
      });
    });
  }
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: unknown, i: number) => {
    const why = isObj(v) && typeof v.name === 'string' ? dns1123Label(v.name) : undefined;
    if (why) at([...path, 'volumes', i, 'name'], `volume name ${why}`);
  });
  checkPodSpecHostAccess(spec, path, at);
}

function checkMetadata(o: Obj, at: At): boolean {
  let ok = true;
  const name = o.metadata?.name;
  if (typeof name !== 'string' || !name) {
    at(['metadata', 'name'], 'missing "metadata.name"');
    ok = false;
  } else {
    const why = objectName(o.kind, name);
    if (why) at(['metadata', 'name'], why);
  }
  if (o.metadata?.namespace !== undefined) {
    at(
      ['metadata', 'namespace'],
      `names namespace "${o.metadata.namespace}": lab manifests must not set a namespace (each session gets its own; remove the line)`,
    );
    ok = false;
  }
  if (isObj(o.metadata?.labels)) {
    for (const [k, v] of Object.entries(o.metadata.labels)) {
      const why = labelKey(k) ?? (typeof v === 'string' ? labelValue(v) : `label "${k}" must have a string value`);
      if (why) at(['metadata', 'labels', k], why);
    }
  }
  return ok;
}

/** One object (a document, or an item of a List): problems via `at`; the object when it can be applied. */
function checkObject(o: unknown, at: At, images: Set<string> | null, seen: KubeObject[]): KubeObject | undefined {
  if (!isObj(o)) {
    at([], 'expected a Kubernetes object (a mapping with apiVersion, kind, metadata)');
    return undefined;
  }
  if (typeof o.kind === 'string' && typeof o.metadata?.name === 'string') seen.push(o as KubeObject);
  let ok = true;
  for (const k of ['apiVersion', 'kind'] as const) {
    if (typeof o[k] !== 'string' || !o[k]) {
      at([k], `missing "${k}"`);
      ok = false;
    }
  }
  if (!checkMetadata(o, at)) ok = false;
  if (CLUSTER_SCOPED_KINDS.has(o.kind)) {
    at(['kind'], `${o.kind} is cluster-scoped: a lab may only create objects inside its own namespace`);
    ok = false;
  }
  checkObjectHostAccess(o, at);
  const ps = podSpecOf(o as KubeObject);
  if (ps) checkPodSpec(ps.spec, ps.path, images, at);
  return ok ? (o as KubeObject) : undefined;
}

const isListKind = (o: unknown): o is Obj =>
  isObj(o) && typeof o.kind === 'string' && (o.kind === 'List' || (o.kind.endsWith('List') && 'items' in o));

/**
 * The objects of one document: itself, or the items of a `List` (kubectl applies each item, so each is
 * checked like a document of its own). Problems are pushed; objects with problems are left out (but
 * added to `seen`, with every other named object, so references to them are not reported twice).
 */
export function documentObjects(
  value: unknown,
  doc: Document,
  pos: Positions,
  docIndex: number,
  images: Set<string> | null,
  problems: FormatProblem[],
  seen: KubeObject[] = [],
): KubeObject[] {
  const at = reporter(doc, pos, problems, docIndex > 0 ? `document ${docIndex + 1}: ` : '');
  if (!isListKind(value)) {
    const o = checkObject(value, at, images, seen);
    return o ? [o] : [];
  }
  if (!Array.isArray(value.items)) {
    at(['items'], `a ${value.kind} needs "items", a list of objects`);
    return [];
  }
  const out: KubeObject[] = [];
  value.items.forEach((item: unknown, i: number) => {
    const itemAt: At = (path, message) => at(['items', i, ...path], message);
    if (isListKind(item))
      return itemAt(['kind'], `a ${String(item.kind)} inside a List: put its items in the outer List`);
    const o = checkObject(item, itemAt, images, seen);
    if (o) out.push(o);
  });
  if (value.items.length === 0) at(['items'], `this ${value.kind} has no items`);
  return out;
}
