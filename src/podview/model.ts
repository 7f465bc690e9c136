// The Pod view's model: what the drawing shows of a namespace's Pods and Services. Pure and
// dependency-free, so the server (live pods from a watch), the browser (the lab panel) and the build
// (manifests in the lessons) all read Kubernetes objects through this one file.

/** How a container takes part in its Pod. */
export type ContainerRole = 'main' | 'sidecar' | 'native-sidecar' | 'init';

export interface MountView {
  volume: string;
  path: string;
  readOnly?: boolean;
}

/** A container's state as the kubelet reports it (absent for a manifest). */
export interface StateView {
  state: 'waiting' | 'running' | 'terminated';
  reason?: string;
  exitCode?: number;
}

export interface ContainerView {
  name: string;
  role: ContainerRole;
  image?: string;
  ports: number[];
  mounts: MountView[];
  status?: StateView;
  ready?: boolean;
  restarts?: number;
}

export interface VolumeView {
  name: string;
  /** emptyDir, configMap, secret, persistentVolumeClaim, ... */
  source: string;
}

export interface PodView {
  name: string;
  /** "Pod", or the kind whose template this is ("Deployment", "Job"). */
  kind: string;
  labels: Record<string, string>;
  /** Pending, Running, Succeeded, Failed (live only). */
  phase?: string;
  /** The Pod is being deleted (live only). */
  deleting?: boolean;
  containers: ContainerView[];
  volumes: VolumeView[];
}

export interface ServiceView {
  name: string;
  type: string;
  selector: Record<string, string>;
  ports: string[];
}

export interface NamespaceView {
  pods: PodView[];
  services: ServiceView[];
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}
function list(v: unknown): Obj[] {
  return Array.isArray(v) ? v.map(obj) : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function strings(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
}

function containerView(c: Obj, role: ContainerRole): ContainerView {
  return {
    name: str(c.name) ?? '?',
    role,
    image: str(c.image),
    ports: list(c.ports)
      .map((p) => Number(p.containerPort))
      .filter((n) => Number.isFinite(n) && n > 0),
    mounts: list(c.volumeMounts)
      .filter((m) => !INJECTED_VOLUME.test(str(m.name) ?? ''))
      .map((m) => ({
        volume: str(m.name) ?? '?',
        path: str(m.mountPath) ?? '?',
        ...(m.readOnly === true ? { readOnly: true } : {}),
      })),
  };
}

function stateView(s: Obj): StateView | undefined {
  const state = obj(s.state);
  if (state.running) return { state: 'running' };
  if (state.waiting) return { state: 'waiting', reason: str(obj(state.waiting).reason) };
  if (state.terminated) {
    const t = obj(state.terminated);
    return {
      state: 'terminated',
      reason: str(t.reason),
      exitCode: typeof t.exitCode === 'number' ? t.exitCode : undefined,
    };
  }
  return undefined;
}

/** Copies ready / restarts / state from the Pod's status onto its containers. */
function applyStatus(containers: ContainerView[], status: Obj): void {
  const byName = new Map<string, Obj>();
  for (const s of [...list(status.initContainerStatuses), ...list(status.containerStatuses)])
    byName.set(str(s.name) ?? '', s);
  for (const c of containers) {
    const s = byName.get(c.name);
    if (!s) continue;
    c.status = stateView(s);
    c.ready = s.ready === true;
    c.restarts = typeof s.restartCount === 'number' ? s.restartCount : 0;
  }
}

/**
 * The Pod view of a Pod spec: init containers first (a native sidecar is an init container with
 * `restartPolicy: Always`), then the regular containers; the first of those is the main container.
 */
export function containersOf(spec: Obj): ContainerView[] {
  const inits = list(spec.initContainers).map((c) =>
    containerView(c, c.restartPolicy === 'Always' ? 'native-sidecar' : 'init'),
  );
  const regular = list(spec.containers).map((c, i) => containerView(c, i === 0 ? 'main' : 'sidecar'));
  return [...inits, ...regular];
}

/** The API server adds a service-account token volume to every Pod; it is not part of the lesson's picture. */
const INJECTED_VOLUME = /^kube-api-access-/;

function volumesOf(spec: Obj): VolumeView[] {
  return list(spec.volumes)
    .filter((v) => !INJECTED_VOLUME.test(str(v.name) ?? ''))
    .map((v) => ({
      name: str(v.name) ?? '?',
      source: Object.keys(v).find((k) => k !== 'name') ?? 'volume',
    }));
}

const TEMPLATE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

/** A Pod (manifest or live object, with its status) or the Pod template of a workload; undefined for anything else. */
export function podFromObject(o: unknown): PodView | undefined {
  const o1 = obj(o);
  const kind = str(o1.kind) ?? 'Pod';
  const meta = obj(o1.metadata);
  const name = str(meta.name) ?? '?';
  if (kind === 'Pod') {
    const pod: PodView = {
      name,
      kind,
      labels: strings(meta.labels),
      containers: containersOf(obj(o1.spec)),
      volumes: volumesOf(obj(o1.spec)),
    };
    const status = obj(o1.status);
    if (str(status.phase)) pod.phase = str(status.phase);
    if (meta.deletionTimestamp) pod.deleting = true;
    applyStatus(pod.containers, status);
    return pod;
  }
  if (!TEMPLATE_KINDS.has(kind)) return undefined;
  const template = obj(obj(o1.spec).template);
  const spec = obj(template.spec);
  return {
    name,
    kind,
    labels: strings(obj(template.metadata).labels),
    containers: containersOf(spec),
    volumes: volumesOf(spec),
  };
}

export function serviceFromObject(o: unknown): ServiceView | undefined {
  const o1 = obj(o);
  if (str(o1.kind) !== 'Service') return undefined;
  const spec = obj(o1.spec);
  return {
    name: str(obj(o1.metadata).name) ?? '?',
    type: str(spec.type) ?? 'ClusterIP',
    selector: strings(spec.selector),
    ports: list(spec.ports).map((p) => {
      const target = p.targetPort !== undefined && p.targetPort !== p.port ? `→${String(p.targetPort)}` : '';
      const node = p.nodePort ? ` (node ${String(p.nodePort)})` : '';
      return `${String(p.port)}${target}${node}`;
    }),
  };
}

/** Whether the Service's selector picks the Pod (an empty selector picks none: such Services are managed by hand). */
export function selects(service: ServiceView, pod: PodView): boolean {
  const entries = Object.entries(service.selector);
  return entries.length > 0 && entries.every(([k, v]) => pod.labels[k] === v);
}

/** Pods and Services among a list of objects (a multi-document manifest, or a namespace's contents). */
export function namespaceFromObjects(objects: readonly unknown[]): NamespaceView {
  const view: NamespaceView = { pods: [], services: [] };
  for (const o of objects) {
    const pod = podFromObject(o);
    if (pod) view.pods.push(pod);
    const svc = serviceFromObject(o);
    if (svc) view.services.push(svc);
  }
  return view;
}

/** What a container's state line says: "running", "waiting: CrashLoopBackOff", "terminated: Completed (0)". */
export function stateText(c: ContainerView): string {
  const s = c.status;
  if (!s) return c.ready === undefined ? '' : 'no status yet';
  const why = s.reason ? `: ${s.reason}` : '';
  const code = s.state === 'terminated' && s.exitCode !== undefined ? ` (exit ${s.exitCode})` : '';
  return `${s.state}${why}${code}`;
}

export const ROLE_TEXT: Record<ContainerRole, string> = {
  main: 'main',
  sidecar: 'sidecar',
  'native-sidecar': 'native sidecar',
  init: 'init',
};
