// How long to wait before the next reconnect attempt: quick at first (a blip), then backing off
// to at most 5 s, with jitter so many tabs do not reconnect in lockstep after a server restart.
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5000, 250 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.75 + random() * 0.5));
}
