// The versioned lab format: sidecar-labs.dev/v1 (slug from the folder, images derived or checked,
// NodePorts by name, notEquals/notMatches, invariant checks) and the unversioned format still loading,
// converted, with one deprecation note.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLab } from '../load.ts';
import { setDeprecationSink } from '../load/deprecation.ts';
import { matchText } from '../checks/fields.ts';
import { field } from '../checks/field.ts';
import { labJsonSchema } from '../export-schema.ts';
import { WEB_POD, copyCourseLab, problems, tempLabsDir, writeLab } from './lab-fixtures.ts';

const tmp = tempLabsDir('labs-v1-');
let notes: string[] = [];
let restore: (line: string) => void;
beforeEach(() => {
  notes = [];
  restore = setDeprecationSink((l) => notes.push(l));
});
afterEach(() => void setDeprecationSink(restore));

const POD = WEB_POD;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ port: 80, nodePort: 30080 }]
`;
const v1 = (extra: string, check = '      - type: podReady\n        pod: web\n') => `apiVersion: sidecar-labs.dev/v1
kind: Lab
title: Demo
${extra}steps:
  - id: run
    title: Run it
    instructions: Apply the pod.
    solution: { manifests: [pod.yaml] }
    checks:
${check}`;

describe('lab format sidecar-labs.dev/v1', () => {
  it('takes the slug from the folder and derives the images from the manifests', () => {
    writeLab(tmp.dir, 'demo', v1(''), { 'pod.yaml': POD });
    const lab = loadLab('demo', tmp.dir);
    expect(lab).toMatchObject({ slug: 'demo', lesson: 'demo', images: ['docker.io/library/nginx:1.24.0'] });
    expect(notes).toEqual([]);
  });

  it('refuses "lesson" with why, and an unknown apiVersion or kind, each positioned', () => {
    writeLab(tmp.dir, 'demo', v1('lesson: demo\n'), { 'pod.yaml': POD });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/lab.yaml:4:1: lesson: unknown field "lesson": in sidecar-labs.dev/v1 the slug is the lab folder\'s name; remove "lesson"',
    ]);
    writeLab(tmp.dir, 'two', v1('').replace('dev/v1', 'dev/v2'), { 'pod.yaml': POD });
    expect(problems(() => loadLab('two', tmp.dir))).toEqual([
      'two/lab.yaml:1:13: apiVersion: unknown apiVersion "sidecar-labs.dev/v2": expected sidecar-labs.dev/v1 (the only lab format version)',
    ]);
    writeLab(tmp.dir, 'three', v1('').replace('kind: Lab', 'kind: Course'), { 'pod.yaml': POD });
    expect(problems(() => loadLab('three', tmp.dir))).toEqual(['three/lab.yaml:2:7: kind: expected kind: Lab']);
    writeLab(tmp.dir, 'four', v1('').replace('apiVersion: sidecar-labs.dev/v1\n', ''), { 'pod.yaml': POD });
    expect(problems(() => loadLab('four', tmp.dir))).toEqual([
      'four/lab.yaml:1:1: missing "apiVersion": a lab of kind "Lab" needs apiVersion: sidecar-labs.dev/v1',
    ]);
  });

  it('checks an images list against the manifests both ways', () => {
    writeLab(tmp.dir, 'demo', v1('images: [docker.io/library/nginx:1.24.0, docker.io/library/busybox:1.36.0]\n'), {
      'pod.yaml': POD,
    });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/lab.yaml:4:42: images[1]: image "docker.io/library/busybox:1.36.0" is listed but no manifest or command of the lab uses it: remove it',
    ]);
    writeLab(tmp.dir, 'two', v1('images: [docker.io/library/busybox:1.36.0]\n'), { 'pod.yaml': POD });
    expect(problems(() => loadLab('two', tmp.dir))).toEqual(
      [
        'two/pod.yaml:8:14: spec.containers[0].image: image "docker.io/library/nginx:1.24.0" is not listed in lab.yaml "images" (docker.io/library/busybox:1.36.0)',
        'two/lab.yaml:4:10: images[0]: image "docker.io/library/busybox:1.36.0" is listed but no manifest or command of the lab uses it: remove it',
      ].sort((a, b) => a.localeCompare(b)),
    );
  });

  it('an image only a command runs (kubectl run --image=…) is derived and may be listed', () => {
    const check = '      - type: podReady\n        pod: web\n';
    const text = v1('', check).replace(
      'solution: { manifests: [pod.yaml] }',
      'solution:\n      manifests: [pod.yaml]\n      commands: [kubectl run tool --image=docker.io/library/busybox:1.36.0 -- true]',
    );
    writeLab(tmp.dir, 'demo', text, { 'pod.yaml': POD });
    expect(loadLab('demo', tmp.dir).images).toEqual([
      'docker.io/library/nginx:1.24.0',
      'docker.io/library/busybox:1.36.0',
    ]);
  });

  it('names NodePorts in checks: resolved to the declared port; a number or an unknown name is positioned', () => {
    const files = { 'pod.yaml': POD, 'service.yaml': SERVICE };
    const check = (p: string) => `      - type: http\n        nodePort: ${p}\n`;
    writeLab(tmp.dir, 'demo', v1('nodePorts: { web: 30080 }\n', check('web')), files);
    const c = loadLab('demo', tmp.dir).steps[0].checks[0];
    expect(c).toMatchObject({ type: 'http', nodePort: 30080 });
    writeLab(tmp.dir, 'two', v1('nodePorts: { web: 30080 }\n', check('30080')), files);
    expect(problems(() => loadLab('two', tmp.dir))).toEqual([
      'two/lab.yaml:12:19: steps[0].checks[0].nodePort: in sidecar-labs.dev/v1 a check names its NodePort: nodePort: web',
    ]);
    writeLab(tmp.dir, 'three', v1('nodePorts: { web: 30080 }\n', check('api')), files);
    expect(problems(() => loadLab('three', tmp.dir))).toEqual([
      'three/lab.yaml:12:19: steps[0].checks[0].nodePort: nodePort "api" is not a name in "nodePorts" (web)',
    ]);
  });

  it('a step whose checks are all invariants is refused: one must fail before the solution', () => {
    const check = '      - type: podReady\n        pod: web\n        invariant: true\n';
    writeLab(tmp.dir, 'demo', v1('', check), { 'pod.yaml': POD });
    expect(problems(() => loadLab('demo', tmp.dir))).toEqual([
      'demo/lab.yaml:10:7: steps[0].checks: every check of this step is an invariant: at least one must fail before the solution (remove "invariant: true" from it)',
    ]);
    const two = `${check}      - type: containerRunning\n        pod: web\n        container: nginx\n`;
    writeLab(tmp.dir, 'two', v1('', two), { 'pod.yaml': POD });
    expect(loadLab('two', tmp.dir).steps[0].checks.map((c) => c.invariant)).toEqual([true, undefined]);
  });

  it('every number of the generated JSON Schema says its unit or meaning', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string, described: boolean): void => {
      if (!node || typeof node !== 'object') return;
      if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${path}/${i}`, described));
      const n = node as Record<string, unknown>;
      const here = described || typeof n.description === 'string';
      if ((n.type === 'number' || n.type === 'integer') && !here) undocumented.push(path);
      for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`, k === 'anyOf' || k === 'oneOf' ? here : false);
    };
    walk(JSON.parse(labJsonSchema()), '', false);
    expect(undocumented).toEqual([]);
  });
});

describe('notEquals and notMatches', () => {
  it('match text without a negative look-ahead', () => {
    expect(matchText('/var/www', { notMatches: '^/var/log/?$' }).ok).toBe(true);
    expect(matchText('/var/log/', { notMatches: '^/var/log/?$' }).ok).toBe(false);
    expect(matchText('81\n', { notEquals: '80' }).ok).toBe(true);
    expect(matchText('80\n', { notEquals: '80' })).toEqual({ ok: false, expected: 'anything but "80"' });
  });

  it('a field check with notMatches/notEquals fails when the field is not set', async () => {
    const obj = { spec: { ports: [{ targetPort: 8080 }] } };
    const ctx = { namespace: 'n', ops: { readObject: async () => obj } } as never;
    const run = (extra: object) =>
      field.probe(
        field.schema.parse({
          type: 'field',
          kind: 'Service',
          name: 'web',
          jsonPath: '{.spec.ports[0].targetPort}',
          ...extra,
        }),
        ctx,
        1000,
      );
    expect((await run({ notEquals: 80 })).ok).toBe(true);
    expect((await run({ notEquals: 8080 })).ok).toBe(false);
    expect((await run({ notMatches: '^80$' })).ok).toBe(true);
    const unset = await field.probe(
      field.schema.parse({ type: 'field', kind: 'Service', name: 'web', jsonPath: '{.spec.nope}', notMatches: 'x' }),
      ctx,
      1000,
    );
    expect(unset).toMatchObject({ ok: false, message: '{.spec.nope} is not set, expected not to match /x/' });
  });
});

describe('the unversioned format (before v1)', () => {
  const OLD = fileURLToPath(new URL('./fixtures/content-sidecar.v0.lab.yaml', import.meta.url));

  it('an old lab folder loads, converted to the same lab as its v1 file, with one deprecation note', () => {
    const dir = copyCourseLab(tmp.dir, 'content-sidecar');
    const v1Lab = loadLab('content-sidecar', tmp.dir);
    copyFileSync(OLD, join(dir, 'lab.yaml'));
    const old = loadLab('content-sidecar', tmp.dir);
    loadLab('content-sidecar', tmp.dir); // a second load says nothing more
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/content-sidecar\/lab\.yaml: deprecated: this lab\.yaml has no "apiVersion"/);
    expect(notes[0]).toContain('add "apiVersion: sidecar-labs.dev/v1" and "kind: Lab"');
    const { images: a, ...restOld } = old;
    const { images: b, ...restNew } = v1Lab;
    expect([...a].sort()).toEqual([...b].sort());
    // the two files differ only in the negative look-aheads v1 replaced by notMatches/notEquals
    const strip = (l: typeof old) =>
      JSON.parse(
        JSON.stringify(l, (k, v) => (k === 'matches' || k === 'notMatches' || k === 'notEquals' ? undefined : v)),
      );
    expect(strip({ ...restOld, images: [] })).toEqual(strip({ ...restNew, images: [] }));
    expect(old.steps[1].checks[1]).toMatchObject({ type: 'http', nodePort: 30080 });
  });

  it('keeps its old rules: lesson must equal the folder, NodePort numbers must be declared', () => {
    const dir = copyCourseLab(tmp.dir, 'content-sidecar');
    copyFileSync(OLD, join(dir, 'lab.yaml'));
    const text = readFileSync(join(dir, 'lab.yaml'), 'utf8')
      .replace('lesson: content-sidecar', 'lesson: other')
      .replace('        nodePort: 30080', '        nodePort: 30081');
    writeFileSync(join(dir, 'lab.yaml'), text);
    expect(problems(() => loadLab('content-sidecar', tmp.dir))).toEqual([
      'content-sidecar/lab.yaml:3:9: lesson: lesson "other" must equal the lab folder name "content-sidecar"',
      'content-sidecar/lab.yaml:91:19: steps[1].checks[1].nodePort: nodePort 30081 is not declared in "nodePorts"',
    ]);
  });
});
