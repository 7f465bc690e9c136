// What the lab server needs from the lab engine, as a small interface.
import { UserError, type ErrorKind } from '../errors.ts';

//
// The server is written against this port, not against src/engine directly, so that
//  - unit tests can drive the session logic with a fake engine, and
//  - engine-adapter.ts is the one place that knows the engine's exact API.

export interface ProgressEvent {
  phase: string;
  message: string;
  done: number;
  total: number;
}

export interface CheckResult {
  ok: boolean;
  message: string;
  hint?: string;
  observed?: string;
  /** The step does not pass because of one of its listed common mistakes: which, and what to do. */
  diagnosis?: Diagnosis;
}

export interface Diagnosis {
  /** The mistake's id in lab.yaml. */
  id: string;
  /** The mistake in a few words. */
  title: string;
  /** What is wrong and what to do instead. */
  text: string;
}

export interface SessionRecord {
  id: string;
  slug: string;
  namespace: string;
  /** When the cluster will consider the session abandoned (namespace annotation). */
  expiresAt?: Date;
  /** When the session was created (the namespace's creation time). */
  createdAt?: Date;
}

/** Where the learner's shell runs: always a pod in the session's own namespace. */
export interface TerminalTarget {
  namespace: string;
  pod: string;
  container: string;
}

export type OnProgress = (event: ProgressEvent) => void;

/** Extra namespace labels/annotations for a new session (workshop: the learner). */
export interface StartExtras {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface LabEnginePort {
  /** Slugs of the labs this engine knows. */
  labSlugs(): string[];
  startSession(slug: string, onProgress: OnProgress, extras?: StartExtras): Promise<SessionRecord>;
  /** A session on the cluster by id (one another server process started), or undefined. */
  findSession?(id: string): Promise<SessionRecord | undefined>;
  /** Run the checks of step `step` (0-based). */
  checkStep(session: SessionRecord, step: number): Promise<CheckResult>;
  /** Apply the solution of step `step` (0-based), as "skip" or "rebuild to step N" does. */
  applySolution(session: SessionRecord, step: number, onProgress: OnProgress): Promise<void>;
  /** Back to the lab's initial state (setup manifests, terminal pod), same session id. */
  resetSession(session: SessionRecord, onProgress: OnProgress): Promise<void>;
  stopSession(session: SessionRecord): Promise<void>;
  /** Sessions that exist on the cluster (found by namespace labels), e.g. after a server restart. */
  listSessions(): Promise<SessionRecord[]>;
  /** Delete sessions whose expiry passed; returns their ids. */
  reapExpired(): Promise<string[]>;
  /** Push the expiry forward while the learner is active. */
  extendSession(session: SessionRecord, expiresAt: Date): Promise<void>;
  terminalTarget(session: SessionRecord): TerminalTarget;
}

/**
 * A UserError raised by the server itself, with its HTTP status (a request the server refuses: too
 * big, wrong type, unknown session). Engine and cluster errors keep their own kind; http-util.ts maps
 * every kind to a status in one table.
 */
export class LabError extends UserError {
  readonly status: number;
  constructor(message: string, opts: { status?: number; fix?: string; kind?: ErrorKind } = {}) {
    super(opts.kind ?? 'server', message, opts);
    this.status = opts.status ?? 500;
  }
}
