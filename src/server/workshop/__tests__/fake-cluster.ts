// An in-memory stand-in for the few cluster calls the banner and the terminal-view relay make
// (apply, merge patch, watch by path): enough to run two "server processes" against one "cluster".
import type { KubernetesObject, V1ConfigMap, V1Namespace } from '@kubernetes/client-node';
import { configMapPath, namespacesPath, type NamespaceSelector } from '../../../engine/watch-paths.ts';
import type { RelayKube } from '../view-relay.ts';

type Obj = KubernetesObject & { metadata: { name: string; namespace?: string } } & Record<string, unknown>;

export class FakeCluster {
  readonly objects = new Map<string, Obj>();
  private readonly watches = new Set<{ path: string; onChange: (items: KubernetesObject[]) => void }>();
  writes = 0;

  private key(o: KubernetesObject): string {
    return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  }

  /** Objects a watch path selects: namespaces (by name or label), or one namespace's ConfigMaps (by name). */
  select(path: string): KubernetesObject[] {
    const url = new URL(path, 'http://x');
    const field = url.searchParams.get('fieldSelector')?.replace(/^metadata\.name=/, '');
    const label = url.searchParams.get('labelSelector');
    const cm = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(url.pathname);
    return [...this.objects.values()].filter((o) => {
      if (cm ? o.kind !== 'ConfigMap' || o.metadata.namespace !== cm[1] : o.kind !== 'Namespace') return false;
      if (field && o.metadata.name !== field) return false;
      if (label && !(label in ((o.metadata as { labels?: object }).labels ?? {}))) return false;
      return true;
    });
  }

  /** Watchers hear of a change after the write returns, as with a real API server. */
  private changed(): void {
    queueMicrotask(() => {
      for (const w of this.watches) w.onChange(this.select(w.path));
    });
  }

  put(o: KubernetesObject): void {
    this.objects.set(this.key(o), structuredClone(o) as Obj);
    this.changed();
  }

  /** One "server process"'s view of the cluster. */
  private watch<T extends KubernetesObject>(path: string, onChange: (items: T[]) => void): () => void {
    const w = { path, onChange: onChange as (items: KubernetesObject[]) => void };
    this.watches.add(w);
    queueMicrotask(() => w.onChange(this.select(path)));
    return () => this.watches.delete(w);
  }

  client(): RelayKube {
    return {
      apply: async (o) => {
        this.writes++;
        const old = this.objects.get(this.key(o));
        const merged = { ...old, ...o, metadata: { ...old?.metadata, ...o.metadata } } as Obj;
        this.put(merged);
        return merged;
      },
      mergePatch: async (o) => {
        const old = this.objects.get(this.key(o));
        if (!old) throw Object.assign(new Error('not found'), { code: 404 });
        const meta = old.metadata as { annotations?: Record<string, string> };
        const annotations = { ...meta.annotations, ...(o.metadata?.annotations ?? {}) };
        this.put({ ...old, metadata: { ...old.metadata, annotations } } as Obj);
        return old;
      },
      watchNamespaces: (sel: NamespaceSelector, onChange: (items: V1Namespace[]) => void) =>
        this.watch(namespacesPath(sel), onChange),
      watchConfigMap: (namespace: string, name: string, onChange: (items: V1ConfigMap[]) => void) =>
        this.watch(configMapPath(namespace, name), onChange),
    };
  }
}
