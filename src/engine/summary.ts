// The one build-time view of a lab, used by the lesson page (src/components/lab/lab-data.ts, from
// lab.yaml text bundled by Vite) and by the engine's API (from the labs folder on disk): titles, steps,
// the commands to type, hints, the solution for "Show solution", the checks' titles. No cluster needed.
import { loadLab, loadLabs, defaultLabsDir, parseLabYaml } from './load.ts';
import type { LabSpec } from './schema.ts';
import { checkTitle } from './checks.ts';

export interface LabSummary {
  slug: string;
  title: string;
  lesson: string;
  minKubernetes: string;
  images: string[];
  steps: StepSummary[];
}

export interface StepSummary {
  id: string;
  title: string;
  instructions: string;
  commands: { run: string; explain?: string }[];
  hint?: string;
  solution: {
    /** Author's solution text, or the commands and manifests spelled out. */
    text: string;
    commands: string[];
    /** The solution's manifest files; `text` when the lab's files were read (from disk). */
    manifests: { file: string; text?: string }[];
  };
  checks: { title: string; type: string }[];
}

/** The view of a parsed lab; `files` (manifest file → text) when the folder was read. */
export function summarize(slug: string, spec: LabSpec, files?: Record<string, string>): LabSummary {
  return {
    slug,
    title: spec.title,
    lesson: spec.lesson,
    minKubernetes: spec.minKubernetes,
    images: spec.images,
    steps: spec.steps.map((s) => ({
      id: s.id,
      title: s.title,
      instructions: s.instructions.trim(),
      commands: s.commands.map((c) => (typeof c === 'string' ? { run: c } : { run: c.run, explain: c.explain })),
      hint: s.hint,
      solution: {
        text:
          s.solution.text?.trim() ??
          [...s.solution.manifests.map((f) => `kubectl apply -f ${f}`), ...s.solution.commands].join('\n'),
        commands: s.solution.commands,
        manifests: s.solution.manifests.map((file) => ({ file, ...(files ? { text: files[file] ?? '' } : {}) })),
      },
      checks: s.checks.map((c) => ({ title: checkTitle(c), type: c.type })),
    })),
  };
}

/**
 * The view from lab.yaml text alone (the site build). A lab the engine would refuse fails the build
 * with every problem as file:line:column.
 */
export function summaryFromYaml(slug: string, text: string, file = `labs/${slug}/lab.yaml`): LabSummary {
  const { spec, problems } = parseLabYaml(text, file, slug);
  if (!spec)
    throw new Error(
      problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
  return summarize(slug, spec);
}

export function labSummary(slug: string, labsDir: string = defaultLabsDir()): LabSummary {
  const lab = loadLab(slug, labsDir);
  return summarize(lab.slug, lab, lab.files);
}

export function labSummaries(labsDir: string = defaultLabsDir()): LabSummary[] {
  return loadLabs(labsDir).map((lab) => summarize(lab.slug, lab, lab.files));
}
