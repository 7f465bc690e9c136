// A learner's progress on one lab, kept in localStorage so a reload (or coming back tomorrow) shows
// which steps passed, and reconnects to the running session if the server still has it.
export interface LabProgress {
  /** Ids of the steps whose checks passed. */
  passed: string[];
  /** The running session, if any (its token authorizes API calls and the terminal). */
  session?: { id: string; token: string };
  /** Steps that had passed before the last reset: what "Rebuild to step N" can bring back. */
  beforeReset?: string[];
}

/** The part of the Storage API we use (localStorage, or a Map-backed fake in tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PREFIX = 'sidecar-labs:lab:';

function isProgress(v: unknown): v is LabProgress {
  if (!v || typeof v !== 'object') return false;
  const p = v as Record<string, unknown>;
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!strings(p.passed)) return false;
  if (p.beforeReset !== undefined && !strings(p.beforeReset)) return false;
  if (p.session !== undefined) {
    const s = p.session as Record<string, unknown> | null;
    if (!s || typeof s.id !== 'string' || typeof s.token !== 'string') return false;
  }
  return true;
}

export class ProgressStore {
  private readonly kv: KeyValue | undefined;
  private readonly key: string;

  constructor(slug: string, kv: KeyValue | undefined) {
    this.kv = kv;
    this.key = PREFIX + slug;
  }

  load(): LabProgress {
    try {
      const raw = this.kv?.getItem(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : undefined;
      if (isProgress(parsed)) return parsed;
    } catch {
      // Corrupt or unavailable storage: start fresh rather than break the page.
    }
    return { passed: [] };
  }

  save(progress: LabProgress): void {
    try {
      this.kv?.setItem(this.key, JSON.stringify(progress));
    } catch {
      // Private mode or quota: progress just won't survive a reload.
    }
  }

  update(change: (p: LabProgress) => void): LabProgress {
    const p = this.load();
    change(p);
    this.save(p);
    return p;
  }

  markPassed(stepId: string, passed: boolean): LabProgress {
    return this.update((p) => {
      const set = new Set(p.passed);
      if (passed) set.add(stepId);
      else set.delete(stepId);
      p.passed = [...set];
    });
  }

  /** After a reset every check is "Not yet" again; remember what had passed for the rebuild. */
  resetSteps(): LabProgress {
    return this.update((p) => {
      if (p.passed.length) p.beforeReset = p.passed;
      p.passed = [];
    });
  }
}

/** Index of the first step not yet passed in `passed` (in lab order); steps.length when all passed. */
export function firstOpenStep(stepIds: readonly string[], passed: readonly string[]): number {
  const done = new Set(passed);
  const i = stepIds.findIndex((id) => !done.has(id));
  return i === -1 ? stepIds.length : i;
}

/** Where "Rebuild to step N" should take the learner after a reset (0-based), or 0 when there is nothing to rebuild. */
export function rebuildTarget(stepIds: readonly string[], progress: LabProgress): number {
  if (!progress.beforeReset?.length) return 0;
  return Math.min(firstOpenStep(stepIds, progress.beforeReset), stepIds.length - 1);
}
