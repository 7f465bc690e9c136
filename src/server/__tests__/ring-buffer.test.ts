import { describe, expect, it } from 'vitest';
import { OutputRing } from '../ring-buffer.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('OutputRing', () => {
  it('returns everything written while it fits', () => {
    const r = new OutputRing(16);
    r.write(enc('hello '));
    r.write(enc('world'));
    expect(r.offset).toBe(11);
    expect(dec(r.since(0).bytes)).toBe('hello world');
    expect(r.since(0).truncated).toBe(false);
    expect(dec(r.since(6).bytes)).toBe('world');
    expect(r.since(11).bytes.length).toBe(0);
  });

  it('keeps only the newest bytes and says when a resume point fell out', () => {
    const r = new OutputRing(8);
    r.write(enc('0123456'));
    r.write(enc('789ab')); // wraps
    expect(r.start).toBe(4);
    expect(r.offset).toBe(12);
    expect(dec(r.since(0).bytes)).toBe('456789ab');
    expect(r.since(2)).toMatchObject({ offset: 4, truncated: true });
    expect(dec(r.since(9).bytes)).toBe('9ab');
    expect(r.since(9).truncated).toBe(false);
  });

  it('handles a single chunk bigger than the ring', () => {
    const r = new OutputRing(4);
    r.write(enc('abcdefghij'));
    expect(r.offset).toBe(10);
    expect(dec(r.since(0).bytes)).toBe('ghij');
    r.write(enc('kl'));
    expect(dec(r.since(0).bytes)).toBe('ijkl');
  });

  it('replays the whole window to a client whose offset is from an earlier server', () => {
    const r = new OutputRing(8);
    r.write(enc('abc'));
    expect(r.since(1000)).toMatchObject({ offset: 0 });
    expect(dec(r.since(1000).bytes)).toBe('abc');
  });

  it('refuses a nonsense capacity', () => {
    expect(() => new OutputRing(0)).toThrow(/positive integer/);
  });
});
