import { z } from 'astro/zod';
import { lessonSlugs } from './lessons.ts';

/**
 * Front-matter fields a lesson adds to Starlight's docs schema. `lab` names the lab the
 * lesson's panel starts (labs/<lab>/); pages without a lab (the landing page) omit it.
 */
export const lessonFields = z.object({
  lab: z
    .enum(lessonSlugs, {
      error: (issue) =>
        `lab must be one of the course's lab slugs (${lessonSlugs.join(', ')}), got ${JSON.stringify(issue.input)}`,
    })
    .optional(),
});
