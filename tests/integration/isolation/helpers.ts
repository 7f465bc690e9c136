import type { Engine, SessionInfo } from '../../../src/engine/index.ts';

/** A shell command in a session's terminal, as the learner types it. */
export function inTerminal(e: Engine, s: SessionInfo, cmd: string, timeoutMs = 60_000) {
  return e.kube.exec(s.namespace, 'terminal', 'terminal', ['bash', '-c', cmd], timeoutMs);
}

/** An nginx Pod and Service `web` in a namespace, applied with the engine's own (admin) credentials. */
export async function serveWeb(e: Engine, namespace: string): Promise<{ podIP: string; serviceIP: string }> {
  const labels = { app: 'web' };
  await e.kube.apply({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace, labels },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'docker.io/library/nginx:1.24.0',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 80 }],
        },
      ],
    },
  } as never);
  await e.kube.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace },
    spec: { selector: labels, ports: [{ port: 80, targetPort: 80 }] },
  } as never);
  for (let i = 0; i < 240; i++) {
    const pod = await e.kube.readPod(namespace, 'web');
    if (pod?.status?.podIP && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
      const svc = await e.kube.readService(namespace, 'web');
      return { podIP: pod.status.podIP, serviceIP: svc!.spec!.clusterIP! };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`pod web in ${namespace} did not become ready`);
}

/** curl from the terminal: "ok" when it got an HTTP answer, else curl's exit code and message. */
export async function reach(e: Engine, s: SessionInfo, url: string): Promise<string> {
  const r = await inTerminal(e, s, `curl -sS -o /dev/null -m 5 -w '%{http_code}' ${url} 2>&1; echo " exit=$?"`);
  return /^\d{3} exit=0/.test(r.stdout.trim()) ? 'ok' : r.stdout.trim();
}

/** Two learners (what-is-a-sidecar, each with a terminal and an nginx `web`) and a control namespace. */
export async function twoLearnersAndControl(e: Engine, control: string) {
  const [a, b] = await Promise.all([
    e.startSession('what-is-a-sidecar', { terminal: true, ttlSeconds: 900 }),
    e.startSession('what-is-a-sidecar', { terminal: true, ttlSeconds: 900 }),
  ]);
  const [webA, webB] = await Promise.all([serveWeb(e, a.namespace), serveWeb(e, b.namespace)]);
  await e.kube.createNamespace({ name: control, labels: { 'app.kubernetes.io/part-of': 'sidecar-labs-tests' } });
  return { a, b, webA, webB };
}

/** Ends what twoLearnersAndControl started (whatever of it exists). */
export async function endLearnersAndControl(e: Engine, control: string, ...sessions: Array<SessionInfo | undefined>) {
  await Promise.all([
    ...sessions.map((s) => s && e.stopSession(s)),
    e.kube.deleteNamespace(control).catch(() => undefined),
  ]);
}
