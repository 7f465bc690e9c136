// Live Pod view latency: from a change in the cluster to the Pod view's update arriving at a client
// of GET /api/sessions/<id>/pods (what the lab panel reads). Starts one content-sidecar session on the
// real cluster, then N times: create a Pod (measured until the view lists it), then delete it
// (measured until the view shows it terminating). t0 is taken just before the API call that makes
// the change, so the figure includes the API server's write, the watch, the server's coalescing
// (30 ms) and the stream.
//
//   node bench/pod-view.ts [rounds]      (default 15; LAB_URL to use a running server)
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig } from '../src/kube/kubeconfig.ts';
import { LABEL_SESSION } from '../src/engine/index.ts';
import type { NamespaceView } from '../src/podview/model.ts';
import { labServer, startLab, stopLab } from './live-lib.ts';

const rounds = Number(process.argv[2] ?? 15);

/** Reads the NDJSON stream; `waitFor` resolves when a view satisfies the test, with its arrival time. */
class PodStream {
  private waiters: Array<{ test: (v: NamespaceView) => boolean; resolve: (t: number) => void }> = [];
  view: NamespaceView | undefined;
  readonly abort = new AbortController();

  async open(url: string, id: string, token: string): Promise<void> {
    const res = await fetch(`${url}/api/sessions/${id}/pods`, {
      headers: { authorization: `Bearer ${token}` },
      signal: this.abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`pods stream: HTTP ${res.status}`);
    void this.read(res.body as ReadableStream<Uint8Array<ArrayBuffer>>);
  }

  private async read(body: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<void> {
    let buffer = '';
    try {
      for await (const chunk of body.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const msg = JSON.parse(buffer.slice(0, nl)) as { type: string; view?: NamespaceView };
          buffer = buffer.slice(nl + 1);
          if (msg.type === 'pods') this.update(msg.view!, performance.now());
        }
      }
    } catch {
      /* aborted at the end */
    }
  }

  private update(view: NamespaceView, at: number): void {
    this.view = view;
    this.waiters = this.waiters.filter((w) => (w.test(view) ? (w.resolve(at), false) : true));
  }

  waitFor(test: (v: NamespaceView) => boolean, timeoutMs = 30_000): Promise<number> {
    if (this.view && test(this.view)) return Promise.resolve(performance.now());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the Pod view did not show the change in time')), timeoutMs);
      this.waiters.push({ test, resolve: (t) => (clearTimeout(timer), resolve(t)) });
    });
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

const server = await labServer();
const session = await startLab(server.url, 'content-sidecar');
const stream = new PodStream();
try {
  const core = loadKubeConfig().kc.makeApiClient(CoreV1Api);
  const ns = (await core.listNamespace({ labelSelector: `${LABEL_SESSION}=${session.id}` })).items[0]!.metadata!.name!;
  await stream.open(server.url, session.id, session.token);
  await stream.waitFor(() => true);
  const created: number[] = [];
  const deleted: number[] = [];
  /** The API server's own answer time for the same calls (part of the figures above). */
  const apiCalls: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const name = `bench-${i}`;
    const body = {
      metadata: { name },
      spec: {
        containers: [{ name: 'c', image: 'docker.io/library/busybox:1.36.0', command: ['sleep', '600'] }],
        terminationGracePeriodSeconds: 0,
      },
    };
    let t0 = performance.now();
    const seen = stream.waitFor((v) => v.pods.some((p) => p.name === name));
    await core.createNamespacedPod({ namespace: ns, body });
    apiCalls.push(performance.now() - t0);
    created.push((await seen) - t0);
    t0 = performance.now();
    const gone = stream.waitFor((v) => !v.pods.some((p) => p.name === name && !p.deleting));
    await core.deleteNamespacedPod({ namespace: ns, name });
    apiCalls.push(performance.now() - t0);
    deleted.push((await gone) - t0);
  }
  const all = [...created, ...deleted];
  const f = (xs: number[]) =>
    `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`Pod view update latency, cluster change → event at the client (${rounds} creates + ${rounds} deletes):`);
  console.log(`  create: ${f(created)}`);
  console.log(`  delete: ${f(deleted)}`);
  console.log(`  all:    ${f(all)}   (goal: within 1 s)`);
  console.log(`  of which the API call itself (create/delete answered): ${f(apiCalls)}`);
} finally {
  stream.abort.abort();
  await stopLab(server.url, session);
  await server.stop();
}
