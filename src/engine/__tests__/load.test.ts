import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadLab, loadLabs, listLabSlugs, defaultLabsDir } from '../load.ts';
import { labJsonSchema, SCHEMA_PATH } from '../export-schema.ts';
import { labSummary } from '../summary.ts';
import { WEB_POD, problems, tempLabsDir, writeLab } from './lab-fixtures.ts';
import { lessonSlugs } from '../../course/lessons.ts';

const tmp = tempLabsDir('labs-');
const lab = (slug: string, labYaml: string, files: Record<string, string> = {}) =>
  writeLab(tmp.dir, slug, labYaml, files);

const POD = WEB_POD;

const GOOD = `# yaml-language-server: $schema=../lab.schema.json
title: Demo
lesson: demo
images: [docker.io/library/nginx:1.24.0]
steps:
  - id: run
    title: Run it
    instructions: Apply the pod.
    commands: [kubectl apply -f pod.yaml]
    solution: { manifests: [pod.yaml] }
    checks:
      - type: podReady
        pod: web
`;

describe('loading labs', () => {
  it('a good lab parses with defaults filled in', () => {
    lab('demo', GOOD, { 'pod.yaml': POD });
    const l = loadLab('demo', tmp.dir);
    expect(l).toMatchObject({
      slug: 'demo',
      title: 'Demo',
      minKubernetes: '1.29',
      setup: { manifests: [], wait: 'all', settle: 2 },
    });
    expect(l.manifests['pod.yaml'][0].metadata.name).toBe('web');
    expect(l.steps[0].solution.commands).toEqual([]);
  });

  it('reports every problem at once, each with file:line:column and what was expected', () => {
    lab(
      'demo',
      `title: Demo
lesson: other
images: [docker.io/library/nginx:1.24.0]
colour: blue
steps:
  - id: Run
    title: Run it
    instructions: Apply the pod.
    solution: { manifests: [missing.yaml] }
    checks:
      - type: podready
        pod: web
      - type: exec
        pod: web
        stdout: { contains: a, equals: b }
      - type: logs
        pod: web
        minLines: two
      - type: http
        service: web
        nodePort: 30080
`,
      { 'pod.yaml': POD },
    );
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/lab.yaml:4:1: colour: unknown field "colour"',
      'demo/lab.yaml:6:9: steps[0].id: lower-case letters, digits and dashes',
      'demo/lab.yaml:11:15: steps[0].checks[0].type: unknown check type "podready": expected one of podReady, containerRunning, exec, logs, http, field, restartsStable, jobComplete, script',
      'demo/lab.yaml:13:9: steps[0].checks[1].command: missing required field "command"',
      'demo/lab.yaml:15:17: steps[0].checks[1].stdout: give exactly one of "equals", "notEquals", "contains", "matches" or "notMatches"',
      'demo/lab.yaml:18:19: steps[0].checks[2].minLines: expected number, got "two"',
      'demo/lab.yaml:19:9: steps[0].checks[3]: give exactly one of "service", "nodePort" or "from"',
    ]);
  });

  it('checks references and manifests once lab.yaml itself is valid', () => {
    lab('demo', GOOD.replace('lesson: demo', 'lesson: other').replace('[pod.yaml]', '[pod.yaml, nope.yaml]'), {
      'pod.yaml': POD.replace('docker.io/library/nginx:1.24.0', 'nginx').replace(
        '  name: web\n',
        '  name: web\n  namespace: default\n',
      ),
      'admin.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: root\n',
      'bad.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n',
      'other.yaml': POD.replace('nginx:1.24.0', 'nginx:1.25.0').replace('name: web', 'name: other'),
    });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/admin.yaml:2:7: kind: ClusterRoleBinding is cluster-scoped: a lab may only create objects inside its own namespace',
      expect.stringMatching(/^demo\/bad.yaml:\d+:\d+: YAML syntax: /),
      'demo/lab.yaml:3:9: lesson: lesson "other" must equal the lab folder name "demo"',
      expect.stringMatching(
        /^demo\/lab.yaml:10:39: steps\[0\].solution.manifests\[1\]: manifest "nope.yaml" does not exist in .*demo$/,
      ),
      'demo/other.yaml:8:14: spec.containers[0].image: image "docker.io/library/nginx:1.25.0" is not listed in lab.yaml "images" (docker.io/library/nginx:1.24.0)',
      'demo/pod.yaml:5:14: metadata.namespace: names namespace "default": lab manifests must not set a namespace (each session gets its own; remove the line)',
      'demo/pod.yaml:9:14: spec.containers[0].image: image "nginx" is not pinned: use an exact tag (never :latest)',
    ]);
  });

  it("mistakes: their manifests live in mistakes/ (kept out of the learner's files) and are checked like the others", () => {
    const mistakes = `    mistakes:
      - id: no-mount
        title: nginx mounts nothing
        apply: { manifests: [mistakes/pod-bare.yaml] }
        diagnosis: Mount the volume in nginx too.
        detect:
          - type: field
            kind: Pod
            name: web
            jsonPath: '{.spec.containers[0].volumeMounts}'
            exists: false
`;
    lab('demo', GOOD + mistakes, { 'pod.yaml': POD, 'mistakes/pod-bare.yaml': POD });
    const l = loadLab('demo', tmp.dir);
    expect(l.steps[0].mistakes[0]).toMatchObject({
      id: 'no-mount',
      apply: { manifests: ['mistakes/pod-bare.yaml'], commands: [] },
    });
    expect(l.manifests['mistakes/pod-bare.yaml'][0].metadata.name).toBe('web');
    expect(Object.keys(l.files)).toEqual(['pod.yaml']);
  });

  it('mistakes: every problem positioned (missing fields, a bad detect check, a missing or unpinned manifest, a repeated id)', () => {
    const mistakes = `    mistakes:
      - id: one
        title: first
        apply: { manifests: [mistakes/nope.yaml] }
        diagnosis: a
        detect: [{ type: podready, pod: web }]
      - id: one
        title: again
        apply: { commands: [] }
        detect: []
      - id: two
        title: unpinned
        apply: { manifests: [mistakes/unpinned.yaml, ../pod.yaml] }
        diagnosis: b
        detect: [{ type: podReady, pod: web }]
`;
    lab('demo', GOOD + mistakes, { 'pod.yaml': POD, 'mistakes/unpinned.yaml': POD.replace('nginx:1.24.0', 'nginx') });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/lab.yaml:19:26: steps[0].mistakes[0].detect[0].type: unknown check type "podready": expected one of podReady, containerRunning, exec, logs, http, field, restartsStable, jobComplete, script',
      'demo/lab.yaml:20:9: steps[0].mistakes[1].diagnosis: missing required field "diagnosis"',
      'demo/lab.yaml:22:16: steps[0].mistakes[1].apply: a mistake needs manifests or commands',
      'demo/lab.yaml:23:17: steps[0].mistakes[1].detect: Too small: expected array to have >=1 items',
      'demo/lab.yaml:26:54: steps[0].mistakes[2].apply.manifests[1]: a manifest file in the lab folder or its mistakes/ folder, e.g. mistakes/pod-one-mount.yaml',
      'mistakes/unpinned.yaml:8:14: spec.containers[0].image: image "docker.io/library/nginx" is not pinned: use an exact tag (never :latest)',
    ]);
    const twice = `    mistakes:
      - { id: one, title: first, apply: { commands: [ls] }, diagnosis: a, detect: [{ type: podReady, pod: web }] }
      - { id: one, title: again, apply: { commands: [ls] }, diagnosis: b, detect: [{ type: podReady, pod: web }] }
`;
    lab('demo2', GOOD.replace('lesson: demo', 'lesson: demo2') + twice, { 'pod.yaml': POD });
    expect(problems(() => loadLab('demo2', tmp.dir))).toEqual([
      'demo2/lab.yaml:16:15: steps[0].mistakes[1].id: duplicate mistake id "one" (also mistakes[0])',
    ]);
  });

  it('mistakes: references to their manifests are checked once lab.yaml is valid', () => {
    const mistakes = `    mistakes:
      - id: one
        title: first
        apply: { manifests: [mistakes/nope.yaml, mistakes/unpinned.yaml] }
        diagnosis: a
        detect: [{ type: podReady, pod: web }]
`;
    lab('demo', GOOD + mistakes, { 'pod.yaml': POD, 'mistakes/unpinned.yaml': POD.replace('nginx:1.24.0', 'nginx') });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      expect.stringMatching(
        /^demo\/lab.yaml:17:30: steps\[0\].mistakes\[0\].apply.manifests\[0\]: manifest "mistakes\/nope.yaml" does not exist in .*demo$/,
      ),
      'mistakes/unpinned.yaml:8:14: spec.containers[0].image: image "docker.io/library/nginx" is not pinned: use an exact tag (never :latest)',
    ]);
  });

  it("mistakes: detect checks must name what the lab or the mistake's own apply creates", () => {
    const mistakes = `    mistakes:
      - id: own-pod
        title: made by its own manifest and command
        apply:
          manifests: [mistakes/helper.yaml]
          commands: [kubectl run runner --image=docker.io/library/nginx:1.24.0, kubectl expose pod runner --port 80 --name runner-svc]
        diagnosis: a
        detect:
          - { type: podReady, pod: helper }
          - { type: containerRunning, pod: runner, container: runner }
          - { type: http, service: runner-svc, port: 80 }
          - { type: field, kind: Pod, name: web, jsonPath: '{.metadata.name}', exists: true }
      - id: ghosts
        title: names nothing it makes
        apply: { commands: ['kubectl delete pod web'] }
        diagnosis: b
        detect:
          - { type: podReady, pod: helper }
          - { type: logs, pod: web, container: sidecar, contains: x }
          - { type: jobComplete, job: never }
          - { type: restartsStable, selector: app=helper }
`;
    const helper = POD.replace('name: web', 'name: helper\n  labels: { app: helper }');
    lab('demo', GOOD + mistakes, { 'pod.yaml': POD, 'mistakes/helper.yaml': helper });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      `demo/lab.yaml:31:36: steps[0].mistakes[1].detect[0].pod: no manifest or command of this lab or of this mistake's apply creates a pod "helper" (pods: "terminal", "web")`,
      'demo/lab.yaml:32:48: steps[0].mistakes[1].detect[1].container: pod "web" has no container "sidecar" (containers: "nginx")',
      `demo/lab.yaml:33:39: steps[0].mistakes[1].detect[2].job: no manifest or command of this lab or of this mistake's apply creates a Job "never" (Jobs: none)`,
      `demo/lab.yaml:34:47: steps[0].mistakes[1].detect[3].selector: no pod of this lab matches selector "app=helper" (no manifest or command of the lab or of this mistake's apply gives its pods these labels)`,
    ]);
  });

  it("mistakes: what a mistake's apply creates does not count for the step's own checks", () => {
    const step = GOOD.replace('        pod: web\n', '        pod: helper\n');
    const mistakes = `    mistakes:
      - { id: one, title: t, apply: { manifests: [mistakes/helper.yaml] }, diagnosis: a, detect: [{ type: podReady, pod: helper }] }
`;
    lab('demo', step + mistakes, { 'pod.yaml': POD, 'mistakes/helper.yaml': POD.replace('name: web', 'name: helper') });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/lab.yaml:13:14: steps[0].checks[0].pod: no manifest or command of this lab creates a pod "helper" (pods: "terminal", "web")',
    ]);
  });

  it('YAML syntax errors point at the line', () => {
    lab('demo', 'title: Demo\nlesson: demo\nimages: [a:1\nsteps: []\n');
    const p = problems(() => loadLab('demo', tmp.dir));
    expect(p[0]).toMatch(/^demo\/lab.yaml:\d+:\d+: YAML syntax: /);
  });

  it('loadLabs collects the problems of every lab', () => {
    lab('one', GOOD.replace('lesson: demo', 'lesson: one').replace('type: podReady', 'type: nope'), {
      'pod.yaml': POD,
    });
    lab('two', GOOD.replace('lesson: demo', 'lesson: two').replace('title: Demo', 'title: ""'), { 'pod.yaml': POD });
    const p = problems(() => loadLabs(tmp.dir));
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^one\/lab.yaml:12:15: .*unknown check type "nope"/);
    expect(p[1]).toMatch(/^two\/lab.yaml:2:8: title: /);
  });
});

describe('the course labs', () => {
  // The labs folder holds exactly one lab per lesson of the course list (src/course/lessons.ts).
  const slugs = [...lessonSlugs].sort();

  it('one lab per lesson, all valid', () => {
    expect(listLabSlugs()).toEqual(slugs);
    const labs = loadLabs();
    for (const l of labs) {
      expect(l.lesson).toBe(l.slug);
      expect(readFileSync(l.file, 'utf8').startsWith('# yaml-language-server: $schema=../lab.schema.json\n')).toBe(
        true,
      );
    }
  });

  it("every lab has a check that reads the learner's outcome (exec, logs, http, script or a field)", () => {
    for (const l of loadLabs()) {
      const kinds = new Set(l.steps.flatMap((s) => s.checks.map((c) => c.type)));
      expect(
        [...kinds].some((k) => ['exec', 'logs', 'http', 'script', 'jobComplete'].includes(k)),
        l.slug,
      ).toBe(true);
    }
  });

  it("every lab's main steps list at least two common mistakes, each with its own manifests or commands", () => {
    for (const l of loadLabs()) {
      const withMistakes = l.steps.filter((s) => s.mistakes.length >= 2);
      expect(withMistakes.length, `${l.slug} has no step with two mistakes`).toBeGreaterThan(0);
      for (const s of l.steps)
        for (const m of s.mistakes)
          expect(m.apply.manifests.length + m.apply.commands.length, `${l.slug}/${s.id}/${m.id}`).toBeGreaterThan(0);
    }
  });

  it('labs/lab.schema.json is generated from the current zod schema', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(labJsonSchema());
    const schema = JSON.parse(labJsonSchema());
    expect(schema.required).toEqual(['apiVersion', 'kind', 'title', 'steps']);
    expect(JSON.stringify(schema)).toContain('"podReady"');
  });

  it('lab summaries give the page what it shows', () => {
    const s = labSummary('content-sidecar', defaultLabsDir());
    expect(s.steps.map((x) => x.id)).toEqual(['content-pod', 'nodeport', 'git-sync', 'publish']);
    expect(s.steps[0].solution.text).toBe('kubectl apply -f pod.yaml');
    expect(s.steps[0].solution.manifests[0].text).toContain('Hello from the sidecar container!');
    expect(s.steps[1].commands).toContainEqual({ run: 'curl http://$HOST_IP:$NODE_PORT', explain: expect.any(String) });
    expect(s.steps[0].checks[1]).toEqual({ title: "nginx's web root holds the sidecar's page", type: 'exec' });
  });
});
