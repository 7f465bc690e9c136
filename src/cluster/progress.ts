// Phase-by-phase progress for long cluster work: a live line with a spinner and elapsed time on a
// terminal, plain timestamped lines elsewhere (CI logs, pipes).
export interface Progress {
  phase(name: string): void;
  detail(text: string): void;
  done(summary: string): void;
  fail(summary: string): void;
}

const fmt = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);

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
