import { fileURLToPath } from 'node:url';
import { Engine } from '../../../src/engine/index.ts';
import { defaultClusterChoice } from '../../../src/kube/kubeconfig.ts';

export const BROKEN_LABS = fileURLToPath(new URL('../../fixtures/broken-labs/', import.meta.url));

export function engine(labsDir?: string): Engine {
  return new Engine({ choice: defaultClusterChoice(), labsDir });
}

/** Namespaces that still exist with a given lab label (deleted ones in Terminating do not count). */
export async function liveNamespaces(e: Engine, slug: string): Promise<string[]> {
  const list = await e.kube.listNamespaces(`sidecar-labs.dev/lab=${slug}`);
  return list.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata!.name!);
}
