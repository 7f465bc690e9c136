// What the lab panel's cluster line says for a ClusterView (GET /api/cluster), and how soon to ask
// again. Pure, so the unit test can replay a whole cold or warm start-up without a server.
import type { ClusterView } from '../cluster/view.ts';

export interface ClusterDisplay {
  /** Nothing to show (the cluster is ready and never was not, as far as this page saw). */
  hidden: boolean;
  /** Start lab must wait. */
  blocking: boolean;
  /** A failure or missing cluster (shown as a problem, with the fix). */
  problem: boolean;
  text: string;
  fix?: string;
  /** 0-100 while working, from elapsed and estimated time. */
  percent?: number;
  /** Failed doctor checks, one line each. */
  checks: string[];
}

export function displayOf(v: ClusterView, sawWork: boolean): ClusterDisplay {
  const checks = (v.checks ?? []).map((c) => `✘ ${c.name}: ${c.detail}`);
  if (v.state === 'ready') {
    return {
      hidden: !sawWork,
      blocking: false,
      problem: false,
      text: 'The lab cluster is ready: press "Start lab".',
      checks,
    };
  }
  if (v.state === 'failed' || v.state === 'absent') {
    const text = v.state === 'failed' ? `The lab cluster could not be started: ${v.message}` : v.message;
    // Absent (nothing is creating it): say what to run, but leave "Start lab" to answer with the same
    // advice; blocking it would leave a learner without a button to press.
    return { hidden: false, blocking: v.state === 'failed', problem: true, text, fix: v.fix, checks };
  }
  const total = v.elapsedSeconds + v.etaSeconds;
  const percent = total > 0 ? Math.min(99, Math.round((100 * v.elapsedSeconds) / total)) : 0;
  return { hidden: false, blocking: true, problem: false, text: `${v.message}…`, percent, checks };
}

/** Milliseconds until the next look: often while it works, slowly while it waits for the user, never once ready. */
export function pollDelay(v: ClusterView | undefined): number | undefined {
  if (!v) return 5000;
  if (v.state === 'ready') return undefined;
  if (v.state === 'failed' || v.state === 'absent') return 5000;
  return 1000;
}
