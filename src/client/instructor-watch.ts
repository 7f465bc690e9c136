// The read-only view of a learner's terminal on the instructor page: xterm.js without input, fed by
// /api/instructor/watch/<id> (output only; the server ignores anything this socket would send).
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { PROTOCOL, TOKEN_PREFIX, decodeServerFrame } from '../server/protocol.ts';

export function watchTerminal(
  container: HTMLElement,
  sessionId: string,
  key: string,
  onState: (text: string) => void,
): { close(): void } {
  container.replaceChildren();
  const term = new Terminal({
    disableStdin: true,
    cursorBlink: false,
    fontSize: 13,
    rows: 24,
    cols: 100,
    scrollback: 2000,
    screenReaderMode: true,
    theme: { background: '#1b1e24', foreground: '#e6e6e6' },
  });
  term.open(container);
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/instructor/watch/${encodeURIComponent(sessionId)}`;
  const ws = new WebSocket(url, [PROTOCOL, TOKEN_PREFIX + key]);
  ws.binaryType = 'arraybuffer';
  onState('Connecting…');
  ws.onmessage = (ev) => {
    if (typeof ev.data !== 'string') {
      term.write(new Uint8Array(ev.data as ArrayBuffer));
      container.dataset.bytes = String(Number(container.dataset.bytes ?? 0) + (ev.data as ArrayBuffer).byteLength);
      return;
    }
    const f = decodeServerFrame(ev.data, false);
    if (f.kind === 'control' && f.message.type === 'hello') onState('Watching live. You cannot type here.');
  };
  ws.onclose = (ev) =>
    onState(ev.code === 4002 ? 'The learner\'s lab ended or was reset: press "Watch" again.' : 'Not connected.');
  return {
    close: () => {
      ws.close();
      term.dispose();
    },
  };
}
