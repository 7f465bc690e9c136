import { describe, expect, it } from 'vitest';
import { budgetObjects, forClient, isolationPolicy, NAMESPACE_QUOTA, CONTAINER_LIMITS } from '../budget.ts';
import { terminalObjects, LEARNER_RULES, TERMINAL_RESOURCES } from '../terminal.ts';
import { loadLabs, setupObjects } from '../load.ts';
import { podRequests, SESSION_REQUESTS } from '../capacity.ts';

const net = {
  apiEndpoints: [{ ip: '172.18.0.2', port: 6443 }],
  apiService: { ip: '10.96.0.1', port: 443 },
  podCidrs: ['10.244.0.0/24'],
};

describe('namespace budget', () => {
  it('quota, limits and fence, all labelled as infra so reset keeps them', () => {
    const objs = budgetObjects(net, { 'sidecar-labs.dev/infra': 'true' });
    expect(objs.map((o) => o.kind)).toEqual(['ResourceQuota', 'LimitRange', 'NetworkPolicy']);
    expect(objs.every((o) => o.metadata.labels?.['sidecar-labs.dev/infra'] === 'true')).toBe(true);
  });

  it('leaves room for every lab: its pods plus the terminal fit the pod quota and per-container ceiling', () => {
    const toMilli = (v: string) => (v.endsWith('m') ? Number(v.slice(0, -1)) : Number(v) * 1000);
    for (const lab of loadLabs()) {
      const all = [
        ...setupObjects(lab),
        ...lab.steps.flatMap((s) => s.solution.manifests.flatMap((m) => lab.manifests[m] ?? [])),
      ];
      const pods = all.filter((o) => ['Pod', 'Deployment', 'Job', 'StatefulSet'].includes(o.kind)).length + 1;
      expect(pods, lab.slug).toBeLessThan(Number(NAMESPACE_QUOTA.pods) / 2);
      const text = JSON.stringify(all);
      for (const m of text.matchAll(/"cpu":"([0-9.]+m?)"/g))
        expect(toMilli(m[1]), lab.slug).toBeLessThanOrEqual(toMilli(CONTAINER_LIMITS.max.cpu));
    }
  });

  it("the session's requested CPU and memory hold every manifest of every lab at once, terminal included", () => {
    const terminal = podRequests({ spec: { containers: [{ resources: TERMINAL_RESOURCES }] } });
    const dflt = CONTAINER_LIMITS.defaultRequest;
    let hungriest = { slug: '', cpuMilli: 0, memoryBytes: 0 };
    for (const lab of loadLabs()) {
      const all = [
        ...setupObjects(lab),
        ...lab.steps.flatMap((s) => s.solution.manifests.flatMap((m) => lab.manifests[m] ?? [])),
      ] as unknown as Array<{ kind: string; spec?: Record<string, unknown> }>;
      const need = { slug: lab.slug, cpuMilli: terminal.cpuMilli, memoryBytes: terminal.memoryBytes };
      for (const o of all) {
        const tpl = (o.kind === 'Pod' ? o.spec : (o.spec?.template as { spec?: unknown })?.spec) as
          { containers?: Array<{ resources?: { requests?: Record<string, string> } }> } | undefined;
        if (!tpl) continue;
        // a container without requests gets the LimitRange's default request
        const withDefaults = structuredClone(tpl) as Parameters<typeof podRequests>[0]['spec'] & object;
        for (const c of [...(withDefaults.containers ?? []), ...(withDefaults.initContainers ?? [])])
          c.resources = { requests: { cpu: dflt.cpu, memory: dflt.memory, ...c.resources?.requests } };
        const r = podRequests({ spec: withDefaults });
        const replicas = Number((o.spec as { replicas?: number })?.replicas ?? 1);
        need.cpuMilli += r.cpuMilli * replicas;
        need.memoryBytes += r.memoryBytes * replicas;
      }
      if (need.cpuMilli > hungriest.cpuMilli) hungriest = need;
      expect(need.cpuMilli, lab.slug).toBeLessThanOrEqual(SESSION_REQUESTS.cpuMilli);
      expect(need.memoryBytes, lab.slug).toBeLessThanOrEqual(SESSION_REQUESTS.memoryBytes);
    }
    console.log(`hungriest lab: ${hungriest.slug}, ${hungriest.cpuMilli}m CPU, ${hungriest.memoryBytes / 2 ** 20} MiB`);
  });

  it('allows the own namespace, DNS and the API server out; nothing else', () => {
    const p = isolationPolicy(net, {}) as unknown as {
      spec: {
        egress: Array<{ to: unknown[]; ports?: unknown[] }>;
        ingress: Array<{ from: unknown[] }>;
        policyTypes: string[];
      };
    };
    expect(p.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(p.spec.egress[0]).toEqual({ to: [{ podSelector: {} }] });
    expect(JSON.stringify(p.spec.egress[1])).toContain('kube-dns');
    expect(p.spec.egress.slice(2)).toEqual([
      { to: [{ ipBlock: { cidr: '172.18.0.2/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] },
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
    ]);
    expect(JSON.stringify(p.spec.egress)).not.toContain('0.0.0.0/0');
    // ingress from off the pod network (NodePorts from the host), never from other pods or link-local
    expect(p.spec.ingress[1]).toEqual({
      from: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.244.0.0/24', '169.254.0.0/16'] } }],
    });
  });

  it('without known pod ranges, ingress is the namespace only', () => {
    const p = isolationPolicy({ ...net, podCidrs: [] }, {}) as unknown as { spec: { ingress: unknown[] } };
    expect(p.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  });
});

describe('terminal', () => {
  it('has a CPU limit and bounded scratch space', () => {
    const pod = terminalObjects('ns', {}).find((o) => o.kind === 'Pod') as unknown as {
      spec: {
        containers: Array<{ resources: unknown }>;
        volumes: Array<{ name: string; emptyDir?: { sizeLimit?: string } }>;
      };
    };
    expect(pod.spec.containers[0].resources).toEqual(TERMINAL_RESOURCES);
    expect(TERMINAL_RESOURCES.limits.cpu).toBeTruthy();
    expect(TERMINAL_RESOURCES.limits['ephemeral-storage']).toBeTruthy();
    expect(pod.spec.volumes.filter((v) => v.emptyDir).every((v) => v.emptyDir?.sizeLimit)).toBe(true);
  });

  it('lets the learner read but not write NetworkPolicies, quotas or limits (policies add up: one more would open the fence)', () => {
    const writes = (group: string, resource: string) =>
      LEARNER_RULES.some(
        (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes('create'),
      );
    const reads = (group: string, resource: string) =>
      LEARNER_RULES.some(
        (r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes('list'),
      );
    for (const [g, r] of [
      ['networking.k8s.io', 'networkpolicies'],
      ['', 'resourcequotas'],
      ['', 'limitranges'],
      // hand-written endpoints would aim a Service at another learner's pod
      ['', 'endpoints'],
      ['discovery.k8s.io', 'endpointslices'],
    ]) {
      expect(writes(g, r), r).toBe(false);
      expect(reads(g, r), r).toBe(true);
    }
    for (const [g, r] of [
      ['', 'pods'],
      ['', 'pods/exec'],
      ['apps', 'deployments'],
      ['batch', 'jobs'],
      ['', 'services'],
    ])
      expect(writes(g, r), r).toBe(true);
    const objs = terminalObjects('ns', {});
    const binding = objs.find((o) => o.kind === 'RoleBinding') as unknown as { roleRef: { kind: string } };
    expect(binding.roleRef.kind).toBe('Role');
  });
});

describe('forClient', () => {
  it("renames LimitRange's default to the client model's _default (a plain default is dropped on the way)", () => {
    const lr = budgetObjects({ apiEndpoints: [], podCidrs: [] }, {}).find((o) => o.kind === 'LimitRange')!;
    const limits = (forClient(lr) as unknown as { spec: { limits: Array<Record<string, unknown>> } }).spec.limits[0];
    expect(limits._default).toEqual(CONTAINER_LIMITS.default);
    expect(limits.default).toBeUndefined();
    expect(limits.max).toEqual(CONTAINER_LIMITS.max);
  });
});
