// The workshop's facts about a session, kept in its namespace's annotations (so every server process
// and a restarted one see the same roster), and the roster built from them. Pure functions.

export const ANN_LEARNER = 'sidecar-labs.dev/learner';
export const ANN_LEARNER_ID = 'sidecar-labs.dev/learner-id';
export const ANN_PROGRESS = 'sidecar-labs.dev/progress';
export const ANN_ACTIVITY = 'sidecar-labs.dev/last-activity';
export const ANN_POOL = 'sidecar-labs.dev/pool';

/** Per step: p passed, f tried and failed, - not tried. */
export type StepMark = 'p' | 'f' | '-';

export function parseProgress(text: string | undefined, steps: number): StepMark[] {
  const out: StepMark[] = Array.from({ length: steps }, () => '-');
  for (let i = 0; i < steps; i++) {
    const c = text?.[i];
    if (c === 'p' || c === 'f') out[i] = c;
  }
  return out;
}

/** A Check result on step `step`: passed stays passed (a later failure does not undo the learning). */
export function markStep(text: string | undefined, steps: number, step: number, ok: boolean): string {
  const marks = parseProgress(text, steps);
  if (step >= 0 && step < steps) marks[step] = ok ? 'p' : marks[step] === 'p' ? 'p' : 'f';
  return marks.join('');
}

export interface SessionFacts {
  sessionId: string;
  slug: string;
  namespace: string;
  createdAt: string;
  expiresAt: string;
  annotations?: Record<string, string>;
}

export interface RosterRow {
  sessionId: string;
  learner: string;
  /** What the roster shows: the name, made distinct when two rows would look alike (distinctLabels). */
  label: string;
  learnerId: string;
  slug: string;
  namespace: string;
  steps: StepMark[];
  /** 0-based index of the first step not passed (steps.length when all passed). */
  currentStep: number;
  lastActivity: string;
  expiresAt: string;
}

export function rosterRow(s: SessionFacts, stepCount: number, expiryMs: number): RosterRow {
  const ann = s.annotations ?? {};
  const steps = parseProgress(ann[ANN_PROGRESS], stepCount);
  const open = steps.indexOf('f') >= 0 || steps.indexOf('-') >= 0 ? steps.findIndex((m) => m !== 'p') : steps.length;
  // servers push expires-at to (last activity + expiry): that is activity too (keystrokes, not only checks)
  const fromExpiry = new Date(s.expiresAt).getTime() - expiryMs;
  const fromCheck = new Date(ann[ANN_ACTIVITY] ?? 0).getTime() || 0;
  const created = new Date(s.createdAt).getTime();
  const last = Math.max(fromCheck, Math.min(Date.now(), fromExpiry), created);
  return {
    sessionId: s.sessionId,
    learner: ann[ANN_LEARNER] ?? '(no name)',
    label: ann[ANN_LEARNER] ?? '(no name)',
    learnerId: ann[ANN_LEARNER_ID] ?? '',
    slug: s.slug,
    namespace: s.namespace,
    steps,
    currentStep: open,
    lastActivity: new Date(last).toISOString(),
    expiresAt: s.expiresAt,
  };
}

/**
 * Names are not unique (two Adas, or one learner id sent by two browsers): rows that would look alike
 * get a short suffix. Learners with one name but different ids are told apart by their id; the same
 * learner (or a copied id) with two sessions of one lab, by the session.
 */
export function distinctLabels(rows: RosterRow[]): RosterRow[] {
  const short = (id: string) => id.slice(0, 6) || '?';
  const byName = Map.groupBy(rows, (r) => r.learner);
  const named = rows.map((r) => {
    const ids = new Set(byName.get(r.learner)!.map((o) => o.learnerId));
    return { ...r, label: ids.size > 1 ? `${r.learner} (id ${short(r.learnerId)})` : r.learner };
  });
  const byLabel = Map.groupBy(named, (r) => `${r.label}\n${r.slug}`);
  return named.map((r) =>
    byLabel.get(`${r.label}\n${r.slug}`)!.length > 1
      ? { ...r, label: `${r.label} (session ${short(r.sessionId)})` }
      : r,
  );
}

/** How many learners passed each step of each lab (the class view). */
export function classView(
  rows: RosterRow[],
  labs: { slug: string; title: string; steps: string[] }[],
): { slug: string; title: string; learners: number; steps: { title: string; passed: number }[] }[] {
  return labs
    .map((lab) => {
      const mine = rows.filter((r) => r.slug === lab.slug);
      return {
        slug: lab.slug,
        title: lab.title,
        learners: mine.length,
        steps: lab.steps.map((title, i) => ({ title, passed: mine.filter((r) => r.steps[i] === 'p').length })),
      };
    })
    .filter((l) => l.learners > 0);
}

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, a comma, a semicolon (the separator of
 * many European spreadsheets), a tab or a line break, with quotes doubled. A field that a
 * spreadsheet would run as a formula (leading = + - @, tab, CR, or their full-width forms) starts
 * with an apostrophe instead.
 */
export function csvField(v: string): string {
  const safe = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(v) ? `'${v}` : v;
  return /[",;\t\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function rosterCsv(rows: RosterRow[]): string {
  const head = [
    'learner',
    'lab',
    'current step',
    'steps (p passed, f tried, - not tried)',
    'passed',
    'last activity',
    'expires',
    'session',
    'learner id',
  ];
  const lines = rows.map((r) =>
    [
      r.label,
      r.slug,
      r.currentStep >= r.steps.length ? 'done' : String(r.currentStep + 1),
      r.steps.join(''),
      String(r.steps.filter((m) => m === 'p').length),
      r.lastActivity,
      r.expiresAt,
      r.sessionId,
      r.learnerId,
    ]
      .map(csvField)
      .join(','),
  );
  return [head.map(csvField).join(','), ...lines].join('\r\n') + '\r\n';
}

/** Display names: trimmed, single-spaced, printable, at most 40 characters. */
export function cleanName(name: string): string {
  return name
    .normalize('NFC')
    .replace(/[\p{C}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 40);
}
