// The engine's errors: UserErrors (src/errors.ts) with a kind, a message in plain words and, where there
// is one, the fix. The classes stay so callers can construct them and tests can name them.
import { UserError, CLUSTER_FIX, type ErrorKind } from '../errors.ts';

export interface FormatProblem {
  file: string;
  line: number;
  column: number;
  /** Where in the document, e.g. steps[0].checks[1].type */
  path: string;
  message: string;
}

/** An engine error: a UserError whose kind defaults to "engine". */
export class EngineError extends UserError {
  constructor(message: string, opts: { kind?: ErrorKind; fix?: string; cause?: unknown } = {}) {
    super(opts.kind ?? 'engine', message, opts);
  }
}

/** lab.yaml or a manifest is malformed: every problem at once, each with file:line:column. */
export class LabFormatError extends EngineError {
  readonly problems: FormatProblem[];
  constructor(problems: FormatProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in lab files:\n` +
        problems.map((p) => `  ${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
      { kind: 'lab-format', fix: 'fix each problem at its file:line:column' },
    );
    this.problems = problems;
  }
}

export class LabNotFoundError extends EngineError {
  constructor(slug: string, dir: string, known: string[]) {
    super(`no lab "${slug}" in ${dir}${known.length ? ` (labs: ${known.join(', ')})` : ''}`, { kind: 'lab-not-found' });
  }
}

/** A manifest that would reach outside the session namespace. Refused before anything is applied. */
export class ManifestRefusedError extends EngineError {
  constructor(message: string) {
    super(message, { kind: 'manifest-refused' });
  }
}

export class ImageMissingError extends EngineError {
  readonly images: string[];
  constructor(images: string[], detail?: string) {
    const list = images.join(', ');
    super(
      `image${images.length > 1 ? 's' : ''} ${list} ${images.length > 1 ? 'are' : 'is'} not in the cluster: run \`npx sidecar-labs cluster up\` ` +
        `(or \`kind load docker-image ${images[0]} --name sidecar-labs\`)${detail ? ` (${detail})` : ''}`,
      { kind: 'image-missing', fix: 'run `npx sidecar-labs cluster up`, which loads every lab image' },
    );
    this.images = images;
  }
}

export class CrashLoopError extends EngineError {
  readonly pod: string;
  readonly container: string;
  readonly lastLogLines: string[];
  constructor(pod: string, container: string, reason: string, lastLogLines: string[]) {
    super(
      `container "${container}" of pod "${pod}" keeps crashing (${reason}). Its last log lines:\n` +
        (lastLogLines.length ? lastLogLines.map((l) => `  | ${l}`).join('\n') : '  (no output)') +
        `\nFix the container's command or image, then reset the lab.`,
      { kind: 'crash-loop', fix: "fix the container's command or image, then reset the lab" },
    );
    this.pod = pod;
    this.container = container;
    this.lastLogLines = lastLogLines;
  }
}

export class ClusterUnreachableError extends EngineError {
  constructor(describe: string, cause: string) {
    super(
      `cannot reach the Kubernetes API server of ${describe}: ${cause}. ` +
        'Is the cluster running? Start it with `npx sidecar-labs cluster up` (Docker must be running), ' +
        'or check your kubeconfig and use --cluster current.',
      { kind: 'cluster-unreachable', fix: CLUSTER_FIX },
    );
  }
}

export class SessionNotFoundError extends EngineError {
  constructor(id: string) {
    super(`no lab session "${id}" on the cluster (it may have expired or been stopped): start the lab again`, {
      kind: 'session-not-found',
      fix: 'start the lab again',
    });
  }
}

export class StepNotFoundError extends EngineError {
  constructor(slug: string, stepId: string, known: string[]) {
    super(`lab "${slug}" has no step "${stepId}" (steps: ${known.join(', ')})`, { kind: 'step-not-found' });
  }
}

export class TimeoutError extends EngineError {
  constructor(message: string) {
    super(message, { kind: 'timeout' });
  }
}

export class AbortedError extends EngineError {
  constructor(what = 'operation') {
    super(`${what} was cancelled`, { kind: 'aborted' });
  }
}

/** A solution command exited non-zero. */
export class CommandFailedError extends EngineError {
  readonly output: string;
  constructor(command: string, code: number | null, output: string) {
    super(
      `command failed (exit ${code ?? 'signal'}): ${command}\n${output
        .trim()
        .split('\n')
        .slice(-15)
        .map((l) => `  | ${l}`)
        .join('\n')}`,
      { kind: 'command-failed' },
    );
    this.output = output;
  }
}
