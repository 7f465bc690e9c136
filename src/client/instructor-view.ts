// Rendering for the instructor page: one roster row (updated in place, so buttons keep focus across
// the one-second refresh) and the class view (SVG bars with the same numbers in a table). DOM only,
// never innerHTML: learner names are text.
export interface Row {
  sessionId: string;
  learner: string;
  /** The name as shown: made distinct by the server when two rows would look alike. */
  label: string;
  learnerId: string;
  slug: string;
  namespace: string;
  steps: ('p' | 'f' | '-')[];
  currentStep: number;
  lastActivity: string;
  expiresAt: string;
}
export interface ClassView {
  slug: string;
  title: string;
  learners: number;
  steps: { title: string; passed: number }[];
}

export const rowKey = (r: Row) => r.sessionId;

const MARK: Record<string, [string, string]> = {
  p: ['✓', 'passed'],
  f: ['✗', 'tried, not passed yet'],
  '-': ['·', 'not tried'],
};

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...kids: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
}

function newRow(r: Row): HTMLTableRowElement {
  const tr = h('tr', { 'data-key': rowKey(r) });
  const rebuild = h('select', { 'aria-label': `Step to rebuild ${r.label}'s lab to` });
  r.steps.forEach((_, i) => rebuild.append(h('option', { value: String(i) }, `to step ${i + 1}`)));
  const btn = (act: string, text: string, labelText: string) =>
    h('button', { type: 'button', 'data-act': act, 'aria-label': labelText }, text);
  tr.append(
    h('th', { scope: 'row', 'data-col': 'learner' }),
    h('td', { 'data-col': 'lab' }),
    h('td', { 'data-col': 'current' }),
    h('td', { 'data-col': 'steps' }),
    h('td', { 'data-col': 'activity' }),
    h('td', { 'data-col': 'expires' }),
    h(
      'td',
      { 'data-col': 'actions' },
      h(
        'span',
        { class: 'sl-instr-actions' },
        btn('watch', 'Watch', `Watch ${r.label}'s terminal`),
        btn('reset', 'Reset', `Reset ${r.label}'s lab`),
        rebuild,
        btn('rebuild', 'Rebuild', `Rebuild ${r.label}'s lab to the chosen step`),
        btn('extend', '+15 min', `Give ${r.label} 15 more minutes`),
        btn('end', 'End', `End ${r.label}'s lab`),
      ),
    ),
  );
  return tr;
}

/** Create or update the row of `r`; returns the row element. */
export function renderRow(existing: HTMLTableRowElement | null, r: Row, now: number): HTMLTableRowElement {
  const tr = existing ?? newRow(r);
  tr.dataset.session = r.sessionId;
  tr.dataset.learner = r.label;
  const cell = (c: string) => tr.querySelector(`[data-col="${c}"]`)!;
  setText(cell('learner'), r.label);
  setText(cell('lab'), r.slug);
  setText(
    cell('current'),
    r.currentStep >= r.steps.length ? 'all done' : `step ${r.currentStep + 1} of ${r.steps.length}`,
  );
  const marks = r.steps.join('');
  const stepsCell = cell('steps');
  if ((stepsCell as HTMLElement).dataset.marks !== marks) {
    (stepsCell as HTMLElement).dataset.marks = marks;
    stepsCell.replaceChildren(
      h(
        'ol',
        { class: 'sl-instr-grid', 'aria-label': `${r.label}: steps` },
        ...r.steps.map((m, i) =>
          h(
            'li',
            { 'data-mark': m, title: `Step ${i + 1}: ${MARK[m]![1]}` },
            h('span', { 'aria-hidden': 'true' }, MARK[m]![0]),
            h('span', { class: 'sr-only' }, `Step ${i + 1}: ${MARK[m]![1]}`),
          ),
        ),
      ),
    );
  }
  setText(cell('activity'), ago(r.lastActivity, now));
  setText(cell('expires'), new Date(r.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  return tr;
}

const SVG = 'http://www.w3.org/2000/svg';

function bars(c: ClassView): SVGSVGElement {
  const w = 44,
    gap = 12,
    height = 120;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${c.steps.length * (w + gap) + gap} ${height + 24}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute(
    'aria-label',
    `${c.title}: learners who passed each step, out of ${c.learners}: ${c.steps.map((s, i) => `step ${i + 1} ${s.passed}`).join(', ')}`,
  );
  svg.setAttribute('class', 'sl-instr-bars');
  c.steps.forEach((s, i) => {
    const bh = c.learners ? Math.round((s.passed / c.learners) * height) : 0;
    const x = gap + i * (w + gap);
    const rect = document.createElementNS(SVG, 'rect');
    Object.entries({
      x: String(x),
      y: String(height - bh),
      width: String(w),
      height: String(Math.max(bh, 1)),
      rx: '3',
    }).forEach(([k, v]) => rect.setAttribute(k, v));
    const label = document.createElementNS(SVG, 'text');
    Object.entries({ x: String(x + w / 2), y: String(height + 16), 'text-anchor': 'middle' }).forEach(([k, v]) =>
      label.setAttribute(k, v),
    );
    label.textContent = `${i + 1}: ${s.passed}`;
    svg.append(rect, label);
  });
  return svg;
}

export function renderClasses(target: HTMLElement, classes: ClassView[]): void {
  const sig = JSON.stringify(classes);
  if (target.dataset.sig === sig) return;
  target.dataset.sig = sig;
  if (classes.length === 0) {
    target.replaceChildren(h('p', {}, 'No learner has started a lab yet.'));
    return;
  }
  target.replaceChildren(
    ...classes.map((c) => {
      const table = h(
        'table',
        {},
        h('caption', {}, `${c.title} (${c.slug}): ${c.learners} learner${c.learners === 1 ? '' : 's'}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Passed'))),
        h(
          'tbody',
          {},
          ...c.steps.map((s, i) =>
            h('tr', {}, h('th', { scope: 'row' }, `${i + 1}. ${s.title}`), h('td', {}, `${s.passed} of ${c.learners}`)),
          ),
        ),
      );
      return h('figure', { class: 'sl-instr-class' }, bars(c), table);
    }),
  );
}
