// Keystroke echo latency through the whole path a learner's key takes: WebSocket to the lab server,
// Kubernetes exec into the toolbox pod, bash's echo, and back. One key at a time, 300 keys.
// Baseline in the same run: a round trip of the same WebSocket that the server answers itself
// (an invalid hello would close it, so we time the server's hello reply to a new connection instead).
// Goal (issue 5): p95 <= 50 ms.
//   node bench/live-echo.ts [keys]      (LAB_URL=... to use a running server)
import { labServer, percentile, startLab, stopLab, TerminalClient, PROMPT, ms } from './live-lib.ts';

const keys = Number(process.argv[2] ?? 300);
const server = await labServer();
const echo: number[] = [];
const hello: number[] = [];
try {
  const s = await startLab(server.url, 'what-is-a-sidecar');
  try {
    const term = new TerminalClient(server.url, s);
    await term.until((t) => PROMPT.test(t.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')));
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keys; i++) {
      const ch = alphabet[i % alphabet.length]!;
      const before = term.text.length;
      const t0 = performance.now();
      term.send(ch);
      await term.until((t) => t.length > before && t.slice(before).includes(ch), 10_000);
      echo.push(performance.now() - t0);
      if (i % 40 === 39) {
        term.send('\x15'); // Ctrl-U: clear the line so it never grows long
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    term.close();
    // Baseline: connect + hello round trip to the server only (replay of the ring, no exec involved).
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const probe = new TerminalClient(server.url, s);
      await new Promise<void>((resolve) => probe.ws.once('message', () => resolve()));
      hello.push(performance.now() - t0);
      probe.close();
    }
  } finally {
    await stopLab(server.url, s);
  }
} finally {
  await server.stop();
}
console.log(`\nkeystroke echo over ${keys} keys (browser protocol -> lab server -> exec -> bash -> back)`);
console.log(`  p50 ${ms(percentile(echo, 50))}  p95 ${ms(percentile(echo, 95))}  max ${ms(Math.max(...echo))}`);
console.log(`baseline: new WebSocket + server hello (no exec), 20 connections`);
console.log(`  p50 ${ms(percentile(hello, 50))}  p95 ${ms(percentile(hello, 95))}`);
console.log(`goal: echo p95 <= 50 ms`);
