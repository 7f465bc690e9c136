// Where everything of the Pod view goes: a pure function from the model to boxes and lines, so the
// geometry is unit-tested without a DOM. svg.ts turns the result into SVG.
//
//   [Service] ──────▶ ┌ Pod ─────────────────────────────┐
//                     │ [container] [container] ...      │
//                     │    │ /mount/path   │ /other/path  │
//                     │      [  volume  ]                │
//                     └──────────────────────────────────┘
import {
  selects,
  type ContainerView,
  type NamespaceView,
  type PodView,
  type ServiceView,
  type VolumeView,
} from './model.ts';

export const SIZE = {
  containerW: 184,
  containerH: 86,
  gap: 14,
  pad: 14,
  head: 32,
  volumeW: 156,
  volumeH: 30,
  serviceW: 176,
  serviceH: 58,
  serviceGap: 56,
  podGap: 24,
  /** Vertical space one mount label takes below its container. */
  labelLine: 15,
} as const;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface MountLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** The mount path, written next to the container end of the line. */
  label: string;
  labelX: number;
  labelY: number;
  readOnly: boolean;
  container: string;
  volume: string;
}

export interface PodBox extends Box {
  pod: PodView;
  containers: Array<Box & { container: ContainerView }>;
  volumes: Array<Box & { volume: VolumeView }>;
  mounts: MountLine[];
}

export interface ServiceBox extends Box {
  service: ServiceView;
  /** Names of the Pods the Service selects. */
  targets: string[];
  links: Array<{ x1: number; y1: number; x2: number; y2: number; pod: string }>;
}

export interface Layout {
  width: number;
  height: number;
  pods: PodBox[];
  services: ServiceBox[];
}

/** x of the k-th of n attachment points spread along a box's edge. */
function spread(x: number, w: number, k: number, n: number): number {
  return x + (w * (k + 1)) / (n + 1);
}

/** Volumes go under the containers that mount them (mean x), pushed right where they would overlap. */
function placeVolumes(
  pod: PodView,
  centers: Map<string, number>,
  left: number,
  y: number,
): Array<Box & { volume: VolumeView }> {
  const wanted = pod.volumes.map((volume, order) => {
    const xs = pod.containers.flatMap((c) =>
      c.mounts.some((m) => m.volume === volume.name) ? [centers.get(c.name)!] : [],
    );
    const center = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Infinity;
    return { volume, center, order };
  });
  wanted.sort((a, b) => a.center - b.center || a.order - b.order);
  let next = left;
  return wanted.map(({ volume, center }) => {
    const x = Math.max(next, Number.isFinite(center) ? center - SIZE.volumeW / 2 : next);
    next = x + SIZE.volumeW + SIZE.gap;
    return { x, y, w: SIZE.volumeW, h: SIZE.volumeH, volume };
  });
}

function mountLines(pod: PodView, containers: PodBox['containers'], volumes: PodBox['volumes']): MountLine[] {
  const volumeBox = new Map(volumes.map((v) => [v.volume.name, v]));
  const perVolume = new Map<string, number>();
  // A container's attachment points go left to right in the order of their volumes, so lines do not cross.
  const volumeX = (m: { volume: string }) => volumeBox.get(m.volume)?.x ?? Infinity;
  const ends = containers.flatMap((box) =>
    [...box.container.mounts]
      .sort((a, b) => volumeX(a) - volumeX(b))
      .map((m, k) => ({ box, m, k, j: volumeBox.has(m.volume) ? bump(perVolume, m.volume) : -1 })),
  );
  return ends.flatMap(({ box, m, k, j }) => {
    const v = volumeBox.get(m.volume);
    if (!v) return []; // a mount of a volume the Pod does not declare: the API server would refuse it
    const x1 = spread(box.x, box.w, k, box.container.mounts.length);
    const y1 = box.y + box.h;
    return [
      {
        x1,
        y1,
        x2: spread(v.x, v.w, j, perVolume.get(m.volume)!),
        y2: v.y,
        label: m.path,
        labelX: x1 + 4,
        labelY: y1 + SIZE.labelLine * (k + 1) - 3,
        readOnly: m.readOnly === true,
        container: box.container.name,
        volume: m.volume,
      },
    ];
  });
}

function bump(counts: Map<string, number>, key: string): number {
  const n = counts.get(key) ?? 0;
  counts.set(key, n + 1);
  return n;
}

/** One Pod box with its containers side by side and its volumes underneath, at (x, y). */
export function layoutPod(pod: PodView, x: number, y: number): PodBox {
  const top = y + SIZE.head;
  const containers = pod.containers.map((container, i) => ({
    x: x + SIZE.pad + i * (SIZE.containerW + SIZE.gap),
    y: top,
    w: SIZE.containerW,
    h: SIZE.containerH,
    container,
  }));
  const centers = new Map(containers.map((c) => [c.container.name, c.x + c.w / 2]));
  const mostMounts = Math.max(0, ...pod.containers.map((c) => c.mounts.length));
  const volumeY = top + SIZE.containerH + Math.max(44, SIZE.labelLine * mostMounts + 26);
  const volumes = placeVolumes(pod, centers, x + SIZE.pad, volumeY);
  // Room for the title ("Pod <name> · Running", 13px bold: about 8px a character).
  const titleW = (pod.name.length + pod.kind.length + 14) * 8;
  const right =
    Math.max(
      x + SIZE.pad + Math.max(220, titleW),
      ...containers.map((c) => c.x + c.w),
      ...volumes.map((v) => v.x + v.w),
    ) + SIZE.pad;
  const bottom = volumes.length ? volumeY + SIZE.volumeH + SIZE.pad : top + SIZE.containerH + SIZE.pad;
  return { x, y, w: right - x, h: bottom - y, pod, containers, volumes, mounts: mountLines(pod, containers, volumes) };
}

/** The whole drawing: Services in a column on the left, Pods stacked on the right, a link per selected Pod. */
export function layoutNamespace(view: NamespaceView): Layout {
  const podX = view.services.length ? SIZE.serviceW + SIZE.serviceGap : 0;
  let y = 0;
  const pods = view.pods.map((pod) => {
    const box = layoutPod(pod, podX, y);
    y += box.h + SIZE.podGap;
    return box;
  });
  const services = view.services.map((service, i) => {
    const box = { x: 0, y: i * (SIZE.serviceH + SIZE.gap), w: SIZE.serviceW, h: SIZE.serviceH };
    const targets = pods.filter((p) => selects(service, p.pod));
    const links = targets.map((p) => ({
      x1: box.x + box.w,
      y1: box.y + box.h / 2,
      x2: p.x,
      y2: p.y + SIZE.head / 2,
      pod: p.pod.name,
    }));
    return { ...box, service, targets: targets.map((p) => p.pod.name), links };
  });
  const width = Math.max(1, ...pods.map((p) => p.x + p.w), ...services.map((s) => s.x + s.w));
  const height = Math.max(1, y - (pods.length ? SIZE.podGap : 0), ...services.map((s) => s.y + s.h));
  return { width, height, pods, services };
}
