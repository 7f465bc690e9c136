// The real ClusterProbe: access reviews, node images, and two probes that need pods (image pulls and
// NetworkPolicy enforcement), run in a throw-away namespace that close() deletes.
import type { KubeConfig, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { Kube } from '../../engine/index.ts';
import type { Access, ClusterProbe, PolicyProbe } from './kube.ts';
import { holdsResources, podRequests, sessionRoom, type Room } from '../../engine/index.ts';
import { bytesOf, milliCpu } from '../../engine/index.ts';

/** The namespaces of lab sessions: their pods are what the room is for, not the system's. */
const SESSION_NAMESPACES = 'app.kubernetes.io/managed-by=sidecar-labs';

const SERVER_IMAGE = 'docker.io/library/nginx:1.24.0';
const CLIENT_IMAGE = 'docker.io/sidecarlabs/toolbox:0.1.0';
const POD_WAIT_MS = 90_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class KubeProbe implements ClusterProbe {
  readonly describe: string;
  private readonly kube: Kube;
  private namespace: string | undefined;

  constructor(kc: KubeConfig, describe: string) {
    this.describe = describe;
    this.kube = new Kube(kc, describe);
  }

  version() {
    return this.kube.ping();
  }

  allowed(a: Access): Promise<boolean> {
    return this.kube.allowed({
      verb: a.verb,
      resource: a.resource,
      group: a.group ?? '',
      subresource: a.subresource,
      name: a.name,
    });
  }

  async room(): Promise<Room> {
    const [nodes, pods, sessions] = await Promise.all([
      this.kube.listNodes(),
      this.kube.listAllPods(),
      this.kube.listNamespaces(SESSION_NAMESPACES),
    ]);
    const ours = new Set(sessions.map((n) => n.metadata?.name));
    const allocatable = (key: 'cpu' | 'memory') =>
      nodes
        .filter((n) => !n.spec?.unschedulable)
        .reduce((s, n) => s + (key === 'cpu' ? milliCpu : bytesOf)(n.status?.allocatable?.[key] ?? '0'), 0);
    const system = pods.filter((p) => holdsResources(p) && !ours.has(p.metadata?.namespace)).map((p) => podRequests(p));
    return sessionRoom({ cpuMilli: allocatable('cpu'), memoryBytes: allocatable('memory') }, system);
  }

  async nodeImages(): Promise<string[]> {
    const nodes = await this.kube.listNodes();
    return nodes.flatMap((n) => n.status?.images ?? []).flatMap((i) => i.names ?? []);
  }

  private async ns(): Promise<string> {
    if (this.namespace) return this.namespace;
    const name = `sidecar-labs-doctor-${randomBytes(4).toString('hex')}`;
    await this.kube.createNamespace({
      name,
      labels: { 'app.kubernetes.io/managed-by': 'sidecar-labs', 'sidecar-labs.dev/doctor': 'true' },
    });
    this.namespace = name;
    return name;
  }

  private pod(name: string, image: string, command: string[], labels: Record<string, string> = {}): V1Pod {
    return {
      metadata: { name, labels },
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 1,
        automountServiceAccountToken: false,
        containers: [{ name: 'probe', image, imagePullPolicy: 'IfNotPresent', command }],
      },
    };
  }

  /** Polls a pod until `done` says something (bounded by POD_WAIT_MS); undefined when it never did. */
  private async until<T>(name: string, done: (p: V1Pod) => T | undefined): Promise<T | undefined> {
    const ns = await this.ns();
    const deadline = Date.now() + POD_WAIT_MS;
    while (Date.now() < deadline) {
      const p = await this.kube.readPod(ns, name);
      if (!p) throw new Error(`pod ${ns}/${name} disappeared`);
      const v = done(p);
      if (v !== undefined) return v;
      await sleep(1000);
    }
    return undefined;
  }

  async pullable(images: string[]): Promise<Map<string, boolean | undefined>> {
    const ns = await this.ns();
    const names = images.map((_, i) => `pull-${i}`);
    for (const [i, img] of images.entries()) {
      await this.kube.createPod(ns, this.pod(names[i]!, img, ['true']));
    }
    const result = new Map<string, boolean | undefined>();
    for (const [i, img] of images.entries()) {
      result.set(
        img,
        await this.until(names[i]!, (p) => {
          const s = p.status?.containerStatuses?.[0];
          if (/ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull/.test(s?.state?.waiting?.reason ?? ''))
            return false;
          return s?.imageID || s?.state?.running || s?.state?.terminated ? true : undefined;
        }),
      );
    }
    return result;
  }

  /** Runs a client pod's shell script; true when it exited 0, false on a non-zero exit. */
  private async client(name: string, script: string): Promise<boolean | undefined> {
    const ns = await this.ns();
    await this.kube.createPod(ns, this.pod(name, CLIENT_IMAGE, ['sh', '-c', script]));
    return this.until(name, (p) =>
      p.status?.phase === 'Succeeded' ? true : p.status?.phase === 'Failed' ? false : undefined,
    );
  }

  async networkPolicy(): Promise<PolicyProbe> {
    const ns = await this.ns();
    await this.kube.createPod(
      ns,
      this.pod('server', SERVER_IMAGE, ['nginx', '-g', 'daemon off;'], { app: 'doctor-server' }),
    );
    const ip = await this.until('server', (p) =>
      p.status?.phase === 'Running' && p.status.podIP ? p.status.podIP : undefined,
    );
    if (!ip) return 'no-connectivity';
    const url = `http://${ip.includes(':') ? `[${ip}]` : ip}/`;
    const reached = await this.client(
      'before',
      `for i in 1 2 3 4 5; do curl -s -m 3 -o /dev/null ${url} && exit 0; sleep 1; done; exit 1`,
    );
    if (!reached) return 'no-connectivity';
    await this.kube.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-ingress', namespace: ns },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    } as KubernetesObject);
    // Enforcement may take a moment to be programmed: blocked at any of ten tries counts as enforced.
    const blocked = await this.client(
      'after',
      `for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -m 2 -o /dev/null ${url} || exit 0; sleep 1; done; exit 1`,
    );
    return blocked ? 'enforced' : 'not-enforced';
  }

  async close(): Promise<void> {
    if (!this.namespace) return;
    const name = this.namespace;
    this.namespace = undefined;
    await this.kube.deleteNamespace(name).catch(() => undefined);
  }
}
