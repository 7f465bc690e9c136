// What a lesson page needs to render a lab panel at build time: titles, steps, the commands to type, hints
// and the solution text for "Show solution". No cluster needed.
import { loadLab, loadLabs, defaultLabsDir, type Lab } from './load.ts';
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
    manifests: { file: string; text: string }[];
  };
  checks: { title: string; type: string }[];
}

export function summarize(lab: Lab): LabSummary {
  return {
    slug: lab.slug,
    title: lab.title,
    lesson: lab.lesson,
    minKubernetes: lab.minKubernetes,
    images: lab.images,
    steps: lab.steps.map((s) => {
      const manifests = s.solution.manifests.map((file) => ({ file, text: lab.files[file] ?? '' }));
      const text =
        s.solution.text ??
        [...s.solution.manifests.map((f) => `kubectl apply -f ${f}`), ...s.solution.commands].join('\n');
      return {
        id: s.id,
        title: s.title,
        instructions: s.instructions,
        commands: s.commands.map((c) => (typeof c === 'string' ? { run: c } : c)),
        hint: s.hint,
        solution: { text, commands: s.solution.commands, manifests },
        checks: s.checks.map((c) => ({ title: checkTitle(c), type: c.type })),
      };
    }),
  };
}

export function labSummary(slug: string, labsDir: string = defaultLabsDir()): LabSummary {
  return summarize(loadLab(slug, labsDir));
}

export function labSummaries(labsDir: string = defaultLabsDir()): LabSummary[] {
  return loadLabs(labsDir).map(summarize);
}
