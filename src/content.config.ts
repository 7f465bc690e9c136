import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { lessonFields } from './course/schema.ts';

/**
 * Starlight's docs collection, loaded from the top-level content/ folder instead of
 * src/content/docs so authors find lessons next to labs/. content/lessons/<slug>.mdx is
 * served at /lessons/<slug>/.
 */
export const collections = {
  docs: defineCollection({
    // README.md files describe the folder for people browsing the repository; they are not pages.
    loader: glob({ pattern: ['**/*.{md,mdx}', '!**/README.md'], base: './content' }),
    schema: docsSchema({ extend: lessonFields }),
  }),
};
