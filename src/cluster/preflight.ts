// What must hold before kind can create a cluster: Docker installed and running, our host ports free.
import { createServer } from 'node:net';
import { run } from './exec.ts';
import { ClusterError } from './errors.ts';

export async function checkDocker(): Promise<string> {
  const client = await run('docker', ['version', '--format', '{{.Client.Version}}']);
  if (client.code === 127) {
    throw new ClusterError(
      'Docker is not installed. Install Docker (https://docs.docker.com/get-docker/), or on Debian run ' +
        '`sudo bash scripts/kit/host-setup.sh`, then try again.',
    );
  }
  // `docker version` says "permission denied" plainly; `docker info --format` hides it in a template error.
  const info = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
  if (info.code !== 0) {
    const denied = /permission denied/i.test(`${info.stdout}${info.stderr}`);
    throw new ClusterError(
      denied
        ? 'Docker is installed but this user may not use it (permission denied on the Docker socket). ' +
            'Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log in again) or run as root.'
        : 'The Docker engine is not running. Start it (`sudo systemctl start docker`, Docker Desktop, or on ' +
            'Debian `sudo bash scripts/kit/host-setup.sh`), then try again.',
    );
  }
  return info.stdout.trim();
}

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function checkPortsFree(ports: number[]): Promise<void> {
  const busy: number[] = [];
  for (const p of ports) if (!(await portFree(p))) busy.push(p);
  if (busy.length) {
    throw new ClusterError(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on 127.0.0.1 ${busy.length > 1 ? 'are' : 'is'} in use; the ` +
        'cluster maps its NodePorts there. Stop whatever listens (`ss -ltnp | grep <port>`), then try again.',
    );
  }
}
