// Poll a probe until it has passed for a settle window, or a timeout. A pod that is Running for two seconds
// and then crashes must never pass, so a pass needs the condition held, uninterrupted, for `settleMs`.
// Where the API already knows since when a condition holds (a Ready condition's lastTransitionTime, a
// container's startedAt), the probe reports it as `heldSinceMs` and a settled condition passes at once.
// Such a timestamp is trusted only with a slack (API_TIME_SLACK_MS): the API stores it truncated to the
// second, and it shows the kubelet's view of a container about a second late (its relist period), so a pod
// that crashes 4 s after it started can still read "Ready since 5 s" — and must not pass a 5 s window.

export interface ProbeResult {
  ok: boolean;
  message: string;
  hint?: string;
  observed?: string;
  /** Since when (epoch ms) the condition has held, if the cluster says so. */
  heldSinceMs?: number;
  /** Failing for good (e.g. a Job that failed): stop polling. */
  fatal?: boolean;
}

/** How much later than an API timestamp a condition is taken to have held from: 1 s of truncation + ~1 s of kubelet lag. */
export const API_TIME_SLACK_MS = 2000;

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface SettleOptions {
  /** wait: poll until timeout (CI after a solution). quick: is it true, and stable, right now? (the Check button, "must fail before"). */
  mode: 'wait' | 'quick';
  timeoutMs: number;
  settleMs: number;
  intervalMs?: number;
  /** quick mode: keep retrying a failing probe this long (a log line a moment behind its request). */
  graceMs?: number;
  signal?: AbortSignal;
}

export interface SettledResult extends ProbeResult {
  elapsedMs: number;
  attempts: number;
}

export async function settle(
  probe: () => Promise<ProbeResult>,
  opts: SettleOptions,
  clock: Clock = realClock,
): Promise<SettledResult> {
  const interval = opts.intervalMs ?? 1000;
  const start = clock.now();
  // quick mode still gives a condition that holds right now the chance to prove it is stable
  const deadline =
    start +
    (opts.mode === 'quick'
      ? opts.settleMs + Math.max(2000, opts.graceMs ?? 0)
      : Math.max(opts.timeoutMs, opts.settleMs));
  let firstOkAt: number | undefined;
  let attempts = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    attempts++;
    let r: ProbeResult;
    try {
      r = await probe();
    } catch (e) {
      r = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    const t = clock.now();
    const done = (x: ProbeResult): SettledResult => ({ ...x, elapsedMs: t - start, attempts });
    if (r.ok) {
      firstOkAt ??= t;
      const heldFrom = r.heldSinceMs !== undefined ? r.heldSinceMs + API_TIME_SLACK_MS : firstOkAt;
      const held = t - heldFrom;
      if (held >= opts.settleMs) return done(r);
      if (t >= deadline) {
        return done({
          ...r,
          ok: false,
          message: `${r.message}, but only for ${Math.max(0, Math.round(held / 1000))}s of the ${Math.round(opts.settleMs / 1000)}s it must hold`,
        });
      }
      await clock.sleep(Math.max(50, Math.min(interval, opts.settleMs - held, deadline - t)), opts.signal);
      continue;
    }
    firstOkAt = undefined;
    const inGrace = opts.mode === 'quick' && t - start < (opts.graceMs ?? 0);
    if ((opts.mode === 'quick' && !inGrace) || r.fatal || t >= deadline) return done(r);
    await clock.sleep(Math.max(50, Math.min(interval, deadline - t)), opts.signal);
  }
}
