// What every session action needs from the Engine: the cluster door, the labs, and cluster facts read
// once per engine. The Engine (../engine.ts) implements it; the actions in this folder take it.
import type { ClusterChoice } from '../../kube/index.ts';
import type { ClusterNetwork } from '../budget.ts';
import type { Kube } from '../kube.ts';
import type { Lab } from '../load.ts';

export interface EngineCore {
  readonly kube: Kube;
  readonly choice: ClusterChoice;
  /** A lab by slug (loaded once). */
  lab(slug: string): Lab;
  /** Where the API server listens and which addresses are pods' (for the NetworkPolicy). */
  clusterNetwork(): Promise<ClusterNetwork>;
  /** The host NodePort checks reach (127.0.0.1 on the default kind cluster). */
  nodeHost(): Promise<string>;
}
