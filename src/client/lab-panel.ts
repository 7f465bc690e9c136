// The lab panel's behaviour (markup: src/components/Lab.astro). Small on purpose: it ships with every
// lesson page. The terminal (xterm.js, ~300 kB) is imported only when a lab starts or resumes.
import * as api from './api-client.ts';
import { ProgressStore, rebuildTarget, type KeyValue } from './store.ts';
import type { LabTerminal } from './terminal.ts';

type State = 'idle' | 'busy' | 'running';

/** Each engine phase reports its own done/total; the bar shows them as one run from 0 to 100. */
const PHASE_SPAN: Record<string, [number, number]> = {
  namespace: [0, 10],
  apply: [10, 45],
  solution: [0, 100],
  wait: [45, 95],
  ready: [100, 100],
};

export function overallPercent(p: { phase: string; done: number; total: number }): number {
  const [from, to] = PHASE_SPAN[p.phase] ?? [0, 100];
  const fraction = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : 0;
  return Math.round(from + (to - from) * fraction);
}

const SR_KEY = 'sidecar-labs:screen-reader';

function storage(): KeyValue | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Text with `code` spans as DOM nodes (never innerHTML: messages can echo what the learner typed). */
function richText(target: HTMLElement, text: string): void {
  for (const part of text.split(/(`[^`]+`)/)) {
    if (!part) continue;
    if (part.length > 1 && part.startsWith('`') && part.endsWith('`')) {
      const code = document.createElement('code');
      code.textContent = part.slice(1, -1);
      target.append(code);
    } else {
      target.append(part);
    }
  }
}

/** A listed common mistake, set apart from the check list: what went wrong and what to do instead. */
function diagnosisBox(d: { id: string; title: string; text: string }): HTMLElement {
  const box = document.createElement('div');
  box.className = 'sl-lab-diagnosis';
  box.dataset.mistake = d.id;
  const title = document.createElement('p');
  title.className = 'sl-lab-diagnosis-title';
  title.textContent = `Common mistake: ${d.title}`;
  const text = document.createElement('p');
  richText(text, d.text);
  box.append(title, text);
  return box;
}

export class LabPanel {
  private readonly root: HTMLElement;
  private readonly slug: string;
  private readonly stepIds: string[];
  private readonly store: ProgressStore;
  private state: State = 'idle';
  private terminal: LabTerminal | undefined;
  private session: { id: string; token: string } | undefined;

  constructor(root: HTMLElement) {
    this.root = root;
    this.slug = root.dataset.lab ?? '';
    this.stepIds = JSON.parse(root.dataset.steps ?? '[]') as string[];
    this.store = new ProgressStore(this.slug, storage());
  }

  private $(selector: string): HTMLElement {
    const el = this.root.querySelector<HTMLElement>(selector);
    if (!el) throw new Error(`lab panel: missing ${selector}`);
    return el;
  }

  private button(act: string): HTMLButtonElement {
    return this.$(`[data-act="${act}"]`) as HTMLButtonElement;
  }

  private steps(): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>('.sl-lab-step')];
  }

  async init(): Promise<void> {
    this.root.addEventListener('click', (ev) => this.onClick(ev));
    const sr = this.$('[data-act="screen-reader"]') as HTMLInputElement;
    sr.checked = storage()?.getItem(SR_KEY) === 'on';
    sr.addEventListener('change', () => {
      try {
        storage()?.setItem(SR_KEY, sr.checked ? 'on' : 'off');
      } catch {
        /* not kept */
      }
      this.terminal?.setScreenReaderMode(sr.checked);
    });
    const progress = this.store.load();
    this.showStatuses(progress.passed);
    this.showRebuild();
    if (progress.session) {
      // Resume after a reload: the session may still run (also after a server restart).
      this.setState('busy');
      this.say('Reconnecting to your lab…');
      try {
        if (await api.sessionAlive(progress.session.id, progress.session.token)) {
          this.session = progress.session;
          await this.openTerminal();
          this.setState('running');
          this.say('Lab running. Your progress was kept.');
          return;
        }
        this.store.update((p) => delete p.session);
        this.say('Your previous lab session has ended. Press "Start lab" for a new one; your progress is kept.');
      } catch (err) {
        this.problem(err);
      }
      this.setState('idle');
    }
  }

  private onClick(ev: Event): void {
    const target = (ev.target as HTMLElement).closest<HTMLElement>('[data-act]');
    if (!target || target instanceof HTMLInputElement) return;
    const step = target.closest<HTMLElement>('.sl-lab-step');
    const index = step ? Number(step.dataset.stepIndex) : -1;
    switch (target.dataset.act) {
      case 'start':
        void this.start();
        break;
      case 'reset':
        void this.reset();
        break;
      case 'rebuild':
        void this.rebuild();
        break;
      case 'stop':
        void this.stop();
        break;
      case 'check':
        void this.check(index);
        break;
      case 'run':
        this.terminal?.run(target.dataset.command ?? '');
        break;
      case 'solution':
        this.toggleSolution(target);
        break;
    }
  }

  private async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.setState('busy');
    this.clearProblem();
    this.say('Starting the lab…');
    // Fetch the terminal code while the cluster works.
    const terminalModule = import('./terminal.ts');
    terminalModule.catch(() => {});
    try {
      const session = await api.startSession(this.slug, (p) => this.progress(p));
      this.session = { id: session.id, token: session.token };
      this.store.update((p) => (p.session = this.session));
      await this.openTerminal();
      this.setState('running');
      this.say('Lab running. Type in the terminal, or press "Run" next to a command.');
      this.terminal?.focus();
    } catch (err) {
      this.problem(err);
      this.setState('idle');
    } finally {
      this.hideProgress();
    }
  }

  private async reset(): Promise<void> {
    if (this.state !== 'running' || !this.session) return;
    this.setState('busy');
    this.clearProblem();
    this.say('Resetting the lab to its starting point…');
    try {
      await api.resetSession(this.session.id, this.session.token, (p) => this.progress(p));
      this.store.resetSteps();
      this.showStatuses([]);
      this.clearResults();
      this.terminal?.reconnect();
      this.setState('running');
      this.showRebuild();
      this.say('The lab is back at its start. Every step reads "Not yet" again.');
    } catch (err) {
      this.problem(err);
      await this.afterFailure();
    } finally {
      this.hideProgress();
    }
  }

  /** "Rebuild to step N": apply the solutions of the steps before N, then check them. */
  private async rebuild(): Promise<void> {
    if (this.state !== 'running' || !this.session) return;
    const upTo = rebuildTarget(this.stepIds, this.store.load());
    if (upTo <= 0) return;
    this.setState('busy');
    this.clearProblem();
    this.say(`Rebuilding the lab up to step ${upTo + 1}…`);
    try {
      await api.rebuildTo(this.session.id, this.session.token, upTo, (p) => this.progress(p));
      this.store.update((p) => delete p.beforeReset);
      this.setState('running');
      this.showRebuild();
      // Confirm with the real checks rather than assuming the solutions worked.
      for (let i = 0; i < upTo; i++) await this.check(i);
      this.say(`Rebuilt: continue with step ${upTo + 1}.`);
    } catch (err) {
      this.problem(err);
      await this.afterFailure();
    } finally {
      this.hideProgress();
    }
  }

  private async stop(): Promise<void> {
    if (this.state !== 'running' || !this.session) return;
    this.setState('busy');
    try {
      await api.stopSession(this.session.id, this.session.token);
    } catch (err) {
      this.problem(err);
    }
    this.endSession('Lab stopped. Your progress is kept; press "Start lab" to continue later.');
  }

  private async check(index: number): Promise<void> {
    const step = this.steps()[index];
    if (!step || !this.session) return;
    const button = step.querySelector<HTMLButtonElement>('[data-act="check"]')!;
    const result = step.querySelector<HTMLElement>('.sl-lab-result')!;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    result.hidden = false;
    result.replaceChildren('Checking…');
    try {
      const r = await api.checkStep(this.session.id, this.session.token, index);
      this.store.markPassed(this.stepIds[index]!, r.ok);
      this.showStatus(step, r.ok);
      result.replaceChildren();
      if (!r.ok && r.diagnosis) result.append(diagnosisBox(r.diagnosis));
      richText(result, r.message);
      if (!r.ok && r.hint && !r.diagnosis) {
        const hint = document.createElement('p');
        hint.className = 'sl-lab-hint';
        richText(hint, `Hint: ${r.hint}`);
        result.append(hint);
      }
      if (!r.ok && r.observed) {
        const seen = document.createElement('pre');
        seen.textContent = r.observed;
        result.append(seen);
      }
      this.say(`Step ${index + 1}: ${r.ok ? 'Passed' : 'Not yet'}.${!r.ok && r.diagnosis ? ` ${r.diagnosis.title}.` : ''}`);
    } catch (err) {
      result.hidden = true;
      this.problem(err);
      if (err instanceof api.LabApiError && err.status === 404) this.endSession('Your lab session has ended. Press "Start lab" for a new one.');
    } finally {
      button.removeAttribute('aria-busy');
      button.disabled = this.state !== 'running';
    }
  }

  private toggleSolution(button: HTMLElement): void {
    const solution = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (!solution) return;
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    solution.hidden = !open;
  }

  private async openTerminal(): Promise<void> {
    if (!this.session) return;
    const region = this.$('.sl-lab-terminal');
    region.hidden = false;
    this.terminal?.dispose();
    const { LabTerminal } = await import('./terminal.ts');
    const sr = this.$('[data-act="screen-reader"]') as HTMLInputElement;
    this.terminal = new LabTerminal({
      container: region,
      sessionId: this.session.id,
      token: this.session.token,
      screenReaderMode: sr.checked,
      events: {
        onConnected: () => {
          if (this.root.getAttribute('data-terminal') === 'disconnected') this.say('Terminal reconnected.');
          this.root.setAttribute('data-terminal', 'connected');
        },
        onStatus: (text) => {
          this.root.setAttribute('data-terminal', 'disconnected');
          this.say(text);
        },
        onProblem: (message, fix) => this.problem(new api.LabApiError({ message, fix }, 0)),
        onSessionEnded: (reason) => void this.sessionEnded(reason),
      },
    });
  }

  /** The terminal says the session is over; a reset we started ourselves is not. */
  private async sessionEnded(reason: string): Promise<void> {
    if (this.state === 'busy' || !this.session) return;
    let alive: boolean;
    try {
      alive = await api.sessionAlive(this.session.id, this.session.token);
    } catch {
      // The server itself does not answer (restarting?): keep the session and try again shortly.
      this.root.setAttribute('data-terminal', 'disconnected');
      this.say('The lab server does not answer; retrying…');
      setTimeout(() => this.terminal?.reconnect(), 3000);
      return;
    }
    if (alive) {
      this.terminal?.reconnect();
      return;
    }
    this.endSession(`Your lab session has ended (${reason}). Press "Start lab" for a new one; your progress is kept.`);
  }

  /** After a failed reset or rebuild: keep going if the session lives, else end it. */
  private async afterFailure(): Promise<void> {
    const alive = this.session ? await api.sessionAlive(this.session.id, this.session.token).catch(() => false) : false;
    if (alive) {
      this.setState('running');
      this.terminal?.reconnect();
    } else {
      this.endSession();
    }
  }

  private endSession(message?: string): void {
    this.session = undefined;
    this.store.update((p) => delete p.session);
    this.terminal?.dispose();
    this.terminal = undefined;
    this.$('.sl-lab-terminal').hidden = true;
    this.root.removeAttribute('data-terminal');
    this.setState('idle');
    if (message) this.say(message);
  }

  private setState(state: State): void {
    this.state = state;
    this.root.dataset.state = state;
    const running = state === 'running';
    this.button('start').disabled = state !== 'idle';
    this.button('reset').disabled = !running;
    this.button('stop').hidden = !running;
    this.button('rebuild').disabled = !running;
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('[data-act="check"], [data-act="run"]')) b.disabled = !running;
  }

  private showStatuses(passed: readonly string[]): void {
    const done = new Set(passed);
    this.steps().forEach((step, i) => this.showStatus(step, done.has(this.stepIds[i]!)));
  }

  private showStatus(step: HTMLElement, passed: boolean): void {
    const status = step.querySelector<HTMLElement>('.sl-lab-step-status')!;
    status.textContent = passed ? 'Passed' : 'Not yet';
    status.dataset.state = passed ? 'passed' : 'open';
  }

  private clearResults(): void {
    for (const r of this.root.querySelectorAll<HTMLElement>('.sl-lab-result')) {
      r.hidden = true;
      r.replaceChildren();
    }
  }

  private showRebuild(): void {
    const target = rebuildTarget(this.stepIds, this.store.load());
    const b = this.button('rebuild');
    b.hidden = target <= 0;
    b.textContent = `Rebuild to step ${target + 1}`;
  }

  private progress(p: api.ProgressLine): void {
    const box = this.$('.sl-lab-progress');
    box.hidden = false;
    const bar = box.querySelector('progress')!;
    bar.max = 100;
    bar.value = overallPercent(p);
    const list = box.querySelector('ol')!;
    const last = list.lastElementChild as HTMLElement | null;
    // One line per phase; repeated events of a phase update its line.
    if (last?.dataset.phase === p.phase) last.textContent = p.message;
    else {
      const li = document.createElement('li');
      li.dataset.phase = p.phase;
      li.textContent = p.message;
      list.append(li);
    }
  }

  private hideProgress(): void {
    const box = this.$('.sl-lab-progress');
    box.hidden = true;
    box.querySelector('ol')!.replaceChildren();
  }

  private say(text: string): void {
    this.$('.sl-lab-status').textContent = text;
  }

  private problem(err: unknown): void {
    const box = this.$('.sl-lab-problem');
    box.replaceChildren();
    const e = err instanceof api.LabApiError ? err : new api.LabApiError({ message: 'Something went wrong in the page.', fix: 'reload the page' }, 0);
    const p = document.createElement('p');
    richText(p, e.message);
    box.append(p);
    if (e.fix) {
      const fix = document.createElement('p');
      richText(fix, `To fix it: ${e.fix}`);
      box.append(fix);
    }
    box.hidden = false;
    this.say('');
  }

  private clearProblem(): void {
    const box = this.$('.sl-lab-problem');
    box.hidden = true;
    box.replaceChildren();
  }
}

export function initLabPanels(): void {
  for (const root of document.querySelectorAll<HTMLElement>('[data-lab]')) {
    if (root.dataset.wired) continue;
    root.dataset.wired = 'true';
    void new LabPanel(root).init();
  }
}
