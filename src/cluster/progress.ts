// Phase-by-phase progress for long cluster work: a live line with a spinner and elapsed time on a
// terminal, plain timestamped lines elsewhere (CI logs, pipes), or JSON lines for a parent process.
import { stepOfPhase, type Durations, type StepId } from './steps.ts';

export interface Progress {
  phase(name: string): void;
  detail(text: string): void;
  done(summary: string): void;
  fail(summary: string): void;
}

const fmt = (ms: number) =>
  ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;

export function createProgress(out: NodeJS.WriteStream = process.stderr): Progress {
  const live = Boolean(out.isTTY) && !process.env.CI;
  const started = Date.now();
  let phase = '';
  let phaseStart = started;
  let detail = '';
  let timer: NodeJS.Timeout | undefined;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;

  const render = () => {
    const line = `${frames[frame++ % frames.length]} ${phase} (${fmt(Date.now() - phaseStart)})${detail ? ` — ${detail}` : ''}`;
    out.write(`\r\x1b[2K${line.slice(0, (out.columns ?? 120) - 1)}`);
  };
  const closePhase = (mark: string) => {
    if (!phase) return;
    const line = `${mark} ${phase} (${fmt(Date.now() - phaseStart)})`;
    out.write(live ? `\r\x1b[2K${line}\n` : `${line}\n`);
    phase = '';
  };

  return {
    phase(name) {
      closePhase('✓');
      phase = name;
      phaseStart = Date.now();
      detail = '';
      if (live) {
        timer ??= setInterval(render, 100);
        render();
      } else out.write(`… ${name}\n`);
    },
    detail(text) {
      detail = text;
      if (!live) out.write(`    ${text}\n`);
    },
    done(summary) {
      closePhase('✓');
      if (timer) clearInterval(timer);
      out.write(`${summary} (total ${fmt(Date.now() - started)})\n`);
    },
    fail(summary) {
      closePhase('✗');
      if (timer) clearInterval(timer);
      out.write(`${summary}\n`);
    },
  };
}

/** One JSON object a line, for a parent process (`npm start`) that shows the progress itself. */
export type ProgressEvent =
  | { t: 'phase'; name: string }
  | { t: 'detail'; text: string }
  | { t: 'done'; summary: string }
  | { t: 'fail'; summary: string };

export function createJsonProgress(write: (line: string) => void = (l) => process.stderr.write(l)): Progress {
  const emit = (e: ProgressEvent) => write(`${JSON.stringify(e)}\n`);
  return {
    phase: (name) => emit({ t: 'phase', name }),
    detail: (text) => emit({ t: 'detail', text }),
    done: (summary) => emit({ t: 'done', summary }),
    fail: (summary) => emit({ t: 'fail', summary }),
  };
}

/** A progress line from createJsonProgress, or undefined for anything else a child printed. */
export function parseProgressEvent(line: string): ProgressEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(line) as Partial<ProgressEvent> & Record<string, unknown>;
    if (e.t === 'phase' && typeof e.name === 'string') return { t: 'phase', name: e.name };
    if (e.t === 'detail' && typeof e.text === 'string') return { t: 'detail', text: e.text };
    if ((e.t === 'done' || e.t === 'fail') && typeof e.summary === 'string') return { t: e.t, summary: e.summary };
  } catch {
    // not ours
  }
  return undefined;
}

/**
 * Wraps a Progress and measures how long each step of src/cluster/steps.ts took; `onDone` gets the
 * seconds per step when the run succeeds (kept in the kit cache for the next estimate).
 */
export function timedProgress(
  inner: Progress,
  onDone: (seconds: Durations) => void,
  now: () => number = Date.now,
): Progress {
  const seconds: Durations = {};
  let step: StepId | undefined;
  let since = now();
  const close = () => {
    if (step) seconds[step] = (seconds[step] ?? 0) + (now() - since) / 1000;
    step = undefined;
  };
  return {
    phase(name) {
      close();
      step = stepOfPhase(name)?.id;
      since = now();
      inner.phase(name);
    },
    detail: (text) => inner.detail(text),
    done(summary) {
      close();
      onDone(seconds);
      inner.done(summary);
    },
    fail(summary) {
      close();
      inner.fail(summary);
    },
  };
}
