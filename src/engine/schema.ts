// The lab format: this zod schema is the single source of truth. labs/lab.schema.json is generated from it
// (src/engine/export-schema.ts) so editors autocomplete lab.yaml, and labs/README.md documents it.
import { z } from 'zod';
import { CHECK_SCHEMAS } from './checks/registry.ts';

export { TextMatch } from './checks/fields.ts';

/** Every check type, from the registry (one file per type in checks/). */
export const Check = z
  .discriminatedUnion('type', CHECK_SCHEMAS)
  .meta({ id: 'Check', description: 'One check: "type" says which (see labs/README.md).' });
export type Check = z.infer<typeof Check>;
export type CheckType = Check['type'];
export const CHECK_TYPES = Check.options.map((o) => o.shape.type.value) as CheckType[];

const manifestFile = z
  .string()
  .regex(/^[A-Za-z0-9._-]+\.ya?ml$/, 'a manifest file name in the lab folder, e.g. pod.yaml')
  .refine((f) => f !== 'lab.yaml', 'lab.yaml is not a manifest');

const Command = z.union([
  z.string().min(1),
  z.strictObject({ run: z.string().min(1), explain: z.string().min(1).optional() }),
]);

/** A manifest of a common wrong answer: in the lab folder, or in its mistakes/ folder (kept out of the learner's files). */
const mistakeManifestFile = z
  .string()
  .regex(
    /^(mistakes\/)?[A-Za-z0-9._-]+\.ya?ml$/,
    'a manifest file in the lab folder or its mistakes/ folder, e.g. mistakes/pod-one-mount.yaml',
  )
  .refine((f) => f !== 'lab.yaml', 'lab.yaml is not a manifest');

/**
 * A common wrong answer to a step, and what the learner is told when their namespace shows it. When the
 * step does not pass, "Check" runs each mistake's `detect` checks; the first mistake whose checks all
 * pass gives its `diagnosis`. `validate` applies every mistake in a fresh session and requires that the
 * step does not pass and that this diagnosis is the one given.
 */
export const Mistake = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
    .describe('Stable id, unique within the step.'),
  title: z
    .string()
    .min(1)
    .describe('The wrong answer in a few words, e.g. "the volume is mounted only in the sidecar".'),
  apply: z
    .strictObject({
      manifests: z
        .array(mistakeManifestFile)
        .default([])
        .describe('Applied (server-side) into the session namespace, as the learner would.'),
      commands: z
        .array(z.string().min(1))
        .default([])
        .describe('Run after the manifests, with KUBECONFIG and NAMESPACE set, in the lab folder.'),
    })
    .refine((s) => s.manifests.length + s.commands.length > 0, 'a mistake needs manifests or commands')
    .describe('How to make the mistake: what validate applies to prove the diagnosis.'),
  diagnosis: z
    .string()
    .min(1)
    .describe('Shown to the learner when the mistake is detected: what is wrong and what to do instead.'),
  detect: z
    .array(Check)
    .min(1)
    .describe(
      "Checks that all PASS while the mistake is present (and fail when it is not); typed like the step's checks.",
    ),
});
export type Mistake = z.infer<typeof Mistake>;

export const Step = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
    .describe('Stable id (used in URLs and progress).'),
  title: z.string().min(1),
  instructions: z.string().min(1).describe('Short instructions; the lesson carries the prose.'),
  commands: z
    .array(Command)
    .default([])
    .describe('Commands the learner runs in the lab terminal (working directory: the lab files).'),
  hint: z.string().min(1).optional(),
  solution: z
    .strictObject({
      manifests: z.array(manifestFile).default([]).describe('Applied (server-side) into the session namespace.'),
      commands: z
        .array(z.string().min(1))
        .default([])
        .describe('Run after the manifests, with KUBECONFIG and NAMESPACE set, in the lab folder.'),
      text: z.string().optional().describe('Shown by "Show solution" (default: the commands and manifests).'),
    })
    .refine((s) => s.manifests.length + s.commands.length > 0, 'a solution needs manifests or commands'),
  checks: z.array(Check).min(1),
  mistakes: z
    .array(Mistake)
    .default([])
    .describe('Common wrong answers, each with the diagnosis "Check" gives for it.'),
});
export type Step = z.infer<typeof Step>;

export const LabSpec = z
  .strictObject({
    title: z.string().min(1),
    lesson: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .describe('Slug of the lesson (content/lessons/<slug>.mdx) = the lab folder name.'),
    minKubernetes: z
      .string()
      .regex(/^1\.\d+$/, 'a Kubernetes minor version such as "1.29"')
      .default('1.29')
      .describe('Oldest Kubernetes version the lab works on.'),
    images: z
      .array(z.string().regex(/^[^\s:]+(:[^\s:@]+)?(@sha256:[0-9a-f]{64})?$/, 'an image reference'))
      .min(1)
      .describe('Every image the manifests use, pinned (they are checked).'),
    nodePorts: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a lower-case name such as "web"'),
        z.number().int().min(30000).max(32767),
      )
      .default({})
      .describe(
        'NodePorts the manifests use, by name, e.g. {web: 30080}. One learner keeps these; in a workshop each session gets a free port instead, substituted into the manifests, the checks and the terminal ($NODE_PORT, $NODE_PORT_WEB).',
      ),
    setup: z
      .strictObject({
        manifests: z.array(manifestFile).default([]),
        wait: z
          .union([
            z.literal('all'),
            z.literal('none'),
            z.array(z.string().regex(/^[A-Za-z]+\/[a-z0-9.-]+$/, 'Kind/name')),
          ])
          .default('all')
          .describe(
            'Which setup workloads must be ready before the session is: all, none, or a list like Deployment/git-server.',
          ),
        settle: z.number().min(0).max(60).default(2).describe('Seconds setup pods must stay ready.'),
      })
      .prefault({}),
    steps: z.array(Step).min(1),
  })
  .superRefine((lab, ctx) => {
    const seen = new Map<string, number>();
    lab.steps.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'id'],
          message: `duplicate step id "${s.id}" (also steps[${seen.get(s.id)}])`,
        });
      seen.set(s.id, i);
      const ids = new Map<string, number>();
      s.mistakes.forEach((m, j) => {
        if (ids.has(m.id))
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, 'mistakes', j, 'id'],
            message: `duplicate mistake id "${m.id}" (also mistakes[${ids.get(m.id)}])`,
          });
        ids.set(m.id, j);
      });
    });
  });
export type LabSpec = z.infer<typeof LabSpec>;
export type LabSpecInput = z.input<typeof LabSpec>;
