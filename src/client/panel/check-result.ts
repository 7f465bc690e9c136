// What "Check" answers, under the step: a listed mistake's diagnosis when the learner's state matches
// one, the checks' lines, then (when not passed) the hint and what the check observed.
import type { CheckResult } from '../api-client.ts';
import { richText } from './rich-text.ts';

/** A listed common mistake, set apart from the check list: what went wrong and what to do instead. */
function diagnosisBox(d: NonNullable<CheckResult['diagnosis']>): HTMLElement {
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

export function renderCheckResult(target: HTMLElement, r: CheckResult): void {
  target.replaceChildren();
  if (!r.ok && r.diagnosis) target.append(diagnosisBox(r.diagnosis));
  richText(target, r.message);
  // A diagnosis says what to do instead; the step's general hint would only repeat it less precisely.
  if (!r.ok && r.hint && !r.diagnosis) {
    const hint = document.createElement('p');
    hint.className = 'sl-lab-hint';
    richText(hint, `Hint: ${r.hint}`);
    target.append(hint);
  }
  if (!r.ok && r.observed) {
    const seen = document.createElement('pre');
    seen.textContent = r.observed;
    target.append(seen);
  }
}

/** The sentence read out after a check. */
export function checkAnnouncement(index: number, r: CheckResult): string {
  return `Step ${index + 1}: ${r.ok ? 'Passed' : 'Not yet'}.${!r.ok && r.diagnosis ? ` ${r.diagnosis.title}.` : ''}`;
}
