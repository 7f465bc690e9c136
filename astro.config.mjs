// @ts-check
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { lessonSlugs } from './src/course/lessons.ts';
import { labServerDev } from './src/server/dev-integration.ts';
import { fileURLToPath } from 'node:url';

/**
 * Site configuration: a fully static build; the lab server (src/server) serves dist/ and the lab API
 * beside it, and `labServerDev` mounts the same API into `astro dev`.
 */
/** @type {import('@astrojs/starlight/types').StarlightUserConfig} */
export const starlightOptions = {
  title: 'Sidecar Labs',
  description: 'Learn the Kubernetes sidecar pattern with live labs on a real cluster.',
  // Lessons live in the top-level content/ folder (see src/content.config.ts).
  sidebar: [
    { label: 'Start here', link: '/' },
    { label: 'Course', items: lessonSlugs.map((slug) => `lessons/${slug}`) },
    { label: 'For instructors', items: [{ label: 'Run a workshop', link: '/run-a-workshop/' }] },
  ],
  customCss: ['./src/styles/site.css'],
  // The sidebar marks lessons whose lab is done (src/components/Sidebar.astro).
  components: { Sidebar: './src/components/Sidebar.astro' },
  // Starlight defaults we rely on: Expressive Code (Shiki) with a copy button on every code
  // block, Pagefind search, and the light/dark theme switch.
  expressiveCode: {
    themes: ['github-dark', 'github-light'],
  },
  pagefind: true,
  lastUpdated: false,
};

export default defineConfig({
  site: 'http://localhost:4321',
  output: 'static',
  // labServerDev: the lab API + terminal inside `astro dev` (no effect on `astro build`).
  integrations: [starlight(starlightOptions), labServerDev()],
  vite: {
    resolve: {
      // Load Pagefind's search UI when a reader starts a search, not on every page at idle time
      // (keeps lesson pages under the 50 kB JavaScript goal; see src/site/pagefind-on-demand.ts).
      alias: [
        {
          find: /^@pagefind\/default-ui$/,
          replacement: fileURLToPath(new URL('./src/site/pagefind-on-demand.ts', import.meta.url)),
        },
      ],
    },
  },
});
