// For every lab: a learner opens the lesson, presses "Start lab", waits for the prompt, types each
// step's commands with the keyboard, sees the expected output, presses "Check" and sees "Passed".
// Real lab server, real kind cluster, Debian's Chromium.
import { expect, test } from '@playwright/test';
import { labSummaries } from '../../src/engine/index.ts';
import { LabPage } from './lab-page.ts';
import { labScripts } from './lab-scripts.ts';
import { lessonSlugs } from '../../src/course/lessons.ts';

const labs = labSummaries();

test('every lab has a browser script, and the script knows only real steps', () => {
  expect(labs.map((l) => l.slug).sort()).toEqual([...lessonSlugs].sort());
  for (const lab of labs) {
    const script = labScripts[lab.slug];
    expect(script, `tests/labs/lab-scripts.ts has no entry for ${lab.slug}`).toBeDefined();
    expect(Object.keys(script!).sort()).toEqual(lab.steps.map((s) => s.id).sort());
  }
});

for (const lab of labs) {
  test(`${lab.slug}: a learner completes every step in the browser`, async ({ page }) => {
    test.setTimeout(15 * 60_000);
    const learner = new LabPage(page, lab.slug);
    await learner.open();
    for (let i = 0; i < lab.steps.length; i++) await expect(learner.status(i)).toHaveText('Not yet');
    await learner.start();
    try {
      for (const [i, step] of lab.steps.entries()) {
        const script = labScripts[lab.slug]![step.id]!;
        for (const [c, command] of step.commands.entries()) {
          if (script.checkBefore === c) await learner.checkUntilPassed(i);
          for (const extra of script.before?.[c] ?? []) await learner.type(extra, { timeout: 200_000 });
          const interactive = script.interactive?.[c];
          const shown = await learner.type(command.run, interactive ? { until: interactive.until } : {});
          const expected = script.expect?.[c];
          if (expected) expect(shown, `after \`${command.run}\``).toMatch(expected);
          for (const line of interactive?.then ?? []) await learner.type(line);
        }
        if (script.checkBefore === undefined) await learner.checkUntilPassed(i);
        await expect(learner.status(i)).toHaveText('Passed');
      }
    } catch (err) {
      // What the terminal showed, for the report: the quickest way to see why a step failed.
      await test.info().attach('terminal.txt', {
        body: await learner.screen().catch(() => '(no terminal)'),
        contentType: 'text/plain',
      });
      throw err;
    } finally {
      await learner.stop();
    }
  });
}
