// Applying into a session: objects by server-side apply (refused first if not namespaced), and a
// change (a step's solution or a listed mistake): its manifests, then its commands in the lab folder.
import type { KubernetesObject } from '@kubernetes/client-node';
import { CommandFailedError, EngineError } from '../errors.ts';
import { apiMessage, runShell, type Kube } from '../kube.ts';
import type { KubeObject, Lab } from '../load.ts';
import { nodePortEnv, rewriteObjects } from '../node-ports.ts';
import { assertNamespaced } from './guard.ts';
import { scriptEnv } from './kubeconfig.ts';
import type { ChangeOptions, SessionInfo } from './types.ts';

/** Server-side apply one object into `namespace`; API refusals become an EngineError naming it. */
export async function applyOne(kube: Kube, namespace: string, o: KubeObject | KubernetesObject): Promise<void> {
  const body = structuredClone(o) as KubernetesObject;
  body.metadata = { ...body.metadata, namespace };
  try {
    await kube.apply(body);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new EngineError(`cannot apply ${o.kind} "${o.metadata?.name}": ${apiMessage(e)}`);
  }
}

/** In order, after refusing any that is not namespaced; onApplied after each. */
export async function applyAll(
  kube: Kube,
  namespace: string,
  objects: KubeObject[],
  onApplied: (done: number, total: number, what: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  await assertNamespaced(kube, objects);
  let done = 0;
  for (const o of objects) {
    signal?.throwIfAborted();
    await applyOne(kube, namespace, o);
    onApplied(++done, objects.length, `${o.kind.toLowerCase()}/${o.metadata.name}`);
  }
}

/** All at once (independent objects: one round trip of latency instead of one per object). */
export async function applyTogether(
  kube: Kube,
  namespace: string,
  objects: (KubeObject | KubernetesObject)[],
  onApplied: (what: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  await Promise.all(
    objects.map(async (o) => {
      await applyOne(kube, namespace, o);
      onApplied(`${o.kind?.toLowerCase()}/${o.metadata?.name}`);
    }),
  );
}

/** Manifests (server-side apply), then commands in the lab folder with the session's kubeconfig. */
export async function applyChange(
  kube: Kube,
  s: SessionInfo,
  lab: Lab,
  change: { manifests: string[]; commands: string[] },
  opts: ChangeOptions,
): Promise<void> {
  const objects = rewriteObjects(
    change.manifests.flatMap((m) => lab.manifests[m] ?? []),
    lab.nodePorts,
    s.nodePorts,
  );
  const total = objects.length + change.commands.length;
  let done = 0;
  const progress = (message: string) => opts.onProgress?.({ phase: 'apply', message, done: ++done, total });
  await applyAll(kube, s.namespace, objects, (_d, _t, what) => progress(`applied ${what}`), opts.signal);
  const env = { ...scriptEnv(kube, s.namespace), ...nodePortEnv(lab.nodePorts, s.nodePorts) };
  for (const cmd of change.commands) {
    opts.signal?.throwIfAborted();
    const r = await runShell(cmd, {
      env,
      cwd: lab.dir,
      timeoutMs: (opts.commandTimeoutSeconds ?? 120) * 1000,
      signal: opts.signal,
    });
    if (r.exitCode !== 0) throw new CommandFailedError(cmd, r.exitCode, r.output);
    progress(`ran ${cmd.split('\n')[0]}`);
  }
}
