// <sl-lab-panel>: the lab panel's behaviour (markup: src/components/Lab.astro). It is the state
// machine (idle → busy → running) and the wiring; the parts live beside it:
//   panel/view.ts     the DOM (buttons, statuses, current step, messages)
//   panel/session.ts  API calls + what localStorage keeps
//   panel/events.ts   the `sl-lab:state` event other modules listen to, and the markup slots
//   live.ts           terminal + Pod view + docked layout, imported only when a lab starts or resumes
// Small on purpose: it ships with every lesson page.
import * as api from './api-client.ts';
import { emitProgress, emitState, type PanelState } from './panel/events.ts';
import { checkAnnouncement } from './panel/check-result.ts';
import { LabSession, storage } from './panel/session.ts';
import { PanelView } from './panel/view.ts';
import type { Dock, LabTerminal, PodViewElement } from './live.ts';

const SR_KEY = 'sidecar-labs:screen-reader';

export class LabPanelElement extends HTMLElement {
  private state: PanelState = 'idle';
  private view!: PanelView;
  private lab!: LabSession;
  private terminal: LabTerminal | undefined;
  private dock: Dock | undefined;

  connectedCallback(): void {
    if (this.view) return;
    this.view = new PanelView(this);
    this.lab = new LabSession(this.dataset.lab ?? '', JSON.parse(this.dataset.steps ?? '[]') as string[]);
    void this.init();
  }

  private async init(): Promise<void> {
    this.addEventListener('click', (ev) => this.onClick(ev));
    this.wireScreenReader();
    this.view.showStatuses(this.lab.stepIds, this.lab.progress().passed);
    this.view.showRebuild(this.lab.rebuildTarget());
    if (!this.lab.progress().session) return;
    // Resume after a reload: the session may still run (also after a server restart).
    this.setState('busy');
    this.view.say('Reconnecting to your lab…');
    try {
      if (await this.lab.resume()) {
        await this.openLive();
        this.setState('running');
        this.view.say('Lab running. Your progress was kept.');
        return;
      }
      this.view.say('Your previous lab session has ended. Press "Start lab" for a new one; your progress is kept.');
    } catch (err) {
      this.view.problem(err);
    }
    this.setState('idle');
  }

  private wireScreenReader(): void {
    const sr = this.srToggle();
    sr.checked = storage()?.getItem(SR_KEY) === 'on';
    sr.addEventListener('change', () => {
      try {
        storage()?.setItem(SR_KEY, sr.checked ? 'on' : 'off');
      } catch {
        /* not kept */
      }
      this.terminal?.setScreenReaderMode(sr.checked);
    });
  }

  private srToggle(): HTMLInputElement {
    return this.view.$('[data-act="screen-reader"]') as HTMLInputElement;
  }

  private onClick(ev: Event): void {
    const target = (ev.target as HTMLElement).closest<HTMLElement>('[data-act]');
    if (!target || target instanceof HTMLInputElement) return;
    const step = target.closest<HTMLElement>('.sl-lab-step');
    const index = step ? Number(step.dataset.stepIndex) : -1;
    const actions: Record<string, () => void> = {
      start: () => void this.start(),
      reset: () => void this.reset(),
      rebuild: () => void this.rebuild(),
      stop: () => void this.stop(),
      check: () => void this.check(index),
      run: () => this.terminal?.run(target.dataset.command ?? ''),
      solution: () => this.view.toggleSolution(target),
    };
    actions[target.dataset.act ?? '']?.();
  }

  /** A long operation: busy state, progress bar, problems shown; `after` decides what follows a failure. */
  private async operation(message: string, op: () => Promise<void>, onFailure: () => Promise<void>): Promise<void> {
    this.setState('busy');
    this.view.clearProblem();
    this.view.say(message);
    try {
      await op();
    } catch (err) {
      this.view.problem(err);
      await onFailure();
    } finally {
      this.view.hideProgress();
    }
  }

  private async start(): Promise<void> {
    if (this.state !== 'idle') return;
    // Fetch the terminal code while the cluster works.
    import('./live.ts').catch(() => {});
    await this.operation(
      'Starting the lab…',
      async () => {
        await this.lab.start((p) => this.view.progress(p));
        await this.openLive();
        this.setState('running');
        this.view.say('Lab running. Type in the terminal, or press "Run" next to a command.');
        this.terminal?.focus();
      },
      async () => this.setState('idle'),
    );
  }

  private async reset(): Promise<void> {
    if (this.state !== 'running') return;
    await this.operation(
      'Resetting the lab to its starting point…',
      async () => {
        await this.lab.reset((p) => this.view.progress(p));
        this.view.showStatuses(this.lab.stepIds, []);
        this.view.clearResults();
        this.terminal?.reconnect();
        this.setState('running');
        this.view.showRebuild(this.lab.rebuildTarget());
        this.view.say('The lab is back at its start. Every step reads "Not yet" again.');
      },
      () => this.afterFailure(),
    );
  }

  /** "Rebuild to step N": apply the solutions of the steps before N, then check them. */
  private async rebuild(): Promise<void> {
    const upTo = this.lab.rebuildTarget();
    if (this.state !== 'running' || upTo <= 0) return;
    await this.operation(
      `Rebuilding the lab up to step ${upTo + 1}…`,
      async () => {
        await this.lab.rebuild(upTo, (p) => this.view.progress(p));
        this.setState('running');
        this.view.showRebuild(this.lab.rebuildTarget());
        // Confirm with the real checks rather than assuming the solutions worked.
        for (let i = 0; i < upTo; i++) await this.check(i);
        this.view.say(`Rebuilt: continue with step ${upTo + 1}.`);
      },
      () => this.afterFailure(),
    );
  }

  private async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.setState('busy');
    try {
      await this.lab.stop();
    } catch (err) {
      this.view.problem(err);
    }
    this.endSession('Lab stopped. Your progress is kept; press "Start lab" to continue later.');
  }

  private async check(index: number): Promise<void> {
    const step = this.view.steps()[index];
    if (!step || !this.lab.current) return;
    this.view.checking(step, true);
    try {
      const r = await this.lab.check(index);
      this.view.showStatus(step, r.ok);
      this.view.showResult(step, r);
      this.view.markCurrent();
      this.view.say(checkAnnouncement(index, r));
      emitProgress(this, { step: index, ok: r.ok });
    } catch (err) {
      this.view.showResult(step, undefined);
      this.view.problem(err);
      if (err instanceof api.LabApiError && err.status === 404)
        this.endSession('Your lab session has ended. Press "Start lab" for a new one.');
    } finally {
      this.view.checking(step, false);
    }
  }

  /** Terminal, Pod view and docked layout for the running session. */
  private async openLive(): Promise<void> {
    const session = this.lab.current;
    if (!session) return;
    const live = await import('./live.ts');
    const region = this.view.$('.sl-lab-terminal');
    region.hidden = false;
    this.terminal?.dispose();
    this.terminal = new live.LabTerminal({
      container: region,
      sessionId: session.id,
      token: session.token,
      screenReaderMode: this.srToggle().checked,
      events: {
        onConnected: () => {
          if (this.getAttribute('data-terminal') === 'disconnected') this.view.say('Terminal reconnected.');
          this.setAttribute('data-terminal', 'connected');
        },
        onStatus: (text) => {
          this.setAttribute('data-terminal', 'disconnected');
          this.view.say(text);
        },
        onProblem: (message, fix) => this.view.problem(new api.LabApiError({ message, fix }, 0)),
        onSessionEnded: (reason) => void this.sessionEnded(reason),
      },
    });
    live.definePodView();
    const pods = this.querySelector<PodViewElement>('sl-pod-view');
    pods?.follow(session);
    this.view.$('.sl-lab-live-extra').hidden = false;
    this.dock ??= new live.Dock(this, () => this.terminal?.focus());
    this.dock.open();
  }

  /** The terminal says the session is over; a reset we started ourselves is not. */
  private async sessionEnded(reason: string): Promise<void> {
    if (this.state === 'busy' || !this.lab.current) return;
    let alive: boolean;
    try {
      alive = await this.lab.alive();
    } catch {
      // The server itself does not answer (restarting?): keep the session and try again shortly.
      this.setAttribute('data-terminal', 'disconnected');
      this.view.say('The lab server does not answer; retrying…');
      setTimeout(() => this.terminal?.reconnect(), 3000);
      return;
    }
    if (alive) this.terminal?.reconnect();
    else
      this.endSession(
        `Your lab session has ended (${reason}). Press "Start lab" for a new one; your progress is kept.`,
      );
  }

  /** After a failed reset or rebuild: keep going if the session lives, else end it. */
  private async afterFailure(): Promise<void> {
    const alive = await this.lab.alive().catch(() => false);
    if (alive) {
      this.setState('running');
      this.terminal?.reconnect();
    } else {
      this.endSession();
    }
  }

  private endSession(message?: string): void {
    this.lab.forget();
    this.terminal?.dispose();
    this.terminal = undefined;
    (this.querySelector('sl-pod-view') as Partial<PodViewElement> | null)?.disconnect?.();
    this.view.$('.sl-lab-live-extra').hidden = true;
    this.dock?.close();
    this.dock = undefined;
    this.view.$('.sl-lab-terminal').hidden = true;
    this.removeAttribute('data-terminal');
    this.setState('idle');
    if (message) this.view.say(message);
  }

  private setState(state: PanelState): void {
    this.state = state;
    this.view.setState(state);
    emitState(this, { state, session: this.lab.current });
  }
}

export function defineLabPanel(): void {
  if (!customElements.get('sl-lab-panel')) customElements.define('sl-lab-panel', LabPanelElement);
}
