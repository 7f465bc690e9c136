// The sidecar injector (deploy/injector.yaml, installed by `cluster up`): a mutating webhook that adds a
// native-sidecar proxy to Pods that opt in (label sidecar-labs.dev/inject=true) in lab session
// namespaces, and nothing else. It sits in the path of Pod creation, so it must never hold anyone up:
// with it down (scaled to 0), broken (no TLS) or hanging (accepts and never answers), every other
// session's Pods still start, and opted-in Pods start without the proxy. Learners can neither change it
// nor reach it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { engine } from '../engine/helpers.ts';
import { inTerminal } from './helpers.ts';
import { toolPath } from '../../../src/kube/paths.ts';
import type { SessionInfo } from '../../../src/engine/index.ts';
import type { V1Pod } from '@kubernetes/client-node';

const e = engine();
const SYSTEM = 'sidecar-labs-system';
const CONFIG = 'sidecar-labs-injector';
const LABEL = 'sidecar-labs.dev/inject';
const tag = Date.now().toString(36);
const foreign = `sl-inject-foreign-${tag}`;
let a: SessionInfo;
let b: SessionInfo;

function kubectl(args: string[], input?: string) {
  const r = spawnSync('kubectl', ['--kubeconfig', e.kubeconfigPath, ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, PATH: toolPath() },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function must(args: string[], input?: string): string {
  const r = kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.err}`);
  return r.out;
}

/** A busybox Pod that sleeps, created with `kubectl create` as anyone would; returns the seconds it took. */
function createPod(namespace: string, name: string, optIn: boolean): number {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: optIn ? { [LABEL]: 'true' } : {} },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'app',
          image: 'docker.io/library/busybox:1.36.0',
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', '3600'],
          resources: {
            requests: { cpu: '10m', memory: '16Mi', 'ephemeral-storage': '16Mi' },
            limits: { cpu: '100m', memory: '32Mi', 'ephemeral-storage': '64Mi' },
          },
        },
      ],
    },
  };
  const t0 = Date.now();
  must(['create', '-f', '-'], JSON.stringify(pod));
  return (Date.now() - t0) / 1000;
}

async function readyPod(namespace: string, name: string): Promise<V1Pod> {
  for (let i = 0; i < 240; i++) {
    const p = await e.kube.readPod(namespace, name);
    if (p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return p;
    await new Promise((r) => setTimeout(r, 500));
  }
  const p = await e.kube.readPod(namespace, name);
  throw new Error(`pod ${namespace}/${name} not ready: ${JSON.stringify(p?.status)}`);
}

const initNames = (p: V1Pod) => (p.spec?.initContainers ?? []).map((c) => `${c.name}:${c.restartPolicy ?? ''}`);

async function injectorReady() {
  must(['-n', SYSTEM, 'rollout', 'status', 'deployment/sidecar-labs-injector', '--timeout=120s']);
  // Ready means its certificate is in the caBundle; give the API server's webhook cache a moment.
  for (let i = 0; i < 60; i++) {
    const name = `probe-${tag}-${i}`;
    createPod(b.namespace, name, true);
    const p = (await e.kube.readPod(b.namespace, name))!;
    must(['-n', b.namespace, 'delete', 'pod', name, '--wait=false']);
    if (initNames(p).includes('sidecar-proxy:Always')) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('the injector did not inject again after it came back');
}

beforeAll(async () => {
  [a, b] = await Promise.all([
    e.startSession('sidecar-injection', { terminal: true, ttlSeconds: 900 }),
    e.startSession('sidecar-injection', { terminal: false, ttlSeconds: 900 }),
  ]);
  await e.kube.createNamespace({ name: foreign, labels: { 'app.kubernetes.io/part-of': 'sidecar-labs-tests' } });
});

afterAll(async () => {
  // Whatever happened, the webhook points at the injector again and it runs.
  kubectl([
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=sidecar-labs',
    '-f',
    'deploy/injector.yaml',
  ]);
  kubectl(['-n', SYSTEM, 'scale', 'deployment/sidecar-labs-injector', '--replicas=1']);
  await Promise.all([
    a && e.stopSession(a),
    b && e.stopSession(b),
    e.kube.deleteNamespace(foreign).catch(() => undefined),
  ]);
});

describe('the sidecar injector', () => {
  it('is installed scoped to opted-in Pods of lab sessions, with a failure policy that never blocks', () => {
    const cfg = JSON.parse(must(['get', 'mutatingwebhookconfiguration', CONFIG, '-o', 'json']));
    expect(cfg.webhooks).toHaveLength(1);
    const w = cfg.webhooks[0];
    expect(w.failurePolicy).toBe('Ignore');
    expect(w.timeoutSeconds).toBe(2);
    expect(w.sideEffects).toBe('None');
    expect(w.namespaceSelector).toEqual({ matchLabels: { 'app.kubernetes.io/managed-by': 'sidecar-labs' } });
    expect(w.objectSelector).toEqual({ matchLabels: { [LABEL]: 'true' } });
    expect(w.rules).toEqual([
      { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
    ]);
    expect(Buffer.from(w.clientConfig.caBundle, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it("injects a learner's opted-in Pod as a native sidecar, within the session's quota and limits", async () => {
    const r = await inTerminal(
      e,
      a,
      `kubectl run opted --image=docker.io/library/busybox:1.36.0 --labels=${LABEL}=true --restart=Never -- sleep 3600`,
    );
    expect(r.stdout + r.stderr).toContain('pod/opted created');
    const p = await readyPod(a.namespace, 'opted');
    expect(initNames(p)).toEqual(['sidecar-proxy:Always']);
    expect(p.metadata?.annotations?.['sidecar-labs.dev/injected']).toBe('sidecar-proxy');
    const proxy = p.spec!.initContainers![0];
    expect(proxy.image).toBe('docker.io/sidecarlabs/injector:0.1.0');
    expect(proxy.resources?.requests).toEqual({ cpu: '20m', memory: '16Mi', 'ephemeral-storage': '1Mi' });
    expect(proxy.securityContext?.allowPrivilegeEscalation).toBe(false);
    // The proxy answers in front of the Pod (nothing listens on port 80 here, so it says so).
    const via = await inTerminal(e, a, `curl -sS -m 5 -D - -o /dev/null http://${p.status!.podIP}:15001/`);
    expect(via.stdout).toMatch(/^HTTP\/1\.1 502/);
    expect(via.stdout).toMatch(/X-Sidecar-Proxy: opted/i);
  });

  it('leaves alone Pods without the label, and labelled Pods outside lab sessions', async () => {
    createPod(a.namespace, 'plain', false);
    createPod(foreign, 'labelled', true);
    const [plain, labelled] = await Promise.all([readyPod(a.namespace, 'plain'), readyPod(foreign, 'labelled')]);
    expect(initNames(plain)).toEqual([]);
    expect(initNames(labelled)).toEqual([]);
    expect(labelled.metadata?.annotations?.['sidecar-labs.dev/injected']).toBeUndefined();
  });

  it('a learner can neither change the webhook, nor opt their namespace out of scope, nor reach it', async () => {
    const r = await inTerminal(
      e,
      a,
      [
        'kubectl auth can-i patch mutatingwebhookconfigurations',
        'kubectl auth can-i delete mutatingwebhookconfigurations',
        'kubectl auth can-i create validatingadmissionpolicies',
        `kubectl auth can-i patch namespaces/${a.namespace}`,
        `kubectl auth can-i create pods -n ${b.namespace}`,
        `kubectl auth can-i patch deployments -n ${SYSTEM}`,
        `kubectl delete mutatingwebhookconfiguration ${CONFIG} 2>&1 | grep -c Forbidden`,
        `curl -sk -m 4 -o /dev/null -w '%{http_code}' https://sidecar-labs-injector.${SYSTEM}.svc/mutate -d '{}' || echo " unreachable"`,
      ].join('; '),
    );
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 6)).toEqual(['no', 'no', 'no', 'no', 'no', 'no']);
    expect(lines[6]).toBe('1');
    expect(lines[7]).toMatch(/unreachable$/);
    // and the configuration is as it was
    expect(kubectl(['get', 'mutatingwebhookconfiguration', CONFIG]).code).toBe(0);
  });

  it('down (scaled to 0): other Pods start at once, opted-in ones without the proxy; back up, it injects again', async () => {
    must(['-n', SYSTEM, 'scale', 'deployment/sidecar-labs-injector', '--replicas=0']);
    must([
      '-n',
      SYSTEM,
      'wait',
      '--for=delete',
      'pod',
      '-l',
      'app.kubernetes.io/name=sidecar-labs-injector',
      '--timeout=60s',
    ]);
    const tPlain = createPod(b.namespace, 'down-plain', false);
    const tOpted = createPod(b.namespace, 'down-opted', true);
    console.log(`webhook down: plain Pod created in ${tPlain.toFixed(2)} s, opted-in Pod in ${tOpted.toFixed(2)} s`);
    const [plain, opted] = await Promise.all([
      readyPod(b.namespace, 'down-plain'),
      readyPod(b.namespace, 'down-opted'),
    ]);
    expect(initNames(plain)).toEqual([]);
    expect(initNames(opted)).toEqual([]);
    must(['-n', SYSTEM, 'scale', 'deployment/sidecar-labs-injector', '--replicas=1']);
    // A new process, a new certificate: it writes it into the caBundle and injects again.
    await injectorReady();
  });

  it('broken (no TLS) or hanging (accepts, never answers): Pods are created, waiting at most the 2 s timeout for the webhook', async () => {
    // Two stand-ins for a broken webhook in a namespace of their own: one speaks plain HTTP where the
    // API server expects TLS, one accepts the connection and never sends a byte.
    const stub = (name: string, cmd: string) => ({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: foreign, labels: { stub: name } },
          spec: {
            terminationGracePeriodSeconds: 0,
            containers: [
              {
                name: 'stub',
                image: 'docker.io/library/busybox:1.36.0',
                imagePullPolicy: 'IfNotPresent',
                command: ['sh', '-c', cmd],
              },
            ],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: foreign },
          spec: { selector: { stub: name }, ports: [{ port: 443, targetPort: 8443 }] },
        },
      ],
    });
    must(
      ['apply', '-f', '-'],
      JSON.stringify(stub('plain-http', 'while true; do printf "HTTP/1.0 200 OK\\r\\n\\r\\nhi" | nc -l -p 8443; done')),
    );
    must(['apply', '-f', '-'], JSON.stringify(stub('hang', 'while true; do sleep 3600 | nc -l -p 8443; done')));
    await Promise.all([readyPod(foreign, 'plain-http'), readyPod(foreign, 'hang')]);
    const point = (name: string, namespace: string) =>
      must([
        'patch',
        'mutatingwebhookconfiguration',
        CONFIG,
        '--type',
        'json',
        '-p',
        JSON.stringify([
          { op: 'replace', path: '/webhooks/0/clientConfig/service/name', value: name },
          { op: 'replace', path: '/webhooks/0/clientConfig/service/namespace', value: namespace },
        ]),
      ]);
    try {
      for (const stubName of ['plain-http', 'hang']) {
        point(stubName, foreign);
        await new Promise((r) => setTimeout(r, 3000)); // the API server's webhook cache picks it up
        const name = `${stubName}-opted`;
        const took = createPod(b.namespace, name, true);
        console.log(`webhook ${stubName}: opted-in Pod created in ${took.toFixed(2)} s`);
        const p = await readyPod(b.namespace, name);
        expect(initNames(p)).toEqual([]);
      }
      // Pods that do not opt in never reach the webhook, hanging or not.
      const tPlain = createPod(a.namespace, 'hang-plain', false);
      console.log(`webhook hanging: a Pod that does not opt in created in ${tPlain.toFixed(2)} s`);
      expect(initNames(await readyPod(a.namespace, 'hang-plain'))).toEqual([]);
    } finally {
      point('sidecar-labs-injector', SYSTEM);
    }
    await injectorReady();
  });
});
