import { describe, expect, it } from 'vitest';
import { BANNER_NAMESPACE, BannerStore, cleanBanner, type BannerBackend } from '../banner-store.ts';
import { FakeCluster } from './fake-cluster.ts';

function backend(cluster: FakeCluster): () => BannerBackend {
  const kube = cluster.client();
  return () => ({
    write: (ns) => kube.apply(ns).then(() => undefined),
    watch: (onChange, onError) =>
      kube.watchNamespaces({ field: `metadata.name=${BANNER_NAMESPACE}` }, (items) => onChange(items[0]), onError),
  });
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('BannerStore: one banner for every server process of a room', () => {
  it('a banner set through one process is shown by another; clearing it clears both', async () => {
    const cluster = new FakeCluster();
    const a = new BannerStore(backend(cluster));
    const b = new BannerStore(backend(cluster));
    a.start();
    b.start();
    await tick();
    expect([a.text, b.text]).toEqual(['', '']);
    expect(await a.set('  Break until 11:00 ')).toBe('Break until 11:00');
    expect(b.text).toBe('Break until 11:00');
    expect(cluster.objects.get(`Namespace//${BANNER_NAMESPACE}`)?.metadata.name).toBe(BANNER_NAMESPACE);
    await b.set('');
    expect([a.text, b.text]).toEqual(['', '']);
    a.stop();
    b.stop();
  });

  it('a process started later finds the banner already set', async () => {
    const cluster = new FakeCluster();
    await new BannerStore(backend(cluster)).set('Welcome');
    const late = new BannerStore(backend(cluster));
    late.start();
    await tick();
    expect(late.text).toBe('Welcome');
  });

  it('what the cluster holds is cleaned again when read (someone may have edited it by hand)', () => {
    expect(cleanBanner('a\u0007\nb\u001b[31m')).toBe('a b [31m');
    expect(cleanBanner('x'.repeat(900))).toHaveLength(500);
  });

  it('a failing watch is reported once, and the last banner stays', () => {
    const lines: string[] = [];
    let fail: ((e: unknown) => void) | undefined;
    const store = new BannerStore(
      () => ({
        write: async () => {},
        watch: (_c, onError) => {
          fail = onError;
          return () => {};
        },
      }),
      (l) => lines.push(l),
    );
    store.start();
    fail!(new Error('connection refused'));
    fail!(new Error('connection refused'));
    expect(lines).toEqual(['workshop: banner watch: connection refused']);
  });
});
