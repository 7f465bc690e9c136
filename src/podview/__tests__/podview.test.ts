import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { namespaceFromObjects, podFromObject, selects, serviceFromObject, stateText } from '../model.ts';
import { layoutNamespace, SIZE } from '../layout.ts';
import { drawNamespace, summary, svgToString } from '../svg.ts';
import { containerRows, serviceRows } from '../table.ts';

const labs = join(import.meta.dirname, '../../../labs');
const manifest = (path: string) =>
  parseAllDocuments(readFileSync(join(labs, path), 'utf8')).map((d) => d.toJS() as unknown);

describe('model', () => {
  it('reads the content-sidecar Pod: main + sidecar sharing shared-data at two paths', () => {
    const pod = podFromObject(manifest('content-sidecar/pod.yaml')[0])!;
    expect(pod.containers.map((c) => [c.name, c.role])).toEqual([
      ['nginx', 'main'],
      ['content', 'sidecar'],
    ]);
    expect(pod.containers.map((c) => c.mounts)).toEqual([
      [{ volume: 'shared-data', path: '/usr/share/nginx/html' }],
      [{ volume: 'shared-data', path: '/nginx-data' }],
    ]);
    expect(pod.volumes).toEqual([{ name: 'shared-data', source: 'emptyDir' }]);
    expect(pod.phase).toBeUndefined();
  });

  it('marks an init container with restartPolicy Always as a native sidecar, others as init', () => {
    const pod = podFromObject({
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        initContainers: [{ name: 'setup' }, { name: 'ship', restartPolicy: 'Always' }],
        containers: [{ name: 'app' }, { name: 'extra' }],
      },
    })!;
    expect(pod.containers.map((c) => c.role)).toEqual(['init', 'native-sidecar', 'main', 'sidecar']);
  });

  it('takes the Pod template of a Job or Deployment, and ignores ConfigMaps', () => {
    const job = podFromObject({
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } } },
    })!;
    expect(job).toMatchObject({ name: 'j', kind: 'Job', labels: { a: 'b' } });
    expect(podFromObject({ kind: 'ConfigMap', metadata: { name: 'x' } })).toBeUndefined();
  });

  it('copies state, ready and restarts from a live Pod status', () => {
    const pod = podFromObject({
      kind: 'Pod',
      metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' },
      spec: {
        volumes: [{ name: 'kube-api-access-x1y2z', projected: {} }],
        containers: [
          {
            name: 'a',
            volumeMounts: [
              { name: 'kube-api-access-x1y2z', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
            ],
          },
          { name: 'b' },
          { name: 'c' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
          { name: 'b', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          { name: 'c', ready: false, restartCount: 1, state: { terminated: { reason: 'Error', exitCode: 2 } } },
        ],
      },
    })!;
    expect(pod.deleting).toBe(true);
    expect(pod.volumes).toEqual([]); // the injected service-account token volume is left out
    expect(pod.containers.map(stateText)).toEqual([
      'running',
      'waiting: CrashLoopBackOff',
      'terminated: Error (exit 2)',
    ]);
    expect(pod.containers.map((c) => [c.ready, c.restarts])).toEqual([
      [true, 0],
      [false, 3],
      [false, 1],
    ]);
    expect(pod.containers[0]!.mounts).toEqual([]);
  });

  it('matches Services to Pods by selector; an empty selector matches nothing', () => {
    const view = namespaceFromObjects([
      ...manifest('content-sidecar/pod.yaml'),
      ...manifest('content-sidecar/service.yaml'),
    ]);
    expect(view.services[0]).toMatchObject({ name: 'nginx', type: 'NodePort', ports: ['80 (node 30080)'] });
    expect(selects(view.services[0]!, view.pods[0]!)).toBe(true);
    expect(selects(serviceFromObject({ kind: 'Service', metadata: { name: 's' }, spec: {} })!, view.pods[0]!)).toBe(
      false,
    );
  });
});

describe('layout', () => {
  const view = namespaceFromObjects([
    ...manifest('content-sidecar/pod.yaml'),
    ...manifest('content-sidecar/service.yaml'),
  ]);
  const layout = layoutNamespace(view);

  it('puts containers side by side inside the Pod box, the volume underneath', () => {
    const [pod] = layout.pods;
    const [a, b] = pod!.containers;
    expect(b!.x).toBe(a!.x + SIZE.containerW + SIZE.gap);
    expect(a!.y).toBe(b!.y);
    const vol = pod!.volumes[0]!;
    expect(vol.y).toBeGreaterThan(a!.y + a!.h);
    for (const box of [a!, b!, vol]) {
      expect(box.x).toBeGreaterThanOrEqual(pod!.x);
      expect(box.x + box.w).toBeLessThanOrEqual(pod!.x + pod!.w);
      expect(box.y + box.h).toBeLessThanOrEqual(pod!.y + pod!.h);
    }
    // The shared volume sits between the two containers that mount it.
    expect(vol.x + vol.w / 2).toBeCloseTo((a!.x + a!.w / 2 + b!.x + b!.w / 2) / 2, 0);
  });

  it('draws one line per mount, from the container to the volume, labelled with the mount path', () => {
    const mounts = layout.pods[0]!.mounts;
    expect(mounts.map((m) => [m.container, m.volume, m.label])).toEqual([
      ['nginx', 'shared-data', '/usr/share/nginx/html'],
      ['content', 'shared-data', '/nginx-data'],
    ]);
    for (const m of mounts) expect(m.y2).toBeGreaterThan(m.y1);
    // Two ends on the one volume, not the same point.
    expect(mounts[0]!.x2).not.toBe(mounts[1]!.x2);
  });

  it('links the Service to the Pod it selects, from its right edge to the Pod box', () => {
    const [svc] = layout.services;
    expect(svc!.targets).toEqual(['nginx']);
    expect(svc!.links[0]).toMatchObject({ x1: svc!.x + svc!.w, x2: layout.pods[0]!.x });
    expect(layout.width).toBe(layout.pods[0]!.x + layout.pods[0]!.w);
  });

  it('keeps mount lines from crossing: attachment points follow the volumes left to right', () => {
    const site = layoutNamespace(namespaceFromObjects(manifest('content-sidecar/site.yaml')));
    const nginx = site.pods[0]!.mounts.filter((m) => m.container === 'nginx');
    expect(nginx).toHaveLength(2);
    const [a, b] = [...nginx].sort((x, y) => x.x1 - y.x1);
    expect(a!.x2).toBeLessThan(b!.x2);
  });

  it('stacks several Pods without overlap and keeps volumes of one Pod apart', () => {
    const two = layoutNamespace({
      services: [],
      pods: [
        podFromObject({
          kind: 'Pod',
          metadata: { name: 'a' },
          spec: {
            volumes: [
              { name: 'v1', emptyDir: {} },
              { name: 'v2', emptyDir: {} },
            ],
            containers: [
              {
                name: 'c',
                volumeMounts: [
                  { name: 'v1', mountPath: '/1' },
                  { name: 'v2', mountPath: '/2' },
                ],
              },
            ],
          },
        })!,
        podFromObject({ kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c' }] } })!,
      ],
    });
    const [a, b] = two.pods;
    expect(b!.y).toBeGreaterThanOrEqual(a!.y + a!.h);
    const [v1, v2] = a!.volumes;
    expect(v2!.x).toBeGreaterThanOrEqual(v1!.x + v1!.w);
    expect(two.height).toBe(b!.y + b!.h);
  });
});

describe('svg and table', () => {
  const view = namespaceFromObjects(manifest('content-sidecar/pod.yaml'));

  it('renders escaped SVG with an accessible name', () => {
    const svg = svgToString(drawNamespace(view));
    expect(svg).toMatch(/^<svg [^>]*role="img"[^>]*aria-label="Pods: nginx \(2 containers\)"/);
    expect(svg).toContain('data-mount="content:shared-data"');
    expect(svg).toContain('>/nginx-data<');
    const evil = svgToString(drawNamespace({ services: [], pods: [{ ...view.pods[0]!, name: '<script>"x"' }] }));
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('&lt;script&gt;&quot;x&quot;');
  });

  it('says when the namespace is empty', () => {
    expect(summary({ pods: [], services: [] })).toBe('No Pods');
    expect(svgToString(drawNamespace({ pods: [], services: [] }))).toContain('No Pods in this namespace yet.');
  });

  it('gives a table row per container with its mounts, and per Service with its Pods', () => {
    expect(containerRows(view)).toEqual([
      ['nginx', 'nginx', 'main', '—', '—', '—', 'shared-data at /usr/share/nginx/html'],
      ['nginx', 'content', 'sidecar', '—', '—', '—', 'shared-data at /nginx-data'],
    ]);
    const withSvc = namespaceFromObjects([
      ...manifest('content-sidecar/pod.yaml'),
      ...manifest('content-sidecar/service.yaml'),
    ]);
    expect(serviceRows(withSvc)).toEqual([['nginx', 'NodePort', '80 (node 30080)', 'nginx']]);
  });
});
