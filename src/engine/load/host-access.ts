// Fields that reach out of a Pod onto the node: a lab may not use them. The session namespace enforces
// Pod Security "baseline" on the cluster too; refusing them here tells the author at load time, with the
// line, instead of when a learner starts the lab.
import type { At, YamlPath } from './positions.ts';

/** Capabilities Pod Security "baseline" allows a container to add; anything else is refused. */
export const ALLOWED_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Namespaced ("safe") sysctls that baseline allows. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const NODE = 'reaches the node, which a lab may not do';

function checkProfiles(sc: Obj, path: YamlPath, at: At): void {
  for (const key of ['seccompProfile', 'appArmorProfile'] as const) {
    if (obj(sc[key])?.type === 'Unconfined')
      at(
        [...path, key, 'type'],
        `${key} Unconfined turns off the node's protection: use RuntimeDefault or leave it out`,
      );
  }
}

function checkContainer(c: Obj, path: YamlPath, at: At): void {
  const sc = obj(c.securityContext);
  if (sc) {
    const scPath = [...path, 'securityContext'];
    if (sc.privileged === true)
      at([...scPath, 'privileged'], `a privileged container ${NODE}: remove "privileged: true"`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default')
      at([...scPath, 'procMount'], `procMount ${String(sc.procMount)} ${NODE}: remove it`);
    list(obj(sc.capabilities)?.add).forEach((cap, i) => {
      const name = String(cap).replace(/^CAP_/, '');
      if (!ALLOWED_CAPABILITIES.has(name))
        at(
          [...scPath, 'capabilities', 'add', i],
          `capability ${String(cap)} ${NODE}: a lab container may only add ${[...ALLOWED_CAPABILITIES].join(', ')}`,
        );
    });
    checkProfiles(sc, scPath, at);
  }
  list(c.ports).forEach((p, i) => {
    const port = obj(p);
    if (port?.hostPort !== undefined && port.hostPort !== 0)
      at(
        [...path, 'ports', i, 'hostPort'],
        `hostPort ${String(port.hostPort)} opens a port on the node: use a Service (a NodePort if it must be reached from outside)`,
      );
    if (port?.hostIP !== undefined) at([...path, 'ports', i, 'hostIP'], `hostIP binds a port on the node: remove it`);
  });
}

/** Host-access fields of one Pod spec at `path`. */
export function checkPodSpecHostAccess(spec: Obj, path: YamlPath, at: At): void {
  const instead = {
    hostNetwork: 'the containers of one Pod already share a network namespace; a Service reaches it from outside',
    hostPID: 'use shareProcessNamespace: true to see the other containers of the Pod',
    hostIPC: 'the containers of one Pod already share an IPC namespace',
  };
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[key] === true) at([...path, key], `${key} ${NODE}: remove it (${instead[key]})`);
  }
  list(spec.volumes).forEach((v, i) => {
    if (obj(v)?.hostPath !== undefined)
      at(
        [...path, 'volumes', i, 'hostPath'],
        `a hostPath volume ${NODE}: use an emptyDir (shared by the Pod's containers), a ConfigMap or a PersistentVolumeClaim`,
      );
  });
  const psc = obj(spec.securityContext);
  if (psc) {
    checkProfiles(psc, [...path, 'securityContext'], at);
    list(psc.sysctls).forEach((s, i) => {
      const name = String(obj(s)?.name ?? '');
      if (!SAFE_SYSCTLS.has(name))
        at(
          [...path, 'securityContext', 'sysctls', i, 'name'],
          `sysctl ${name || '(no name)'} is not a namespaced safe sysctl: a lab may only set ${[...SAFE_SYSCTLS].join(', ')}`,
        );
    });
  }
  for (const key of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    list(spec[key]).forEach((c, i) => {
      const o = obj(c);
      if (o) checkContainer(o, [...path, key, i], at);
    });
  }
}

/** Host access outside Pod specs: Services with externalIPs (they intercept traffic for any address). */
export function checkObjectHostAccess(o: Obj, at: At): void {
  if (o.kind === 'Service' && list(obj(o.spec)?.externalIPs).length > 0) {
    at(
      ['spec', 'externalIPs'],
      'externalIPs capture traffic to those addresses on every node: a lab Service may not set them',
    );
  }
}
