// A listed common mistake, made the way a learner makes it (typed into the lab terminal): "Check"
// answers "Not yet" with that mistake's own diagnosis, shown apart from the check list. The expected
// words come from lab.yaml, the one place the diagnosis is written.
import { expect, test } from '@playwright/test';
import { loadLab } from '../../src/engine/load.ts';
import { LabPage } from './lab-page.ts';

const slug = 'what-is-a-sidecar';
const lab = loadLab(slug);
const mistake = (stepId: string, id: string) =>
  lab.steps.find((s) => s.id === stepId)!.mistakes.find((m) => m.id === id)!;

test('a learner who makes a listed mistake reads its diagnosis, and none once the step is done right', async ({
  page,
}) => {
  test.setTimeout(8 * 60_000);
  const learner = new LabPage(page, slug);
  await learner.open();
  await learner.start();
  try {
    // Step 1 asks for nginx's home page from the helper; the learner asks for a page that does not exist.
    const notFound = mistake('shared-network', 'page-not-found');
    await learner.type('kubectl exec pair -c helper -- wget -qO- http://localhost/index.htm');
    expect(await learner.checkOnce(0)).toBe('Not yet');
    const box = learner.step(0).locator('.sl-lab-diagnosis');
    await expect(box).toBeVisible();
    await expect(box).toHaveAttribute('data-mistake', 'page-not-found');
    await expect(box).toContainText(`Common mistake: ${notFound.title}`);
    await expect(box).toContainText(notFound.diagnosis.replace(/`/g, ''));
    // the step's general hint gives way to the diagnosis
    await expect(learner.step(0).locator('.sl-lab-hint')).toHaveCount(0);

    // Step 2: the note written into the helper's own /tmp, not the shared volume.
    const outside = mistake('shared-volume', 'outside-the-volume');
    await learner.type(`kubectl exec pair -c helper -- sh -c 'echo "written by helper" > /tmp/note.txt'`);
    expect(await learner.checkOnce(1)).toBe('Not yet');
    await expect(learner.step(1).locator('.sl-lab-diagnosis')).toContainText(`Common mistake: ${outside.title}`);
    await expect(learner.step(1).locator('.sl-lab-diagnosis')).toContainText('Write it to /scratch/note.txt');

    // Done right, the step passes and no diagnosis is shown.
    await learner.type(`kubectl exec pair -c helper -- sh -c 'echo "written by helper" > /scratch/note.txt'`);
    await learner.checkUntilPassed(1);
    await expect(learner.step(1).locator('.sl-lab-diagnosis')).toHaveCount(0);
  } finally {
    await learner.stop();
  }
});
