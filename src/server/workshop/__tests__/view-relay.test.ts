import { describe, expect, it, afterEach, vi } from 'vitest';
import { TerminalBridge, type TerminalPeer } from '../../terminal-bridge.ts';
import type { LiveSession } from '../../sessions.ts';
import { fakeSpawner } from '../../__tests__/fakes.ts';
import {
  ViewFollower,
  ViewRelay,
  ANN_VIEW_UNTIL,
  VIEW_BYTES,
  FLUSH_MS,
  parseView,
  viewConfigMap,
} from '../view-relay.ts';
import { FakeCluster } from './fake-cluster.ts';

const enc = (t: string) => new TextEncoder().encode(t);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('ViewFollower: what the viewer sends for each published view', () => {
  it('sends only what is new, a gap as what is held, a new stream after a terminal reset', () => {
    const f = new ViewFollower();
    expect(dec(f.next({ stream: 's1', start: 0, bytes: enc('hello') })!)).toBe('hello');
    expect(f.next({ stream: 's1', start: 0, bytes: enc('hello') })).toBeUndefined();
    expect(dec(f.next({ stream: 's1', start: 0, bytes: enc('hello world') })!)).toBe(' world');
    expect(dec(f.next({ stream: 's1', start: 100, bytes: enc('later') })!)).toBe('later'); // fell out of the window
    expect(dec(f.next({ stream: 's2', start: 0, bytes: enc('new shell') })!)).toBe('\x1bcnew shell');
  });

  it('a published view never holds more than VIEW_BYTES, whoever wrote the ConfigMap', () => {
    const cm = viewConfigMap('ns', { stream: 's', start: 10, bytes: new Uint8Array(VIEW_BYTES + 5) });
    const v = parseView(cm)!;
    expect(v.bytes.length).toBe(VIEW_BYTES);
    expect(v.start).toBe(15);
    expect(parseView({ metadata: { annotations: { 'sidecar-labs.dev/view-start': '-1' } } })).toBeUndefined();
  });
});

function liveSession(id: string, namespace: string): LiveSession {
  const terminal = new TerminalBridge(id, fakeSpawner().spawn);
  return {
    record: { id, slug: 'lab', namespace },
    lastActive: 0,
    pushedExpiry: 0,
    terminal,
    queue: Promise.resolve(),
    adoptedAt: 0,
    endsAt: Infinity,
  };
}

function viewer(): { peer: TerminalPeer; text: () => string } {
  let text = '';
  return {
    peer: { sendData: (b) => (text += dec(b)), sendControl: () => {}, close: () => {} },
    text: () => text,
  };
}

describe('ViewRelay: the instructor on process B watches a learner whose shell runs on process A', () => {
  afterEach(() => vi.useRealTimers());

  it('B asks through the namespace, A publishes the shell output, B shows it live; no ask, no writes', async () => {
    vi.useFakeTimers();
    const cluster = new FakeCluster();
    cluster.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'lab-ns', labels: { 'sidecar-labs.dev/session': 's1' } },
    });
    const onA = liveSession('s1', 'lab-ns');
    const a = new ViewRelay({ kube: () => cluster.client(), local: (id) => (id === 's1' ? onA : undefined) });
    const b = new ViewRelay({ kube: () => cluster.client(), local: () => undefined });
    a.start();
    b.start();
    onA.terminal.prewarm();
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 4);
    expect(cluster.writes).toBe(0); // nobody watches: nothing is published
    expect(a.publishing('s1')).toBe(false);

    const onB = liveSession('s1', 'lab-ns'); // B's own record of the session: no shell there
    const v = viewer();
    const stop = b.follow(onB, v.peer);
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 2);
    expect(cluster.objects.get('Namespace//lab-ns')?.metadata).toMatchObject({
      annotations: { [ANN_VIEW_UNTIL]: expect.any(String) },
    });
    expect(a.publishing('s1')).toBe(true);
    expect(v.text()).toContain('learner@lab:~$ ');

    // the learner types on A (the fake shell echoes); B's viewer sees it within a flush
    const peerA: TerminalPeer = { sendData: () => {}, sendControl: () => {}, close: () => {} };
    await onA.terminal.attach(peerA, { type: 'hello', cols: 80, rows: 24 });
    await onA.terminal.handle(peerA, { kind: 'data', bytes: enc('kubectl get pods\r') });
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 2);
    expect(v.text()).toContain('kubectl get pods');
    expect(v.text().match(/learner@lab/g)?.length).toBe(1); // nothing sent twice

    // the instructor closes the view: A stops publishing once the ask expires
    stop();
    const writes = cluster.writes;
    await vi.advanceTimersByTimeAsync(61_000);
    expect(a.publishing('s1')).toBe(false);
    await onA.terminal.handle(peerA, { kind: 'data', bytes: enc('more') });
    await vi.advanceTimersByTimeAsync(FLUSH_MS * 4);
    expect(cluster.writes).toBe(writes);
    a.stop();
    b.stop();
  });
});
