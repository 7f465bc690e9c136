// The per-address limiter of wrong event codes: counting, the window, IPv6 by /64, bounded memory.
import { describe, expect, it } from 'vitest';
import { GuessLimiter, guessKey } from '../guess-limiter.ts';

const limits = { perAddress: 3, windowMs: 60_000, maxAddresses: 100 };

describe('GuessLimiter', () => {
  it('blocks an address after its wrong codes, only that address, until its window ends', () => {
    const g = new GuessLimiter(limits);
    for (let i = 0; i < 3; i++) g.wrong('127.0.0.2', 1000 + i);
    expect(g.blocked('127.0.0.2', 2000)).toBe(true);
    expect(g.blocked('127.0.0.1', 2000)).toBe(false);
    expect(g.blocked('127.0.0.2', 61_000)).toBe(false); // a minute after the first wrong code
  });

  it('counts an IPv6 address by its /64, so a machine cannot rotate through its own prefix', () => {
    expect(guessKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(guessKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(guessKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(guessKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(guessKey('::1')).toBe('0:0:0:0::/64');
    expect(guessKey('10.1.2.3')).toBe('10.1.2.3');
    const g = new GuessLimiter(limits);
    g.wrong('2001:db8:1:2::1', 0);
    g.wrong('2001:db8:1:2::2', 0);
    g.wrong('2001:db8:1:2:1:2:3:4', 0);
    expect(g.blocked('2001:db8:1:2::99', 10)).toBe(true);
    expect(g.blocked('2001:db8:1:3::1', 10)).toBe(false);
  });

  it('remembers at most maxAddresses, whatever number of addresses guess', () => {
    const g = new GuessLimiter(limits);
    for (let i = 0; i < 10_000; i++) g.wrong(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i);
    expect(g.size).toBe(100);
    // the most recent ones are the ones kept
    for (let k = 0; k < 3; k++) g.wrong('10.0.39.15', 10_000 + k);
    expect(g.blocked('10.0.39.15', 10_010)).toBe(true);
  });
});
