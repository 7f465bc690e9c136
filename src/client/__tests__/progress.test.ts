import { describe, expect, it } from 'vitest';
import { overallPercent } from '../panel/progress-bar.ts';

describe('overallPercent', () => {
  it('maps each phase into its part of one bar, never backwards between phases', () => {
    const run = [
      { phase: 'namespace', done: 0, total: 1 },
      { phase: 'namespace', done: 1, total: 1 },
      { phase: 'apply', done: 3, total: 6 },
      { phase: 'apply', done: 6, total: 6 },
      { phase: 'wait', done: 0, total: 2 },
      { phase: 'wait', done: 2, total: 2 },
      { phase: 'ready', done: 1, total: 1 },
    ].map(overallPercent);
    expect(run).toEqual([0, 10, 28, 45, 45, 95, 100]);
    expect([...run].sort((a, b) => a - b)).toEqual(run);
  });
  it('copes with unknown phases and empty totals', () => {
    expect(overallPercent({ phase: 'mystery', done: 1, total: 4 })).toBe(25);
    expect(overallPercent({ phase: 'wait', done: 0, total: 0 })).toBe(45);
  });
});
