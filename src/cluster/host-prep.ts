// Preparing a fresh machine for `npm test` and `npm start`: what the host lacks (a running Docker
// engine with the kit's packages, Debian's Chromium for the browser tests), and either the commands
// that fix it (as root, or with passwordless sudo) or the one command the user must run. The decision
// is a pure function of facts gathered by `hostFacts()`, so every branch is unit-tested.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from './exec.ts';

export type EngineState = 'running' | 'stopped' | 'denied' | 'no-client';

export interface HostFacts {
  engine: EngineState;
  /** The kit's host packages are there (debootstrap) and the runc wrapper is set up where needed. */
  kitReady: boolean;
  root: boolean;
  /** `sudo -n true` works. */
  sudo: boolean;
  /** A Debian-like host (apt-get), where scripts/kit/host-setup.sh applies. */
  apt: boolean;
  chromium: boolean;
  /** Docker is needed: the kind cluster (not SIDECAR_LABS_CLUSTER=current). */
  needDocker: boolean;
  /** Chromium is needed: the browser tests (npm test), not npm start. */
  needChromium: boolean;
}

export interface HostAction {
  why: string;
  cmd: string[];
}

export type HostPlan = { ok: true; actions: HostAction[] } | { ok: false; message: string; command: string };

export const HOST_SETUP = 'scripts/kit/host-setup.sh';
// The test tools from Debian: Chromium for the browser tests, shellcheck for the lint step.
const CHROMIUM_PACKAGES = ['chromium', 'fonts-dejavu-core', 'shellcheck'];

const engineWhy: Record<EngineState, string> = {
  running: 'the offline kit needs Debian packages (debootstrap, …) or the runc wrapper',
  stopped: 'the Docker engine is not running',
  denied: 'this user may not use the Docker socket',
  'no-client': 'Docker is not installed',
};

function dockerNeed(f: HostFacts): { why: string } | { stop: string; command: string } | undefined {
  if (!f.needDocker || (f.engine === 'running' && f.kitReady)) return undefined;
  if (f.engine === 'denied') {
    return { stop: `${engineWhy.denied}.`, command: 'sudo usermod -aG docker "$USER"   # then log in again' };
  }
  if (!f.apt) {
    if (f.engine === 'running') return undefined; // not Debian: the kit cannot help; an online cluster up may still work
    return f.engine === 'stopped'
      ? { stop: `${engineWhy.stopped}.`, command: 'sudo systemctl start docker   # or start Docker Desktop' }
      : {
          stop: `${engineWhy['no-client']}.`,
          command: 'install Docker Engine: https://docs.docker.com/engine/install/',
        };
  }
  return { why: engineWhy[f.engine] };
}

/** What to do about the host; `root` or `sudo` decides between doing it and asking for it. */
export function planHost(f: HostFacts, setupScript = HOST_SETUP): HostPlan {
  const asRoot = (cmd: string[]) => (f.root ? cmd : ['sudo', '-n', ...cmd]);
  const can = f.root || f.sudo;
  const actions: HostAction[] = [];
  const commands: string[] = [];
  const reasons: string[] = [];
  const docker = dockerNeed(f);
  if (docker && 'stop' in docker) return { ok: false, message: docker.stop, command: docker.command };
  if (docker) {
    reasons.push(docker.why);
    if (can) actions.push({ why: docker.why, cmd: asRoot(['bash', setupScript]) });
    else commands.push(`sudo bash ${setupScript}`);
  }
  if (f.needChromium && !f.chromium) {
    const why = "Debian's Chromium or shellcheck (the browser tests, the lint step) is not installed";
    if (!f.apt)
      return { ok: false, message: `${why}.`, command: 'install Chromium, then set CHROMIUM_PATH=/path/to/chromium' };
    reasons.push(why);
    const install = `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${CHROMIUM_PACKAGES.join(' ')}`;
    if (can) actions.push({ why, cmd: asRoot(['sh', '-c', install]) });
    else commands.push(`sudo sh -c '${install}'`);
  }
  if (commands.length) {
    return {
      ok: false,
      message: `${reasons.join('; ')}, and this user is not root and has no passwordless sudo.`,
      command: commands.join(' && '),
    };
  }
  return { ok: true, actions };
}

// ------------------------------------------------------------------------------ the real host

/** Docker's state, told apart the way the fixes differ. */
export async function engineState(): Promise<EngineState> {
  const client = await run('docker', ['version', '--format', '{{.Client.Version}}'], { timeoutMs: 20_000 });
  if (client.code === 127) return 'no-client';
  // `docker version` says "permission denied" plainly; `docker info --format` hides it in a template error.
  const server = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
  if (server.code === 0) return 'running';
  return /permission denied/i.test(`${server.stdout}${server.stderr}`) ? 'denied' : 'stopped';
}

/** The host's bounding set lacks CAP_SYS_RESOURCE (these VMs): containers need the runc wrapper. */
export function needsRuncWrapper(status = safeRead('/proc/self/status')): boolean {
  const m = /^CapBnd:\s*([0-9a-f]+)/m.exec(status);
  return m ? (BigInt(`0x${m[1]}`) & (1n << 24n)) === 0n : false;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export async function defaultRuntime(): Promise<string | undefined> {
  const r = await run('docker', ['info', '--format', '{{.DefaultRuntime}}'], { timeoutMs: 20_000 });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export async function hostFacts(need: { docker: boolean; chromium: boolean }): Promise<HostFacts> {
  const engine = need.docker ? await engineState() : 'running';
  const wrapperOk = !needsRuncWrapper() || engine !== 'running' || (await defaultRuntime()) === 'sidecar-labs-runc';
  const root = process.getuid?.() === 0;
  return {
    engine,
    kitReady: ['/usr/sbin/debootstrap', '/usr/bin/debootstrap'].some((p) => existsSync(p)) && wrapperOk,
    root,
    sudo: !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0,
    apt: existsSync('/usr/bin/apt-get'),
    chromium:
      existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium') &&
      (!need.chromium || existsSync('/usr/bin/shellcheck')),
    needDocker: need.docker,
    needChromium: need.chromium,
  };
}

/** Runs the plan's actions, saying what and why; false (with the reason printed) when one fails. */
export function runHostActions(
  actions: HostAction[],
  say: (line: string) => void,
  cwd = fileURLToPath(new URL('../../', import.meta.url)),
): boolean {
  for (const a of actions) {
    say(`preparing the host: ${a.why}: running \`${a.cmd.join(' ')}\``);
    const r = spawnSync(a.cmd[0]!, a.cmd.slice(1), { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      say(
        `preparing the host failed (exit ${r.status ?? r.signal}): \`${a.cmd.join(' ')}\`; fix what it printed above, then run it again`,
      );
      return false;
    }
  }
  return true;
}
