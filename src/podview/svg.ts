// The Pod view as SVG: a small element tree built from the layout, turned into a string at build
// time (Astro) or into DOM nodes in the browser (never innerHTML: names come from the cluster).
import { layoutNamespace, SIZE, type Layout, type PodBox, type ServiceBox } from './layout.ts';
import { ROLE_TEXT, stateText, type ContainerView, type NamespaceView } from './model.ts';

export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  children: Array<SvgNode | string>;
}

function h(tag: string, attrs: SvgNode['attrs'], ...children: Array<SvgNode | string>): SvgNode {
  return { tag, attrs, children };
}

/** Text cut to `max` characters with an ellipsis; the full text goes into a <title> tooltip. */
function text(x: number, y: number, value: string, cls: string, max = 26): SvgNode {
  const short = value.length > max ? `${value.slice(0, max - 1)}…` : value;
  const node = h('text', { x, y, class: cls }, short);
  if (short !== value) node.children.unshift(h('title', {}, value));
  return node;
}

function stateClass(c: ContainerView): string {
  const s = c.status?.state;
  if (!s) return 'pv-state';
  if (s === 'terminated') return c.status?.exitCode === 0 ? 'pv-state pv-done' : 'pv-state pv-bad';
  if (s === 'waiting')
    return c.status?.reason && /Err|BackOff|Invalid/.test(c.status.reason) ? 'pv-state pv-bad' : 'pv-state pv-wait';
  return 'pv-state pv-ok';
}

function containerNode(box: PodBox['containers'][number]): SvgNode {
  const c = box.container;
  const x = box.x + 10;
  const live = c.ready !== undefined;
  const third = live ? stateText(c) : (c.image ?? '').replace(/^docker\.io\/(library\/)?/, '');
  const fourth = live
    ? `${c.ready ? 'ready' : 'not ready'} · restarts ${c.restarts ?? 0}`
    : c.ports.length
      ? `port ${c.ports.join(', ')}`
      : '';
  return h(
    'g',
    { class: `pv-container pv-${c.role}`, 'data-container': c.name },
    h('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }),
    text(x, box.y + 20, c.name, 'pv-name', 22),
    text(x, box.y + 38, ROLE_TEXT[c.role], 'pv-role'),
    text(x, box.y + 58, third, live ? stateClass(c) : 'pv-detail', 27),
    text(x, box.y + 76, fourth, 'pv-detail', 27),
  );
}

function podNode(box: PodBox): SvgNode {
  const p = box.pod;
  const status = p.deleting ? 'terminating' : p.phase;
  const title = `${p.kind === 'Pod' ? 'Pod' : `${p.kind} template`} ${p.name}${status ? ` · ${status}` : ''}`;
  return h(
    'g',
    { class: `pv-pod${p.deleting ? ' pv-deleting' : ''}`, 'data-pod': p.name },
    h('rect', { class: 'pv-pod-box', x: box.x, y: box.y, width: box.w, height: box.h, rx: 10 }),
    text(box.x + SIZE.pad, box.y + 21, title, 'pv-pod-title', 60),
    ...box.mounts.map((m) =>
      h(
        'g',
        { class: `pv-mount${m.readOnly ? ' pv-ro' : ''}`, 'data-mount': `${m.container}:${m.volume}` },
        h('line', { x1: m.x1, y1: m.y1, x2: m.x2, y2: m.y2 }),
        text(m.labelX, m.labelY, m.readOnly ? `${m.label} (ro)` : m.label, 'pv-path', 30),
      ),
    ),
    ...box.containers.map(containerNode),
    ...box.volumes.map((v) =>
      h(
        'g',
        { class: 'pv-volume', 'data-volume': v.volume.name },
        h('rect', { x: v.x, y: v.y, width: v.w, height: v.h, rx: 15 }),
        text(v.x + v.w / 2, v.y + 19, `${v.volume.name} (${v.volume.source})`, 'pv-volume-name', 24),
      ),
    ),
  );
}

function serviceNode(box: ServiceBox, arrowId: string): SvgNode {
  const s = box.service;
  const ports = s.ports.join(', ');
  return h(
    'g',
    { class: `pv-service${box.targets.length ? '' : ' pv-orphan'}`, 'data-service': s.name },
    ...box.links.map((l) =>
      h('line', { class: 'pv-link', x1: l.x1, y1: l.y1, x2: l.x2, y2: l.y2, 'marker-end': `url(#${arrowId})` }),
    ),
    h('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 6 }),
    text(box.x + 10, box.y + 20, `Service ${s.name}`, 'pv-name', 24),
    text(box.x + 10, box.y + 37, `${s.type}${ports ? ` ${ports}` : ''}`, 'pv-detail', 26),
    text(
      box.x + 10,
      box.y + 52,
      box.targets.length ? `→ ${box.targets.join(', ')}` : 'selects no Pod',
      box.targets.length ? 'pv-detail' : 'pv-detail pv-bad',
      26,
    ),
  );
}

/** One sentence for the drawing's accessible name; the table holds the details. */
export function summary(view: NamespaceView): string {
  if (!view.pods.length) return view.services.length ? `${view.services.length} Service(s), no Pods` : 'No Pods';
  const pods = view.pods.map(
    (p) =>
      `${p.name} (${p.containers.length} container${p.containers.length === 1 ? '' : 's'}${p.phase ? `, ${p.deleting ? 'terminating' : p.phase}` : ''})`,
  );
  const svc = view.services.length ? `; Services: ${view.services.map((s) => s.name).join(', ')}` : '';
  return `Pods: ${pods.join(', ')}${svc}`;
}

/** The drawing of a layout as an SVG element tree (scales to its container through viewBox). */
export function svgOf(layout: Layout, label: string, id = 'pv'): SvgNode {
  const m = 4;
  const arrowId = `${id}-arrow`;
  const arrow = h(
    'marker',
    {
      id: arrowId,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    },
    h('path', { d: 'M0,0 L10,5 L0,10 z', class: 'pv-arrowhead' }),
  );
  const empty =
    layout.pods.length || layout.services.length
      ? []
      : [h('text', { x: 8, y: 22, class: 'pv-detail' }, 'No Pods in this namespace yet.')];
  return h(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      class: 'pv-svg',
      viewBox: `${-m} ${-m} ${Math.max(layout.width, 260) + 2 * m} ${Math.max(layout.height, 30) + 2 * m}`,
      width: Math.max(layout.width, 260) + 2 * m,
      role: 'img',
      'aria-label': label,
    },
    h('defs', {}, arrow),
    ...layout.services.map((s) => serviceNode(s, arrowId)),
    ...layout.pods.map(podNode),
    ...empty,
  );
}

/** The drawing of a namespace; `id` keeps the ids inside unique when a page holds several drawings. */
export function drawNamespace(view: NamespaceView, id = 'pv'): SvgNode {
  return svgOf(layoutNamespace(view), summary(view), id);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

export function svgToString(node: SvgNode | string): string {
  if (typeof node === 'string') return escape(node);
  const attrs = Object.entries(node.attrs)
    .map(([k, v]) => ` ${k}="${escape(String(v))}"`)
    .join('');
  return `<${node.tag}${attrs}>${node.children.map(svgToString).join('')}</${node.tag}>`;
}
