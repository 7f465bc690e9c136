// Errors a user (an author, a CI log reader, a learner in the browser panel) can act on. Each has a `kind`
// the lab server can switch on, and a message in plain words that says what to do next.

export interface FormatProblem {
  file: string;
  line: number;
  column: number;
  /** Where in the document, e.g. steps[0].checks[1].type */
  path: string;
  message: string;
}

export class EngineError extends Error {
  readonly kind: string = 'engine';
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** lab.yaml or a manifest is malformed: every problem at once, each with file:line:column. */
export class LabFormatError extends EngineError {
  override readonly kind = 'lab-format';
  readonly problems: FormatProblem[];
  constructor(problems: FormatProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in lab files:\n` +
        problems.map((p) => `  ${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

export class LabNotFoundError extends EngineError {
  override readonly kind = 'lab-not-found';
  constructor(slug: string, dir: string, known: string[]) {
    super(`no lab "${slug}" in ${dir}${known.length ? ` (labs: ${known.join(', ')})` : ''}`);
  }
}

/** A manifest that would reach outside the session namespace. Refused before anything is applied. */
export class ManifestRefusedError extends EngineError {
  override readonly kind = 'manifest-refused';
}

export class ImageMissingError extends EngineError {
  override readonly kind = 'image-missing';
  readonly images: string[];
  constructor(images: string[], detail?: string) {
    const list = images.join(', ');
    super(
      `image${images.length > 1 ? 's' : ''} ${list} ${images.length > 1 ? 'are' : 'is'} not in the cluster: run \`npx sidecar-labs cluster up\` ` +
        `(or \`kind load docker-image ${images[0]} --name sidecar-labs\`)${detail ? ` (${detail})` : ''}`,
    );
    this.images = images;
  }
}

export class CrashLoopError extends EngineError {
  override readonly kind = 'crash-loop';
  readonly pod: string;
  readonly container: string;
  readonly lastLogLines: string[];
  constructor(pod: string, container: string, reason: string, lastLogLines: string[]) {
    super(
      `container "${container}" of pod "${pod}" keeps crashing (${reason}). Its last log lines:\n` +
        (lastLogLines.length ? lastLogLines.map((l) => `  | ${l}`).join('\n') : '  (no output)') +
        `\nFix the container's command or image, then reset the lab.`,
    );
    this.pod = pod;
    this.container = container;
    this.lastLogLines = lastLogLines;
  }
}

export class ClusterUnreachableError extends EngineError {
  override readonly kind = 'cluster-unreachable';
  constructor(describe: string, cause: string) {
    super(
      `cannot reach the Kubernetes API server of ${describe}: ${cause}. ` +
        'Is the cluster running? Start it with `npx sidecar-labs cluster up` (Docker must be running), ' +
        'or check your kubeconfig and use --cluster current.',
    );
  }
}

export class SessionNotFoundError extends EngineError {
  override readonly kind = 'session-not-found';
  constructor(id: string) {
    super(`no lab session "${id}" on the cluster (it may have expired or been stopped): start the lab again`);
  }
}

export class StepNotFoundError extends EngineError {
  override readonly kind = 'step-not-found';
  constructor(slug: string, stepId: string, known: string[]) {
    super(`lab "${slug}" has no step "${stepId}" (steps: ${known.join(', ')})`);
  }
}

export class TimeoutError extends EngineError {
  override readonly kind = 'timeout';
}

export class AbortedError extends EngineError {
  override readonly kind = 'aborted';
  constructor(what = 'operation') {
    super(`${what} was cancelled`);
  }
}

/** A solution command exited non-zero. */
export class CommandFailedError extends EngineError {
  override readonly kind = 'command-failed';
  readonly output: string;
  constructor(command: string, code: number | null, output: string) {
    super(`command failed (exit ${code ?? 'signal'}): ${command}\n${output.trim().split('\n').slice(-15).map((l) => `  | ${l}`).join('\n')}`);
    this.output = output;
  }
}
