import { describe, it, expect, vi, afterEach, beforeEach } from 'vitest';
import type { V1Namespace } from '@kubernetes/client-node';
import { ReadyList } from '../pool-ready.ts';
import { WarmPool, LABEL_POOL, spread } from '../pool.ts';
import { LABEL_LAB, LABEL_SESSION, type Engine } from '../engine.ts';

function ns(
  name: string,
  slug: string,
  rv: string,
  opts: { created?: string; ready?: boolean; deleting?: boolean; pool?: string } = {},
): V1Namespace {
  return {
    metadata: {
      name,
      resourceVersion: rv,
      creationTimestamp: new Date(opts.created ?? '2026-01-01T00:00:00Z'),
      labels: {
        [LABEL_LAB]: slug,
        [LABEL_SESSION]: `pool-${name}`,
        ...(opts.ready === false ? {} : { [LABEL_POOL]: opts.pool ?? 'ready' }),
      },
      ...(opts.deleting ? { deletionTimestamp: new Date() } : {}),
    },
  };
}

describe('ReadyList: the pool ready sessions a claim tries, from the watch', () => {
  it('lists ready namespaces per lab, oldest first, skipping deleting and unclaimable ones', () => {
    const r = new ReadyList(LABEL_POOL, LABEL_LAB);
    expect(r.isSynced).toBe(false);
    r.snapshot([
      ns('b', 'lab1', '7', { created: '2026-01-01T00:00:05Z' }),
      ns('a', 'lab1', '5', { created: '2026-01-01T00:00:01Z' }),
      ns('c', 'lab2', '9'),
      ns('d', 'lab1', '3', { deleting: true }),
      ns('e', 'lab1', '4', { ready: false }),
    ]);
    expect(r.isSynced).toBe(true);
    expect(r.candidates('lab1').map((e) => [e.name, e.resourceVersion])).toEqual([
      ['a', '5'],
      ['b', '7'],
    ]);
    expect(r.count('lab2')).toBe(1);
    expect(r.candidates('nope')).toEqual([]);
  });

  it('a claimed one is never offered again, even by a snapshot from before the claim', () => {
    const r = new ReadyList(LABEL_POOL, LABEL_LAB);
    r.snapshot([ns('a', 'lab1', '5'), ns('b', 'lab1', '6')]);
    r.claimed('a');
    expect(r.candidates('lab1').map((e) => e.name)).toEqual(['b']);
    r.snapshot([ns('a', 'lab1', '5'), ns('b', 'lab1', '6')]); // the watch had not seen the claim yet
    expect(r.candidates('lab1').map((e) => e.name)).toEqual(['b']);
    r.snapshot([ns('b', 'lab1', '6')]); // now it has: nothing left to remember
    r.snapshot([ns('a', 'lab1', '8'), ns('b', 'lab1', '6')]); // (a name reused later is offered again)
    expect(r.count('lab1')).toBe(2);
  });

  it('a dropped one (409) comes back when the watch shows it ready with a new resourceVersion', () => {
    const r = new ReadyList(LABEL_POOL, LABEL_LAB);
    r.snapshot([ns('a', 'lab1', '5')]);
    r.drop('a');
    expect(r.count('lab1')).toBe(0);
    r.snapshot([ns('a', 'lab1', '6')]);
    expect(r.candidates('lab1')[0]?.resourceVersion).toBe('6');
    r.unsync();
    expect(r.isSynced).toBe(false);
  });
});

/** An engine whose namespaces live in a map; patches honour resourceVersion like the API server. */
function fakeEngine(items: V1Namespace[]) {
  const calls = { list: 0, patch: 0, start: 0, stopped: [] as string[] };
  let onWatch: ((items: V1Namespace[]) => void) | undefined;
  const byName = new Map(items.map((n) => [n.metadata!.name!, n]));
  const kube = {
    listNamespaces: async (selector: string) => {
      calls.list++;
      const want = selector.startsWith(`${LABEL_POOL}=filling`) ? 'filling' : 'ready';
      return [...byName.values()].filter((n) => n.metadata?.labels?.[LABEL_POOL] === want);
    },
    watchNamespaces: (_s: unknown, onChange: (items: V1Namespace[]) => void) => {
      onWatch = onChange;
      onChange([...byName.values()]);
      return () => {};
    },
    mergePatch: async (obj: {
      metadata: { name: string; resourceVersion?: string; labels: Record<string, string | null> };
    }) => {
      calls.patch++;
      const cur = byName.get(obj.metadata.name);
      if (!cur) throw Object.assign(new Error('gone'), { code: 404 });
      if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata!.resourceVersion)
        throw Object.assign(new Error('conflict'), { code: 409 });
      const labels = { ...cur.metadata!.labels } as Record<string, string>;
      for (const [k, v] of Object.entries(obj.metadata.labels))
        if (v === null) delete labels[k];
        else labels[k] = v;
      const next = {
        metadata: { ...cur.metadata, labels, resourceVersion: String(Number(cur.metadata!.resourceVersion) + 1) },
      };
      byName.set(obj.metadata.name, next);
      return next;
    },
  };
  const engine = {
    kube,
    startSession: async (slug: string) => {
      calls.start++;
      // created `filling`; the pool marks it ready once started
      const made = ns(`new${calls.start}`, slug, '1', { ready: false });
      byName.set(made.metadata!.name!, made);
      return { namespace: made.metadata!.name! };
    },
    getSession: async () => {
      throw new Error('claim must not re-read the namespace');
    },
    stopSession: async (name: string) => {
      calls.stopped.push(name);
      byName.delete(name);
    },
  } as unknown as Engine;
  return { engine, calls, byName, push: () => onWatch?.([...byName.values()]) };
}

describe('spread: claims arriving together try different sessions first', () => {
  it('rotates the list from a random place, keeping every entry once', () => {
    expect(spread([1, 2, 3, 4], () => 0)).toEqual([1, 2, 3, 4]);
    expect(spread([1, 2, 3, 4], () => 0.5)).toEqual([3, 4, 1, 2]);
    expect(spread([1, 2, 3, 4], () => 0.99)).toEqual([4, 1, 2, 3]);
    expect(spread([], () => 0.5)).toEqual([]);
  });
});

describe('WarmPool.claim', () => {
  beforeEach(() => vi.spyOn(Math, 'random').mockReturnValue(0)); // spread() keeps the order
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  const opts = { reserve: 2, slugs: ['lab1'], ttlSeconds: 600, roomFor: () => true, refillDelayMs: 3000 };

  it('claims from the watched list with one patch and no list call', async () => {
    const f = fakeEngine([ns('a', 'lab1', '5'), ns('b', 'lab1', '6')]);
    const pool = new WarmPool(f.engine, opts);
    pool.start();
    pool.stop(); // no refill in this test; the list stays as the watch gave it
    f.calls.list = 0;
    const { info: s, timing } = await pool.claimTimed('lab1', { annotations: { learner: 'Ada' } });
    expect(s?.namespace).toBe('a');
    expect(s?.sessionId).not.toMatch(/^pool-/);
    expect(f.calls).toMatchObject({ list: 0, patch: 1 });
    expect(timing).toMatchObject({ fromWatch: true, tries: 1 });
  });

  it('someone else claimed the first one (409): takes the next', async () => {
    const f = fakeEngine([ns('a', 'lab1', '5'), ns('b', 'lab1', '6')]);
    const pool = new WarmPool(f.engine, opts);
    pool.start();
    pool.stop();
    f.byName.get('a')!.metadata!.resourceVersion = '99'; // another process's claim, not yet seen
    const { info: s, timing } = await pool.claimTimed('lab1');
    expect(s?.namespace).toBe('b');
    expect(timing.tries).toBe(2);
    expect(await pool.claim('lab1')).toBeUndefined(); // a was dropped, b claimed
  });

  it('before the watch is in sync a claim lists once', async () => {
    const f = fakeEngine([ns('a', 'lab1', '5')]);
    const pool = new WarmPool(f.engine, { ...opts, refillDelayMs: 10 });
    const { info: s, timing } = await pool.claimTimed('lab1');
    expect(s?.namespace).toBe('a');
    expect(f.calls.list).toBe(1);
    expect(timing.fromWatch).toBe(false);
    pool.stop();
  });

  it('a fill first deletes `filling` sessions a stopped server left behind (old ones only)', async () => {
    const f = fakeEngine([
      ns('old', 'lab1', '1', { pool: 'filling', created: '2026-01-01T00:00:00Z' }),
      ns('new', 'lab1', '2', { pool: 'filling', created: '2026-01-01T00:09:00Z' }),
    ]);
    const pool = new WarmPool(f.engine, opts);
    expect(await pool.removeOrphans(10 * 60_000, Date.parse('2026-01-01T00:12:00Z'))).toBe(1);
    expect(f.calls.stopped).toEqual(['old']);
  });

  it('refill waits until claims have been quiet for refillDelayMs', async () => {
    vi.useFakeTimers();
    const f = fakeEngine([ns('a', 'lab1', '5'), ns('b', 'lab1', '6'), ns('c', 'lab1', '7')]);
    const pool = new WarmPool(f.engine, opts);
    pool.start(60_000); // its first fill finds the pool full
    await vi.advanceTimersByTimeAsync(0);
    await pool.claim('lab1');
    f.push();
    await vi.advanceTimersByTimeAsync(2000);
    await pool.claim('lab1'); // pushes the refill back again
    f.push();
    await vi.advanceTimersByTimeAsync(2500);
    expect(f.calls.start).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.calls.start).toBe(1); // back to the reserve of 2, one session at a time
    expect(f.byName.get('new1')?.metadata?.labels?.[LABEL_POOL]).toBe('ready');
    pool.stop();
  });
});
