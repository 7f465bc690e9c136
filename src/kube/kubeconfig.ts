// One KubeConfig for the whole process, from the cluster the user picked:
//   kind    - the cluster `sidecar-labs cluster up` created (its own kubeconfig file)
//   current - whatever KUBECONFIG / ~/.kube/config points at (minikube, k3d, a workshop cluster)
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { kindKubeconfigPath, CLUSTER_NAME } from './paths.ts';
import { UserError, CLUSTER_FIX } from '../errors.ts';

export type ClusterChoice = 'kind' | 'current';

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** Path of the kubeconfig file, for child processes (kubectl, scripts) as KUBECONFIG. */
  path: string;
  /** Human words for error messages: which file and context were tried. */
  describe: string;
}

export function defaultClusterChoice(): ClusterChoice {
  const v = process.env.SIDECAR_LABS_CLUSTER;
  if (v === 'current' || v === 'kind') return v;
  return 'kind';
}

export class NoClusterError extends UserError {
  constructor(message: string) {
    super('no-cluster', message, { fix: CLUSTER_FIX });
  }
}

/** `--cluster current` with no kubeconfig file to read: a plain-words error naming the file, or undefined. */
export function missingKubeconfig(path: string, env: NodeJS.ProcessEnv = process.env): UserError | undefined {
  const files = path.split(delimiter).filter(Boolean);
  if (files.some((f) => existsSync(f))) return undefined;
  if (!env.KUBECONFIG && env.KUBERNETES_SERVICE_HOST) return undefined; // inside a pod: its ServiceAccount
  const where = env.KUBECONFIG ? `KUBECONFIG names ${files.join(', ')}` : `the default kubeconfig is ${path}`;
  return new UserError('no-cluster', `--cluster current uses your kubeconfig, but ${where}, and no such file exists`, {
    fix:
      'point KUBECONFIG at the kubeconfig file of your cluster (`kubectl config view` shows what kubectl uses), ' +
      'or use the kind cluster instead: `npx sidecar-labs cluster up`, without --cluster current',
  });
}

export function loadKubeConfig(choice: ClusterChoice = defaultClusterChoice()): LoadedKubeConfig {
  const kc = new KubeConfig();
  if (choice === 'kind') {
    const path = kindKubeconfigPath();
    if (!existsSync(path)) {
      throw new NoClusterError(
        `no kind cluster "${CLUSTER_NAME}" yet (no kubeconfig at ${path}): run \`npx sidecar-labs cluster up\`, ` +
          'or pass --cluster current to use your own kubeconfig',
      );
    }
    kc.loadFromFile(path);
    return {
      kc,
      path,
      describe: `kind cluster "${CLUSTER_NAME}" (kubeconfig ${path}, context ${kc.getCurrentContext()})`,
    };
  }
  const path = process.env.KUBECONFIG || join(homedir(), '.kube', 'config');
  const missing = missingKubeconfig(path);
  if (missing) throw missing;
  kc.loadFromDefault();
  return { kc, path, describe: `kubeconfig ${path}, context ${kc.getCurrentContext() || '(none)'}` };
}
