// Worker for load-fuzz.test.ts: loads one fuzzed labs folder and reports what came out, so the test can
// time each case out (and terminate this thread) if the loader ever hangs.
import { parentPort } from 'node:worker_threads';
import { loadLab, loadLabs, listLabSlugs } from '../load.ts';
import { LabFormatError, type FormatProblem } from '../errors.ts';

export type Outcome =
  { kind: 'lab' } | { kind: 'format'; problems: FormatProblem[] } | { kind: 'other'; error: string };

function outcome(fn: () => unknown): Outcome {
  try {
    fn();
    return { kind: 'lab' };
  } catch (e) {
    if (e instanceof LabFormatError) return { kind: 'format', problems: e.problems };
    return { kind: 'other', error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
}

parentPort!.on('message', (m: { id: number; labsDir: string }) => {
  const each = Object.fromEntries(
    listLabSlugs(m.labsDir).map((slug) => [slug, outcome(() => loadLab(slug, m.labsDir))]),
  );
  const all = outcome(() => loadLabs(m.labsDir));
  parentPort!.postMessage({ id: m.id, each, all });
});
