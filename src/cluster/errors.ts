/** A cluster problem a user can fix; `message` says what happened and what to do next. */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}
