// Course progress at a glance: marks the links to lessons (sidebar, home page cards) whose lab the
// learner has done (✓) or begun (2/4), from the progress the lab panel keeps in localStorage.
// Tiny on purpose: it runs on every page.
import { ProgressStore } from './store.ts';
import { storage } from './panel/session.ts';

export interface LabStatus {
  passed: number;
  total: number;
  done: boolean;
}

export function labStatus(stepIds: readonly string[], passed: readonly string[]): LabStatus {
  const n = stepIds.filter((id) => passed.includes(id)).length;
  return { passed: n, total: stepIds.length, done: stepIds.length > 0 && n === stepIds.length };
}

function badge(s: LabStatus): HTMLElement {
  const span = document.createElement('span');
  span.className = 'sl-course-badge';
  span.dataset.state = s.done ? 'done' : 'begun';
  const shown = document.createElement('span');
  shown.setAttribute('aria-hidden', 'true');
  shown.textContent = s.done ? '✓' : `${s.passed}/${s.total}`;
  const said = document.createElement('span');
  said.className = 'sl-visually-hidden';
  said.textContent = s.done ? ' (lab done)' : ` (${s.passed} of ${s.total} lab steps done)`;
  span.append(shown, said);
  return span;
}

/** Reads `data-course-labs` ({slug: stepIds}) and marks every link to a lesson with its lab's status. */
export function showCourseProgress(doc: Document = document): void {
  const holder = doc.querySelector<HTMLElement>('[data-course-labs]');
  if (!holder) return;
  const labs = JSON.parse(holder.dataset.courseLabs ?? '{}') as Record<string, string[]>;
  let done = 0;
  for (const [slug, stepIds] of Object.entries(labs)) {
    const s = labStatus(stepIds, new ProgressStore(slug, storage()).load().passed);
    if (s.done) done++;
    for (const a of doc.querySelectorAll<HTMLAnchorElement>(`a[href$="/lessons/${slug}/"]`)) {
      a.querySelector('.sl-course-badge')?.remove();
      if (s.passed) (a.querySelector('.title, span') ?? a).append(badge(s));
    }
  }
  const summary = doc.querySelector<HTMLElement>('[data-course-summary]');
  if (summary && done) {
    summary.textContent = `You have done ${done} of ${Object.keys(labs).length} labs (kept in this browser).`;
    summary.hidden = false;
  }
}
