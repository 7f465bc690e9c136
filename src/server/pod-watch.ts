// The live Pod view's server side: one Kubernetes watch of a session's Pods and Services, shared by
// every browser tab that shows that session's Pod view, and closed when the last one goes.
//
// GET /api/sessions/<id>/pods answers with NDJSON: `{type:"pods", view, at}` after every change
// (the view is src/podview/model.ts's NamespaceView, reduced from the objects: no env, no secrets),
// `{type:"ping"}` every 20 s so proxies keep the stream open, and `{type:"error",message,fix}` if
// the watch cannot run.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { namespaceFromObjects, type NamespaceView } from '../podview/model.ts';
import { HttpError, startStream, writeLine } from './http-util.ts';

export type Resource = 'pods' | 'services';

/** Watches one collection (list, then watch, re-list on failure); calls onChange with every item after each event. */
export type CollectionWatcher = (
  namespace: string,
  resource: Resource,
  onChange: (items: unknown[]) => void,
  onError: (err: unknown) => void,
) => () => void;

export type PodViewListener = (view: NamespaceView) => void;

/** The lab's own plumbing (the terminal pod) is not part of the learner's picture. */
const INFRA_LABEL = 'sidecar-labs.dev/infra';
const KIND: Record<Resource, string> = { pods: 'Pod', services: 'Service' };

function learnerObjects(items: unknown[], resource: Resource): unknown[] {
  return items
    .filter((o) => (o as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[INFRA_LABEL] !== 'true')
    .map((o) => ({ ...(o as object), kind: KIND[resource] }));
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.localeCompare(b.name);
}

/** One namespace's watch: the current Pods and Services, fanned out to its listeners. */
class NamespaceWatch {
  readonly listeners = new Set<PodViewListener>();
  private readonly items: Record<Resource, unknown[] | undefined> = { pods: undefined, services: undefined };
  private readonly stops: Array<() => void>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly coalesceMs: number;
  view: NamespaceView | undefined;

  constructor(namespace: string, watcher: CollectionWatcher, coalesceMs: number) {
    this.coalesceMs = coalesceMs;
    this.stops = (['pods', 'services'] as const).map((resource) =>
      watcher(
        namespace,
        resource,
        (items) => {
          this.items[resource] = learnerObjects(items, resource);
          this.changed();
        },
        () => {
          /* the watcher re-lists by itself; the view keeps its last state meanwhile */
        },
      ),
    );
  }

  /** Bursts (a Pod's containers starting one after the other) become one update. */
  private changed(): void {
    if (this.timer || !this.items.pods || !this.items.services) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const view = namespaceFromObjects([...(this.items.pods ?? []), ...(this.items.services ?? [])]);
      view.pods.sort(byName);
      view.services.sort(byName);
      this.view = view;
      for (const listener of this.listeners) listener(view);
    }, this.coalesceMs);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const stop of this.stops) stop();
  }
}

export interface PodWatchOptions {
  /** Open Pod views per session (tabs): bounds the server's connections. */
  maxPerSession: number;
  coalesceMs: number;
}

/** Every session's Pod watch, opened on the first subscriber and closed after the last one. */
export class PodWatchHub {
  private readonly watches = new Map<string, NamespaceWatch>();
  private readonly watcher: CollectionWatcher;
  private readonly opts: PodWatchOptions;

  constructor(watcher: CollectionWatcher, opts: Partial<PodWatchOptions> = {}) {
    this.watcher = watcher;
    this.opts = { maxPerSession: 4, coalesceMs: 30, ...opts };
  }

  /** Number of namespaces watched right now. */
  get size(): number {
    return this.watches.size;
  }

  subscribe(namespace: string, listener: PodViewListener): () => void {
    let watch = this.watches.get(namespace);
    if (watch && watch.listeners.size >= this.opts.maxPerSession) {
      throw new HttpError(`this lab's Pod view is already open in ${this.opts.maxPerSession} tabs`, {
        status: 429,
        fix: 'close the Pod view in another tab',
      });
    }
    if (!watch) {
      watch = new NamespaceWatch(namespace, this.watcher, this.opts.coalesceMs);
      this.watches.set(namespace, watch);
    }
    watch.listeners.add(listener);
    const current = watch;
    // The current picture right away (after the caller has set up its stream), then every change.
    queueMicrotask(() => {
      if (current.view && current.listeners.has(listener)) listener(current.view);
    });
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size === 0 && this.watches.get(namespace) === current) {
        this.watches.delete(namespace);
        current.close();
      }
    };
  }

  closeAll(): void {
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
  }
}

export interface PodStreamOptions {
  hub: PodWatchHub;
  namespace: string;
  /** Still the learner's session? Asked with every ping; the stream ends when it is not. */
  alive: () => boolean;
  pingMs?: number;
}

/** Serve one browser's Pod view stream until it goes away or the session ends. */
export function streamPods(req: IncomingMessage, res: ServerResponse, opts: PodStreamOptions): void {
  const unsubscribe = opts.hub.subscribe(opts.namespace, (view) =>
    writeLine(res, { type: 'pods', view, at: Date.now() }),
  );
  startStream(res);
  const ping = setInterval(() => {
    if (opts.alive()) writeLine(res, { type: 'ping' });
    else end();
  }, opts.pingMs ?? 20_000);
  let ended = false;
  function end(): void {
    if (ended) return;
    ended = true;
    clearInterval(ping);
    unsubscribe();
    if (!res.writableEnded) res.end();
  }
  req.on('close', end);
  res.on('close', end);
}
