// Wrong event codes slow down the address that sends them, and only that one. A script guessing
// codes must not lock the room out (80 wrong codes in 227 ms used to make the right code answer 429
// for everyone): each address (an IPv6 address by its /64, which one machine usually holds whole)
// gets `perAddress` wrong codes per window; past that only it gets 429 until its window ends. A right
// code from any other address is never refused. The table holds at most `maxAddresses` entries (the
// least recently seen leave first), so a crowd of addresses cannot grow the server's memory.
import { isIPv6 } from 'node:net';

export interface GuessLimits {
  /** Wrong codes an address may send per window. */
  perAddress: number;
  windowMs: number;
  /** Addresses remembered at most. */
  maxAddresses: number;
}

export const defaultGuessLimits: GuessLimits = { perAddress: 20, windowMs: 60_000, maxAddresses: 10_000 };

/** The eight 16-bit groups of an IPv6 address (zone dropped, `::` expanded, an IPv4 tail as two groups). */
function ipv6Groups(address: string): number[] | undefined {
  let a = address.split('%')[0]!.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (v4) {
    const [b0, b1, b2, b3] = v4.slice(1).map(Number) as [number, number, number, number];
    a = a.slice(0, v4.index) + `${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const missing = 8 - h.length - t.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...h, ...Array.from({ length: missing }, () => '0'), ...t].map((g) => parseInt(g, 16));
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** The key an address is counted under: an IPv4 address itself, an IPv6 address its /64. */
export function guessKey(address: string): string {
  if (!isIPv6(address.split('%')[0]!)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (groups.slice(0, 6).join(':') === '0:0:0:0:0:65535')
    return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

export class GuessLimiter {
  private readonly table = new Map<string, { since: number; wrong: number }>();
  private readonly limits: GuessLimits;

  constructor(limits: GuessLimits = defaultGuessLimits) {
    this.limits = limits;
  }

  /** Addresses remembered now (for tests and the bench). */
  get size(): number {
    return this.table.size;
  }

  /** Has this address used up its wrong codes for now? */
  blocked(address: string, now = Date.now()): boolean {
    const key = guessKey(address);
    const entry = this.table.get(key);
    if (!entry) return false;
    if (now - entry.since >= this.limits.windowMs) {
      this.table.delete(key);
      return false;
    }
    return entry.wrong >= this.limits.perAddress;
  }

  /** A wrong code from this address. */
  wrong(address: string, now = Date.now()): void {
    const key = guessKey(address);
    const entry = this.table.get(key);
    const fresh = !entry || now - entry.since >= this.limits.windowMs;
    const next = fresh ? { since: now, wrong: 1 } : { since: entry.since, wrong: entry.wrong + 1 };
    this.table.delete(key); // re-inserted last: the Map's order is least recently seen first
    this.table.set(key, next);
    while (this.table.size > this.limits.maxAddresses) this.table.delete(this.table.keys().next().value!);
  }
}
