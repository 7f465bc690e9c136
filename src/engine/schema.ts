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

/** The NodePorts of a lab by name (shared by every format version). */
const nodePorts = z
  .record(
    z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a lower-case name such as "web"'),
    z.number().int().min(30000).max(32767).describe('A port number in the NodePort range (30000-32767).'),
  )
  .default({})
  .describe(
    'NodePorts the manifests use, by name, e.g. {web: 30080}; checks refer to them by name (nodePort: web). One learner keeps these; in a workshop each session gets a free port instead, substituted into the manifests, the checks and the terminal ($NODE_PORT, $NODE_PORT_WEB).',
  );

/** An image reference, pinned by tag or digest. */
export const imageRef = z.string().regex(/^[^\s:]+(:[^\s:@]+)?(@sha256:[0-9a-f]{64})?$/, 'an image reference');

/** The fields of a lab that every format version shares (v1 adds apiVersion/kind; the unversioned one, lesson). */
export const labFields = {
  title: z.string().min(1),
  minKubernetes: z
    .string()
    .regex(/^1\.\d+$/, 'a Kubernetes minor version such as "1.29"')
    .default('1.29')
    .describe('Oldest Kubernetes version (major.minor, e.g. "1.29") the lab works on.'),
  nodePorts,
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
};

/**
 * Step ids unique in the lab, mistake ids unique in their step, and every step with a check that is no
 * invariant (one that must fail before the solution: else nothing tells that the step was done).
 */
export function uniqueIds(lab: { steps: Step[] }, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  lab.steps.forEach((s, i) => {
    if (s.checks.length > 0 && s.checks.every((c) => c.invariant))
      ctx.addIssue({
        code: 'custom',
        path: ['steps', i, 'checks'],
        message:
          'every check of this step is an invariant: at least one must fail before the solution (remove "invariant: true" from it)',
      });
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
}

export const LAB_API_VERSION = 'sidecar-labs.dev/v1';

/**
 * A lab.yaml of format sidecar-labs.dev/v1 (labs/README.md). The slug is the folder name; the images
 * are those of the manifests (an `images` list, when given, must name exactly them).
 */
export const LabV1 = z
  .strictObject({
    apiVersion: z.literal(LAB_API_VERSION).describe('The lab format version: sidecar-labs.dev/v1.'),
    kind: z.literal('Lab'),
    ...labFields,
    images: z
      .array(imageRef)
      .min(1)
      .optional()
      .describe(
        "Optional: the images of the lab's manifests are derived from them; a list given here must name exactly those.",
      ),
  })
  .superRefine(uniqueIds);
export type LabV1 = z.output<typeof LabV1>;
export type LabV1Input = z.input<typeof LabV1>;

/** A lab as the engine uses it, whatever version its file is: slug-named lesson, images filled in. */
export type LabSpec = Omit<LabV1, 'apiVersion' | 'kind' | 'images'> & { lesson: string; images: string[] };
