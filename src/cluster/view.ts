// What GET /api/cluster answers and the lab panel shows: the lab cluster's state while `npm start`
// brings it up, with an estimate. One type for the server and the browser (type-only imports there).
import type { CheckOutcome } from './doctor/types.ts';

export type ClusterState =
  /** looking for an existing cluster */
  | 'checking'
  /** installing or starting Docker (scripts/kit/host-setup.sh) */
  | 'preparing'
  /** building the offline kit (Kubernetes from source, images) */
  | 'building'
  /** creating the kind cluster and waiting for it */
  | 'starting'
  | 'ready'
  | 'failed'
  /** no cluster and nothing making one (npm start --no-cluster, astro dev) */
  | 'absent';

export interface ClusterView {
  state: ClusterState;
  /** The step's name ("Building Kubernetes from source"); empty when not working. */
  phase: string;
  /** 1-based step number and the number of steps this run counts (0 when not working). */
  step: number;
  of: number;
  elapsedSeconds: number;
  etaSeconds: number;
  /** The sentence to show: "Building Kubernetes from source, step 2 of 7, about 9 min left". */
  message: string;
  /** The next step for the user when state is failed or absent. */
  fix?: string;
  /** Failed doctor checks that explain a failure. */
  checks?: CheckOutcome[];
}
