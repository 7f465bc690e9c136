// The Pod view's text alternative: one table row per container (and one per Service), the same facts
// the drawing shows, for screen readers and for anyone who prefers a table.
import { ROLE_TEXT, selects, stateText, type NamespaceView } from './model.ts';

export const TABLE_HEAD = ['Pod', 'Container', 'Role', 'State', 'Ready', 'Restarts', 'Volume mounts'] as const;
export const SERVICE_HEAD = ['Service', 'Type', 'Ports', 'Selects Pods'] as const;

export function containerRows(view: NamespaceView): string[][] {
  return view.pods.flatMap((pod) =>
    pod.containers.map((c) => [
      `${pod.name}${pod.deleting ? ' (terminating)' : pod.phase ? ` (${pod.phase})` : ''}`,
      c.name,
      ROLE_TEXT[c.role],
      stateText(c) || '—',
      c.ready === undefined ? '—' : c.ready ? 'yes' : 'no',
      c.restarts === undefined ? '—' : String(c.restarts),
      c.mounts.map((m) => `${m.volume} at ${m.path}${m.readOnly ? ' (read-only)' : ''}`).join('; ') || 'none',
    ]),
  );
}

export function serviceRows(view: NamespaceView): string[][] {
  return view.services.map((s) => {
    const pods = view.pods.filter((p) => selects(s, p)).map((p) => p.name);
    return [s.name, s.type, s.ports.join(', ') || '—', pods.join(', ') || 'none'];
  });
}
