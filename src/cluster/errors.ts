import { UserError } from '../errors.ts';

/** A cluster problem a user can fix; `message` says what happened and what to do next. */
export class ClusterError extends UserError {
  constructor(message: string, opts: { fix?: string } = {}) {
    super('cluster', message, opts);
  }
}
