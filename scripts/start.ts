// `npm start`: build the site when dist/ is missing or older than its sources, then run the lab
// server (site + API + terminal) on PORT (default 4321).
// Its flags (the usage below) and the SIDECAR_LABS_* environment make the server's one configuration
// (src/config/), built here once. `node scripts/start.ts --build-only` builds when needed and stops
// (`sidecar-labs workshop` does that, then serves itself).
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommand, UsageError } from '../src/config/args.ts';
import { serverConfig } from '../src/config/load.ts';
import { serverFlags, serverOptions, serverUsage } from '../src/config/server-flags.ts';
import { reportError } from '../src/cli/report-error.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const astroBin = join(root, 'node_modules', 'astro', 'bin', 'astro.mjs');

/** Newest modification time under `path` (files only), skipping tests, which the build does not read. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) {
    if (entry === '__tests__' || entry === 'node_modules' || entry.startsWith('.')) continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

/** Why the site needs a build, or undefined when dist/ is up to date. */
export function buildReason(dir = root): string | undefined {
  const marker = join(dir, 'dist', 'index.html');
  if (!existsSync(marker)) return 'no build yet';
  const built = statSync(marker).mtimeMs;
  const inputs = ['content', 'src', 'labs', 'public', 'astro.config.mjs', 'package.json'];
  const stale = inputs.filter((p) => newest(join(dir, p)) > built);
  return stale.length ? `changed since the last build: ${stale.join(', ')}` : undefined;
}

const usage = `usage: npm start [-- [--dev] [--no-build] [--no-cluster] [--host ADDR] [--port N] [--tls-cert FILE --tls-key FILE] [--insecure-http]]

Builds the site when dist/ is missing or older than its sources, then serves it with the lab server
on http://localhost:4321. When no kind cluster answers it is created in the background while the site
serves; every lab panel shows its progress (GET /api/cluster).

  --dev                   astro dev with the lab API mounted (pages reload as you edit lessons)
  --no-build              serve dist/ as it is
  --no-cluster            do not create the lab cluster (\`npx sidecar-labs cluster up\` does it)
${serverUsage}  --build-only            build when needed, do not serve
`;

const spec = {
  usage,
  options: {
    dev: { type: 'boolean' },
    'no-build': { type: 'boolean' },
    'no-cluster': { type: 'boolean' },
    'build-only': { type: 'boolean' },
    ...serverOptions,
  },
} as const;

/** Builds the site when it is stale; false when the build failed (it said why). */
function buildIfNeeded(): boolean {
  const reason = buildReason();
  if (!reason) return true;
  process.stdout.write(`Sidecar Labs: building the site (${reason})…\n`);
  const r = spawnSync(process.execPath, [astroBin, 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status === 0) return true;
  process.stderr.write('sidecar-labs: the site build failed (see above); fix it, then run `npm start` again\n');
  return false;
}

async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(spec, args);
  if (!parsed) return 0;
  const { values } = parsed;
  if (values['build-only']) return buildIfNeeded() ? 0 : 1;
  const config = serverConfig(process.env, serverFlags(values, usage));
  // Refused before a minute of building, not after.
  const { plainHttpRefusal } = await import('../src/server/tls.ts');
  const refusal = plainHttpRefusal(config.host, config.tls !== undefined, config.insecureHttp);
  if (refusal) throw new UsageError(refusal, usage);
  // The lab cluster comes up in the background (kind only; --no-cluster or --cluster current: not).
  if (!values['no-cluster'] && config.cluster === 'kind')
    (await import('../src/cluster/background.ts')).startClusterJob();
  if (values.dev) {
    // The lab API is mounted into astro dev by the integration in astro.config.mjs.
    const child = spawn(process.execPath, [astroBin, 'dev', '--port', String(config.port)], {
      cwd: root,
      stdio: 'inherit',
    });
    child.on('exit', (code) => process.exit(code ?? 0));
    return new Promise<number>(() => {});
  }
  if (!values['no-build'] && !buildIfNeeded()) return 1;
  const { serveUntilSignal } = await import('../src/server/main.ts');
  await serveUntilSignal(config);
  return new Promise<number>(() => {}); // serves until Ctrl-C (serveUntilSignal exits the process)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => process.exit(reportError('start', err)),
  );
}
