// What "Check" answers, under the step: the checks' lines, then (when not passed) the hint and what
// the check observed. One place to extend when a result carries more (e.g. a diagnosed mistake).
import type { CheckResult } from '../api-client.ts';
import { richText } from './rich-text.ts';

export function renderCheckResult(target: HTMLElement, r: CheckResult): void {
  target.replaceChildren();
  richText(target, r.message);
  if (!r.ok && r.hint) {
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
