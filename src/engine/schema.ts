// The lab format: this zod schema is the single source of truth. labs/lab.schema.json is generated from it
// (src/engine/export-schema.ts) so editors autocomplete lab.yaml, and labs/README.md documents it.
import { z } from 'zod';
import { parseJsonPath } from './jsonpath.ts';

const seconds = (what: string) => z.number().positive().max(3600).describe(what);

/** Common fields of every check. */
const checkBase = {
  title: z.string().min(1).optional().describe('What this check verifies, in a few words (shown in the page and in JUnit).'),
  hint: z.string().min(1).optional().describe('Shown to the learner when the check fails.'),
  timeout: seconds('Seconds to keep polling before the check fails (validate and "wait" mode).').optional(),
  settle: z
    .number()
    .min(0)
    .max(600)
    .optional()
    .describe('Seconds the condition must hold without interruption before the check passes.'),
};

/** Which pod a check looks at: a pod name, or a label selector (every matching pod). */
const podRef = {
  pod: z.string().min(1).optional().describe('Pod name.'),
  selector: z.string().min(1).optional().describe('Label selector, e.g. app=nginx (instead of pod).'),
};
function onePodRef(v: { pod?: string; selector?: string }, ctx: z.RefinementCtx) {
  if (!!v.pod === !!v.selector) ctx.addIssue({ code: 'custom', message: 'give exactly one of "pod" or "selector"' });
}

export const TextMatch = z
  .strictObject({
    equals: z.string().optional().describe('Whole output, trailing whitespace ignored.'),
    contains: z.string().optional(),
    matches: z.string().optional().describe('JavaScript regular expression (multiline).'),
  })
  .superRefine((v, ctx) => {
    const n = [v.equals, v.contains, v.matches].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of "equals", "contains" or "matches"' });
    if (v.matches !== undefined) {
      try {
        new RegExp(v.matches, 'm');
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['matches'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  });
export type TextMatch = z.infer<typeof TextMatch>;

const PodReady = z
  .strictObject({
    type: z.literal('podReady').describe('Every container of the pod(s) is ready, native sidecars included.'),
    ...checkBase,
    ...podRef,
  })
  .superRefine(onePodRef);

const ContainerRunning = z
  .strictObject({
    type: z.literal('containerRunning').describe('A container (regular or init/native sidecar) is running.'),
    ...checkBase,
    ...podRef,
    container: z.string().min(1),
  })
  .superRefine(onePodRef);

const Exec = z
  .strictObject({
    type: z.literal('exec').describe('Run a command in a container; compare stdout and the exit code.'),
    ...checkBase,
    ...podRef,
    container: z.string().min(1).optional().describe('Defaults to the first container.'),
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]).describe('A string runs with /bin/sh -c.'),
    stdout: TextMatch.optional(),
    exitCode: z.number().int().min(0).max(255).default(0),
  })
  .superRefine(onePodRef);

const Logs = z
  .strictObject({
    type: z.literal('logs').describe("A container's logs (kubectl logs -c)."),
    ...checkBase,
    ...podRef,
    container: z.string().min(1).optional().describe('Defaults to the first container.'),
    contains: z.string().optional(),
    matches: z.string().optional().describe('Regular expression; with minLines, counts matching lines.'),
    minLines: z.number().int().min(1).optional(),
    empty: z.literal(true).optional().describe('The logs must be empty.'),
  })
  .superRefine((v, ctx) => {
    onePodRef(v, ctx);
    const expectations = [v.contains, v.matches, v.minLines, v.empty].filter((x) => x !== undefined).length;
    if (expectations === 0) ctx.addIssue({ code: 'custom', message: 'give at least one of "contains", "matches", "minLines" or "empty"' });
    if (v.empty && expectations > 1) ctx.addIssue({ code: 'custom', message: '"empty" cannot be combined with other expectations' });
    if (v.matches !== undefined) {
      try {
        new RegExp(v.matches, 'm');
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['matches'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  });

const Http = z
  .strictObject({
    type: z.literal('http').describe('An HTTP GET through a Service, a NodePort, or from inside a pod.'),
    ...checkBase,
    service: z.string().min(1).optional().describe('Service name: the request goes through the API server proxy.'),
    port: z.union([z.number().int().min(1).max(65535), z.string().min(1)]).optional().describe('Service port (number or name).'),
    nodePort: z.number().int().min(30000).max(32767).optional().describe('From the host: 127.0.0.1 for kind, else a node address.'),
    from: z
      .strictObject({ pod: z.string().min(1), container: z.string().min(1).optional() })
      .optional()
      .describe('Run busybox-style `wget -qO-` in this pod/container (needs wget in it).'),
    url: z.string().min(1).optional().describe('With "from": the URL to fetch, e.g. http://127.0.0.1:80/.'),
    path: z.string().startsWith('/').default('/'),
    status: z.number().int().min(100).max(599).default(200),
    body: TextMatch.optional(),
  })
  .superRefine((v, ctx) => {
    const n = [v.service, v.nodePort, v.from].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of "service", "nodePort" or "from"' });
    if (v.from && !v.url) ctx.addIssue({ code: 'custom', path: ['url'], message: 'with "from", give the "url" to fetch' });
    if (v.url && !v.from) ctx.addIssue({ code: 'custom', path: ['url'], message: '"url" is only used with "from"' });
  });

const Field = z
  .strictObject({
    type: z.literal('field').describe('A field of any object in the namespace, read with a JSONPath.'),
    ...checkBase,
    apiVersion: z.string().min(1).default('v1'),
    kind: z.string().min(1),
    name: z.string().min(1),
    jsonPath: z.string().min(1).describe('kubectl-style, e.g. {.spec.initContainers[0].restartPolicy}'),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    matches: z.string().optional(),
    exists: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    const n = [v.equals, v.matches, v.exists].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of "equals", "matches" or "exists"' });
    try {
      parseJsonPath(v.jsonPath);
    } catch (e) {
      ctx.addIssue({ code: 'custom', path: ['jsonPath'], message: (e as Error).message });
    }
  });

const RestartsStable = z
  .strictObject({
    type: z.literal('restartsStable').describe('No container of the pod restarted for N seconds (and all are running).'),
    ...checkBase,
    ...podRef,
    container: z.string().min(1).optional().describe('Only this container (default: all).'),
    seconds: z.number().int().min(1).max(600).default(10),
  })
  .superRefine(onePodRef);

const JobComplete = z.strictObject({
  type: z.literal('jobComplete').describe('A Job has the Complete condition.'),
  ...checkBase,
  job: z.string().min(1),
});

const Script = z.strictObject({
  type: z.literal('script').describe('Escape hatch: a shell script on the host with KUBECONFIG and NAMESPACE set; exit 0 passes.'),
  ...checkBase,
  run: z.string().min(1),
});

export const Check = z.discriminatedUnion('type', [PodReady, ContainerRunning, Exec, Logs, Http, Field, RestartsStable, JobComplete, Script]);
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

export const Step = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes').describe('Stable id (used in URLs and progress).'),
  title: z.string().min(1),
  instructions: z.string().min(1).describe('Short instructions; the lesson carries the prose.'),
  commands: z.array(Command).default([]).describe('Commands the learner runs in the lab terminal (working directory: the lab files).'),
  hint: z.string().min(1).optional(),
  solution: z
    .strictObject({
      manifests: z.array(manifestFile).default([]).describe('Applied (server-side) into the session namespace.'),
      commands: z.array(z.string().min(1)).default([]).describe('Run after the manifests, with KUBECONFIG and NAMESPACE set, in the lab folder.'),
      text: z.string().optional().describe('Shown by "Show solution" (default: the commands and manifests).'),
    })
    .refine((s) => s.manifests.length + s.commands.length > 0, 'a solution needs manifests or commands'),
  checks: z.array(Check).min(1),
});
export type Step = z.infer<typeof Step>;

export const LabSpec = z
  .strictObject({
    title: z.string().min(1),
    lesson: z.string().regex(/^[a-z0-9-]+$/).describe('Slug of the lesson (content/lessons/<slug>.mdx) = the lab folder name.'),
    minKubernetes: z
      .string()
      .regex(/^1\.\d+$/, 'a Kubernetes minor version such as "1.29"')
      .default('1.29')
      .describe('Oldest Kubernetes version the lab works on.'),
    images: z.array(z.string().regex(/^[^\s:]+(:[^\s:@]+)?(@sha256:[0-9a-f]{64})?$/, 'an image reference')).min(1)
      .describe('Every image the manifests use, pinned (they are checked).'),
    nodePorts: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a lower-case name such as "web"'), z.number().int().min(30000).max(32767))
      .default({})
      .describe('NodePorts the manifests use, by name, e.g. {web: 30080}. One learner keeps these; in a workshop each session gets a free port instead, substituted into the manifests, the checks and the terminal ($NODE_PORT, $NODE_PORT_WEB).'),
    setup: z
      .strictObject({
        manifests: z.array(manifestFile).default([]),
        wait: z
          .union([z.literal('all'), z.literal('none'), z.array(z.string().regex(/^[A-Za-z]+\/[a-z0-9.-]+$/, 'Kind/name'))])
          .default('all')
          .describe('Which setup workloads must be ready before the session is: all, none, or a list like Deployment/git-server.'),
        settle: z.number().min(0).max(60).default(2).describe('Seconds setup pods must stay ready.'),
      })
      .prefault({}),
    steps: z.array(Step).min(1),
  })
  .superRefine((lab, ctx) => {
    const seen = new Map<string, number>();
    lab.steps.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}" (also steps[${seen.get(s.id)}])` });
      seen.set(s.id, i);
    });
  });
export type LabSpec = z.infer<typeof LabSpec>;
export type LabSpecInput = z.input<typeof LabSpec>;
