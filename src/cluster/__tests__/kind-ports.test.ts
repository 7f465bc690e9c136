import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hostNodePorts, kindConfig, needsCgroupV1Opt, nodePortBase } from '../kind.ts';
import { parseVersions } from '../kit-state.ts';

describe('kind config for a second cluster and newer Kubernetes', () => {
  it("moves the NodePorts' host ports with SIDECAR_LABS_NODE_PORT_BASE, and refuses nonsense", () => {
    expect(hostNodePorts({})).toEqual([30080, 30081, 30082, 30083, 30084, 30085, 30086, 30087, 30088, 30089]);
    expect(hostNodePorts({ SIDECAR_LABS_NODE_PORT_BASE: '30180' })[9]).toBe(30189);
    expect(nodePortBase({ SIDECAR_LABS_NODE_PORT_BASE: 'none' })).toBeUndefined();
    expect(() => nodePortBase({ SIDECAR_LABS_NODE_PORT_BASE: 'x' })).toThrow(/not a port/);
    expect(() => nodePortBase({ SIDECAR_LABS_NODE_PORT_BASE: '80' })).toThrow(/SIDECAR_LABS_NODE_PORT_BASE="80"/);
  });

  it('maps container port 30080 to the moved host port', () => {
    const saved = process.env.SIDECAR_LABS_NODE_PORT_BASE;
    process.env.SIDECAR_LABS_NODE_PORT_BASE = '30180';
    try {
      const cfg = parse(kindConfig({ offline: true })) as {
        nodes: Array<{ extraPortMappings: Array<{ containerPort: number; hostPort: number }> }>;
      };
      expect(cfg.nodes[0]!.extraPortMappings[0]).toMatchObject({ containerPort: 30080, hostPort: 30180 });
    } finally {
      if (saved === undefined) delete process.env.SIDECAR_LABS_NODE_PORT_BASE;
      else process.env.SIDECAR_LABS_NODE_PORT_BASE = saved;
    }
  });

  it('tells kubelet >= 1.35 on a cgroup v1 host not to refuse it', () => {
    expect(needsCgroupV1Opt('sidecar-labs/node:v1.35.4-abc', false)).toBe(true);
    expect(needsCgroupV1Opt('sidecar-labs/node:v1.34.4-abc', false)).toBe(false);
    expect(needsCgroupV1Opt('sidecar-labs/node:v1.35.4-abc', true)).toBe(false);
    const cfg = parse(kindConfig({ offline: true, allowCgroupV1: true })) as { kubeadmConfigPatches: string[] };
    expect(parse(cfg.kubeadmConfigPatches[0]!)).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      podPidsLimit: 1024,
      failCgroupV1: false,
    });
  });

  it('turns on DenyServiceExternalIPs in the API server, online and offline alike', () => {
    for (const offline of [true, false]) {
      const cfg = parse(kindConfig({ offline })) as { kubeadmConfigPatches: string[] };
      const cluster = cfg.kubeadmConfigPatches.map((p) => parse(p)).find((p) => p.kind === 'ClusterConfiguration');
      expect(cluster, `offline=${offline}`).toEqual({
        kind: 'ClusterConfiguration',
        apiServer: { extraArgs: { 'enable-admission-plugins': 'NodeRestriction,DenyServiceExternalIPs' } },
      });
    }
  });

  it('reads versions.env-style pins with ${NAME:-default}', () => {
    const text = 'A=v1\nB=${B:-v2}\nC="x y"\n# comment\n  case $A in';
    expect(parseVersions(text, {})).toEqual({ A: 'v1', B: 'v2', C: 'x y' });
    expect(parseVersions(text, { B: 'v9' }).B).toBe('v9');
  });
});
