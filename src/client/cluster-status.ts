// <sidecar-cluster-status>: the lab cluster's progress inside a lab panel ("Building Kubernetes from
// source, step 2 of 7, about 9 min left"), or why it failed and the fix. While the cluster is not ready
// it keeps the panel's "Start lab" disabled and enables it, without a reload, as soon as it is. One poll
// of GET /api/cluster per page, shared by every panel. Self-contained: lab-panel.ts knows nothing of it.
import type { ClusterView } from '../cluster/view.ts';
import { displayOf, pollDelay, type ClusterDisplay } from './cluster-status-text.ts';

type Listener = (v: ClusterView) => void;
const listeners = new Set<Listener>();
let polling = false;

async function poll(): Promise<void> {
  let view: ClusterView | undefined;
  try {
    const res = await fetch('/api/cluster', { headers: { accept: 'application/json' } });
    if (res.status === 404) return void (polling = false); // a server without the lab API: say nothing
    if (res.ok) view = (await res.json()) as ClusterView;
  } catch {
    view = undefined; // the server is away for a moment (restart): ask again later
  }
  if (view) for (const l of listeners) l(view);
  const delay = pollDelay(view);
  if (delay === undefined || !listeners.size) return void (polling = false);
  setTimeout(() => void poll(), delay);
}

/** Pages served by the lab server carry its cookie (src/server/server.ts); a static host has no lab API. */
function labServerPresent(): boolean {
  return /(?:^|;\s*)sidecar-labs-server=1/.test(document.cookie);
}

function subscribe(l: Listener): () => void {
  listeners.add(l);
  if (!polling && labServerPresent()) {
    polling = true;
    void poll();
  }
  return () => listeners.delete(l);
}

const css = `
  :host { display: block; margin-block: 0.5rem; font-size: var(--sl-text-sm, 0.875rem); }
  :host([hidden]) { display: none; }
  .box { padding: 0.5rem 0.75rem; border-radius: 0.3rem; border-inline-start: 4px solid var(--sl-color-accent, #6cf); background: var(--sl-color-gray-6, #222); }
  .box.problem { border-color: var(--sl-color-red, #d33); background: var(--sl-color-red-low, #3b1212); }
  progress { width: 100%; height: 0.5rem; display: block; margin-top: 0.35rem; }
  .fix, .checks { margin: 0.35rem 0 0; white-space: pre-wrap; }
  code { font-family: var(--__sl-font-mono, monospace); }
`;

function richText(target: HTMLElement, text: string): void {
  target.replaceChildren();
  for (const part of text.split(/(`[^`]+`)/)) {
    if (!part) continue;
    if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) {
      const code = document.createElement('code');
      code.textContent = part.slice(1, -1);
      target.append(code);
    } else target.append(part);
  }
}

export class ClusterStatus extends HTMLElement {
  private start: HTMLButtonElement | null = null;
  private guard: MutationObserver | undefined;
  private unsubscribe: (() => void) | undefined;
  private blocking = false;
  private sawWork = false;
  private readonly box: HTMLDivElement;

  constructor() {
    super();
    const shadow = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = css;
    this.box = document.createElement('div');
    this.box.className = 'box';
    this.box.setAttribute('role', 'status');
    this.box.setAttribute('aria-live', 'polite');
    shadow.append(style, this.box);
    this.hidden = true;
  }

  connectedCallback(): void {
    this.start = this.closest('[data-lab]')?.querySelector<HTMLButtonElement>('[data-act="start"]') ?? null;
    // lab-panel.ts enables Start lab whenever its own state is idle; while the cluster is not ready we keep it off.
    if (this.start) {
      this.guard = new MutationObserver(() => {
        if (this.blocking && this.start && !this.start.disabled) this.start.disabled = true;
      });
      this.guard.observe(this.start, { attributes: true, attributeFilter: ['disabled'] });
    }
    this.unsubscribe = subscribe((v) => this.show(v));
  }

  disconnectedCallback(): void {
    this.guard?.disconnect();
    this.unsubscribe?.();
  }

  private show(v: ClusterView): void {
    if (v.state !== 'ready') this.sawWork = true;
    const d = displayOf(v, this.sawWork);
    this.dataset.state = v.state;
    this.setBlocking(d.blocking);
    this.hidden = d.hidden;
    this.render(d);
  }

  private setBlocking(on: boolean): void {
    const was = this.blocking;
    this.blocking = on;
    if (!this.start) return;
    if (on) this.start.disabled = true;
    else if (was) {
      const panelState = this.closest<HTMLElement>('[data-lab]')?.dataset.state ?? 'idle';
      this.start.disabled = panelState !== 'idle';
    }
  }

  private render(d: ClusterDisplay): void {
    this.box.classList.toggle('problem', d.problem);
    const text = document.createElement('p');
    text.style.margin = '0';
    richText(text, d.text);
    const parts: HTMLElement[] = [text];
    if (d.percent !== undefined) {
      const bar = document.createElement('progress');
      bar.max = 100;
      bar.value = d.percent;
      bar.setAttribute('aria-label', 'Lab cluster progress');
      parts.push(bar);
    }
    if (d.fix) {
      const fix = document.createElement('p');
      fix.className = 'fix';
      richText(fix, `To fix it: ${d.fix}`);
      parts.push(fix);
    }
    if (d.checks.length) {
      const checks = document.createElement('p');
      checks.className = 'checks';
      checks.textContent = d.checks.join('\n');
      parts.push(checks);
    }
    this.box.replaceChildren(...parts);
  }
}

export function defineClusterStatus(): void {
  if (!customElements.get('sidecar-cluster-status')) customElements.define('sidecar-cluster-status', ClusterStatus);
}
