// One line of `sidecar-labs doctor`: what was checked, how it went, and the fix when it did not.
export type CheckStatus = 'ok' | 'fail' | 'warn' | 'skip';

export interface CheckOutcome {
  name: string;
  status: CheckStatus;
  /** What was found, in a few words ("Docker 28.2.2", "v1.34.4: every lab's minimum is met"). */
  detail: string;
  /** The next step when status is fail or warn. */
  fix?: string;
}

/** What the doctor needs to know about each lab. */
export interface LabNeeds {
  slug: string;
  minKubernetes: string;
  images: string[];
}

export const ok = (name: string, detail: string): CheckOutcome => ({ name, status: 'ok', detail });
export const fail = (name: string, detail: string, fix: string): CheckOutcome => ({
  name,
  status: 'fail',
  detail,
  fix,
});
export const warn = (name: string, detail: string, fix?: string): CheckOutcome => ({
  name,
  status: 'warn',
  detail,
  fix,
});
export const skip = (name: string, detail: string): CheckOutcome => ({ name, status: 'skip', detail });
