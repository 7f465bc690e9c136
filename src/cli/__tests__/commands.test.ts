// Every command as a person types it, as a real process: `--help` prints its usage and exits 0, a bad
// flag prints the usage to stderr and exits 2 (a usage error, not a runtime failure). Then the
// workshop command itself: it starts (no "Unexpected argument 'workshop'"), serves the course while no
// cluster answers, prints https URLs with --tls-cert/--tls-key, and refuses plain HTTP on 0.0.0.0.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const cli = ['src/cli/main.ts'];
// No command here may reach a cluster: the kind kubeconfig and the current one point nowhere.
const env = {
  ...process.env,
  SIDECAR_LABS_KUBECONFIG: '/nonexistent/kind-kubeconfig',
  KUBECONFIG: '/nonexistent/kubeconfig',
};

function run(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

const commands: Array<{ args: string[]; usage: RegExp }> = [
  { args: [...cli, 'cluster', 'up'], usage: /^usage: sidecar-labs cluster up\|down\|status/ },
  { args: [...cli, 'cluster', 'down'], usage: /^usage: sidecar-labs cluster up\|down\|status/ },
  { args: [...cli, 'cluster', 'status'], usage: /^usage: sidecar-labs cluster up\|down\|status/ },
  { args: [...cli, 'validate'], usage: /^usage: sidecar-labs validate \[slug\.\.\.\]/ },
  { args: [...cli, 'list'], usage: /^usage: sidecar-labs list/ },
  { args: [...cli, 'doctor'], usage: /^usage: sidecar-labs doctor/ },
  { args: [...cli, 'workshop'], usage: /^usage: sidecar-labs workshop/ },
  { args: [...cli, 'kit', 'push'], usage: /^usage: sidecar-labs kit push --registry URL/ },
  { args: ['scripts/start.ts'], usage: /^usage: npm start/ },
  { args: ['src/server/main.ts'], usage: /^usage: node src\/server\/main\.ts/ },
];

describe('every command: --help and a bad flag', () => {
  for (const c of commands) {
    const name = c.args.slice(c.args[0] === cli[0] ? 1 : 0).join(' ');
    it(`${name} --help → usage, exit 0; --no-such-flag → usage on stderr, exit 2`, () => {
      const help = run([...c.args, '--help']);
      expect(help.stdout).toMatch(c.usage);
      expect(help.status).toBe(0);
      const bad = run([...c.args, '--no-such-flag']);
      expect(bad.stderr).toContain("unknown option '--no-such-flag'");
      expect(bad.stderr.split('\n').some((l) => c.usage.test(l))).toBe(true);
      expect(bad.status).toBe(2);
    }, 120_000);
  }
});

/** A built site of one page, so the workshop serves without building. */
function tinySite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-site-'));
  mkdirSync(join(dir, 'instructor'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>course</title><h1>the course</h1>');
  writeFileSync(join(dir, 'instructor', 'index.html'), '<!doctype html><title>instructor</title>');
  return dir;
}

function selfSigned(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

function getHttps(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('sidecar-labs workshop, as an instructor types it', () => {
  it('starts without a cluster, serves the course over HTTPS and prints https URLs', async () => {
    const tls = selfSigned();
    const port = 4000 + Math.floor(Math.random() * 300);
    const child = spawn(
      process.execPath,
      [
        ...cli,
        'workshop',
        '--no-build',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--cluster',
        'current',
        '--code',
        'TEST-4242',
        '--tls-cert',
        tls.cert,
        '--tls-key',
        tls.key,
      ],
      { cwd: root, env: { ...env, SIDECAR_LABS_DIST: tinySite() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out, { timeout: 30_000 }).toContain('Instructor page:');
      expect(out).toContain(`Learners open:   https://127.0.0.1:${port}/`);
      expect(out).toMatch(/Instructor page: https:\/\/127\.0\.0\.1:\d+\/instructor\/#key=[\w-]{16,}/);
      expect(out).toContain('Event code:      TEST-4242');
      await expect.poll(() => out, { timeout: 10_000 }).toContain('workshop: waiting for the cluster');
      expect((await getHttps(`https://127.0.0.1:${port}/`)).body).toContain('the course');
      const cluster = await getHttps(`https://127.0.0.1:${port}/api/cluster`);
      expect(JSON.parse(cluster.body)).toMatchObject({ state: 'failed' });
      expect(child.exitCode).toBeNull(); // still serving after the cluster was found missing
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);

  it('refuses plain HTTP on every interface without --insecure-http, and says why', () => {
    const r = run([...cli, 'workshop', '--no-build', '--port', '4999']);
    expect(r.stderr).toMatch(/refusing to serve plain HTTP on 0\.0\.0\.0: .*instructor page's key/);
    expect(r.status).toBe(2);
    const s = run(['scripts/start.ts', '--no-build', '--host', '0.0.0.0']);
    expect(s.stderr).toMatch(/refusing to serve plain HTTP on 0\.0\.0\.0/);
    expect(s.status).toBe(2);
  }, 60_000);

  it('--cluster current without a kubeconfig: the file named and what to do', () => {
    const r = run([...cli, 'validate', 'date-tailer', '--cluster', 'current']);
    expect(r.stderr).toContain(
      '--cluster current uses your kubeconfig, but KUBECONFIG names /nonexistent/kubeconfig, and no such file exists',
    );
    expect(r.stderr).toMatch(/next: point KUBECONFIG at the kubeconfig file of your cluster/);
    expect(r.stderr).not.toContain('ENOENT');
  }, 60_000);
});
