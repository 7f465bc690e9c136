// sidecar-labs workshop (flags: the usage below)
// Serves the site and the labs for a room: prints the learner URL, the event code, and the
// instructor URL with the instructor's own secret (in the URL fragment, never sent in a request line).
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEventCode, newInstructorSecret } from '../server/workshop/config.ts';
import { normalizeCode } from '../config/workshop.ts';
import { oneOf, parseCommand, UsageError, wholeNumber } from '../config/args.ts';
import { serverConfig } from '../config/load.ts';
import { serverFlags, serverOptions, serverUsage } from '../config/server-flags.ts';
import type { ServerConfig, WorkshopSettings } from '../config/schema.ts';
import { plainHttpRefusal } from '../server/tls.ts';
import { startClusterJob } from '../cluster/background.ts';

const usage = `usage: sidecar-labs workshop [--code CODE] [--reserve N] [--max-sessions N] [--host ADDR] [--port N] [--cluster kind|current]
                         [--tls-cert FILE --tls-key FILE | --insecure-http] [--pool-labs slug,slug] [--no-build]

Serves the course and the labs to a room: prints the learner URL, the event code and the instructor
page (with the instructor's own key after #key=). Listens on every interface (0.0.0.0), so it needs
HTTPS (--tls-cert/--tls-key) or --insecure-http; with --host 127.0.0.1 it serves this machine only.
When no kind cluster answers it is created in the background while the site serves, as \`npm start\` does.

  --code CODE             the event code learners type (SIDECAR_LABS_WORKSHOP_CODE; default: a new one)
  --reserve N             ready sessions to keep per lab, the warm pool (SIDECAR_LABS_RESERVE; default 0)
  --max-sessions N        live sessions at most (SIDECAR_LABS_MAX_SESSIONS; default 40)
  --cluster kind|current  the kind cluster (default) or your kubeconfig's (SIDECAR_LABS_CLUSTER)
  --pool-labs slug,slug   the labs the warm pool prepares (SIDECAR_LABS_POOL_LABS; default all)
  --no-build              serve dist/ as it is
${serverUsage.replace('(default HOST or 127.0.0.1)', '(default HOST or 0.0.0.0)')}`;

const spec = {
  usage,
  options: {
    code: { type: 'string' },
    reserve: { type: 'string' },
    'max-sessions': { type: 'string' },
    cluster: { type: 'string' },
    'pool-labs': { type: 'string' },
    'no-build': { type: 'boolean' },
    ...serverOptions,
  },
} as const;

export interface WorkshopOptions {
  /** The server's configuration, workshop mode on. */
  config: ServerConfig & { workshop: WorkshopSettings };
  /** Build the site first when it is stale. */
  build: boolean;
}

/** The workshop's options from its flags and `env`; undefined after --help; bad input is a UsageError. */
export function parseWorkshopArgs(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  write?: (s: string) => void,
): WorkshopOptions | undefined {
  const parsed = parseCommand(spec, args, write);
  if (!parsed) return undefined;
  const { values } = parsed;
  const code = normalizeCode(values.code ?? env.SIDECAR_LABS_WORKSHOP_CODE ?? newEventCode());
  if (code.length < 4)
    throw new UsageError('--code expects at least 4 letters or digits, e.g. --code KUBE-2026', usage);
  const reserveText = values.reserve ?? env.SIDECAR_LABS_RESERVE;
  const poolLabs = values['pool-labs'] ?? env.SIDECAR_LABS_POOL_LABS;
  if (poolLabs !== undefined && !/^[a-z0-9-]+(,[a-z0-9-]+)*$/.test(poolLabs))
    throw new UsageError(
      '--pool-labs expects lab slugs separated by commas, e.g. --pool-labs content-sidecar,date-tailer',
      usage,
    );
  const workshop: WorkshopSettings = {
    code,
    instructorSecret: env.SIDECAR_LABS_INSTRUCTOR_SECRET?.trim() || newInstructorSecret(),
    reserve: reserveText === undefined ? 0 : wholeNumber('reserve', reserveText, 0, 50, usage),
    ...(poolLabs ? { poolLabs: poolLabs.split(',') } : {}),
  };
  const config = serverConfig(
    env,
    {
      ...serverFlags(values, usage),
      ...(values.cluster === undefined
        ? {}
        : { cluster: oneOf('cluster', values.cluster, ['kind', 'current'] as const, usage) }),
      ...(values['max-sessions'] === undefined
        ? {}
        : { maxSessions: wholeNumber('max-sessions', values['max-sessions'], 1, 1000, usage) }),
      workshop,
    },
    { host: '0.0.0.0', maxSessions: 40 },
  );
  return { config: { ...config, workshop }, build: !values['no-build'] };
}

/** The address learners type: this machine's first LAN address when listening on every interface. */
export function learnerHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  return lan?.address ?? 'localhost';
}

function buildSite(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'start.ts'), '--build-only'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('the site build failed (see above)');
}

export async function run(args: string[]): Promise<number> {
  const o = parseWorkshopArgs(args);
  if (!o) return 0;
  const { config } = o;
  const refusal = plainHttpRefusal(config.host, config.tls !== undefined, config.insecureHttp);
  if (refusal) throw new UsageError(refusal, usage); // before a minute of building, not after
  if (o.build) buildSite();
  // Like `npm start`: the site serves at once and the panels show the cluster coming up.
  if (config.cluster === 'kind') startClusterJob();
  const { serveUntilSignal } = await import('../server/main.ts');
  await serveUntilSignal(config);
  const base = `${config.tls ? 'https' : 'http'}://${learnerHost(config.host)}:${config.port}`;
  const { code, instructorSecret, reserve } = config.workshop;
  process.stdout.write(
    [
      '',
      `Workshop is open.`,
      `  Learners open:   ${base}/`,
      `  Event code:      ${code}`,
      `  Instructor page: ${base}/instructor/#key=${instructorSecret}`,
      `  (keep the instructor URL to yourself; ${reserve ? `${reserve} ready session(s) per lab are being prepared` : 'no warm pool: --reserve N prepares N ready sessions per lab'}; at most ${config.maxSessions} sessions)`,
      '',
    ].join('\n'),
  );
  return new Promise<number>(() => {}); // serves until Ctrl-C (serveUntilSignal exits the process)
}
