// The instructor's read-only terminal view across server processes. The learner's shell runs in the
// process their browser is connected to; the instructor may be connected to another. The cluster
// carries the view between them, as it carries everything else of a session:
//   - the viewing process asks by annotating the session namespace `sidecar-labs.dev/view-until`
//     (a time a minute ahead, refreshed while the instructor watches);
//   - every process watches session namespaces; the one running that learner's shell publishes the
//     recent output (at most VIEW_BYTES, at most every FLUSH_MS, only while asked) in a ConfigMap
//     `sidecar-labs-terminal-view` of the session namespace (marked infra: reset keeps it, the Pod
//     view hides it);
//   - the viewing process watches that ConfigMap and sends what is new to the instructor's socket.
// Bounded everywhere: one ConfigMap of at most VIEW_BYTES per watched session, written a few times a
// second at most, and nothing at all for sessions nobody watches.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject, V1ConfigMap, V1Namespace } from '@kubernetes/client-node';
import { OutputRing } from '../ring-buffer.ts';
import type { TerminalPeer } from '../terminal-bridge.ts';
import type { NamespaceSelector } from '../../engine/index.ts';
import type { LiveSession } from '../sessions.ts';

export const ANN_VIEW_UNTIL = 'sidecar-labs.dev/view-until';
export const VIEW_CONFIGMAP = 'sidecar-labs-terminal-view';
const ANN_VIEW_START = 'sidecar-labs.dev/view-start';
const ANN_VIEW_STREAM = 'sidecar-labs.dev/view-stream';
const LABEL_SESSION = 'sidecar-labs.dev/session';
export const VIEW_BYTES = 16 * 1024;
export const FLUSH_MS = 250;
const REQUEST_MS = 60_000;
const REFRESH_MS = 20_000;

/** The cluster calls the relay makes (Kube in production, a fake in tests). */
export interface RelayKube {
  apply(obj: KubernetesObject): Promise<unknown>;
  mergePatch(obj: KubernetesObject): Promise<unknown>;
  watchNamespaces(
    selector: NamespaceSelector,
    onChange: (items: V1Namespace[]) => void,
    onError: (e: unknown) => void,
  ): () => void;
  watchConfigMap(
    namespace: string,
    name: string,
    onChange: (items: V1ConfigMap[]) => void,
    onError: (e: unknown) => void,
  ): () => void;
}

/** One published view as the ConfigMap carries it: the bytes from absolute offset `start`, of stream `stream`. */
export interface PublishedView {
  stream: string;
  start: number;
  bytes: Uint8Array;
}

export function viewConfigMap(namespace: string, v: PublishedView): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: VIEW_CONFIGMAP,
      namespace,
      labels: { 'sidecar-labs.dev/infra': 'true', 'app.kubernetes.io/part-of': 'sidecar-labs' },
      annotations: { [ANN_VIEW_STREAM]: v.stream, [ANN_VIEW_START]: String(v.start) },
    },
    binaryData: { out: Buffer.from(v.bytes).toString('base64') },
  };
}

export function parseView(cm: V1ConfigMap | undefined): PublishedView | undefined {
  const a = cm?.metadata?.annotations ?? {};
  const start = Number(a[ANN_VIEW_START]);
  const out = cm?.binaryData?.out;
  if (!a[ANN_VIEW_STREAM] || !Number.isSafeInteger(start) || start < 0 || out === undefined) return undefined;
  const all = new Uint8Array(Buffer.from(out, 'base64'));
  const bytes = all.slice(-VIEW_BYTES); // never more than a view holds, whoever wrote it
  return { stream: a[ANN_VIEW_STREAM], start: start + all.length - bytes.length, bytes };
}

/**
 * The viewer's side: given what it has shown (stream, end offset), what to send for a newly published
 * view. A new stream (the learner's shell moved or restarted) starts with a terminal reset.
 */
export class ViewFollower {
  private stream = '';
  private end = 0;

  next(v: PublishedView): Uint8Array | undefined {
    const vEnd = v.start + v.bytes.length;
    if (v.stream !== this.stream) {
      const fresh = this.stream !== '';
      this.stream = v.stream;
      this.end = vEnd;
      const reset = fresh ? new TextEncoder().encode('\x1bc') : new Uint8Array(0);
      return concat(reset, v.bytes);
    }
    if (vEnd <= this.end) return undefined;
    const from = Math.max(0, this.end - v.start);
    this.end = vEnd;
    return v.bytes.subarray(from);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The serving side for one session: watches the learner's terminal bridge, publishes its tail while asked. */
class Publisher {
  private readonly ring = new OutputRing(VIEW_BYTES);
  private readonly stream = randomBytes(6).toString('base64url');
  private dirty = true;
  private writing = false;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  private readonly peer: TerminalPeer;
  private readonly live: LiveSession;
  private readonly kube: () => RelayKube;
  private readonly now: () => number;
  private readonly onEnd: () => void;
  until: number;

  constructor(live: LiveSession, kube: () => RelayKube, until: number, now: () => number, onEnd: () => void) {
    this.live = live;
    this.kube = kube;
    this.now = now;
    this.onEnd = onEnd;
    this.until = until;
    this.peer = {
      sendData: (bytes) => {
        this.ring.write(bytes);
        this.dirty = true;
      },
      sendControl: () => {},
      close: () => this.stop(),
    };
    live.terminal.watch(this.peer);
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  flush(): void {
    if (this.now() > this.until) return this.stop();
    if (!this.dirty || this.writing) return;
    this.dirty = false;
    this.writing = true;
    const { offset, bytes } = this.ring.since(0);
    this.kube()
      .apply(viewConfigMap(this.live.record.namespace, { stream: this.stream, start: offset, bytes }))
      .catch(() => (this.dirty = true)) // try again at the next tick
      .finally(() => (this.writing = false));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.live.terminal.unwatch(this.peer);
    this.onEnd();
  }
}

export interface ViewRelayDeps {
  kube: () => RelayKube;
  /** The session if this process has it (no cluster lookup). */
  local: (sessionId: string) => LiveSession | undefined;
  now?: () => number;
  log?: (line: string) => void;
}

export class ViewRelay {
  private readonly publishers = new Map<string, Publisher>();
  private stopWatch: (() => void) | undefined;
  private readonly now: () => number;
  private readonly deps: ViewRelayDeps;

  constructor(deps: ViewRelayDeps) {
    this.deps = deps;
    this.now = deps.now ?? Date.now;
  }

  /** Watch session namespaces for view requests (after the server listens). */
  start(): void {
    this.stopWatch ??= this.deps.kube().watchNamespaces(
      { label: LABEL_SESSION },
      (items) => this.requests(items),
      () => {
        /* the watch re-lists by itself */
      },
    );
  }

  stop(): void {
    this.stopWatch?.();
    for (const p of [...this.publishers.values()]) p.stop();
  }

  /** Publish every asked-for session whose shell runs here. */
  requests(items: V1Namespace[]): void {
    const now = this.now();
    for (const ns of items) {
      const until = Date.parse(ns.metadata?.annotations?.[ANN_VIEW_UNTIL] ?? '');
      const id = ns.metadata?.labels?.[LABEL_SESSION];
      if (!id || !(until > now) || ns.metadata?.deletionTimestamp) continue;
      const existing = this.publishers.get(id);
      if (existing) {
        existing.until = until;
        continue;
      }
      const live = this.deps.local(id);
      if (!live?.terminal.running) continue;
      const p = new Publisher(live, this.deps.kube, until, this.now, () => {
        if (this.publishers.get(id) === p) this.publishers.delete(id);
      });
      this.publishers.set(id, p);
      p.flush(); // the screen as it is now, at once
    }
  }

  /** Whether this process publishes the view of `sessionId` now (tests). */
  publishing(sessionId: string): boolean {
    return this.publishers.has(sessionId);
  }

  /**
   * The viewing side: ask for the session's view and follow it into `peer` until the returned stop
   * function is called (the instructor's socket closed).
   */
  follow(live: LiveSession, peer: TerminalPeer): () => void {
    const kube = this.deps.kube();
    const namespace = live.record.namespace;
    const ask = () =>
      kube
        .mergePatch({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: namespace,
            annotations: { [ANN_VIEW_UNTIL]: new Date(this.now() + REQUEST_MS).toISOString() },
          },
        })
        .catch((e: unknown) =>
          this.deps.log?.(`workshop: terminal view request: ${e instanceof Error ? e.message : String(e)}`),
        );
    void ask();
    const refresh = setInterval(() => void ask(), REFRESH_MS);
    refresh.unref();
    const follower = new ViewFollower();
    peer.sendControl({ type: 'hello', sessionId: live.record.id, offset: 0, truncated: true });
    peer.sendData(
      new TextEncoder().encode(
        '[watching through the cluster: the learner is connected to another server process]\r\n',
      ),
    );
    const stopWatch = kube.watchConfigMap(
      namespace,
      VIEW_CONFIGMAP,
      (items) => {
        const view = parseView(items[0]);
        const bytes = view && follower.next(view);
        if (bytes?.length) peer.sendData(bytes);
      },
      () => {},
    );
    return () => {
      clearInterval(refresh);
      stopWatch();
    };
  }
}
