// Each session's private kubeconfig: the engine's, with the session namespace as the default, so a plain
// `kubectl get pods` in a solution command or a script check acts there (more robust than remembering -n).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kube } from '../kube.ts';

const dir = () => join(tmpdir(), 'sidecar-labs-sessions');
const fileFor = (namespace: string) => join(dir(), `${namespace}.kubeconfig`);

/** The file (written once per namespace, mode 0600). */
export function sessionKubeconfig(kube: Kube, namespace: string): string {
  const file = fileFor(namespace);
  if (existsSync(file)) return file;
  mkdirSync(dir(), { recursive: true, mode: 0o700 });
  writeFileSync(file, kube.kubeconfigFor(namespace), { mode: 0o600 });
  return file;
}

export function removeSessionKubeconfig(namespace: string): void {
  rmSync(fileFor(namespace), { force: true });
}

/** Environment for solution commands and script checks: kubectl defaults to the session namespace. */
export function scriptEnv(kube: Kube, namespace: string): Record<string, string> {
  return { KUBECONFIG: sessionKubeconfig(kube, namespace), NAMESPACE: namespace };
}
