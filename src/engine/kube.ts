// The engine's one door to the cluster: typed client-node APIs from one KubeConfig, server-side apply,
// watches, exec, logs, API-server proxy. Connection failures become ClusterUnreachableError naming the
// kubeconfig/context that was tried.
import { request as httpsRequest, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  Exec,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type V1ConfigMap,
  type V1Namespace,
  type V1Node,
  type V1ObjectMeta,
  type V1Pod,
  type V1ResourceAttributes,
  type V1ResourceQuota,
  type V1Service,
  type V1Status,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { confineProxyPath } from './load/http-path.ts';
import { configMapPath, namespacesPath, type NamespaceSelector } from './watch-paths.ts';
import { toolPath } from '../kube/paths.ts';
import { ClusterUnreachableError } from './errors.ts';
import type { ClusterOps, ExecResult, HttpResult } from './checks.ts';
import type { KubeJson } from './checks/types.ts';
import { CappedBytes, CHECK_OUTPUT_LIMIT, outputCutNote } from './checks/output-limit.ts';

export const FIELD_MANAGER = 'sidecar-labs';

export function apiCode(e: unknown): number | undefined {
  if (e instanceof ApiException) return e.code;
  const c = (e as { code?: unknown; statusCode?: unknown })?.statusCode ?? (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : undefined;
}

/** The API server's own message, e.g. `pods "x" is forbidden: ...`. */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    const body = e.body as unknown;
    try {
      const parsed = typeof body === 'string' ? JSON.parse(body) : body;
      if (parsed && typeof parsed === 'object' && 'message' in parsed)
        return String((parsed as { message: unknown }).message);
    } catch {
      /* not JSON */
    }
    return `HTTP ${e.code}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
  }
  return e instanceof Error ? e.message : String(e);
}

const UNREACHABLE =
  /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|socket hang up|fetch failed|certificate|self[- ]signed|EAI_AGAIN/i;

export function isUnreachable(e: unknown): boolean {
  if (e instanceof ApiException) return false;
  const text = `${(e as Error)?.message ?? ''} ${String((e as { cause?: { code?: string; message?: string } })?.cause?.code ?? '')} ${(e as { cause?: { message?: string } })?.cause?.message ?? ''}`;
  return UNREACHABLE.test(text);
}

/** Namespace metadata for createNamespace: a name, labels and annotations. */
export type NamespaceMeta = Pick<V1ObjectMeta, 'name' | 'labels' | 'annotations'> & { name: string };

/**
 * The one door to the cluster: every caller (engine, lab server, doctor, tests) uses these named
 * operations; the client-node APIs and the KubeConfig stay inside.
 */
export class Kube implements ClusterOps {
  readonly describe: string;
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly execApi: Exec;
  private readonly scopeCache = new Map<string, Promise<Map<string, boolean>>>();

  constructor(kc: KubeConfig, describe: string) {
    this.kc = kc;
    this.describe = describe;
    this.core = kc.makeApiClient(CoreV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.execApi = new Exec(kc);
  }

  /** Run an API call; a connection failure becomes a ClusterUnreachableError with what to do. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isUnreachable(e)) {
        const cause = (e as { cause?: { message?: string } })?.cause?.message ?? (e as Error).message;
        throw new ClusterUnreachableError(this.describe, cause);
      }
      throw e;
    }
  }

  /** undefined on 404. */
  private async orNull<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(fn);
    } catch (e) {
      if (apiCode(e) === 404) return undefined;
      throw e;
    }
  }

  private versionCache?: { major: number; minor: number; gitVersion: string };

  /** Reach the API server (ClusterUnreachableError if not) and learn its version. */
  async ping(): Promise<{ major: number; minor: number; gitVersion: string }> {
    if (this.versionCache) return this.versionCache;
    const r = await this.call(() => this.raw('/version', 5000));
    if (r.status >= 500) throw new ClusterUnreachableError(this.describe, `the API server answered HTTP ${r.status}`);
    let v = { major: 0, minor: 0, gitVersion: 'unknown' };
    try {
      const j = JSON.parse(r.body) as { major?: string; minor?: string; gitVersion?: string };
      v = {
        major: parseInt(j.major ?? '0', 10),
        minor: parseInt(j.minor ?? '0', 10),
        gitVersion: j.gitVersion ?? 'unknown',
      };
    } catch {
      /* an API server that hides its version: do not block on it */
    }
    this.versionCache = v;
    return v;
  }

  /** The kubelet configuration of a node (through the API server's node proxy). */
  async kubeletConfig(node: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.call(() => this.raw(`/api/v1/nodes/${encodeURIComponent(node)}/proxy/configz`, 10_000));
    if (r.status !== 200) throw new Error(`the kubelet of node ${node} answered HTTP ${r.status}`);
    return (JSON.parse(r.body) as { kubeletconfig?: Record<string, unknown> }).kubeletconfig;
  }

  /** GET a raw API path (discovery, the service proxy) with the KubeConfig's credentials. */
  private async raw(path: string, timeoutMs: number, maxBytes = Infinity): Promise<HttpResult> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new ClusterUnreachableError(this.describe, 'the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const opts: HttpsRequestOptions = { method: 'GET', headers: {}, timeout: timeoutMs };
    await this.kc.applyToHTTPSOptions(opts);
    const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = req(url, opts, (res) => {
        const body = new CappedBytes(maxBytes);
        const done = () => resolve({ status: res.statusCode ?? 0, body: body.text(), truncated: body.truncated });
        res.on('data', (c: Buffer) => {
          if (body.add(c)) return;
          // past the cap: stop reading (the rest is never buffered here) and answer with what we have
          res.removeAllListeners('data');
          r.destroy();
          done();
        });
        res.on('end', done);
        res.on('error', reject);
      });
      r.on('timeout', () => r.destroy(new Error(`ETIMEDOUT after ${timeoutMs}ms`)));
      r.on('error', reject);
      r.end();
    });
  }

  /** Is apiVersion/kind namespaced? From API discovery (cached); undefined if the cluster does not know the kind. */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    let p = this.scopeCache.get(apiVersion);
    if (!p) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      p = this.call(() => this.raw(path, 10000)).then((r) => {
        const m = new Map<string, boolean>();
        if (r.status === 200) {
          for (const res of JSON.parse(r.body).resources ?? [])
            if (!String(res.name).includes('/')) m.set(res.kind, !!res.namespaced);
        }
        return m;
      });
      p.catch(() => this.scopeCache.delete(apiVersion));
      this.scopeCache.set(apiVersion, p);
    }
    return (await p).get(kind);
  }

  async apply<T extends KubernetesObject>(obj: T): Promise<T> {
    return this.call(() =>
      this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply),
    );
  }

  async mergePatch<T extends KubernetesObject>(obj: T): Promise<T> {
    return this.call(() =>
      this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch),
    );
  }

  // ---- namespaces, nodes, services, quotas ----

  /** Create a namespace (an ApiException with code 409 when it exists). */
  async createNamespace(metadata: NamespaceMeta): Promise<V1Namespace> {
    return this.call(() => this.core.createNamespace({ body: { metadata } }));
  }

  readNamespace(name: string): Promise<V1Namespace | undefined> {
    return this.orNull(() => this.core.readNamespace({ name }));
  }

  /** Namespaces matching a label selector (e.g. every session of a lab). */
  async listNamespaces(labelSelector: string): Promise<V1Namespace[]> {
    return (await this.call(() => this.core.listNamespace({ labelSelector }))).items;
  }

  /** Delete a namespace in the background; one that is already gone is not an error. */
  async deleteNamespace(name: string): Promise<void> {
    await ignore404(this.call(() => this.core.deleteNamespace({ name, propagationPolicy: 'Background' })));
  }

  async listNodes(): Promise<V1Node[]> {
    return (await this.call(() => this.core.listNode())).items;
  }

  /** Every Service of the cluster (NodePort allocation sees which ports are held). */
  async listAllServices(): Promise<V1Service[]> {
    return (await this.call(() => this.core.listServiceForAllNamespaces())).items;
  }

  readService(namespace: string, name: string): Promise<V1Service | undefined> {
    return this.orNull(() => this.core.readNamespacedService({ namespace, name }));
  }

  readQuota(namespace: string, name: string): Promise<V1ResourceQuota | undefined> {
    return this.orNull(() => this.core.readNamespacedResourceQuota({ namespace, name }));
  }

  async createPod(namespace: string, pod: V1Pod): Promise<V1Pod> {
    return this.call(() => this.core.createNamespacedPod({ namespace, body: pod }));
  }

  /** Delete pods without grace (`sleep` as PID 1 ignores SIGTERM): one by name, or all of the namespace. */
  async deletePodsNow(namespace: string, name?: string): Promise<void> {
    if (name === undefined)
      await this.call(() => this.core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }));
    else await ignore404(this.call(() => this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 })));
  }

  // ---- any kind ----

  /** Objects of one kind in a namespace, optionally by label selector. */
  async listObjects(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<KubernetesObject[]> {
    const list = await this.call(() =>
      this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector),
    );
    return list.items;
  }

  /** Delete one object (dependents in the background); one that is already gone is not an error. */
  async deleteObject(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    graceSeconds?: number,
  ): Promise<void> {
    const ref = { apiVersion, kind, metadata: { name, namespace } };
    await ignore404(
      this.call(() => this.objects.delete(ref, undefined, undefined, graceSeconds, undefined, 'Background')),
    );
  }

  // ---- credentials ----

  /** May the engine's identity do this? (a SelfSubjectAccessReview) */
  async allowed(resourceAttributes: V1ResourceAttributes): Promise<boolean> {
    const authz = this.kc.makeApiClient(AuthorizationV1Api);
    const r = await this.call(() => authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes } } }));
    return r.status?.allowed === true;
  }

  /**
   * The engine's kubeconfig with the current context's default namespace set: solution commands and
   * script checks run `kubectl` with it (YAML text, to be written to a private file).
   */
  kubeconfigFor(namespace: string): string {
    const copy = new KubeConfig();
    const current = this.kc.getCurrentContext();
    copy.loadFromOptions({
      clusters: this.kc.clusters,
      users: this.kc.users,
      contexts: this.kc.contexts.map((c) => (c.name === current ? { ...c, namespace } : c)),
      currentContext: current,
    });
    return copy.exportConfig();
  }

  /**
   * An interactive exec with a TTY (the learner's shell): stdout is a Writable that may carry
   * columns/rows (client-node sends resizes), onStatus gets the exit status. Returns the exec socket.
   */
  execTty(
    target: { namespace: string; pod: string; container: string },
    command: string[],
    stdout: Writable,
    stdin: Readable,
    onStatus: (s: V1Status) => void,
  ): ReturnType<Exec['exec']> {
    const { namespace, pod, container } = target;
    return this.execApi.exec(namespace, pod, container, command, stdout, null, stdin, true, onStatus);
  }

  // ---- ClusterOps (what checks use) ----

  /** Every pod of the cluster (the doctor's count of what the system requests). */
  listAllPods(): Promise<V1Pod[]> {
    return this.call(() => this.core.listPodForAllNamespaces({})).then((l) => l.items);
  }

  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
    return this.call(() => this.core.listNamespacedPod({ namespace, labelSelector })).then((l) => l.items);
  }

  readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    return this.orNull(() => this.core.readNamespacedPod({ namespace, name }));
  }

  async exec(
    namespace: string,
    pod: string,
    container: string,
    command: string[],
    timeoutMs: number,
  ): Promise<ExecResult> {
    // Each stream keeps CHECK_OUTPUT_LIMIT bytes; past it the exec socket is dropped at once, so a
    // command printing a 400 MB file costs this process 64 KiB, not 400 MB (and the check says so).
    const out = new CappedBytes(CHECK_OUTPUT_LIMIT);
    const err = new CappedBytes(CHECK_OUTPUT_LIMIT);
    let cut: () => void = () => {};
    const sink = (into: CappedBytes) =>
      new Writable({
        write(c: Buffer, _e, cb) {
          if (!into.add(c)) cut();
          cb();
        },
      });
    let status: V1Status | undefined;
    const ws = await this.call(() =>
      this.execApi.exec(namespace, pod, container, command, sink(out), sink(err), null, false, (s) => {
        status = s;
      }),
    );
    cut = () => ws.terminate();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.close();
        reject(new Error(`command did not finish within ${Math.round(timeoutMs / 1000)}s`));
      }, timeoutMs);
      ws.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.on('error', (e: Error) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const stdout = out.text();
    const stderr = err.text();
    if (out.truncated || err.truncated) return { stdout, stderr, exitCode: -1, truncated: true };
    if (!status) throw new Error(`exec in ${pod}/${container} ended without a status`);
    if (status.status === 'Success') return { stdout, stderr, exitCode: 0 };
    const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    if (code !== undefined) return { stdout, stderr, exitCode: Number(code) };
    throw new Error(
      `cannot run the command in ${pod}/${container}: ${status.message ?? status.reason ?? 'unknown error'}`,
    );
  }

  logs(
    namespace: string,
    pod: string,
    container: string,
    opts: { previous?: boolean; tailLines?: number } = {},
  ): Promise<string> {
    return this.call(() =>
      this.core.readNamespacedPodLog({
        namespace,
        name: pod,
        container,
        previous: opts.previous,
        tailLines: opts.tailLines,
        // the API server stops there: a container that logs without end costs a check 64 KiB
        limitBytes: CHECK_OUTPUT_LIMIT,
      }),
    )
      .then((s) => (typeof s === 'string' ? s : String(s ?? '')))
      .catch((e) => {
        throw new Error(apiMessage(e));
      });
  }

  async proxyService(
    namespace: string,
    service: string,
    port: string | number | undefined,
    path: string,
    timeoutMs: number,
  ): Promise<HttpResult> {
    const name = port === undefined ? service : `${service}:${port}`;
    // the path is sent with the engine's credentials: it must stay under this Service's proxy
    const url = confineProxyPath(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}/proxy`,
      path,
    );
    const r = await this.call(() => this.raw(url, timeoutMs, CHECK_OUTPUT_LIMIT));
    if (r.status === 404 && /services? "?[^"]*"? not found/.test(r.body))
      throw new Error(`service "${service}" does not exist yet`);
    if (r.status === 503 && /no endpoints available/.test(r.body))
      throw new Error(`service "${service}" has no ready pods behind it`);
    return r;
  }

  async httpGet(url: string, timeoutMs: number): Promise<HttpResult> {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(
      (e: Error & { cause?: { code?: string } }) => {
        throw new Error(e.cause?.code ?? e.message);
      },
    );
    const body = new CappedBytes(CHECK_OUTPUT_LIMIT);
    const reader = res.body?.getReader();
    for (let chunk = await reader?.read(); reader && chunk && !chunk.done; chunk = await reader.read()) {
      if (body.add(chunk.value)) continue;
      await reader.cancel().catch(() => {}); // the rest of the body is never read
      break;
    }
    return { status: res.status, body: body.text(), truncated: body.truncated };
  }

  readObject(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeJson | undefined> {
    return this.orNull(() => this.objects.read({ apiVersion, kind, metadata: { name, namespace } })) as Promise<
      KubeJson | undefined
    >;
  }

  runScript(
    script: string,
    opts: { env: Record<string, string>; cwd: string; timeoutMs: number },
  ): Promise<{ exitCode: number; output: string; truncated?: boolean }> {
    return runShell(script, opts);
  }

  // ---- watches ----

  /** Watch the namespaces a label or field selector picks (see watchPath); returns a stop function. */
  watchNamespaces(
    selector: NamespaceSelector,
    onChange: (items: V1Namespace[]) => void,
    onError: (e: unknown) => void,
  ): () => void {
    return this.watchPath<V1Namespace>(namespacesPath(selector), onChange, onError);
  }

  /** Watch one ConfigMap (onChange gets zero or one item); returns a stop function. */
  watchConfigMap(
    namespace: string,
    name: string,
    onChange: (items: V1ConfigMap[]) => void,
    onError: (e: unknown) => void,
  ): () => void {
    return this.watchPath<V1ConfigMap>(configMapPath(namespace, name), onChange, onError);
  }

  /**
   * Watch a namespace's pods or Services (list, then watch from its resourceVersion; re-list when the
   * watch ends) and call onChange with the current items after every event. Returns a stop function.
   */
  watchCollection<T extends KubernetesObject>(
    namespace: string,
    resource: 'pods' | 'services',
    onChange: (items: T[]) => void,
    onError: (e: unknown) => void,
  ): () => void {
    return this.watchPath(`/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}`, onChange, onError);
  }

  /** List-then-watch one API collection path (which may carry a label selector), re-listing when the watch ends. */
  private watchPath<T extends KubernetesObject>(
    path: string,
    onChange: (items: T[]) => void,
    onError: (e: unknown) => void,
  ): () => void {
    const items = new Map<string, T>();
    let stopped = false;
    let abort: AbortController | undefined;
    const watch = new Watch(this.kc);
    const loop = async () => {
      while (!stopped) {
        try {
          const r = await this.call(() => this.raw(path, 15000));
          if (r.status !== 200) throw new Error(`list ${path}: HTTP ${r.status}`);
          const list = JSON.parse(r.body) as { items: T[]; metadata: { resourceVersion: string } };
          items.clear();
          for (const it of list.items) items.set(it.metadata?.uid ?? it.metadata?.name ?? '', it);
          onChange([...items.values()]);
          if (stopped) return;
          await new Promise<void>((resolve) => {
            watch
              .watch(
                path,
                { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
                (phase, obj: T) => {
                  if (phase === 'BOOKMARK') return;
                  const key = obj.metadata?.uid ?? obj.metadata?.name ?? '';
                  if (phase === 'DELETED') items.delete(key);
                  else items.set(key, obj);
                  onChange([...items.values()]);
                },
                () => resolve(),
              )
              .then(
                (a) => {
                  abort = a;
                  if (stopped) a.abort();
                },
                () => resolve(),
              );
          });
        } catch (e) {
          if (stopped) return;
          onError(e);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    void loop();
    return () => {
      stopped = true;
      abort?.abort();
    };
  }
}

/** Resolves on success or 404 (already gone); rethrows anything else. */
async function ignore404(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (apiCode(e) !== 404) throw e;
  }
}

/**
 * Run a shell snippet on this machine (solution commands, script checks) with the kit's tools on PATH.
 * Its output keeps CHECK_OUTPUT_LIMIT bytes; the rest is read and dropped, so the exit code stays true.
 */
export function runShell(
  script: string,
  opts: { env: Record<string, string>; cwd: string; timeoutMs: number; signal?: AbortSignal },
): Promise<{ exitCode: number; output: string; truncated?: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], {
      cwd: opts.cwd,
      env: { ...process.env, PATH: toolPath(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout kills kubectl and friends too
    });
    const kept = new CappedBytes(CHECK_OUTPUT_LIMIT);
    let note = '';
    child.stdout.on('data', (d: Buffer) => kept.add(d));
    child.stderr.on('data', (d: Buffer) => kept.add(d));
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      note = `\n(timed out after ${Math.round(opts.timeoutMs / 1000)}s)`;
      kill();
    }, opts.timeoutMs);
    const onAbort = () => kill();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const output = kept.text() + (kept.truncated ? `\n(${outputCutNote()})` : '') + note;
      resolve({ exitCode: code ?? 137, output, ...(kept.truncated ? { truncated: true } : {}) });
    });
  });
}
