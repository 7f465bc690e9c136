// A learner at a lab panel, for the Playwright "labs" tests: clicks the panel's buttons by their
// accessible names, types into the terminal with the keyboard, and reads what the terminal shows.
import { expect, type Locator, type Page } from '@playwright/test';

/** The toolbox image's prompt (scripts/kit/images/toolbox/bashrc): learner@lab:<dir>$ */
export const PROMPT = /learner@lab:[^$\n]*\$$/;

export class LabPage {
  readonly page: Page;
  readonly slug: string;
  readonly terminal: Locator;

  constructor(page: Page, slug: string) {
    this.page = page;
    this.slug = slug;
    this.terminal = page.getByRole('region', { name: 'Lab terminal' });
  }

  async open(): Promise<void> {
    await this.page.goto(`/lessons/${this.slug}/`);
    await expect(this.page.getByRole('button', { name: 'Start lab' })).toBeVisible();
  }

  /** Press "Start lab" and wait for the shell prompt in the terminal. */
  async start(): Promise<void> {
    await this.page.getByRole('button', { name: 'Start lab' }).click();
    await this.waitForPrompt(240_000);
  }

  /** The terminal's visible rows, as text (what a sighted learner sees). */
  async rows(): Promise<string[]> {
    const rows = await this.terminal.locator('.xterm-rows > div').allInnerTexts();
    return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
  }

  /**
   * The visible text with wrapped lines joined again: xterm's DOM renderer draws one row per screen
   * line, and a row filled to the last column continues on the next one.
   */
  async screen(): Promise<string> {
    const raw = (await this.terminal.locator('.xterm-rows > div').allInnerTexts()).map((r) =>
      r.replace(/\u00a0/g, ' '),
    );
    // The panel publishes the terminal's width (data-cols) for exactly this.
    const cols = Number(await this.terminal.getAttribute('data-cols'));
    let text = '';
    raw.forEach((row, i) => {
      text += row;
      if (i < raw.length - 1 && !(cols > 0 && row.length >= cols)) text += '\n';
    });
    return text
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  }

  /** The last non-empty row is a bare prompt: the shell waits for input. */
  async atPrompt(): Promise<boolean> {
    const rows = (await this.rows()).filter((r) => r.trim() !== '');
    return PROMPT.test(rows.at(-1) ?? '');
  }

  async waitForPrompt(timeout = 60_000): Promise<void> {
    await expect.poll(() => this.atPrompt(), { timeout, message: 'the shell prompt in the lab terminal' }).toBe(true);
  }

  /** Type a command with the keyboard, press Enter, wait until the shell prompts again. */
  async type(command: string, opts: { timeout?: number; until?: RegExp } = {}): Promise<string> {
    await this.terminal.click();
    await this.page.keyboard.type(command, { delay: 5 });
    // Wait for the echo first: until then the old bare prompt would look like "done".
    await expect.poll(() => this.atPrompt(), { timeout: 30_000, message: 'the typed command echoed' }).toBe(false);
    await this.page.keyboard.press('Enter');
    // The command line itself ends with the command, not "$", so this waits for the next prompt.
    if (opts.until) {
      await expect.poll(() => this.screen(), { timeout: opts.timeout ?? 120_000 }).toMatch(opts.until);
    } else {
      await this.waitForPrompt(opts.timeout ?? 120_000);
    }
    return this.screen();
  }

  /** The step's list item (its heading starts with "Step N:"). */
  step(index: number): Locator {
    return this.page.locator('.sl-lab-step').nth(index);
  }

  status(index: number): Locator {
    return this.step(index).locator('.sl-lab-step-status');
  }

  /**
   * Press "Check" until the step reads "Passed" (like a learner who waits a moment and checks again:
   * some outcomes, such as a sidecar's next log line, take a few seconds to appear).
   */
  async checkUntilPassed(index: number, timeout = 150_000): Promise<void> {
    const check = this.step(index).getByRole('button', { name: 'Check', exact: true });
    const deadline = Date.now() + timeout;
    for (;;) {
      await expect(check).toBeEnabled({ timeout: 60_000 });
      await check.click();
      await expect(check).toBeEnabled({ timeout: 90_000 }); // the check has answered
      const text = (await this.status(index).innerText()).trim();
      if (text === 'Passed') return;
      expect(text).toBe('Not yet');
      if (Date.now() > deadline) {
        throw new Error(
          `step ${index + 1} of ${this.slug} still "Not yet": ${await this.step(index).locator('.sl-lab-result').innerText()}`,
        );
      }
      await this.page.waitForTimeout(3000);
    }
  }

  /** Press "Check" once and return the step's status text. */
  async checkOnce(index: number): Promise<string> {
    const check = this.step(index).getByRole('button', { name: 'Check', exact: true });
    await expect(check).toBeEnabled({ timeout: 60_000 });
    await check.click();
    await expect(this.step(index).locator('.sl-lab-result')).not.toHaveText('Checking…', { timeout: 90_000 });
    await expect(check).toBeEnabled({ timeout: 90_000 });
    return (await this.status(index).innerText()).trim();
  }

  async session(): Promise<{ id: string; token: string } | undefined> {
    return this.page.evaluate((slug) => {
      const raw = localStorage.getItem(`sidecar-labs:lab:${slug}`);
      return raw ? (JSON.parse(raw) as { session?: { id: string; token: string } }).session : undefined;
    }, this.slug);
  }

  /** Stop the lab (deletes the namespace) so tests leave nothing behind. */
  async stop(): Promise<void> {
    const stop = this.page.getByRole('button', { name: 'Stop lab' });
    if (await stop.isVisible()) {
      await stop.click();
      await expect(this.page.getByRole('button', { name: 'Start lab' })).toBeEnabled({ timeout: 60_000 });
    }
  }
}
