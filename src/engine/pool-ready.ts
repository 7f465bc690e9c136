// The warm pool's ready list: which pool sessions of each lab are ready to claim, kept from a watch
// of the cluster's namespaces, so a claim needs no list call. Pure logic (the watch feeds it).
import type { V1Namespace } from '@kubernetes/client-node';

/** A ready pool namespace, as last seen: its resourceVersion makes the claim's patch conditional. */
export interface ReadyEntry {
  name: string;
  slug: string;
  resourceVersion: string;
  createdAt: number;
}

export class ReadyList {
  private readonly bySlug = new Map<string, ReadyEntry[]>();
  /** Names taken by this process since the last snapshot (the watch may not have seen the claim yet). */
  private readonly taken = new Set<string>();
  private synced = false;
  private readonly poolLabel: string;
  private readonly labLabel: string;

  constructor(poolLabel: string, labLabel: string) {
    this.poolLabel = poolLabel;
    this.labLabel = labLabel;
  }

  /** True once a full snapshot arrived (before that a claim lists instead). */
  get isSynced(): boolean {
    return this.synced;
  }

  /** Replace the list with the watch's current namespaces (every namespace still marked ready). */
  snapshot(items: V1Namespace[]): void {
    this.bySlug.clear();
    const seen = new Set<string>();
    for (const ns of items) {
      const name = ns.metadata?.name;
      const labels = ns.metadata?.labels ?? {};
      if (!name || ns.metadata?.deletionTimestamp || labels[this.poolLabel] !== 'ready') continue;
      const slug = labels[this.labLabel];
      if (!slug) continue;
      seen.add(name);
      if (this.taken.has(name)) continue;
      const entry: ReadyEntry = {
        name,
        slug,
        resourceVersion: ns.metadata?.resourceVersion ?? '',
        createdAt: new Date(ns.metadata?.creationTimestamp ?? 0).getTime(),
      };
      this.bySlug.set(slug, [...(this.bySlug.get(slug) ?? []), entry]);
    }
    // a taken name the watch no longer lists as ready needs no remembering
    for (const name of this.taken) if (!seen.has(name)) this.taken.delete(name);
    // oldest first: its setup has settled longest
    for (const list of this.bySlug.values())
      list.sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : 1));
    this.synced = true;
  }

  /** Forget the watch's state (it failed and re-lists): claims list by themselves meanwhile. */
  unsync(): void {
    this.synced = false;
  }

  /** The ready sessions of `slug` to try, in order. */
  candidates(slug: string): ReadyEntry[] {
    return [...(this.bySlug.get(slug) ?? [])];
  }

  /** Every ready session of every lab. */
  all(): ReadyEntry[] {
    return [...this.bySlug.values()].flat();
  }

  count(slug: string): number {
    return this.bySlug.get(slug)?.length ?? 0;
  }

  /** This process claimed it: never offer it again, even if a snapshot from before the claim arrives. */
  claimed(name: string): void {
    this.taken.add(name);
    this.drop(name);
  }

  /** Its claim failed (409: claimed elsewhere or changed; 404: gone): off the list until the watch says otherwise. */
  drop(name: string): void {
    for (const [slug, list] of this.bySlug) {
      const rest = list.filter((e) => e.name !== name);
      if (rest.length) this.bySlug.set(slug, rest);
      else this.bySlug.delete(slug);
    }
  }
}
