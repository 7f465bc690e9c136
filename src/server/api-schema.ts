// The lab server's HTTP API as one contract, beside the WebSocket protocol (protocol.ts): the request
// bodies as zod schemas (the server validates with them) and the answers as types. The browser
// (src/client/api-client.ts) imports the types only, so no validation code reaches its bundle.
import * as z from 'zod';

/** A lab's slug, as in labs/<slug>/ and /lessons/<slug>/. */
export const LabSlug = z.string().regex(/^[a-z0-9-]{1,63}$/, 'a lab slug such as "content-sidecar"');

/** POST /api/sessions: start a lab. */
export const StartBody = z.object({ slug: LabSlug });

/** POST /api/sessions/<id>/check and …/solution: the step's index. */
export const StepBody = z.object({ step: z.int().min(0).max(100) });

/** POST /api/sessions/<id>/rebuild (and the instructor's rebuild): apply the solutions of steps 0..upTo-1. */
export const RebuildBody = z.object({ upTo: z.int().min(0).max(100) });

/** Workshop mode: POST /api/workshop/join. */
export const JoinBody = z.object({ code: z.string().max(64), name: z.string().max(200) });

/** Workshop mode: start with the event code and the learner's display name. */
export const WorkshopStartBody = StartBody.extend({
  code: z.string().max(64).optional(),
  name: z.string().max(200).optional(),
  learnerId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,40}$/)
    .optional(),
});

/** One progress line of a streamed operation (NDJSON). */
export interface ProgressLine {
  type: 'progress';
  phase: string;
  message: string;
  done: number;
  total: number;
}

/** What went wrong, in plain words, and what to do next. */
export interface Problem {
  message: string;
  fix?: string;
}

/** A listed common mistake the learner's namespace shows. */
export interface Diagnosis {
  /** The mistake's id in lab.yaml. */
  id: string;
  /** The mistake in a few words. */
  title: string;
  /** What is wrong and what to do instead. */
  text: string;
}

/** The answer to "Check". */
export interface CheckResult {
  ok: boolean;
  message: string;
  hint?: string;
  observed?: string;
  /** The step does not pass because of one of its listed common mistakes: which, and what to do. */
  diagnosis?: Diagnosis;
}

/** A started session as the browser holds it. */
export interface PublicSession {
  id: string;
  slug: string;
  token: string;
}
