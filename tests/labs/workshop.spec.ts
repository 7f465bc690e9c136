// Workshop mode in Chromium: a workshop server of its own (port 4406 unless WORKSHOP_PORT), the
// instructor page and three real learner browser contexts. Learners join with the event code (a
// wrong one is refused with a clear message), their progress appears in the roster, the instructor
// resets one learner and watches another's terminal live, read-only; axe finds nothing serious.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { LabPage } from './lab-page.ts';

const port = Number(process.env.WORKSHOP_PORT ?? 4406);
const base = `http://127.0.0.1:${port}`;
const CODE = 'ROOM-4242';
const SECRET = 'workshop-spec-instructor-secret-42';
const SLUG = 'what-is-a-sidecar';
let server: ChildProcess | undefined;

test.describe.configure({ mode: 'serial' });
test.setTimeout(12 * 60_000);

test.beforeAll(async () => {
  // As an instructor starts a room (the site is already built by the browser step); the secret from
  // the variable, as a second process of the same room would share it.
  const args = [
    'sidecar-labs',
    'workshop',
    '--no-build',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--code',
    CODE,
  ];
  server = spawn('npx', args, {
    env: { ...process.env, SIDECAR_LABS_INSTRUCTOR_SECRET: SECRET },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    server!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Instructor page:')) resolve();
    });
    server!.once('exit', (code) => reject(new Error(`npx ${args.join(' ')} exited with ${code}:\n${out}`)));
  });
  expect(out).toContain(`Learners open:   ${base}/`);
  expect(out).toContain(`Instructor page: ${base}/instructor/#key=${SECRET}`);
});

test.afterAll(async () => {
  if (server && server.exitCode === null)
    await new Promise((r) => {
      server!.once('exit', r);
      server!.kill('SIGTERM');
    });
});

async function learnerPage(browser: Browser): Promise<{ page: Page; lab: LabPage }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${base}/lessons/${SLUG}/`);
  return { page, lab: new LabPage(page, SLUG) };
}

async function join(page: Page, code: string, name: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Join the workshop' });
  await form.getByLabel('Event code').fill(code);
  await form.getByLabel('Your name').fill(name);
  await form.getByRole('button', { name: 'Join' }).click();
}

function row(instructor: Page, name: string) {
  return instructor.getByRole('row').filter({ has: instructor.getByRole('rowheader', { name, exact: true }) });
}

test('without the code no lab starts, and a wrong code gets a clear message', async ({ browser }) => {
  const { page } = await learnerPage(browser);
  await page.getByRole('button', { name: 'Start lab' }).click();
  await expect(page.locator('.sl-lab-problem')).toContainText('This lab is part of a workshop: join it first.');
  await join(page, 'WRONG-CODE', 'Mallory');
  const alert = page.getByRole('form', { name: 'Join the workshop' }).getByRole('alert');
  await expect(alert).toHaveText(
    /That is not the event code of this workshop\. To fix it: type the code your instructor shows/,
  );
  await expect(page.getByLabel('Event code')).toBeFocused();
  await page.context().close();
});

test('three learners: roster, reset, and a live read-only view of a terminal', async ({ browser }) => {
  const instructorContext = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const instructor = await instructorContext.newPage();
  await instructor.goto(`${base}/instructor/#key=${SECRET}`);
  await expect(instructor.getByText(/^Updated /)).toBeVisible();
  expect(new URL(instructor.url()).hash).toBe(''); // the key left the address bar

  const names = ['Ada', 'Grace', 'Linus'];
  const learners = await Promise.all(names.map(() => learnerPage(browser)));
  try {
    for (const [i, l] of learners.entries()) await join(l.page, i === 1 ? ' room 4242 ' : CODE, names[i]!);
    for (const l of learners) await expect(l.page.getByText(/In the workshop as “(Ada|Grace|Linus)”/)).toBeVisible();
    await Promise.all(learners.map((l) => l.lab.start()));
    for (const n of names) await expect(row(instructor, n)).toBeVisible({ timeout: 10_000 });

    // progress: Ada and Grace pass step 1, and the roster shows it within seconds
    for (const l of learners.slice(0, 2)) {
      await l.lab.type('kubectl exec pair -c helper -- wget -qO- http://localhost');
      await l.lab.checkUntilPassed(0);
    }
    await expect(row(instructor, 'Ada').getByRole('listitem').first()).toHaveAttribute('data-mark', 'p', {
      timeout: 5000,
    });
    await expect(row(instructor, 'Grace').getByRole('listitem').first()).toContainText('Step 1: passed', {
      timeout: 5000,
    });
    await expect(row(instructor, 'Linus').getByRole('cell').nth(1)).toHaveText('step 1 of 2');
    await expect(instructor.locator('[data-classes] table')).toContainText('2 of 3');

    // the instructor resets Grace: her roster row goes back to "not tried", her page reconnects
    instructor.once('dialog', (d) => void d.accept());
    await row(instructor, 'Grace').getByRole('button', { name: "Reset Grace's lab" }).click();
    await expect(instructor.getByRole('status')).toContainText('Resetting for Grace: done.', { timeout: 120_000 });
    await expect(row(instructor, 'Grace').getByRole('listitem').first()).toHaveAttribute('data-mark', '-', {
      timeout: 5000,
    });
    await expect
      .poll(() => learners[1]!.page.locator('[data-lab]').getAttribute('data-terminal'), { timeout: 60_000 })
      .toBe('connected');

    // the instructor watches Linus: what Linus types appears live; the view takes no input
    await row(instructor, 'Linus').getByRole('button', { name: "Watch Linus's terminal" }).click();
    const watch = instructor.getByRole('region', { name: /Terminal of Linus/ });
    await expect(watch).toBeVisible();
    await expect(watch).toContainText('Watching live. You cannot type here.');
    await learners[2]!.lab.type('echo "seen-by-the-instructor-$((6*7))"');
    await expect(watch.locator('.xterm-rows')).toContainText('seen-by-the-instructor-42', { timeout: 10_000 });
    await watch.locator('.xterm').click();
    await instructor.keyboard.type('echo typed-by-instructor\n');
    await learners[2]!.page.waitForTimeout(1500);
    expect(await learners[2]!.lab.screen()).not.toContain('typed-by-instructor');

    const results = await new AxeBuilder({ page: instructor }).analyze();
    const bad = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    expect(bad).toEqual([]);

    // CSV export holds the room
    const download = instructor.waitForEvent('download');
    await instructor.getByRole('button', { name: 'Export the roster as CSV' }).click();
    const csv = await (await download).createReadStream().then(async (s) => {
      let t = '';
      for await (const c of s) t += c;
      return t;
    });
    expect(csv).toMatch(/^learner,lab,current step/);
    expect(csv).toMatch(/\r\nAda,what-is-a-sidecar,2,p-,1,/);
  } finally {
    for (const l of learners) await l.lab.stop().catch(() => {});
    await instructorContext.close();
    for (const l of learners) await l.page.context().close();
  }
});
