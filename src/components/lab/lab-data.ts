// What the lab panel shows, read from labs/<slug>/lab.yaml at build time (through the engine's own
// parser and schema), so the step list is plain HTML before any JavaScript runs.
import { parseLabYaml } from '../../engine/load.ts';

export interface PageCommand {
  run: string;
  explain?: string;
}

export interface PageStep {
  id: string;
  title: string;
  instructions: string;
  commands: PageCommand[];
  hint?: string;
  /** What "Show solution" reveals. */
  solution: string;
}

export interface PageLab {
  slug: string;
  title: string;
  steps: PageStep[];
}

const files = import.meta.glob<string>('../../../labs/*/lab.yaml', { query: '?raw', import: 'default', eager: true });

export function labForPage(slug: string): PageLab | undefined {
  const key = `../../../labs/${slug}/lab.yaml`;
  const text = files[key];
  if (text === undefined) return undefined;
  const { spec, problems } = parseLabYaml(text, `labs/${slug}/lab.yaml`);
  if (!spec) {
    // Fail the build: a lesson must not ship with a lab the engine would refuse.
    throw new Error(
      problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
  }
  return {
    slug,
    title: spec.title,
    steps: spec.steps.map((s) => ({
      id: s.id,
      title: s.title,
      instructions: s.instructions.trim(),
      commands: s.commands.map((c) => (typeof c === 'string' ? { run: c } : { run: c.run, explain: c.explain })),
      hint: s.hint,
      solution:
        s.solution.text?.trim() ??
        [...s.solution.manifests.map((m) => `kubectl apply -f ${m}`), ...s.solution.commands].join('\n'),
    })),
  };
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
