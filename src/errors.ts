// The one user-facing error type. Every error a person can act on (an author, a CI log reader, a learner
// in the browser, someone at the command line) is a UserError: a `kind` that says what went wrong, a
// message in plain words, and, where there is one, the `fix` (the next step). The lab server maps kinds
// to HTTP in one place (src/server/http-util.ts), the CLI to its output and exit code in one place
// (src/cli/report-error.ts). No one tells errors apart by name strings or by matching their messages.

export type ErrorKind =
  // bad input
  | 'usage'
  | 'bad-request'
  | 'lab-format'
  | 'manifest-refused'
  // something asked for that is not there
  | 'lab-not-found'
  | 'session-not-found'
  | 'step-not-found'
  | 'not-found'
  // the cluster
  | 'no-cluster'
  | 'cluster-unreachable'
  | 'cluster'
  | 'image-missing'
  // a lab that went wrong while running
  | 'crash-loop'
  | 'command-failed'
  | 'timeout'
  // stopped on purpose
  | 'aborted'
  | 'interrupted'
  // anything else the engine or the server says in plain words
  | 'engine'
  | 'server';

/** What to do when there is no cluster, or it does not answer (the one copy of this text). */
export const CLUSTER_FIX = 'start the cluster with `npx sidecar-labs cluster up` (Docker must be running)';

export class UserError extends Error {
  readonly kind: ErrorKind;
  /** The next step, in plain words, when there is one. */
  readonly fix?: string;

  constructor(kind: ErrorKind, message: string, opts: { fix?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.fix = opts.fix;
  }
}

/** Is `err` a UserError (of one of `kinds`, when given)? */
export function isUserError(err: unknown, ...kinds: ErrorKind[]): err is UserError {
  return err instanceof UserError && (kinds.length === 0 || kinds.includes(err.kind));
}
