// The live Pod view's server side: one watch per namespace shared by subscribers, closed after the
// last; the NDJSON route over a real socket with a fake watcher (the cluster's watch is in tests/labs).
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabServer, type LabServer } from '../server.ts';
import { SessionManager } from '../sessions.ts';
import { TokenSigner } from '../tokens.ts';
import { PodWatchHub, type CollectionWatcher, type Resource } from '../pod-watch.ts';
import type { NamespaceView } from '../../podview/model.ts';
import { FakeEngine, fakeSpawner } from './fakes.ts';

/** A watcher driven by the test: `emit` plays the cluster; `open` counts running watches. */
class FakeWatcher {
  open = new Map<string, (items: unknown[]) => void>();
  calls = 0;
  readonly watch: CollectionWatcher = (namespace, resource, onChange) => {
    this.calls++;
    const key = `${namespace}/${resource}`;
    this.open.set(key, onChange);
    queueMicrotask(() => onChange([]));
    return () => this.open.delete(key);
  };
  emit(namespace: string, resource: Resource, items: unknown[]): void {
    this.open.get(`${namespace}/${resource}`)?.(items);
  }
}

const pod = (name: string, labels: Record<string, string> = { app: name }) => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'main' }] },
  status: {
    phase: 'Running',
    containerStatuses: [{ name: 'main', ready: true, restartCount: 0, state: { running: {} } }],
  },
});
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('PodWatchHub', () => {
  it('shares one watch per namespace and closes it after the last subscriber', async () => {
    const fake = new FakeWatcher();
    const hub = new PodWatchHub(fake.watch, { coalesceMs: 1 });
    const a: NamespaceView[] = [];
    const b: NamespaceView[] = [];
    const offA = hub.subscribe('ns1', (v) => a.push(v));
    const offB = hub.subscribe('ns1', (v) => b.push(v));
    expect(fake.calls).toBe(2); // pods + services, once
    await tick();
    fake.emit('ns1', 'pods', [pod('web'), pod('terminal', { 'sidecar-labs.dev/infra': 'true' })]);
    await tick();
    expect(a.at(-1)!.pods.map((p) => p.name)).toEqual(['web']); // the terminal pod is left out
    expect(b.at(-1)).toEqual(a.at(-1));
    offA();
    expect(fake.open.size).toBe(2);
    offB();
    expect(fake.open.size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('coalesces a burst into one update, and refuses more than maxPerSession views', async () => {
    const fake = new FakeWatcher();
    const hub = new PodWatchHub(fake.watch, { coalesceMs: 15, maxPerSession: 2 });
    const seen: NamespaceView[] = [];
    hub.subscribe('ns', (v) => seen.push(v));
    hub.subscribe('ns', () => {});
    expect(() => hub.subscribe('ns', () => {})).toThrow(/already open in 2 tabs/);
    await tick(40);
    const before = seen.length;
    fake.emit('ns', 'pods', [pod('a')]);
    fake.emit('ns', 'pods', [pod('a'), pod('b')]);
    fake.emit('ns', 'services', [{ metadata: { name: 's' }, spec: { selector: { app: 'a' } } }]);
    await tick(40);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.services.map((s) => s.name)).toEqual(['s']);
    hub.closeAll();
    expect(fake.open.size).toBe(0);
  });
});

describe('GET /api/sessions/<id>/pods', () => {
  let lab: LabServer;
  let base: string;
  const fake = new FakeWatcher();
  const hub = new PodWatchHub(fake.watch, { coalesceMs: 1 });

  beforeAll(async () => {
    const sessions = new SessionManager(
      new FakeEngine(),
      new TokenSigner(Buffer.alloc(32, 5)),
      () => fakeSpawner().spawn,
    );
    lab = createLabServer({ sessions, log: () => {}, podWatch: hub });
    await new Promise<void>((r) => lab.server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(lab.server.address() as AddressInfo).port}`;
  });
  afterAll(() => lab.close());

  async function start(): Promise<{ id: string; token: string }> {
    const res = await fetch(`${base}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'content-sidecar' }),
    });
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { session?: { id: string; token: string } });
    return lines.at(-1)!.session!;
  }

  it('needs the session token', async () => {
    const s = await start();
    const res = await fetch(`${base}/api/sessions/${s.id}/pods`, { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(404);
    expect(hub.size).toBe(0);
  });

  it('streams the view and every change as NDJSON; closing the stream ends the watch', async () => {
    const s = await start();
    const ctl = new AbortController();
    const res = await fetch(`${base}/api/sessions/${s.id}/pods`, {
      headers: { authorization: `Bearer ${s.token}` },
      signal: ctl.signal,
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const next = async () =>
      JSON.parse((await reader.read()).value!.trim().split('\n').at(-1)!) as { type: string; view: NamespaceView };
    expect((await next()).view).toEqual({ pods: [], services: [] });
    const ns = [...fake.open.keys()][0]!.split('/')[0]!;
    fake.emit(ns, 'pods', [pod('nginx')]);
    const line = await next();
    expect(line.type).toBe('pods');
    expect(line.view.pods[0]).toMatchObject({ name: 'nginx', phase: 'Running' });
    ctl.abort();
    await expect.poll(() => hub.size).toBe(0);
  });
});
