// sidecar-labs workshop [--code CODE] [--reserve N] [--max-sessions N] [--host ADDR] [--port N]
//                       [--cluster kind|current] [--pool-labs slug,slug] [--no-build]
// Serves the site and the labs for a room: prints the learner URL, the event code, and the
// instructor URL with the instructor's own secret (in the URL fragment, never sent in a request line).
import { spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEventCode, newInstructorSecret, normalizeCode } from '../server/workshop/config.ts';

export interface WorkshopOptions {
  code: string;
  reserve: number;
  maxSessions: number;
  host: string;
  port: number;
  cluster: 'kind' | 'current';
  build: boolean;
  /** Labs the warm pool prepares (default: all). */
  poolLabs?: string;
}

function wholeNumber(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > max)
    throw new Error(`${flag} expects a whole number from ${min} to ${max}, got "${v ?? ''}"`);
  return n;
}

export function parseWorkshopArgs(args: string[], env: NodeJS.ProcessEnv = process.env): WorkshopOptions {
  const o: WorkshopOptions = {
    code: env.SIDECAR_LABS_WORKSHOP_CODE ?? newEventCode(),
    reserve: 0,
    maxSessions: 40,
    host: env.HOST ?? '0.0.0.0',
    port: Number(env.PORT) || 4321,
    cluster: env.SIDECAR_LABS_CLUSTER === 'current' ? 'current' : 'kind',
    build: true,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const flag = a.split('=')[0];
    const value = () => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i]);
    if (flag === '--code') {
      o.code = normalizeCode(value() ?? '');
      if (o.code.length < 4) throw new Error('--code expects at least 4 letters or digits, e.g. --code KUBE-2026');
    } else if (flag === '--reserve') o.reserve = wholeNumber('--reserve', value(), 0, 50);
    else if (flag === '--max-sessions') o.maxSessions = wholeNumber('--max-sessions', value(), 1, 1000);
    else if (flag === '--port') o.port = wholeNumber('--port', value(), 1, 65535);
    else if (flag === '--host') o.host = value() ?? '';
    else if (flag === '--cluster') {
      const c = value();
      if (c !== 'kind' && c !== 'current') throw new Error(`--cluster expects "kind" or "current", got "${c ?? ''}"`);
      o.cluster = c;
    } else if (flag === '--pool-labs') {
      o.poolLabs = value() ?? '';
      if (!/^[a-z0-9-]+(,[a-z0-9-]+)*$/.test(o.poolLabs))
        throw new Error(
          '--pool-labs expects lab slugs separated by commas, e.g. --pool-labs content-sidecar,date-tailer',
        );
    } else if (flag === '--no-build') o.build = false;
    else
      throw new Error(
        `unknown option ${a} (expected --code, --reserve, --max-sessions, --host, --port, --cluster, --pool-labs, --no-build)`,
      );
  }
  if (!o.host) throw new Error('--host expects an address, e.g. --host 0.0.0.0 (every interface) or --host 127.0.0.1');
  return o;
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
  const secret = process.env.SIDECAR_LABS_INSTRUCTOR_SECRET ?? newInstructorSecret();
  Object.assign(process.env, {
    SIDECAR_LABS_WORKSHOP_CODE: o.code,
    SIDECAR_LABS_INSTRUCTOR_SECRET: secret,
    SIDECAR_LABS_RESERVE: String(o.reserve),
    SIDECAR_LABS_MAX_SESSIONS: String(o.maxSessions),
    SIDECAR_LABS_CLUSTER: o.cluster,
    ...(o.poolLabs ? { SIDECAR_LABS_POOL_LABS: o.poolLabs } : {}),
  });
  if (o.build) buildSite();
  const { serveUntilSignal } = await import('../server/main.ts');
  await serveUntilSignal({ port: o.port, host: o.host });
  const base = `http://${learnerHost(o.host)}:${o.port}`;
  process.stdout.write(
    [
      '',
      `Workshop is open.`,
      `  Learners open:   ${base}/`,
      `  Event code:      ${o.code}`,
      `  Instructor page: ${base}/instructor/#key=${secret}`,
      `  (keep the instructor URL to yourself; ${o.reserve ? `${o.reserve} ready session(s) per lab are being prepared` : 'no warm pool: --reserve N prepares N ready sessions per lab'}; at most ${o.maxSessions} sessions)`,
      '',
    ].join('\n'),
  );
  return new Promise<number>(() => {}); // serves until Ctrl-C (serveUntilSignal exits the process)
}
