import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'astro/zod';
import { docsSchema } from '@astrojs/starlight/schema';
import { lessonFields } from '../schema.ts';
import { lessonSlugs } from '../lessons.ts';
import { labsDir, readAllLessons, repoRoot } from '../lesson-files.ts';

// The same schema src/content.config.ts gives the docs collection. Lessons use no image()
// fields, so a permissive stand-in for the image helper is enough.
const schema = docsSchema({ extend: lessonFields })({ image: () => z.any() } as never);

const lessons = await readAllLessons();

describe('course lessons', () => {
  it('has exactly one lesson file per course slug', () => {
    expect(lessons.map((l) => l.slug).sort()).toEqual([...lessonSlugs].sort());
  });

  for (const lesson of lessons) {
    describe(lesson.slug, () => {
      it('has front-matter that passes the docs schema', () => {
        const result = schema.safeParse(lesson.frontmatter);
        expect(result.error?.issues ?? []).toEqual([]);
        expect(result.success).toBe(true);
      });

      it('names its own lab slug, and that lab has a folder', () => {
        expect(lesson.frontmatter.lab).toBe(lesson.slug);
        const dir = join(labsDir, lesson.slug);
        expect(existsSync(dir) && statSync(dir).isDirectory(), `${dir} is missing`).toBe(true);
      });

      it('places exactly one lab panel, for its own lab', () => {
        expect(lesson.text).toMatch(/^import Lab from '\.\.\/\.\.\/src\/components\/Lab\.astro';$/m);
        expect(lesson.labPanels).toEqual([lesson.slug]);
      });

      it('shows at least one manifest, and every imported manifest exists in its lab folder', () => {
        expect(lesson.rawImports.length).toBeGreaterThan(0);
        for (const imp of lesson.rawImports) {
          expect(existsSync(imp.path), `${imp.specifier} does not exist`).toBe(true);
          expect(relative(join(labsDir, lesson.slug), imp.path)).not.toMatch(/^\.\./);
          // The import is shown, not just imported.
          expect(lesson.text).toContain(`code={${imp.name}}`);
        }
      });

      it('uses only pinned image tags in its code', () => {
        expect(lesson.text).not.toMatch(/image:\s*\S+:latest\b/);
      });
    });
  }

  it('the schema rejects a lab slug that is not in the course', () => {
    const result = schema.safeParse({ title: 'A lesson', lab: 'no-such-lab' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('lab must be one of the course');
  });

  it('the schema rejects a lesson without a title', () => {
    expect(schema.safeParse({ lab: 'date-tailer' }).success).toBe(false);
  });
});

describe('landing page', () => {
  const text = readFileSync(join(repoRoot, 'content', 'index.mdx'), 'utf8');
  it('links every lesson', () => {
    for (const slug of lessonSlugs) expect(text).toContain(`href="/lessons/${slug}/"`);
  });
});

describe('the Pod diagram', () => {
  const svgPath = join(repoRoot, 'public', 'diagrams', 'pod-with-sidecar.svg');
  it('is an SVG with a title and a description', () => {
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg).toMatch(/^<svg[^>]*role="img"/);
    expect(svg).toMatch(/<title id="title">[^<]{10,}<\/title>/);
    expect(svg).toMatch(/<desc id="desc">[^<]{40,}<\/desc>/);
  });
  it('is used in lesson 1 with real alt text', () => {
    const lesson = lessons.find((l) => l.slug === 'what-is-a-sidecar');
    const img = /<img\s[^>]*src="\/diagrams\/pod-with-sidecar\.svg"[^>]*>/.exec(lesson?.text ?? '');
    expect(img).not.toBeNull();
    const alt = /alt="([^"]*)"/.exec(img?.[0] ?? '');
    expect(alt?.[1]?.length ?? 0).toBeGreaterThan(40);
  });
});
