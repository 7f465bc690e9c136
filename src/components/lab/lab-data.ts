// What the lab panel shows, read from labs/<slug>/lab.yaml at build time through the engine's one lab
// view (src/engine/summary.ts), so the step list is plain HTML before any JavaScript runs.
import { summaryFromYaml, type LabSummary } from '../../engine/summary.ts';

export type { LabSummary, StepSummary } from '../../engine/summary.ts';

const files = import.meta.glob<string>('../../../labs/*/lab.yaml', { query: '?raw', import: 'default', eager: true });

/** The lab of a lesson, or undefined when labs/<slug>/lab.yaml does not exist; a broken one fails the build. */
export function labForPage(slug: string): LabSummary | undefined {
  const text = files[`../../../labs/${slug}/lab.yaml`];
  return text === undefined ? undefined : summaryFromYaml(slug, text);
}

/** Split text on `backticks` into plain and code parts, so instructions can show commands inline. */
export function codeSpans(text: string): Array<{ code: boolean; text: string }> {
  return text
    .split(/(`[^`]+`)/)
    .filter(Boolean)
    .map((part) =>
      part.startsWith('`') && part.endsWith('`') && part.length > 1
        ? { code: true, text: part.slice(1, -1) }
        : { code: false, text: part },
    );
}
