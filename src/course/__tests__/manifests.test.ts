import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { labImages } from '../images.ts';
import { lessonSlugs } from '../lessons.ts';
import { labsDir, readAllLessons } from '../lesson-files.ts';
import {
  allContainers,
  loadManifests,
  longRunningContainers,
  podSpecOf,
  unknownFields,
  validateAgainstSchema,
  type Manifest,
} from '../manifests.ts';

// Every Kubernetes manifest of every lab (lab.yaml is the engine's lab description, not a
// Kubernetes object, and is checked by the engine's own tests).
const manifestFiles = lessonSlugs.flatMap((slug) =>
  readdirSync(join(labsDir, slug))
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'lab.yaml')
    .map((f) => ({ slug, name: f, path: join(labsDir, slug, f) })),
);
const manifests = new Map<string, Manifest[]>();
for (const f of manifestFiles) manifests.set(f.path, await loadManifests(f.path));
const lessons = await readAllLessons();

describe('lab manifests', () => {
  it('exist for every lab', () => {
    for (const slug of lessonSlugs) {
      expect(
        manifestFiles.some((f) => f.slug === slug),
        `labs/${slug} has no manifest`,
      ).toBe(true);
    }
  });

  for (const f of manifestFiles) {
    describe(`${f.slug}/${f.name}`, () => {
      const docs = () => manifests.get(f.path) ?? [];

      it('parses to at least one Kubernetes object', () => {
        expect(docs().length).toBeGreaterThan(0);
      });

      it("validates against Kubernetes' published schema, with no unknown fields", async () => {
        for (const doc of docs()) {
          expect(await validateAgainstSchema(doc.object), `${f.path}:${doc.line}`).toEqual([]);
        }
      });

      it('names no namespace (the lab engine applies it into the learner namespace)', () => {
        for (const doc of docs()) {
          expect((doc.object.metadata as Record<string, unknown>).namespace).toBeUndefined();
        }
      });

      it('uses only the kit images, pinned, with imagePullPolicy IfNotPresent', () => {
        for (const doc of docs()) {
          const pod = podSpecOf(doc.object);
          for (const c of pod ? allContainers(pod.spec) : []) {
            expect(labImages, `${pod?.owner} container ${c.name}`).toContain(c.image);
            expect(c.image).not.toMatch(/:latest$/);
            expect(c.imagePullPolicy, `${pod?.owner} container ${c.name}`).toBe('IfNotPresent');
          }
        }
      });

      it('mounts every emptyDir in at least two containers, and every mount names a volume', () => {
        for (const doc of docs()) {
          const pod = podSpecOf(doc.object);
          if (!pod) continue;
          const volumes = pod.spec.volumes ?? [];
          const containers = allContainers(pod.spec);
          for (const c of containers) {
            for (const m of c.volumeMounts ?? []) {
              expect(
                volumes.map((v) => v.name),
                `${pod.owner} ${c.name} mounts ${m.name}`,
              ).toContain(m.name);
            }
          }
          for (const v of volumes.filter((v) => v.emptyDir)) {
            const users = longRunningContainers(pod.spec).filter((c) =>
              (c.volumeMounts ?? []).some((m) => m.name === v.name),
            );
            expect(users.length, `${pod.owner}: emptyDir ${v.name} is shared`).toBeGreaterThanOrEqual(2);
          }
        }
      });

      it('is shown by the lesson of its lab', () => {
        const lesson = lessons.find((l) => l.slug === f.slug);
        expect(lesson?.rawImports.map((i) => i.path)).toContain(f.path);
      });
    });
  }
});

// The manifests of common mistakes (labs/<slug>/mistakes/): wrong on purpose, so only the rules that
// make them real Kubernetes objects on the offline cluster apply; a mistake must be one the API accepts.
const mistakeFiles = lessonSlugs.flatMap((slug) => {
  const dir = join(labsDir, slug, 'mistakes');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => ({ slug, name: f, path: join(dir, f) }))
    : [];
});

describe('mistake manifests', () => {
  for (const f of mistakeFiles) {
    it(`${f.slug}/mistakes/${f.name}: valid Kubernetes, kit images, no namespace`, async () => {
      const docs = await loadManifests(f.path);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(await validateAgainstSchema(doc.object), `${f.path}:${doc.line}`).toEqual([]);
        expect((doc.object.metadata as Record<string, unknown>).namespace).toBeUndefined();
        const pod = podSpecOf(doc.object);
        for (const c of pod ? allContainers(pod.spec) : []) expect(labImages).toContain(c.image);
      }
    });
  }
});

describe('the validators can fail', () => {
  const pod = (container: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x' },
    spec: { containers: [{ name: 'a', image: 'docker.io/library/busybox:1.36.0', ...container }] },
  });

  it('reports a misspelt field with its path', () => {
    expect(unknownFields(pod({ volumeMount: [] }), 'V1Pod')).toEqual([
      'unknown field spec.containers[0].volumeMount (not in V1Container)',
    ]);
  });

  it('reports a wrong type through the published schema', async () => {
    const problems = await validateAgainstSchema(pod({ command: 'sh -c date' }));
    expect(problems.join('\n')).toMatch(/command must be array/);
  });

  it('reports an unknown kind', async () => {
    expect(await validateAgainstSchema({ apiVersion: 'v1', kind: 'Sidecar', metadata: { name: 'x' } })).toEqual([
      'unknown kind Sidecar in v1',
    ]);
  });
});
