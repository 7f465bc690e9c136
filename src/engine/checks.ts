// Check evaluation: one probe per check type, each returning {ok, message, hint, observed}, driven by
// settle() (poll + settle window). Probes talk to the cluster only through ClusterOps, so unit tests use
// fakes and the engine uses the client-node implementation in kube.ts.
import type { V1Pod } from '@kubernetes/client-node';
import type { Check, TextMatch } from './schema.ts';
import { settle, realClock, type Clock, type ProbeResult } from './settle.ts';
import { podReadiness, podTrouble, containersOf, describeState } from './pods.ts';
import { evalJsonPath, formatJsonPathResult } from './jsonpath.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface HttpResult {
  status: number;
  body: string;
}

/** What checks need from a cluster (the engine's client-node implementation, or a fake). */
export interface ClusterOps {
  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]>;
  readPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  exec(namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  logs(namespace: string, pod: string, container: string, opts?: { previous?: boolean; tailLines?: number }): Promise<string>;
  proxyService(namespace: string, service: string, port: string | number | undefined, path: string, timeoutMs: number): Promise<HttpResult>;
  httpGet(url: string, timeoutMs: number): Promise<HttpResult>;
  readObject(apiVersion: string, kind: string, namespace: string, name: string): Promise<Record<string, any> | undefined>;
  runScript(script: string, opts: { env: Record<string, string>; cwd: string; timeoutMs: number }): Promise<{ exitCode: number; output: string }>;
}

export interface CheckContext {
  ops: ClusterOps;
  namespace: string;
  /** Host for NodePort checks (127.0.0.1 for kind). */
  nodeHost: () => Promise<string>;
  /** KUBECONFIG and NAMESPACE for scripts. */
  env: Record<string, string>;
  /** The lab folder (scripts run there). */
  cwd: string;
  clock?: Clock;
}

export interface CheckResult {
  ok: boolean;
  message: string;
  hint?: string;
  observed?: string;
  /** The check's title (author's, or generated), for lists and JUnit. */
  title: string;
  type: Check['type'];
  elapsedMs: number;
}

export const DEFAULT_SETTLE_SECONDS: Record<Check['type'], number> = {
  podReady: 5, containerRunning: 3, exec: 0, logs: 0, http: 0, field: 0, restartsStable: 0, jobComplete: 0, script: 0,
};
/** Quick mode retries a failing logs check briefly: a container prints a moment after what caused it. */
const QUICK_GRACE_MS: Partial<Record<Check['type'], number>> = { logs: 2500 };
export const DEFAULT_TIMEOUT_SECONDS: Record<Check['type'], number> = {
  podReady: 90, containerRunning: 90, exec: 60, logs: 60, http: 60, field: 60, restartsStable: 120, jobComplete: 120, script: 60,
};

const podName = (c: { pod?: string; selector?: string }) => (c.pod ? `pod "${c.pod}"` : `pods matching "${c.selector}"`);

export function checkTitle(c: Check): string {
  if (c.title) return c.title;
  switch (c.type) {
    case 'podReady': return `${podName(c)} ready`;
    case 'containerRunning': return `container "${c.container}" of ${podName(c)} running`;
    case 'exec': return `\`${Array.isArray(c.command) ? c.command.join(' ') : c.command}\` in ${podName(c)}${c.container ? ` -c ${c.container}` : ''}`;
    case 'logs': return `logs of ${podName(c)}${c.container ? ` -c ${c.container}` : ''}`;
    case 'http': return c.service ? `HTTP GET ${c.path} via service "${c.service}"` : c.nodePort ? `HTTP GET ${c.path} on NodePort ${c.nodePort}` : `HTTP GET ${c.url} from pod "${c.from?.pod}"`;
    case 'field': return `${c.kind} "${c.name}" ${c.jsonPath}`;
    case 'restartsStable': return `no restarts in ${podName(c)} for ${c.seconds}s`;
    case 'jobComplete': return `Job "${c.job}" complete`;
    case 'script': return `script: ${c.run.split('\n')[0].slice(0, 60)}`;
  }
}

function clip(s: string, n = 600): string {
  const t = s.trimEnd();
  return t.length > n ? `…${t.slice(t.length - n)}` : t;
}

export function matchText(text: string, m: TextMatch): { ok: boolean; expected: string } {
  if (m.equals !== undefined) return { ok: text.trimEnd() === m.equals.trimEnd(), expected: `exactly "${m.equals}"` };
  if (m.contains !== undefined) return { ok: text.includes(m.contains), expected: `to contain "${m.contains}"` };
  return { ok: new RegExp(m.matches!, 'm').test(text), expected: `to match /${m.matches}/` };
}

async function resolvePods(ctx: CheckContext, ref: { pod?: string; selector?: string }): Promise<V1Pod[]> {
  if (ref.pod) {
    const p = await ctx.ops.readPod(ctx.namespace, ref.pod);
    return p ? [p] : [];
  }
  return ctx.ops.listPods(ctx.namespace, ref.selector);
}

/** Pods that can run a command / have logs: prefer a running one. */
async function onePod(ctx: CheckContext, ref: { pod?: string; selector?: string }): Promise<V1Pod | ProbeResult> {
  const pods = await resolvePods(ctx, ref);
  if (pods.length === 0) return { ok: false, message: `${podName(ref)} does not exist yet` };
  return pods.find((p) => p.status?.phase === 'Running') ?? pods[0];
}

function defaultContainer(pod: V1Pod, name?: string): string {
  return name ?? pod.spec?.containers?.[0]?.name ?? '';
}

/** Exec needs a running container: say so in words instead of the API's "unable to upgrade connection". */
function notRunning(pod: V1Pod, container: string): ProbeResult | undefined {
  const c = containersOf(pod).find((x) => x.name === container);
  if (!c) return { ok: false, message: `pod "${pod.metadata?.name}" has no container "${container}" (it has ${containersOf(pod).map((x) => x.name).join(', ')})` };
  if (!c.status?.state?.running) return { ok: false, message: `container "${container}" of pod "${pod.metadata?.name}" is not running: ${describeState(c.status)}` };
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The last lines a crashed container printed: its previous run, else the current one. Right after a
 * crash the kubelet sometimes answers "unable to retrieve container logs": ask again a moment later.
 */
export async function lastLogLines(ops: Pick<ClusterOps, 'logs'>, namespace: string, pod: string, container: string, lines = 10): Promise<string> {
  for (let attempt = 0; attempt < 4; attempt++) {
    for (const previous of [true, false]) {
      try {
        const text = await ops.logs(namespace, pod, container, { previous, tailLines: lines });
        if (/^unable to retrieve container logs/.test(text)) continue;
        if (text.trim() || !previous) return text.trim();
      } catch {
        /* no such run: try the other */
      }
    }
    await sleep(750);
  }
  return '';
}

/** When a container is crash-looping, its previous run's last lines are the most useful thing to show. */
async function troubleDetails(ctx: CheckContext, pod: V1Pod): Promise<{ hint?: string; observed?: string; message?: string }> {
  const t = podTrouble(pod);
  if (!t) return {};
  const name = pod.metadata?.name ?? '';
  if (t.kind === 'image') {
    return {
      message: `container "${t.container}" cannot start: image ${t.image} is not in the cluster (${t.reason})`,
      hint: `run \`npx sidecar-labs cluster up\` (or \`kind load docker-image ${t.image} --name sidecar-labs\`), or check the image name`,
    };
  }
  const logs = await lastLogLines(ctx.ops, ctx.namespace, name, t.container);
  return {
    message: `container "${t.container}" of pod "${name}" keeps crashing (${t.reason})`,
    observed: logs ? `last log lines of ${t.container}:\n${clip(logs)}` : undefined,
    hint: `look at \`kubectl logs ${name} -c ${t.container} --previous\` and \`kubectl describe pod ${name}\``,
  };
}

async function probe(check: Check, ctx: CheckContext, timeoutMs: number): Promise<ProbeResult> {
  const { ops, namespace } = ctx;
  switch (check.type) {
    case 'podReady': {
      const pods = await resolvePods(ctx, check);
      if (pods.length === 0) return { ok: false, message: `${podName(check)} does not exist yet` };
      let since = 0;
      for (const p of pods) {
        const r = podReadiness(p);
        if (!r.ready) {
          const t = await troubleDetails(ctx, p);
          return { ok: false, message: t.message ?? `pod "${p.metadata?.name}" is not ready: ${r.summary}`, hint: t.hint, observed: t.observed ?? r.summary };
        }
        since = Math.max(since, r.sinceMs ?? 0);
      }
      return { ok: true, message: `${podName(check)} ready`, observed: pods.map((p) => podReadiness(p).summary).join('\n'), heldSinceMs: since || undefined };
    }
    case 'containerRunning': {
      const pods = await resolvePods(ctx, check);
      if (pods.length === 0) return { ok: false, message: `${podName(check)} does not exist yet` };
      let since = 0;
      for (const p of pods) {
        const c = containersOf(p).find((x) => x.name === check.container);
        if (!c) return { ok: false, message: `pod "${p.metadata?.name}" has no container "${check.container}" (it has ${containersOf(p).map((x) => x.name).join(', ')})` };
        if (!c.status?.state?.running) {
          const t = await troubleDetails(ctx, p);
          return { ok: false, message: `container "${check.container}" is ${describeState(c.status)}`, hint: t.hint, observed: t.observed };
        }
        since = Math.max(since, new Date(c.status.state.running.startedAt ?? 0).getTime());
      }
      return { ok: true, message: `container "${check.container}" running`, heldSinceMs: since || undefined };
    }
    case 'exec': {
      const pod = await onePod(ctx, check);
      if (!('metadata' in pod)) return pod as ProbeResult;
      const container = defaultContainer(pod, check.container);
      const down = notRunning(pod, container);
      if (down) return down;
      const cmd = Array.isArray(check.command) ? check.command : ['/bin/sh', '-c', check.command];
      const r = await ops.exec(namespace, pod.metadata!.name!, container, cmd, Math.min(timeoutMs, 20000));
      const observed = clip(r.stdout + (r.stderr ? `\n[stderr] ${r.stderr}` : ''));
      if (r.exitCode !== check.exitCode) return { ok: false, message: `exited with code ${r.exitCode}, expected ${check.exitCode}`, observed };
      if (check.stdout) {
        const m = matchText(r.stdout, check.stdout);
        if (!m.ok) return { ok: false, message: `output was not as expected: expected it ${m.expected}`, observed };
      }
      return { ok: true, message: 'command output as expected', observed };
    }
    case 'logs': {
      const pod = await onePod(ctx, check);
      if (!('metadata' in pod)) return pod as ProbeResult;
      const container = defaultContainer(pod, check.container);
      let text: string;
      try {
        text = await ops.logs(namespace, pod.metadata!.name!, container, { tailLines: 2000 });
      } catch (e) {
        return { ok: false, message: `no logs from container "${container}" yet: ${(e as Error).message.split('\n')[0]}` };
      }
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      const observed = lines.length ? clip(lines.slice(-12).join('\n')) : '(empty)';
      if (check.empty) return lines.length === 0 ? { ok: true, message: 'logs are empty', observed } : { ok: false, message: `logs are not empty (${lines.length} lines)`, observed };
      if (check.contains !== undefined && !text.includes(check.contains)) return { ok: false, message: `logs do not contain "${check.contains}" yet`, observed };
      if (check.matches !== undefined) {
        const re = new RegExp(check.matches, 'm');
        const matching = lines.filter((l) => re.test(l)).length;
        if (check.minLines !== undefined) {
          if (matching < check.minLines) return { ok: false, message: `${matching} log line${matching === 1 ? '' : 's'} match /${check.matches}/, need ${check.minLines}`, observed };
        } else if (matching === 0) return { ok: false, message: `no log line matches /${check.matches}/ yet`, observed };
      } else if (check.minLines !== undefined && lines.length < check.minLines) {
        return { ok: false, message: `${lines.length} log line${lines.length === 1 ? '' : 's'}, need ${check.minLines}`, observed };
      }
      return { ok: true, message: 'logs as expected', observed };
    }
    case 'http': {
      let r: { status: number; body: string };
      let where: string;
      if (check.service) {
        where = `service "${check.service}"`;
        r = await ops.proxyService(namespace, check.service, check.port, check.path, Math.min(timeoutMs, 10000));
      } else if (check.nodePort) {
        const host = await ctx.nodeHost();
        // A second kind cluster maps its NodePorts to other host ports (SIDECAR_LABS_NODE_PORT_BASE).
        const base = Number(process.env.SIDECAR_LABS_NODE_PORT_BASE) || 30080;
        const port = host === '127.0.0.1' && check.nodePort >= 30080 && check.nodePort < 30090 ? check.nodePort - 30080 + base : check.nodePort;
        const url = `http://${host}:${port}${check.path}`;
        where = url;
        try {
          r = await ops.httpGet(url, Math.min(timeoutMs, 10000));
        } catch (e) {
          return { ok: false, message: `nothing answers on ${url}: ${(e as Error).message}`, hint: `is there a NodePort Service with nodePort ${check.nodePort}?` };
        }
      } else {
        const from = check.from!;
        const pod = await ops.readPod(namespace, from.pod);
        if (!pod) return { ok: false, message: `pod "${from.pod}" does not exist yet` };
        where = `${check.url} (from pod "${from.pod}")`;
        const url = check.url!;
        const down = notRunning(pod, defaultContainer(pod, from.container));
        if (down) return down;
        const x = await ops.exec(namespace, from.pod, defaultContainer(pod, from.container), ['wget', '-S', '-q', '-O', '-', url], Math.min(timeoutMs, 15000));
        const status = Number(/HTTP\/[\d.]+ (\d{3})/.exec(x.stderr)?.[1] ?? (x.exitCode === 0 ? 200 : 0));
        if (status === 0) return { ok: false, message: `no answer from ${url}: ${clip(x.stderr, 200) || `wget exit ${x.exitCode}`}` };
        r = { status, body: x.stdout };
      }
      const observed = `HTTP ${r.status}\n${clip(r.body, 400)}`;
      if (r.status !== check.status) return { ok: false, message: `${where} answered HTTP ${r.status}, expected ${check.status}`, observed };
      if (check.body) {
        const m = matchText(r.body, check.body);
        if (!m.ok) return { ok: false, message: `the page from ${where} was not as expected: expected it ${m.expected}`, observed };
      }
      return { ok: true, message: `${where} answered as expected`, observed };
    }
    case 'field': {
      const obj = await ops.readObject(check.apiVersion, check.kind, namespace, check.name);
      if (!obj) return { ok: false, message: `${check.kind} "${check.name}" does not exist yet` };
      const values = evalJsonPath(obj, check.jsonPath);
      const text = formatJsonPathResult(values);
      const observed = values.length ? text : '(no value)';
      if (check.exists !== undefined) {
        const ok = (values.length > 0) === check.exists;
        return { ok, message: ok ? `${check.jsonPath} ${check.exists ? 'is set' : 'is not set'}` : `${check.jsonPath} ${check.exists ? 'is not set' : 'is set'}`, observed };
      }
      if (check.equals !== undefined) {
        const ok = values.length > 0 && text === String(check.equals);
        return { ok, message: ok ? `${check.jsonPath} is ${text}` : `${check.jsonPath} is ${values.length ? `"${text}"` : 'not set'}, expected "${check.equals}"`, observed };
      }
      const ok = values.length > 0 && new RegExp(check.matches!, 'm').test(text);
      return { ok, message: ok ? `${check.jsonPath} matches` : `${check.jsonPath} is ${values.length ? `"${text}"` : 'not set'}, expected to match /${check.matches}/`, observed };
    }
    case 'restartsStable': {
      const pods = await resolvePods(ctx, check);
      if (pods.length === 0) return { ok: false, message: `${podName(check)} does not exist yet` };
      let since = 0;
      const counts: string[] = [];
      for (const p of pods) {
        const cs = containersOf(p).filter((c) => (check.container ? c.name === check.container : !c.init || c.sidecar));
        if (check.container && cs.length === 0) return { ok: false, message: `pod "${p.metadata?.name}" has no container "${check.container}"` };
        for (const c of cs) {
          counts.push(`${c.name}: ${c.status?.restartCount ?? 0} restarts, ${describeState(c.status)}`);
          if (!c.status?.state?.running) {
            const t = await troubleDetails(ctx, p);
            return { ok: false, message: `container "${c.name}" is ${describeState(c.status)}`, hint: t.hint, observed: t.observed ?? counts.join('\n') };
          }
          since = Math.max(since, new Date(c.status.state.running.startedAt ?? 0).getTime());
        }
      }
      return { ok: true, message: `no restarts for ${check.seconds}s`, observed: counts.join('\n'), heldSinceMs: since || undefined };
    }
    case 'jobComplete': {
      const job = await ops.readObject('batch/v1', 'Job', namespace, check.job);
      if (!job) return { ok: false, message: `Job "${check.job}" does not exist yet` };
      const conds: { type: string; status: string; message?: string }[] = job.status?.conditions ?? [];
      const observed = `active ${job.status?.active ?? 0}, succeeded ${job.status?.succeeded ?? 0}, failed ${job.status?.failed ?? 0}`;
      if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return { ok: true, message: `Job "${check.job}" completed`, observed };
      const failed = conds.find((c) => c.type === 'Failed' && c.status === 'True');
      if (failed) return { ok: false, fatal: true, message: `Job "${check.job}" failed: ${failed.message ?? 'see its pods'}`, observed };
      return { ok: false, message: `Job "${check.job}" has not completed yet`, observed };
    }
    case 'script': {
      const r = await ops.runScript(check.run, { env: ctx.env, cwd: ctx.cwd, timeoutMs: Math.min(timeoutMs, 30000) });
      return r.exitCode === 0
        ? { ok: true, message: 'script passed', observed: clip(r.output) || undefined }
        : { ok: false, message: `script exited with code ${r.exitCode}`, observed: clip(r.output) || undefined };
    }
  }
}

export interface RunCheckOptions {
  mode: 'wait' | 'quick';
  signal?: AbortSignal;
  intervalMs?: number;
}

export async function runCheck(check: Check, ctx: CheckContext, opts: RunCheckOptions): Promise<CheckResult> {
  const settleSeconds = check.type === 'restartsStable' ? check.seconds : (check.settle ?? DEFAULT_SETTLE_SECONDS[check.type]);
  const timeoutMs = (check.timeout ?? DEFAULT_TIMEOUT_SECONDS[check.type]) * 1000;
  const r = await settle(() => probe(check, ctx, timeoutMs), {
    mode: opts.mode, timeoutMs, settleMs: settleSeconds * 1000, intervalMs: opts.intervalMs, signal: opts.signal, graceMs: QUICK_GRACE_MS[check.type],
  }, ctx.clock ?? realClock);
  return {
    ok: r.ok,
    message: r.message,
    // a diagnosis (crash loop, missing image) beats the author's general hint
    hint: r.ok ? undefined : (r.hint ?? check.hint),
    observed: r.observed,
    title: checkTitle(check),
    type: check.type,
    elapsedMs: r.elapsedMs,
  };
}
