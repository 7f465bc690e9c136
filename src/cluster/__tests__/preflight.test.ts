import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDocker, checkPortsFree, portFree } from '../preflight.ts';
import { hostPorts, kindConfig, NODE_PORTS, POD_PIDS_LIMIT } from '../kind.ts';
import { parse } from 'yaml';

describe('preflight', () => {
  const saved = { PATH: process.env.PATH, DOCKER_HOST: process.env.DOCKER_HOST };
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.DOCKER_HOST === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = saved.DOCKER_HOST;
  });

  it('says how to install Docker when the docker command is missing', async () => {
    process.env.PATH = '/nonexistent';
    await expect(checkDocker()).rejects.toThrow(/Docker is not installed.*Install Docker/);
  });

  it('says how to start the engine when it is not running', async () => {
    process.env.DOCKER_HOST = 'unix:///tmp/sidecar-labs-no-such-docker.sock';
    await expect(checkDocker()).rejects.toThrow(/Docker engine is not running\. Start it/);
  });

  it('names the busy port and how to find its owner', async () => {
    const srv: Server = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    try {
      expect(await portFree(port)).toBe(false);
      await expect(checkPortsFree([port])).rejects.toThrow(
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use.*ss -ltnp`),
      );
    } finally {
      srv.close();
    }
    expect(await portFree(port)).toBe(true);
  });
});

describe('kind config', () => {
  it('maps every NodePort to loopback only, and drops kindnet only offline', () => {
    const offline = parse(kindConfig({ offline: true }));
    const online = parse(kindConfig({ offline: false }));
    expect(offline.networking.apiServerAddress).toBe('127.0.0.1');
    expect(offline.networking.disableDefaultCNI).toBe(true);
    expect(online.networking.disableDefaultCNI).toBeUndefined();
    const maps = offline.nodes[0].extraPortMappings;
    expect(maps.map((m: { hostPort: number }) => m.hostPort)).toEqual(NODE_PORTS);
    expect(maps.every((m: { listenAddress: string }) => m.listenAddress === '127.0.0.1')).toBe(true);
  });
});

describe('kind config: limits and a second cluster', () => {
  it("caps every pod's processes through the kubelet configuration", () => {
    const cfg = parse(kindConfig({ offline: true }));
    const patch = parse(cfg.kubeadmConfigPatches[0]);
    expect(patch).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      podPidsLimit: POD_PIDS_LIMIT,
    });
  });

  it('moves or drops the host ports for another cluster on the same machine', () => {
    expect(hostPorts('31080').map((p) => p.host)).toEqual(NODE_PORTS.map((p) => p + 1000));
    expect(hostPorts('31080').map((p) => p.container)).toEqual(NODE_PORTS);
    expect(hostPorts('none')).toEqual([]);
    expect(parse(kindConfig({ offline: true, ports: [] })).nodes[0].extraPortMappings).toBeUndefined();
    expect(() => hostPorts('80')).toThrow(/SIDECAR_LABS_NODE_PORT_BASE="80"/);
    expect(() => hostPorts('abc')).toThrow(/not a port/);
  });
});
