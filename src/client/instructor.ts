// <sl-instructor>: the instructor page's live view of the room (src/pages/instructor.astro).
// Polls /api/instructor/roster every second with the instructor key (from the URL fragment
// #key=…, kept in sessionStorage), and renders: the roster table (keyed rows, so focus and buttons
// survive updates), the class view per lab (SVG bars + the same numbers as a table), the actions per
// learner, the message banner, CSV export, and a read-only live view of one learner's terminal.
import { renderClasses, renderRow, rowKey, type ClassView, type Row } from './instructor-view.ts';

interface Roster {
  now: string;
  banner: string | null;
  rows: Row[];
  classes: ClassView[];
}

const KEY = 'sidecar-labs:instructor-key';

function keyFromPage(): string | undefined {
  const m = /(?:^|[#&])key=([A-Za-z0-9_-]{16,})/.exec(location.hash);
  if (m) {
    try {
      sessionStorage.setItem(KEY, m[1]!);
    } catch {
      /* kept for this page only */
    }
    history.replaceState(null, '', location.pathname); // out of the address bar (and of screenshots)
    return m[1];
  }
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export class InstructorElement extends HTMLElement {
  private key: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastCount = -1;
  private watching: { close(): void } | undefined;

  connectedCallback(): void {
    this.key = keyFromPage();
    this.addEventListener('click', (ev) => void this.onClick(ev));
    this.querySelector('form[data-banner]')?.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.sendBanner(false);
    });
    this.querySelector('form[data-key]')?.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.key = (this.querySelector<HTMLInputElement>('form[data-key] input')!.value || '').trim();
      try {
        sessionStorage.setItem(KEY, this.key);
      } catch {
        /* page only */
      }
      void this.refresh();
    });
    if (!this.key) {
      // no key, no request: the page says what to paste (and costs the server nothing)
      this.$('form[data-key]').hidden = false;
      this.say('Paste the instructor key to open the roster.');
    } else void this.refresh();
    this.timer = setInterval(() => {
      if (this.key) void this.refresh();
    }, 1000);
  }

  disconnectedCallback(): void {
    clearInterval(this.timer);
    this.watching?.close();
  }

  private $(sel: string): HTMLElement {
    return this.querySelector<HTMLElement>(sel)!;
  }

  private say(text: string): void {
    this.$('[data-status]').textContent = text;
  }

  async api(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`/api/instructor/${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key ?? ''}` },
    });
    if (res.status === 401) {
      this.$('form[data-key]').hidden = false;
      throw new Error(
        'The instructor key is missing or wrong: paste it below (the workshop command printed it after #key=).',
      );
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new Error(body.error ?? `the server answered ${res.status}`);
    }
    return res;
  }

  private async refresh(): Promise<void> {
    let roster: Roster;
    try {
      roster = (await (await this.api('roster')).json()) as Roster;
    } catch (e) {
      this.$('[data-problem]').textContent = (e as Error).message;
      return;
    }
    this.$('[data-problem]').textContent = '';
    this.$('form[data-key]').hidden = true;
    this.$('[data-updated]').textContent = `Updated ${new Date(roster.now).toLocaleTimeString()}`;
    this.renderRows(roster.rows, Date.parse(roster.now));
    renderClasses(this.$('[data-classes]'), roster.classes);
    const current = this.$('[data-current-banner]');
    current.textContent = roster.banner
      ? `Shown to learners now: “${roster.banner}”`
      : 'No message is shown to learners.';
    if (roster.rows.length !== this.lastCount) {
      this.lastCount = roster.rows.length;
      this.say(`${roster.rows.length} learner session${roster.rows.length === 1 ? '' : 's'} running.`);
    }
  }

  private renderRows(rows: Row[], now: number): void {
    const body = this.$('tbody[data-roster]');
    const keep = new Set(rows.map(rowKey));
    for (const tr of [...body.querySelectorAll<HTMLTableRowElement>('tr[data-key]')])
      if (!keep.has(tr.dataset.key!)) tr.remove();
    this.$('[data-empty]').hidden = rows.length > 0;
    rows.forEach((r, i) => {
      const tr = renderRow(body.querySelector<HTMLTableRowElement>(`tr[data-key="${CSS.escape(rowKey(r))}"]`), r, now);
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
    });
  }

  private async onClick(ev: Event): Promise<void> {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
    if (!b) return;
    const id = b.closest<HTMLElement>('tr[data-key]')?.dataset.session ?? '';
    const name = b.closest<HTMLElement>('tr[data-key]')?.dataset.learner ?? '';
    try {
      await this.act(b.dataset.act!, id, name, b);
    } catch (e) {
      this.$('[data-problem]').textContent = (e as Error).message;
    }
  }

  private async act(act: string, id: string, name: string, b: HTMLButtonElement): Promise<void> {
    const session = `sessions/${encodeURIComponent(id)}`;
    if (act === 'csv') return this.downloadCsv();
    if (act === 'clear-banner') return this.sendBanner(true);
    if (act === 'watch') return this.watch(id, name);
    if (act === 'unwatch') {
      this.watching?.close();
      return;
    }
    if (act === 'end' && !confirm(`End ${name}'s lab? Their namespace is deleted.`)) return;
    if (act === 'reset' && !confirm(`Reset ${name}'s lab to its start?`)) return;
    b.disabled = true;
    this.say(`${label(act)} for ${name}…`);
    try {
      if (act === 'end') await this.api(session, { method: 'DELETE' });
      else if (act === 'extend')
        await this.api(`${session}/extend`, { method: 'POST', body: JSON.stringify({ minutes: 15 }) });
      else if (act === 'reset' || act === 'rebuild') {
        const upTo = Number(b.closest('tr')?.querySelector<HTMLSelectElement>('select')?.value ?? 0);
        const res = await this.api(act === 'reset' ? `${session}/reset` : `${session}/rebuild`, {
          method: 'POST',
          body: act === 'reset' ? '{}' : JSON.stringify({ upTo }),
        });
        const last = (await res.text()).trim().split('\n').pop() ?? '';
        const final = JSON.parse(last || '{}') as { type?: string; message?: string };
        if (final.type === 'error') throw new Error(final.message);
      }
      this.say(`${label(act)} for ${name}: done.`);
    } finally {
      b.disabled = false;
      void this.refresh();
    }
  }

  private async sendBanner(clear: boolean): Promise<void> {
    const input = this.querySelector<HTMLInputElement>('form[data-banner] input')!;
    await this.api('banner', { method: 'POST', body: JSON.stringify({ text: clear ? '' : input.value }) });
    if (clear) input.value = '';
    this.say(clear ? 'Message cleared.' : 'Message sent to every learner.');
    void this.refresh();
  }

  private async downloadCsv(): Promise<void> {
    const blob = await (await this.api('roster.csv')).blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `workshop-roster-${new Date().toISOString().slice(0, 16).replace(':', '')}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  private async watch(id: string, name: string): Promise<void> {
    this.watching?.close();
    const region = this.$('[data-watch]');
    region.hidden = false;
    this.$('[data-watch-title]').textContent = `Terminal of ${name} (read-only, live)`;
    const { watchTerminal } = await import('./instructor-watch.ts');
    this.watching = watchTerminal(this.$('[data-watch-screen]'), id, this.key ?? '', (text) => {
      this.$('[data-watch-state]').textContent = text;
    });
    this.$('[data-watch] button[data-act="unwatch"]').focus();
    const stop = this.watching;
    this.watching = {
      close: () => {
        stop.close();
        region.hidden = true;
        this.watching = undefined;
      },
    };
  }
}

function label(act: string): string {
  return (
    (
      { end: 'Ending the lab', extend: 'Adding 15 minutes', reset: 'Resetting', rebuild: 'Rebuilding' } as Record<
        string,
        string
      >
    )[act] ?? act
  );
}

if (!customElements.get('sl-instructor')) customElements.define('sl-instructor', InstructorElement);
