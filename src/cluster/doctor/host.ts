// The doctor's checks of the machine that runs the kind cluster: Docker engine and runtime, cgroups,
// free memory and disk, the host ports the labs use, the kit cache. Parsing is kept in pure functions.
import { existsSync, mkdirSync, readFileSync, statfsSync, accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { run } from '../exec.ts';
import { portFree } from '../preflight.ts';
import { CLUSTER_NAME, cacheDir } from '../../kube/paths.ts';
import { hostNodePorts } from '../kind.ts';
import { defaultRuntime, engineState, needsRuncWrapper } from '../host-prep.ts';
import { kitVersions, warmNodeImage } from '../kit-state.ts';
import { fail, ok, warn, type CheckOutcome } from './types.ts';

const GiB = 1024 ** 3;
const HOST_SETUP = 'sudo bash scripts/kit/host-setup.sh';

export async function checkDockerEngine(): Promise<CheckOutcome> {
  const name = 'Docker engine';
  const state = await engineState();
  if (state === 'running') {
    const v = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 20_000 });
    return ok(name, `Docker ${v.stdout.trim()} is running`);
  }
  if (state === 'no-client')
    return fail(
      name,
      'Docker is not installed',
      `install Docker (https://docs.docker.com/engine/install/), or on Debian: ${HOST_SETUP}`,
    );
  if (state === 'denied')
    return fail(
      name,
      'this user may not use the Docker socket (permission denied)',
      'sudo usermod -aG docker "$USER", then log in again (or run as root)',
    );
  const where = process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : '';
  return fail(
    name,
    `the Docker engine does not answer${where}`,
    `start it: sudo systemctl start docker (Docker Desktop: start the app), or on Debian: ${HOST_SETUP}`,
  );
}

export async function checkDockerRuntime(): Promise<CheckOutcome> {
  const name = 'Docker runtime';
  const runtime = await defaultRuntime();
  if (!runtime) return warn(name, 'not checked: the Docker engine does not answer');
  if (!needsRuncWrapper()) return ok(name, `${runtime} (this host grants containers every capability they need)`);
  if (runtime === 'sidecar-labs-runc')
    return ok(name, 'sidecar-labs-runc, the runc wrapper this host needs (no CAP_SYS_RESOURCE)');
  return fail(
    name,
    `${runtime}: this host lacks CAP_SYS_RESOURCE, so privileged containers (the kind node) fail to start`,
    `${HOST_SETUP} (makes the runc wrapper Docker's default runtime)`,
  );
}

/** cgroup version and the controllers kubelet needs, from /sys/fs/cgroup's layout. */
export function describeCgroups(
  v2Controllers: string | undefined,
  v1Dirs: string[],
): { version: 1 | 2; missing: string[] } {
  const needed = ['cpu', 'memory', 'pids'];
  if (v2Controllers !== undefined) {
    const have = v2Controllers.split(/\s+/);
    return { version: 2, missing: needed.filter((c) => !have.includes(c)) };
  }
  return { version: 1, missing: needed.filter((c) => !v1Dirs.includes(c)) };
}

export function checkCgroups(root = '/sys/fs/cgroup'): CheckOutcome {
  const name = 'cgroups';
  const v2 = existsSync(`${root}/cgroup.controllers`) ? readFileSync(`${root}/cgroup.controllers`, 'utf8') : undefined;
  const dirs = ['cpu', 'memory', 'pids'].filter((d) => existsSync(`${root}/${d}`));
  const { version, missing } = describeCgroups(v2, dirs);
  if (missing.length)
    return fail(
      name,
      `cgroup v${version} without the ${missing.join(', ')} controller(s) kubelet needs`,
      'enable them on the kernel command line (e.g. cgroup_enable=memory), then reboot',
    );
  return ok(
    name,
    version === 2
      ? 'v2 with cpu, memory, pids'
      : 'v1 with cpu, memory, pids (Kubernetes ≥1.35 needs failCgroupV1: false, which the kit sets)',
  );
}

/** MemAvailable from /proc/meminfo, in bytes. */
export function memAvailable(meminfo: string): number | undefined {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

export function checkMemory(
  meminfo = existsSync('/proc/meminfo') ? readFileSync('/proc/meminfo', 'utf8') : '',
): CheckOutcome {
  const name = 'free memory';
  const avail = memAvailable(meminfo);
  if (avail === undefined) return warn(name, 'unknown (no /proc/meminfo)');
  const shown = `${(avail / GiB).toFixed(1)} GiB available`;
  return avail >= 2 * GiB
    ? ok(name, shown)
    : fail(
        name,
        `${shown}; the cluster and a lab need about 2 GiB`,
        'close other programs or give the machine more memory',
      );
}

function freeBytes(path: string): number {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  const s = statfsSync(p);
  return s.bavail * s.bsize;
}

export async function checkDisk(cold: boolean): Promise<CheckOutcome> {
  const name = 'free disk';
  const need = (cold ? 12 : 3) * GiB;
  const docker = await run('docker', ['info', '--format', '{{.DockerRootDir}}'], { timeoutMs: 20_000 });
  const paths = [cacheDir(), ...(docker.code === 0 && docker.stdout.trim() ? [docker.stdout.trim()] : [])];
  const short = paths.map((p) => ({ p, free: freeBytes(p) })).filter((x) => x.free < need);
  const shown = paths.map((p) => `${p}: ${(freeBytes(p) / GiB).toFixed(0)} GiB`).join(', ');
  if (!short.length) return ok(name, shown);
  return fail(
    name,
    `${shown}; ${cold ? 'a cold kit build' : 'the cluster'} needs ${need / GiB} GiB`,
    `free space under ${short.map((x) => x.p).join(' and ')} (docker system prune removes unused images)`,
  );
}

export async function checkPorts(): Promise<CheckOutcome> {
  const ports = hostNodePorts();
  const name = `ports ${ports[0]}-${ports.at(-1)}`;
  const mapped = await run('docker', ['port', `${CLUSTER_NAME}-control-plane`], { timeoutMs: 20_000 });
  const ours = new Set([...mapped.stdout.matchAll(/:(\d+)\s*$/gm)].map((m) => Number(m[1])));
  const busy: number[] = [];
  for (const p of ports) if (!ours.has(p) && !(await portFree(p))) busy.push(p);
  if (!busy.length)
    return ok(name, ours.size ? `mapped by cluster "${CLUSTER_NAME}"` : "free for the cluster's NodePorts");
  return fail(
    name,
    `in use by another program: ${busy.join(', ')}`,
    "stop it (ss -ltnp | grep <port> names it), or move the labs' ports: SIDECAR_LABS_NODE_PORT_BASE=31080",
  );
}

export async function checkKitCache(): Promise<CheckOutcome> {
  const name = 'kit cache';
  const dir = cacheDir();
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch {
    return fail(name, `${dir} is not writable`, `make it writable, or point SIDECAR_LABS_CACHE at a writable folder`);
  }
  const image = await warmNodeImage();
  const { KUBERNETES_VERSION: k8s } = kitVersions();
  if (image) return ok(name, `warm: ${image} in Docker, cache ${dir}`);
  return warn(
    name,
    `cold: no node image for Kubernetes ${k8s} yet (cache ${dir})`,
    'the first `cluster up` (or npm start / npm test) builds it once: about 15 min on two cores',
  );
}
