import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { kindConfig } from '../kind.ts';
import { LAB_IMAGES } from '../kit.ts';
import {
  CERTS_DIR,
  hostsToml,
  MIRRORED_REGISTRIES,
  mirrorHealth,
  mirrorRef,
  parseImageRef,
  parseMirror,
  writeHostsDir,
} from '../mirror.ts';

describe('registry mirror', () => {
  it('names images the way Docker does', () => {
    expect(parseImageRef('nginx:1.24.0')).toEqual({ registry: 'docker.io', path: 'library/nginx:1.24.0' });
    expect(parseImageRef('sidecar-labs/node:v1')).toEqual({ registry: 'docker.io', path: 'sidecar-labs/node:v1' });
    expect(parseImageRef('registry.k8s.io/git-sync/git-sync:v4.4.2')).toEqual({
      registry: 'registry.k8s.io',
      path: 'git-sync/git-sync:v4.4.2',
    });
    expect(parseImageRef('localhost:5000/x:1')).toEqual({ registry: 'localhost:5000', path: 'x:1' });
  });

  it('puts each upstream registry under its own prefix in the mirror', () => {
    expect(mirrorRef('http://127.0.0.1:5001', 'docker.io/library/nginx:1.24.0')).toBe(
      '127.0.0.1:5001/docker.io/library/nginx:1.24.0',
    );
    expect(mirrorRef('127.0.0.1:5001/', 'registry.k8s.io/pause:3.10.1')).toBe(
      '127.0.0.1:5001/registry.k8s.io/pause:3.10.1',
    );
    expect(parseMirror('https://mirror.example:8443').base).toBe('https://mirror.example:8443');
    expect(() => parseMirror('http://m/some/path')).toThrow(/without a path/);
  });

  it('writes one hosts.toml per registry, the mirror first with override_path', () => {
    expect(MIRRORED_REGISTRIES).toEqual(expect.arrayContaining(['docker.io', 'registry.k8s.io']));
    const toml = hostsToml('docker.io', 'http://sidecar-labs-registry:5000');
    expect(toml).toContain('server = "https://registry-1.docker.io"');
    expect(toml).toContain('[host."http://sidecar-labs-registry:5000/v2/docker.io"]');
    expect(toml).toContain('override_path = true');
    const dir = writeHostsDir(join(mkdtempSync(join(tmpdir(), 'mirror-')), 'certs.d'), 'http://m:5000');
    expect(readdirSync(dir).sort()).toEqual([...MIRRORED_REGISTRIES].sort());
    expect(readFileSync(join(dir, 'registry.k8s.io', 'hosts.toml'), 'utf8')).toContain(
      '"http://m:5000/v2/registry.k8s.io"',
    );
  });

  it('patches containerd and mounts the hosts directory only with a mirror', () => {
    const plain = parse(kindConfig({ offline: false }));
    expect(plain.containerdConfigPatches).toBeUndefined();
    expect(plain.nodes[0].extraMounts).toBeUndefined();
    const mirrored = parse(kindConfig({ offline: false, mirrorHostsDir: '/tmp/h' }));
    expect(mirrored.containerdConfigPatches[0]).toContain(`config_path = "${CERTS_DIR}"`);
    expect(mirrored.nodes[0].extraMounts).toEqual([{ hostPath: '/tmp/h', containerPath: CERTS_DIR, readOnly: true }]);
  });

  it('doctor: a mirror that answers and holds every lab image, one that lacks some, one that is down', async () => {
    let hold = new Set(LAB_IMAGES.map((i) => `/v2/${i.replace(/:([^:/]+)$/, '/manifests/$1')}`));
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/v2/' || hold.has(req.url ?? '') ? 200 : 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await mirrorHealth(url)).status).toBe('ok');
      hold = new Set();
      const partial = await mirrorHealth(url);
      expect(partial.status).toBe('warn');
      expect(partial.fix).toContain('kit push --registry');
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect((await mirrorHealth(url)).status).toBe('fail');
  });
});
