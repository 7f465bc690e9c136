// Where the kit keeps its builds and where the kind cluster's kubeconfig lives.
import { homedir } from 'node:os';
import { join, delimiter } from 'node:path';

export const CLUSTER_NAME = process.env.SIDECAR_LABS_CLUSTER_NAME ?? 'sidecar-labs';

export function cacheDir(): string {
  return process.env.SIDECAR_LABS_CACHE ?? join(homedir(), '.cache', 'sidecar-labs');
}

/** Binaries the offline kit builds (kind, kubectl, ...). */
export function kitBinDir(): string {
  return join(cacheDir(), 'bin');
}

/** The kind cluster's kubeconfig; kept apart from ~/.kube/config so we never touch a user's contexts. */
export function kindKubeconfigPath(): string {
  return process.env.SIDECAR_LABS_KUBECONFIG ?? join(cacheDir(), 'kubeconfig');
}

/** PATH with the kit's binaries appended, so kind and kubectl are found even when not installed. */
export function toolPath(base = process.env.PATH ?? ''): string {
  return [base, kitBinDir()].filter(Boolean).join(delimiter);
}
