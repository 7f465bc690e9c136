// What the offline kit has already built: its pinned versions (scripts/kit/versions.env; for the
// version matrix KIT_KUBERNETES_VERSION overrides Kubernetes, scripts/kit/matrix.env) and whether a node image for
// them is in Docker (a warm kit: `cluster up` takes seconds, not a quarter of an hour).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from './exec.ts';

const versionsFile = fileURLToPath(new URL('../../scripts/kit/versions.env', import.meta.url));
const matrixFile = fileURLToPath(new URL('../../scripts/kit/matrix.env', import.meta.url));

/** NAME=value pairs of a versions.env text; `${NAME:-default}` yields the environment's value or the default. */
export function parseVersions(text: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const value = m[2]!.replace(/^"|"$/g, '');
    const dflt = /^\$\{([A-Z0-9_]+):-(.*)\}$/.exec(value);
    out[m[1]!] = dflt ? env[dflt[1]!] || dflt[2]! : value;
  }
  return out;
}

export function kitVersions(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const v = parseVersions(readFileSync(versionsFile, 'utf8'), env);
  const matrix = parseVersions(readFileSync(matrixFile, 'utf8'), env).MATRIX_KUBERNETES_VERSIONS;
  if (matrix) v.MATRIX_KUBERNETES_VERSIONS = matrix;
  if (env.KIT_KUBERNETES_VERSION) v.KUBERNETES_VERSION = env.KIT_KUBERNETES_VERSION;
  return v;
}

/** The newest node image the kit built for the pinned Kubernetes version, if any. */
export async function warmNodeImage(k8s = kitVersions().KUBERNETES_VERSION): Promise<string | undefined> {
  const r = await run('docker', ['images', 'sidecar-labs/node', '--format', '{{.Repository}}:{{.Tag}}'], {
    timeoutMs: 20_000,
  });
  if (r.code !== 0) return undefined;
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`sidecar-labs/node:${k8s}-`));
}
