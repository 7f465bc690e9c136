import { describe, expect, it } from 'vitest';
import { ProgressStore, firstOpenStep, rebuildTarget, type KeyValue } from '../store.ts';

class MemoryStorage implements KeyValue {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const steps = ['content-pod', 'nodeport', 'git-sync', 'new-commit'];

describe('ProgressStore', () => {
  it('keeps passed steps and the session per lab, across instances (a reload)', () => {
    const kv = new MemoryStorage();
    const a = new ProgressStore('content-sidecar', kv);
    a.markPassed('content-pod', true);
    a.update((p) => (p.session = { id: 'abc', token: 't' }));
    const reloaded = new ProgressStore('content-sidecar', kv).load();
    expect(reloaded).toEqual({ passed: ['content-pod'], session: { id: 'abc', token: 't' } });
    expect(new ProgressStore('date-tailer', kv).load()).toEqual({ passed: [] });
  });

  it('a failed check after a pass takes the pass back', () => {
    const s = new ProgressStore('x', new MemoryStorage());
    s.markPassed('a', true);
    s.markPassed('a', true);
    expect(s.load().passed).toEqual(['a']);
    s.markPassed('a', false);
    expect(s.load().passed).toEqual([]);
  });

  it('survives corrupt, foreign-shaped or missing storage', () => {
    const kv = new MemoryStorage();
    kv.setItem('sidecar-labs:lab:x', '{not json');
    expect(new ProgressStore('x', kv).load()).toEqual({ passed: [] });
    kv.setItem('sidecar-labs:lab:x', JSON.stringify({ passed: [1, 2], session: 'nope' }));
    expect(new ProgressStore('x', kv).load()).toEqual({ passed: [] });
    const none = new ProgressStore('x', undefined);
    none.markPassed('a', true);
    expect(none.load()).toEqual({ passed: [] });
    const throwing: KeyValue = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
    };
    expect(() => new ProgressStore('x', throwing).markPassed('a', true)).not.toThrow();
  });

  it('reset clears the passes but remembers them for "Rebuild to step N"', () => {
    const s = new ProgressStore('content-sidecar', new MemoryStorage());
    s.markPassed('content-pod', true);
    s.markPassed('nodeport', true);
    const after = s.resetSteps();
    expect(after.passed).toEqual([]);
    expect(rebuildTarget(steps, after)).toBe(2); // rebuild steps 1-2, continue at step 3
    // A second reset before anything passed again keeps the earlier memory.
    expect(rebuildTarget(steps, s.resetSteps())).toBe(2);
  });
});

describe('step arithmetic', () => {
  it('finds the first open step in lab order, whatever order steps passed in', () => {
    expect(firstOpenStep(steps, [])).toBe(0);
    expect(firstOpenStep(steps, ['nodeport'])).toBe(0);
    expect(firstOpenStep(steps, ['nodeport', 'content-pod'])).toBe(2);
    expect(firstOpenStep(steps, steps)).toBe(4);
  });

  it('never offers to rebuild past the last step, nor when nothing had passed', () => {
    expect(rebuildTarget(steps, { passed: [], beforeReset: steps })).toBe(3);
    expect(rebuildTarget(steps, { passed: [] })).toBe(0);
    expect(rebuildTarget(steps, { passed: [], beforeReset: ['nodeport'] })).toBe(0);
  });
});
