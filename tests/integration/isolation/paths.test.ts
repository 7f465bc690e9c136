// The other ways from one learner to another, each tried as an attacker would from learner A's
// terminal (kubectl as the learner, curl and ip from the toolbox) against learner B's nginx, whose page
// carries a secret only B's pod serves: IPv6 link-local addresses past the IPv4 fence, hand-written
// Endpoints behind a NodePort, Services with externalIPs, the Role's other objects, and a CPU budget
// that lets one learner leave every new session unschedulable. A control namespace without the fence
// shows each target answers at all, so every "refused" here is the defence's doing.
import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { engine } from '../engine/helpers.ts';
import { inTerminal, serveWeb } from './helpers.ts';
import { nodePortBase, NODE_PORTS } from '../../../src/cluster/kind.ts';
import { NAMESPACE_QUOTA } from '../../../src/engine/budget.ts';
import { TERMINAL_RESOURCES } from '../../../src/engine/terminal.ts';
import type { SessionInfo } from '../../../src/engine/index.ts';

const e = engine();
let a: SessionInfo;
let b: SessionInfo;
const control = `sl-iso-paths-${Date.now().toString(36)}`;
const secret = `secret-of-b-${Math.random().toString(36).slice(2)}`;
let webB: { podIP: string; serviceIP: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inControl(cmd: string, timeoutMs = 30_000) {
  return e.kube.exec(control, 'probe', 'probe', ['sh', '-c', cmd], timeoutMs);
}

/** The EUI-64 link-local address the kernel derives from a MAC (what `ip neigh` tells a learner). */
function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  b[0]! ^= 0x02;
  const w = [b[0]! * 256 + b[1]!, b[2]! * 256 + 0xff, 0xfe00 + b[3]!, b[4]! * 256 + b[5]!];
  return `fe80::${w.map((x) => x.toString(16)).join(':')}`;
}

/** A pod's IPv6 link-local address on eth0, from the kernel (/proc/net/if_inet6), in colon form. */
async function podLinkLocal(namespace: string, pod: string, container: string): Promise<string> {
  const r = await e.kube.exec(namespace, pod, container, ['cat', '/proc/net/if_inet6'], 20_000);
  const line = r.stdout.split('\n').find((l) => /^fe80\S+ \S+ \S+ 20 \S+\s+eth0$/.test(l.trim()));
  if (!line) throw new Error(`no IPv6 link-local address on eth0 of ${namespace}/${pod}:\n${r.stdout}`);
  const hex = line.trim().split(/\s+/)[0]!;
  return hex
    .match(/.{4}/g)!
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')
    .replace(/^fe80:0:0:0:/, 'fe80::');
}

/** curl in A's terminal, as the learner types it: the HTTP code and body, or curl's exit code. */
async function curlFromA(url: string, flags = ''): Promise<string> {
  const r = await inTerminal(e, a, `curl -g -sS -m 5 ${flags} '${url}' 2>&1; echo " exit=$?"`);
  return r.stdout.trim();
}

beforeAll(async () => {
  [a, b] = await Promise.all([
    e.startSession('what-is-a-sidecar', { terminal: true, ttlSeconds: 900 }),
    e.startSession('what-is-a-sidecar', { terminal: true, ttlSeconds: 900 }),
  ]);
  [, webB] = await Promise.all([serveWeb(e, a.namespace), serveWeb(e, b.namespace)]);
  await e.kube.exec(
    b.namespace,
    'web',
    'nginx',
    ['sh', '-c', `echo ${secret} > /usr/share/nginx/html/index.html`],
    20_000,
  );
  await e.kube.createNamespace({ name: control, labels: { 'app.kubernetes.io/part-of': 'sidecar-labs-tests' } });
  await e.kube.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', namespace: control },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'probe',
          image: 'docker.io/sidecarlabs/toolbox:0.1.0',
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', 'infinity'],
        },
      ],
    },
  } as never);
  for (let i = 0; i < 240; i++) {
    const p = await e.kube.readPod(control, 'probe');
    if (p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    await sleep(500);
  }
}, 300_000);

afterAll(async () => {
  await Promise.all([
    a && e.stopSession(a),
    b && e.stopSession(b),
    e.kube.deleteNamespace(control).catch(() => undefined),
  ]);
});

describe('IPv6 and layer 2', () => {
  it("A cannot reach B's pod over its IPv6 link-local address (fe80::…%eth0), which a namespace without the fence reaches", async () => {
    // (the node's bridge has no IPv6 address on the kit's node: datapath-test.sh covers pod -> node)
    const target = await podLinkLocal(b.namespace, 'web', 'nginx');
    // the learner's path to the address: B's MAC from the neighbour table, EUI-64 from the MAC
    const neigh = await inTerminal(e, a, `curl -s -m 2 -o /dev/null http://${webB.podIP}; ip neigh show ${webB.podIP}`);
    const mac = /lladdr ([0-9a-f:]{17})/.exec(neigh.stdout)?.[1];
    console.log(`B's pod ${webB.podIP}: ${neigh.stdout.trim()} -> ${mac && linkLocal(mac)} (kernel: ${target})`);
    expect(mac, neigh.stdout).toBeTruthy();
    expect(linkLocal(mac!)).toBe(target);
    const url = `http://[${target}%eth0]/`;
    const open = await inControl(`curl -g -sS -m 5 '${url}'`);
    expect(open.stdout, `control: ${open.stderr}`).toContain(secret);
    const got = await curlFromA(url);
    console.log(`A -> ${url}: ${got}`);
    expect(got).not.toContain(secret);
    expect(got).toMatch(/exit=(7|28)/);
  });
});

describe('Services the learner writes', () => {
  it("hand-written Endpoints cannot aim a NodePort at B's pod", async () => {
    const base = nodePortBase();
    expect(base, 'the cluster maps no NodePorts to the host (SIDECAR_LABS_NODE_PORT_BASE=none)').toBeDefined();
    const nodePort = NODE_PORTS[NODE_PORTS.length - 1]!;
    const hostPort = base! + NODE_PORTS.length - 1;
    const manifest = [
      `{"apiVersion":"v1","kind":"Service","metadata":{"name":"steal"},"spec":{"type":"NodePort","ports":[{"port":80,"targetPort":80,"nodePort":${nodePort}}]}}`,
      `{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"steal"},"subsets":[{"addresses":[{"ip":"${webB.podIP}"}],"ports":[{"port":80}]}]}`,
    ];
    const svc = await inTerminal(e, a, `echo '${manifest[0]}' | kubectl apply -f - 2>&1`);
    expect(svc.exitCode, svc.stdout).toBe(0);
    const eps = await inTerminal(e, a, `echo '${manifest[1]}' | kubectl apply -f - 2>&1`);
    const slice = await inTerminal(
      e,
      a,
      `echo '{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"steal-1","labels":{"kubernetes.io/service-name":"steal"}},"addressType":"IPv4","endpoints":[{"addresses":["${webB.podIP}"]}],"ports":[{"port":80}]}' | kubectl apply -f - 2>&1`,
    );
    let served = '';
    for (let i = 0; i < 10 && !served.includes(secret); i++) {
      served = await fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(3000) })
        .then((r) => r.text())
        .catch((err: Error) => err.message);
      if (!served.includes(secret)) await sleep(1000);
    }
    console.log(
      `Endpoints: ${eps.stdout.trim()}\nEndpointSlice: ${slice.stdout.trim()}\n127.0.0.1:${hostPort}: ${served.trim()}`,
    );
    await inTerminal(e, a, 'kubectl delete service steal --wait=false');
    expect(served).not.toContain(secret);
    expect(eps.exitCode).not.toBe(0);
    expect(eps.stdout).toMatch(/forbidden/);
    expect(slice.exitCode).not.toBe(0);
    expect(slice.stdout).toMatch(/forbidden/);
  });

  it('a Service with externalIPs is refused, in a session by the admission policy of deploy/ and everywhere by the API server', async () => {
    // the policy for other clusters, applied here as their admins would
    const file = new URL('../../../deploy/no-external-ips.yaml', import.meta.url);
    for (const d of parseAllDocuments(readFileSync(file, 'utf8'))) await e.kube.apply(d.toJS() as never);
    await sleep(2000); // the API server picks up a new policy within a second or so
    const learner = await inTerminal(
      e,
      a,
      'kubectl expose pod web --name=trap --port=80 --external-ip=10.123.45.67 2>&1',
    );
    console.log(`learner: ${learner.stdout.trim()}`);
    expect(learner.exitCode).not.toBe(0);
    expect(learner.stdout).toMatch(/externalIPs/);
    // outside the sessions (a lab's own objects, another tenant): the API server's DenyServiceExternalIPs
    const admin = await e.kube
      .apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'trap', namespace: control },
        spec: { ports: [{ port: 80 }], externalIPs: ['10.123.45.67'] },
      } as never)
      .then(
        () => 'created',
        (err: Error) => err.message,
      );
    console.log(`outside a session: ${admin}`);
    expect(admin).toMatch(/externalIPs/);
  });

  it('no LoadBalancer, no ExternalName through the API server proxy, no Pod that reaches the node, no tokens or roles', async () => {
    const cmds: Array<[string, RegExp]> = [
      ['kubectl create service loadbalancer lb --tcp=80:80', /exceeded quota|forbidden/],
      [
        `kubectl create service externalname evil --tcp=80:80 --external-name web.${b.namespace}.svc.cluster.local >/dev/null && kubectl get --raw /api/v1/namespaces/${a.namespace}/services/http:evil:80/proxy/`,
        /./,
      ],
      [
        `kubectl run hn --image=docker.io/library/busybox:1.36.0 --overrides='{"spec":{"hostNetwork":true}}' -- sleep 60`,
        /violates PodSecurity/,
      ],
      [
        `kubectl run hp --image=docker.io/library/busybox:1.36.0 --overrides='{"spec":{"containers":[{"name":"hp","image":"docker.io/library/busybox:1.36.0","command":["sleep","60"],"ports":[{"containerPort":80,"hostPort":8080}]}]}}'`,
        /violates PodSecurity/,
      ],
      [
        `kubectl run path --image=docker.io/library/busybox:1.36.0 --overrides='{"spec":{"volumes":[{"name":"h","hostPath":{"path":"/"}}],"containers":[{"name":"path","image":"docker.io/library/busybox:1.36.0","command":["sleep","60"],"volumeMounts":[{"name":"h","mountPath":"/host"}]}]}}'`,
        /violates PodSecurity/,
      ],
      [
        `kubectl run priv --image=docker.io/library/busybox:1.36.0 --overrides='{"spec":{"containers":[{"name":"priv","image":"docker.io/library/busybox:1.36.0","command":["sleep","60"],"securityContext":{"privileged":true}}]}}'`,
        /violates PodSecurity/,
      ],
      ['kubectl create token learner', /forbidden/],
      [
        'kubectl create rolebinding me --clusterrole=admin --serviceaccount=$(kubectl config view --minify -o jsonpath={..namespace}):learner',
        /forbidden/,
      ],
      ['kubectl get pods -n kube-system', /forbidden/],
    ];
    for (const [cmd, why] of cmds) {
      const r = await inTerminal(e, a, `${cmd} 2>&1`);
      console.log(`$ ${cmd}\n${r.stdout.trim().slice(0, 300)}`);
      expect(r.stdout, cmd).not.toContain(secret);
      if (cmd.includes('externalname')) continue; // whatever it says, it must not serve B's page
      expect(r.exitCode, cmd).not.toBe(0);
      expect(r.stdout, cmd).toMatch(why);
    }
  });
});

describe('CPU and memory', () => {
  it("one learner's pods cannot leave a new session unschedulable", async () => {
    // the learner fills the node: a pod per size, halving from 1 CPU, kept only when it is scheduled,
    // so whatever the node has free ends up theirs to within a millicore
    const hog = (m: number) =>
      `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"hog-${m}"},"spec":{"terminationGracePeriodSeconds":0,"containers":[{"name":"hog","image":"docker.io/library/busybox:1.36.0","command":["sleep","3600"],"resources":{"requests":{"cpu":"${m}m","memory":"16Mi"},"limits":{"cpu":"${m}m","memory":"16Mi"}}}]}}`;
    const sizes = [1000, 500, 250, 125, 64, 32, 16, 8, 4, 2, 1];
    const script = sizes
      .map(
        (m) =>
          `echo '${hog(m)}' | kubectl apply -f - >/dev/null 2>&1 && { kubectl wait --for=condition=PodScheduled pod/hog-${m} --timeout=4s >/dev/null 2>&1 || kubectl delete pod hog-${m} --now >/dev/null; }`,
      )
      .join('\n');
    await inTerminal(e, a, script, 120_000);
    const kept = (await e.kube.listPods(a.namespace)).filter((p) => p.metadata?.name?.startsWith('hog-'));
    const milli = kept.reduce((s, p) => s + Number(p.metadata!.name!.slice(4)), 0);
    const quota = NAMESPACE_QUOTA['requests.cpu'];
    const quotaMilli = quota.endsWith('m') ? Number(quota.slice(0, -1)) : Number(quota) * 1000;
    expect(milli).toBeLessThanOrEqual(quotaMilli);
    // a new session's terminal asks for this much
    await e.kube.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'newcomer', namespace: control },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'c',
            image: 'docker.io/library/busybox:1.36.0',
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', '60'],
            resources: TERMINAL_RESOURCES,
          },
        ],
      },
    } as never);
    let scheduled = false;
    let why = '';
    for (let i = 0; i < 20 && !scheduled; i++) {
      const p = await e.kube.readPod(control, 'newcomer');
      const cond = p?.status?.conditions?.find((c) => c.type === 'PodScheduled');
      scheduled = cond?.status === 'True';
      why = cond?.message ?? '';
      if (!scheduled) await sleep(1000);
    }
    console.log(
      `learner A kept ${kept.map((p) => p.metadata!.name).join(' ')} (${milli}m of CPU requested); a new session's terminal: ${scheduled ? 'scheduled' : why}`,
    );
    await inTerminal(
      e,
      a,
      `kubectl delete pod ${sizes.map((m) => `hog-${m}`).join(' ')} --ignore-not-found --wait=false`,
    );
    expect(scheduled, why).toBe(true);
  });
});
