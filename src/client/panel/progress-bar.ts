// The start / reset / rebuild progress bar: each engine phase reports its own done/total; the bar
// shows them as one run from 0 to 100, with one line of text per phase.
import type { ProgressLine } from '../api-client.ts';

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

export function showProgress(box: HTMLElement, p: ProgressLine): void {
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

export function hideProgress(box: HTMLElement): void {
  box.hidden = true;
  box.querySelector('ol')!.replaceChildren();
}
