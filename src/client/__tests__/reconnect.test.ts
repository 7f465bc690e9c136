import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../reconnect.ts';

describe('backoffDelay', () => {
  it('starts quick, doubles, and caps at about 5 s', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, mid))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
  it('spreads retries by ±25 %', () => {
    expect(backoffDelay(2, () => 0)).toBe(750);
    expect(backoffDelay(2, () => 0.999999)).toBe(1250);
  });
});
