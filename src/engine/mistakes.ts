// Diagnosing a step that does not pass: the first of the step's listed mistakes whose detecting checks
// all pass right now (quick mode, no grace: the learner is waiting on the Check button).
import type { Mistake } from './schema.ts';
import { runCheck, type CheckContext } from './checks.ts';

export interface MistakeFound {
  id: string;
  title: string;
  diagnosis: string;
}

export async function findMistake(
  mistakes: Mistake[],
  ctx: CheckContext,
  signal?: AbortSignal,
): Promise<MistakeFound | undefined> {
  for (const m of mistakes) {
    let present = true;
    for (const c of m.detect) {
      present = (await runCheck(c, ctx, { mode: 'quick', signal, graceMs: 0 })).ok;
      if (!present) break; // the rest cannot change the answer
    }
    if (present) return { id: m.id, title: m.title, diagnosis: m.diagnosis };
  }
  return undefined;
}
