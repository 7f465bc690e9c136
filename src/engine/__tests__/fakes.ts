// Test doubles: a fake clock (sleep advances time instantly) and a scriptable fake cluster.
import type { V1Pod } from '@kubernetes/client-node';
import type { CheckContext, ClusterOps, ExecResult, HttpResult } from '../checks.ts';
import type { Clock } from '../settle.ts';

export class FakeClock implements Clock {
  t: number;
  constructor(start = Date.parse('2026-11-21T21:00:00Z')) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.t += ms;
  }
  iso(offsetMs = 0): string {
    return new Date(this.t + offsetMs).toISOString();
  }
}

/** A check context on a fake cluster: namespace lab-x-1, node 127.0.0.1, the lab folder /labs/x. */
export function fakeContext(
  ops: ClusterOps,
  clock: Clock = new FakeClock(),
  env: Record<string, string> = {},
): CheckContext {
  return { ops, namespace: 'lab-x-1', nodeHost: async () => '127.0.0.1', env, cwd: '/labs/x', clock };
}

type Handler<A extends unknown[], R> = (...args: A) => R | Promise<R>;

/** Every method throws unless the test gives it a behaviour; calls are recorded. */
export class FakeCluster implements ClusterOps {
  pods: Record<string, V1Pod | (() => V1Pod | undefined)> = {};
  calls: string[] = [];
  execFn?: Handler<[string, string, string[]], ExecResult>;
  logsFn?: Handler<[string, string, { previous?: boolean; tailLines?: number } | undefined], string>;
  proxyFn?: Handler<[string, string | number | undefined, string], HttpResult>;
  httpFn?: Handler<[string], HttpResult>;
  objects: Record<string, Record<string, any> | (() => Record<string, any> | undefined)> = {};
  scriptFn?: Handler<
    [string, Record<string, string>, string],
    { exitCode: number; output: string; truncated?: boolean }
  >;

  private pod(name: string): V1Pod | undefined {
    const p = this.pods[name];
    return typeof p === 'function' ? p() : p;
  }
  async listPods(_ns: string, selector?: string): Promise<V1Pod[]> {
    this.calls.push(`listPods ${selector ?? ''}`);
    const all = Object.keys(this.pods)
      .map((n) => this.pod(n))
      .filter((p): p is V1Pod => !!p);
    if (!selector) return all;
    const [k, v] = selector.split('=');
    return all.filter((p) => p.metadata?.labels?.[k] === v);
  }
  async readPod(_ns: string, name: string): Promise<V1Pod | undefined> {
    this.calls.push(`readPod ${name}`);
    return this.pod(name);
  }
  async exec(_ns: string, pod: string, container: string, command: string[]): Promise<ExecResult> {
    this.calls.push(`exec ${pod}/${container} ${command.join(' ')}`);
    if (!this.execFn) throw new Error('exec not expected');
    return this.execFn(pod, container, command);
  }
  async logs(
    _ns: string,
    pod: string,
    container: string,
    opts?: { previous?: boolean; tailLines?: number },
  ): Promise<string> {
    this.calls.push(`logs ${pod}/${container}${opts?.previous ? ' --previous' : ''}`);
    if (!this.logsFn) throw new Error('logs not expected');
    return this.logsFn(pod, container, opts);
  }
  async proxyService(
    _ns: string,
    service: string,
    port: string | number | undefined,
    path: string,
  ): Promise<HttpResult> {
    this.calls.push(`proxy ${service}:${port}${path}`);
    if (!this.proxyFn) throw new Error('proxy not expected');
    return this.proxyFn(service, port, path);
  }
  async httpGet(url: string): Promise<HttpResult> {
    this.calls.push(`http ${url}`);
    if (!this.httpFn) throw new Error('http not expected');
    return this.httpFn(url);
  }
  async readObject(
    apiVersion: string,
    kind: string,
    _ns: string,
    name: string,
  ): Promise<Record<string, any> | undefined> {
    this.calls.push(`read ${apiVersion} ${kind} ${name}`);
    const o = this.objects[`${kind}/${name}`];
    return typeof o === 'function' ? o() : o;
  }
  async runScript(
    script: string,
    opts: { env: Record<string, string>; cwd: string },
  ): Promise<{ exitCode: number; output: string; truncated?: boolean }> {
    this.calls.push(`script ${script}`);
    if (!this.scriptFn) throw new Error('script not expected');
    return this.scriptFn(script, opts.env, opts.cwd);
  }
}

interface C {
  name: string;
  state: 'running' | 'waiting' | 'terminated';
  ready?: boolean;
  startedAt?: string;
  reason?: string;
  exitCode?: number;
  restartCount?: number;
  lastTerminated?: { reason: string; exitCode: number };
  started?: boolean;
}

/** A pod status the way the API reports it. */
export function pod(
  name: string,
  opts: {
    containers: C[];
    init?: (C & { sidecar?: boolean })[];
    readySince?: string;
    labels?: Record<string, string>;
    restartPolicy?: string;
  },
): V1Pod {
  const status = (c: C) => ({
    name: c.name,
    image: 'img',
    imageID: '',
    ready: c.ready ?? c.state === 'running',
    started: c.started ?? c.state === 'running',
    restartCount: c.restartCount ?? 0,
    state:
      c.state === 'running'
        ? { running: { startedAt: c.startedAt ? new Date(c.startedAt) : undefined } }
        : c.state === 'waiting'
          ? { waiting: { reason: c.reason } }
          : { terminated: { reason: c.reason, exitCode: c.exitCode ?? 0 } },
    lastState: c.lastTerminated
      ? { terminated: { reason: c.lastTerminated.reason, exitCode: c.lastTerminated.exitCode } }
      : {},
  });
  const allReady = [...opts.containers, ...(opts.init ?? []).filter((c) => c.sidecar)].every(
    (c) => c.ready ?? c.state === 'running',
  );
  return {
    metadata: { name, labels: opts.labels ?? {} },
    spec: {
      restartPolicy: opts.restartPolicy ?? 'Always',
      containers: opts.containers.map((c) => ({ name: c.name, image: `${c.name}:1` })),
      initContainers: opts.init?.map((c) => ({
        name: c.name,
        image: `${c.name}:1`,
        restartPolicy: c.sidecar ? 'Always' : undefined,
      })),
    },
    status: {
      phase: 'Running',
      conditions: [
        {
          type: 'Ready',
          status: allReady ? 'True' : 'False',
          lastTransitionTime: opts.readySince ? new Date(opts.readySince) : undefined,
        },
      ],
      containerStatuses: opts.containers.map(status) as any,
      initContainerStatuses: opts.init?.map(status) as any,
    },
  } as V1Pod;
}
