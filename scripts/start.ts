// `npm start`: build the site when dist/ is missing or older than its sources, then run the lab
// server (site + API + terminal) on PORT (default 4321).
//   npm start -- --dev    astro dev with the lab API mounted (pages reload as you edit lessons)
//   npm start -- --no-build    serve dist/ as it is
//   npm start -- --no-cluster  do not create the lab cluster (by default, when no kind cluster answers,
//                              it is created in the background while the site serves; every lab panel
//                              shows its progress: src/cluster/background.ts, GET /api/cluster)
//   node scripts/start.ts --build-only   build when needed, do not serve
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
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

/** The lab cluster comes up in the background (kind only; `--no-cluster` or SIDECAR_LABS_CLUSTER=current: not). */
async function startCluster(): Promise<void> {
  if (args.includes('--no-cluster')) return;
  const { defaultClusterChoice } = await import('../src/kube/kubeconfig.ts');
  if (defaultClusterChoice() !== 'kind') return;
  const { startClusterJob } = await import('../src/cluster/background.ts');
  startClusterJob();
}

async function run(): Promise<void> {
  const unknown = args.filter((a) => !['--dev', '--no-build', '--no-cluster'].includes(a));
  if (unknown.length) throw new Error(`unknown option ${unknown[0]} (expected --dev, --no-build or --no-cluster)`);
  await startCluster();
  if (args.includes('--dev')) {
    // The lab API is mounted into astro dev by the integration in astro.config.mjs.
    const port = process.env.PORT ?? '4321';
    const child = spawn(process.execPath, [astroBin, 'dev', '--port', port], { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  const reason = args.includes('--no-build') ? undefined : buildReason();
  if (reason) {
    process.stdout.write(`Sidecar Labs: building the site (${reason})…\n`);
    const r = spawnSync(process.execPath, [astroBin, 'build'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write('sidecar-labs: the site build failed (see above); fix it, then run `npm start` again\n');
      process.exit(1);
    }
  }
  if (args.includes('--build-only')) return; // sidecar-labs workshop builds, then serves itself
  const { serveUntilSignal } = await import('../src/server/main.ts');
  await serveUntilSignal();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((err: unknown) => {
    process.stderr.write(`sidecar-labs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
