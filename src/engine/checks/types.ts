// What every check type is made of (one file per type in this folder, listed in registry.ts): its zod
// schema (the lab format), its default settle and timeout, a generated title, and a probe that looks at
// the cluster once. The runner in ../checks.ts drives a probe with settle() (poll + settle window).
import type { V1Pod } from '@kubernetes/client-node';
import type { z } from 'zod';
import type { Clock, ProbeResult } from '../settle.ts';

/** An object as the API server returns it (JSON of any kind; checks read it with JSONPath). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeJson = Record<string, any>;

export type { ProbeResult } from '../settle.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** -1 when the output was cut (the command was stopped before it said how it ended). */
  exitCode: number;
  /** The output passed CHECK_OUTPUT_LIMIT (output-limit.ts): the stream was closed there. */
  truncated?: boolean;
}

export interface HttpResult {
  status: number;
  body: string;
  /** The body passed CHECK_OUTPUT_LIMIT: the rest was not read. */
  truncated?: boolean;
}

/** What checks need from a cluster (the engine's client-node implementation, or a fake). */
export interface ClusterOps {
  listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]>;
  readPod(namespace: string, name: string): Promise<V1Pod | undefined>;
  exec(namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  logs(
    namespace: string,
    pod: string,
    container: string,
    opts?: { previous?: boolean; tailLines?: number },
  ): Promise<string>;
  proxyService(
    namespace: string,
    service: string,
    port: string | number | undefined,
    path: string,
    timeoutMs: number,
  ): Promise<HttpResult>;
  httpGet(url: string, timeoutMs: number): Promise<HttpResult>;
  readObject(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubeJson | undefined>;
  runScript(
    script: string,
    opts: { env: Record<string, string>; cwd: string; timeoutMs: number },
  ): Promise<{ exitCode: number; output: string; truncated?: boolean }>;
}

export interface ProbeContext {
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

/** One check type. `S` is its zod schema: a strict object whose `type` is a literal. */
export interface CheckDefinition<T extends string = string, S extends z.ZodType<{ type: T }> = z.ZodType<{ type: T }>> {
  type: T;
  schema: S;
  /** Seconds a passing condition must hold (when the check gives no `settle`). */
  settleSeconds: number;
  /** Seconds to poll in wait mode (when the check gives no `timeout`). */
  timeoutSeconds: number;
  /** Quick mode retries a failing probe this long (e.g. a log line arrives a moment after its cause). */
  quickGraceMs?: number;
  /** A settle window fixed by the check itself (overrides `settle`). */
  settleOf?: (check: z.output<S>) => number;
  /** A title when the author gave none. */
  title: (check: z.output<S>) => string;
  /** Look once; `timeoutMs` bounds any single request. */
  probe: (check: z.output<S>, ctx: ProbeContext, timeoutMs: number) => Promise<ProbeResult>;
}

/** Declares a check type (keeps the schema's type inferred for title and probe). */
export function defineCheck<const T extends string, S extends z.ZodType<{ type: T }>>(
  d: CheckDefinition<T, S>,
): CheckDefinition<T, S> {
  return d;
}
