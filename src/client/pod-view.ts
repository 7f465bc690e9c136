// <sl-pod-view>: the live Pod view in the lab panel. Reads GET /api/sessions/<id>/pods (NDJSON: the
// namespace's Pods and Services after every change, from a watch on the server) and draws them with
// src/podview (the same drawing the lessons show for their manifests), plus a table for screen
// readers. Loaded with the terminal, after "Start lab".
import { drawNamespace, type SvgNode } from '../podview/svg.ts';
import { containerRows, serviceRows, SERVICE_HEAD, TABLE_HEAD } from '../podview/table.ts';
import type { NamespaceView } from '../podview/model.ts';
import { backoffDelay } from './reconnect.ts';
import '../podview/pod-view.css';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** DOM nodes from the drawing's element tree (text as text nodes: names come from the cluster). */
export function toDom(node: SvgNode | string): Node {
  if (typeof node === 'string') return document.createTextNode(node);
  const el = document.createElementNS(SVG_NS, node.tag);
  for (const [k, v] of Object.entries(node.attrs)) if (k !== 'xmlns') el.setAttribute(k, String(v));
  for (const child of node.children) el.append(toDom(child));
  return el;
}

function table(caption: string, head: readonly string[], rows: string[][]): HTMLTableElement {
  const t = document.createElement('table');
  t.createCaption().textContent = caption;
  const tr = t.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    tr.append(th);
  }
  const body = t.createTBody();
  for (const row of rows) {
    const r = body.insertRow();
    for (const cell of row) r.insertCell().textContent = cell;
  }
  return t;
}

export class PodViewElement extends HTMLElement {
  private abort: AbortController | undefined;
  private attempts = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** When the last view arrived (ms since epoch, this browser's clock) and the server's time of it. */
  lastUpdate = { received: 0, sent: 0 };

  connectedCallback(): void {
    if (this.childElementCount) return;
    const figure = document.createElement('div');
    figure.className = 'pv-figure';
    figure.tabIndex = 0; // scrollable: reachable by keyboard
    figure.setAttribute('role', 'group');
    figure.setAttribute('aria-label', 'Pod view drawing');
    const details = document.createElement('details');
    details.className = 'pv-table';
    const summary = document.createElement('summary');
    summary.textContent = 'Pod view as a table';
    details.append(summary, document.createElement('div'));
    const note = document.createElement('p');
    note.className = 'pv-note';
    note.textContent = 'Waiting for the cluster…';
    this.append(note, figure, details);
  }

  /** Follow the session's Pods until disconnect(). */
  follow(session: { id: string; token: string }): void {
    this.disconnect();
    this.hidden = false;
    const abort = new AbortController();
    this.abort = abort;
    void this.read(session, abort.signal);
  }

  disconnect(): void {
    this.abort?.abort();
    this.abort = undefined;
    clearTimeout(this.retry);
  }

  disconnectedCallback(): void {
    this.disconnect();
  }

  private async read(session: { id: string; token: string }, signal: AbortSignal): Promise<void> {
    try {
      const res = await fetch(`/api/sessions/${encodeURIComponent(session.id)}/pods`, {
        headers: { authorization: `Bearer ${session.token}` },
        signal,
      });
      if (res.status === 404) return this.note('The lab session has ended.');
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          this.line(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    // The stream ended (server restart, network): come back with backoff.
    this.note('Pod view reconnecting…');
    this.retry = setTimeout(() => void this.read(session, signal), backoffDelay(this.attempts++));
  }

  private line(text: string): void {
    if (!text.trim()) return;
    const msg = JSON.parse(text) as { type: string; view?: NamespaceView; at?: number; message?: string };
    if (msg.type === 'pods' && msg.view) {
      this.attempts = 0;
      this.lastUpdate = { received: Date.now(), sent: msg.at ?? 0 };
      this.render(msg.view);
    } else if (msg.type === 'error') this.note(msg.message ?? 'The Pod view stopped.');
  }

  private note(text: string): void {
    const p = this.querySelector<HTMLElement>('.pv-note');
    if (p) p.textContent = text;
  }

  render(view: NamespaceView): void {
    const figure = this.querySelector<HTMLElement>('.pv-figure')!;
    figure.replaceChildren(toDom(drawNamespace(view, 'pv-live')));
    const holder = this.querySelector<HTMLElement>('.pv-table > div')!;
    holder.replaceChildren(table('Containers', TABLE_HEAD, containerRows(view)));
    if (view.services.length) holder.append(table('Services', SERVICE_HEAD, serviceRows(view)));
    const time = new Date(this.lastUpdate.received || Date.now()).toLocaleTimeString();
    this.note(`Live from the cluster · updated ${time}`);
    this.dataset.pods = view.pods.map((p) => p.name).join(' ');
  }
}

export function definePodView(): void {
  if (!customElements.get('sl-pod-view')) customElements.define('sl-pod-view', PodViewElement);
}
