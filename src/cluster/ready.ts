// Waiting for the cluster with watches, not sleeps: a watch without a resourceVersion first replays
// every existing object as ADDED, so one stream gives both the current state and every change.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors.ts';

interface Obj {
  metadata?: { name?: string; namespace?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
  };
}

/**
 * Watches `path` until `settled(objects)` returns true. `describe` explains, on timeout, what is
 * still missing. Watches that the server closes are reopened.
 */
export async function watchUntil(
  kc: KubeConfig,
  path: string,
  settled: (objs: Map<string, Obj>) => boolean,
  describe: (objs: Map<string, Obj>) => string,
  timeoutMs: number,
): Promise<void> {
  const objs = new Map<string, Obj>();
  const deadline = Date.now() + timeoutMs;
  const watch = new Watch(kc);
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      let ctl: AbortController | undefined;
      const timer = setTimeout(
        () => {
          ctl?.abort();
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      const finish = (v: boolean) => {
        clearTimeout(timer);
        ctl?.abort();
        resolve(v);
      };
      objs.clear();
      watch
        .watch(
          path,
          {},
          (type, obj: Obj) => {
            const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
            if (type === 'DELETED') objs.delete(key);
            else objs.set(key, obj);
            if (settled(objs)) finish(true);
          },
          () => {
            // The server ended the watch (timeout or error): open it again after a short pause.
            clearTimeout(timer);
            setTimeout(() => resolve(false), 500);
          },
        )
        .then(
          (c) => {
            ctl = c;
          },
          () => {
            clearTimeout(timer);
            setTimeout(() => resolve(false), 1000);
          },
        );
    });
    if (ok) return;
  }
  throw new ClusterError(`timed out after ${Math.round(timeoutMs / 1000)}s: ${describe(objs)}`);
}

const ready = (o: Obj) => o.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function waitForClusterReady(kc: KubeConfig, timeoutMs = 180_000): Promise<void> {
  await watchUntil(
    kc,
    '/api/v1/nodes',
    (nodes) => nodes.size > 0 && [...nodes.values()].every(ready),
    (nodes) =>
      `node(s) not Ready: ${
        [...nodes.values()]
          .filter((n) => !ready(n))
          .map((n) => n.metadata?.name)
          .join(', ') || 'none registered yet'
      }`,
    timeoutMs,
  );
  // The system pods kubeadm and kind create: API server, etcd, scheduler, controller manager, proxy, DNS.
  const expected = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns'];
  const missing = (pods: Map<string, Obj>) =>
    expected.filter((p) => ![...pods.values()].some((o) => o.metadata?.name?.startsWith(p) && ready(o)));
  await watchUntil(
    kc,
    '/api/v1/namespaces/kube-system/pods',
    (pods) => missing(pods).length === 0 && [...pods.values()].every((o) => o.status?.phase === 'Running' && ready(o)),
    (pods) =>
      `kube-system pods not ready: ${[...new Set([...missing(pods), ...[...pods.values()].filter((o) => !ready(o)).map((o) => o.metadata?.name ?? '?')])].join(', ')}`,
    timeoutMs,
  );
}
