// The lab panel's DOM (markup: src/components/Lab.astro): buttons per state, step statuses, the
// current step, status line and problems. No API calls, no storage.
import * as api from '../api-client.ts';
import { hideProgress, showProgress } from './progress-bar.ts';
import { renderCheckResult } from './check-result.ts';
import { richText } from './rich-text.ts';
import type { PanelState } from './events.ts';

export class PanelView {
  readonly root: HTMLElement;

  constructor(root: HTMLElement) {
    this.root = root;
  }

  $(selector: string): HTMLElement {
    const el = this.root.querySelector<HTMLElement>(selector);
    if (!el) throw new Error(`lab panel: missing ${selector}`);
    return el;
  }

  button(act: string): HTMLButtonElement {
    return this.$(`[data-act="${act}"]`) as HTMLButtonElement;
  }

  steps(): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>('.sl-lab-step')];
  }

  setState(state: PanelState): void {
    this.root.dataset.state = state;
    const running = state === 'running';
    this.button('start').disabled = state !== 'idle';
    this.button('reset').disabled = !running;
    this.button('stop').hidden = !running;
    this.button('rebuild').disabled = !running;
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('[data-act="check"], [data-act="run"]'))
      b.disabled = !running;
  }

  /** Status of every step; the first one not passed becomes the current step. */
  showStatuses(stepIds: readonly string[], passed: readonly string[]): void {
    const done = new Set(passed);
    this.steps().forEach((step, i) => this.showStatus(step, done.has(stepIds[i]!)));
    this.markCurrent();
  }

  showStatus(step: HTMLElement, passed: boolean): void {
    const status = step.querySelector<HTMLElement>('.sl-lab-step-status')!;
    status.textContent = passed ? 'Passed' : 'Not yet';
    status.dataset.state = passed ? 'passed' : 'open';
  }

  /** aria-current="step" on the first open step, scrolled into view inside the steps list only. */
  markCurrent(): void {
    const steps = this.steps();
    const current = steps.find((s) => s.querySelector<HTMLElement>('.sl-lab-step-status')?.dataset.state !== 'passed');
    for (const s of steps) s.toggleAttribute('aria-current', false);
    if (!current) return;
    current.setAttribute('aria-current', 'step');
    const list = current.parentElement;
    // Only the list scrolls (when docked); scrollIntoView could move the lesson or the terminal.
    if (list && list.scrollHeight > list.clientHeight) list.scrollTop = current.offsetTop - list.offsetTop;
  }

  clearResults(): void {
    for (const r of this.root.querySelectorAll<HTMLElement>('.sl-lab-result')) {
      r.hidden = true;
      r.replaceChildren();
    }
  }

  checking(step: HTMLElement, busy: boolean): void {
    const button = step.querySelector<HTMLButtonElement>('[data-act="check"]')!;
    button.disabled = busy || this.root.dataset.state !== 'running';
    if (busy) button.setAttribute('aria-busy', 'true');
    else button.removeAttribute('aria-busy');
    if (busy) {
      const result = step.querySelector<HTMLElement>('.sl-lab-result')!;
      result.hidden = false;
      result.replaceChildren('Checking…');
    }
  }

  showResult(step: HTMLElement, r: api.CheckResult | undefined): void {
    const result = step.querySelector<HTMLElement>('.sl-lab-result')!;
    result.hidden = !r;
    if (r) renderCheckResult(result, r);
    else result.replaceChildren();
  }

  showRebuild(target: number): void {
    const b = this.button('rebuild');
    b.hidden = target <= 0;
    b.textContent = `Rebuild to step ${target + 1}`;
  }

  toggleSolution(button: HTMLElement): void {
    const solution = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (!solution) return;
    const open = button.getAttribute('aria-expanded') !== 'true';
    button.setAttribute('aria-expanded', String(open));
    solution.hidden = !open;
  }

  progress(p: api.ProgressLine): void {
    showProgress(this.$('.sl-lab-progress'), p);
  }

  hideProgress(): void {
    hideProgress(this.$('.sl-lab-progress'));
  }

  say(text: string): void {
    this.$('.sl-lab-status').textContent = text;
  }

  problem(err: unknown): void {
    const box = this.$('.sl-lab-problem');
    box.replaceChildren();
    const e =
      err instanceof api.LabApiError
        ? err
        : new api.LabApiError({ message: 'Something went wrong in the page.', fix: 'reload the page' }, 0);
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

  clearProblem(): void {
    const box = this.$('.sl-lab-problem');
    box.hidden = true;
    box.replaceChildren();
  }
}
