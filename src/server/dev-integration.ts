// `astro dev` with live labs: mounts the lab API and the terminal WebSocket into Astro's dev server,
// so lesson pages reload as you edit them and the lab panel still works. Does nothing during
// `astro build` (the built site is served by main.ts). The server code is imported only when the
// dev server starts, so loading astro.config.mjs stays cheap.
import type { AstroIntegration } from 'astro';

export function labServerDev(): AstroIntegration {
  return {
    name: 'sidecar-labs:lab-server',
    hooks: {
      'astro:server:setup': async ({ server, logger }) => {
        const { createApp } = await import('./app.ts');
        const { serverConfig } = await import('../config/load.ts');
        // astro dev is an entry point too: its configuration from the environment, built once here.
        const config = serverConfig(process.env);
        const { lab, recover } = createApp({ config, log: (line) => logger.info(line) });
        server.middlewares.use((req, res, next) => lab.handle(req, res, next));
        // Vite's HMR socket shares this server; take only our own path.
        server.httpServer?.on('upgrade', (req, socket, head) => {
          if (req.url?.startsWith('/api/terminal/')) lab.upgrade(req, socket, head);
        });
        server.httpServer?.once('close', () => void lab.close());
        await recover();
        lab.startSweeper();
      },
    },
  };
}
