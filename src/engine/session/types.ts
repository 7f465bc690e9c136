// The engine's session types: what start, reset, check and the lab server exchange.
import type { CheckResult } from '../checks.ts';
import type { MistakeFound } from '../mistakes.ts';
import type { NodePortMap } from '../node-ports.ts';

export interface ProgressEvent {
  phase: 'namespace' | 'apply' | 'wait' | 'ready' | 'error';
  message: string;
  done: number;
  total: number;
}

/** Reports one step of starting or resetting a session (see ProgressEvent). */
export type Progress = (phase: ProgressEvent['phase'], message: string, done?: number, total?: number) => void;

/** A Progress that forwards to an optional onProgress callback. */
export function progressTo(onProgress?: (ev: ProgressEvent) => void): Progress {
  return (phase, message, done = 0, total = 0) => onProgress?.({ phase, message, done, total });
}

export interface SessionInfo {
  sessionId: string;
  slug: string;
  namespace: string;
  createdAt: string;
  expiresAt: string;
  /** Present when the session has a terminal: exec `bash` into this pod/container. */
  terminal?: { pod: string; container: string; workdir: string };
  /** 'Terminating' while the namespace is being deleted. */
  phase: 'Active' | 'Terminating';
  /** The session's NodePorts by name (absent when the lab declares none). */
  nodePorts?: NodePortMap;
  /** Every annotation of the namespace (workshop mode keeps the learner and progress there). */
  annotations?: Record<string, string>;
}

export interface StepResult {
  stepId: string;
  ok: boolean;
  checks: CheckResult[];
  /** When the step does not pass and the namespace shows one of the step's listed mistakes: that one. */
  mistake?: MistakeFound;
}

export interface StartOptions {
  sessionId?: string;
  ttlSeconds?: number;
  terminal?: boolean;
  signal?: AbortSignal;
  onProgress?: (ev: ProgressEvent) => void;
  /** Seconds to wait for setup pods (default 180). */
  readyTimeoutSeconds?: number;
  /** lesson (default): the NodePorts the lab's manifests name; allocate: a free one per name (workshops). */
  nodePorts?: 'lesson' | 'allocate';
  /** Extra namespace labels and annotations (workshop: the learner, a warm-pool marker). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ChangeOptions {
  onProgress?: (ev: ProgressEvent) => void;
  signal?: AbortSignal;
  commandTimeoutSeconds?: number;
}

export interface CheckStepOptions {
  /** quick (default): is it done now? wait: poll each check up to its timeout (CI after a solution). */
  mode?: 'quick' | 'wait';
  signal?: AbortSignal;
}
