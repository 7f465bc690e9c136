import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container, V1PodSpec, V1ServiceSpec } from '@kubernetes/client-node';
import { lessonSlugs } from '../lessons.ts';
import { labsDir, readAllLessons } from '../lesson-files.ts';
import { loadManifests, podSpecOf } from '../manifests.ts';

// The source articles' examples (../shared/seeds) must reach the learner intact: these tests
// pin the names, paths and commands the lessons teach and the labs check.

async function one(slug: string, file: string): Promise<Record<string, any>> {
  const docs = await loadManifests(join(labsDir, slug, file));
  expect(docs).toHaveLength(1);
  return docs[0].object as Record<string, any>;
}
const container = (spec: V1PodSpec, name: string): V1Container => {
  const c = [...(spec.initContainers ?? []), ...spec.containers].find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const allOf = (spec: V1PodSpec): V1Container[] => [...(spec.initContainers ?? []), ...spec.containers];
const mountOf = (c: V1Container, volume: string) => c.volumeMounts?.find((m) => m.name === volume)?.mountPath;
const lessons = await readAllLessons();
const lessonText = (slug: string) => lessons.find((l) => l.slug === slug)?.text ?? '';

describe('seed 000: nginx with a log-shipping sidecar', () => {
  it('keeps the Pod, container names, shared emptyDir and the 30-second cat loop', async () => {
    const pod = await one('log-shipping-sidecar', 'pod.yaml');
    expect(pod.kind).toBe('Pod');
    expect(pod.metadata.name).toBe('sidecar');
    const spec = pod.spec as V1PodSpec;
    expect(spec.volumes).toEqual([{ name: 'logs', emptyDir: {} }]);
    expect(spec.containers.map((c) => c.name)).toEqual(['webserver-container', 'sidecar-container']);
    const web = container(spec, 'webserver-container');
    expect(web.image).toBe('docker.io/library/nginx:1.24.0');
    expect(web.ports).toEqual([{ containerPort: 80 }]);
    expect(mountOf(web, 'logs')).toBe('/var/log/nginx');
    const side = container(spec, 'sidecar-container');
    expect(side.image).toBe('docker.io/library/busybox:1.36.0');
    expect(side.command).toEqual([
      'sh',
      '-c',
      'while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 30; done',
    ]);
    expect(mountOf(side, 'logs')).toBe('/var/log/nginx');
  });

  it('teaches kubectl logs -c, a shell with sh (not bash), and the production next steps', () => {
    const text = lessonText('log-shipping-sidecar');
    expect(text).toContain('kubectl logs sidecar -c sidecar-container');
    expect(text).toContain('kubectl exec sidecar -c sidecar-container -it -- sh');
    for (const word of ['Fluent Bit', 'Fluentd', 'DaemonSet', 'Filebeat', 'Logstash', 'Elasticsearch']) {
      expect(text).toContain(word);
    }
  });
});

describe('seed 001: a content sidecar for nginx, a NodePort, git-sync', () => {
  it('keeps the nginx Pod, its containers, paths and command', async () => {
    const pod = await one('content-sidecar', 'pod.yaml');
    expect(pod.metadata).toEqual({ name: 'nginx', labels: { app: 'nginx' } });
    const spec = pod.spec as V1PodSpec;
    expect(spec.volumes).toEqual([{ name: 'shared-data', emptyDir: {} }]);
    expect(spec.containers.map((c) => c.name)).toEqual(['nginx', 'content']);
    expect(mountOf(container(spec, 'nginx'), 'shared-data')).toBe('/usr/share/nginx/html');
    const content = container(spec, 'content');
    expect(mountOf(content, 'shared-data')).toBe('/nginx-data');
    expect(content.command).toEqual(['/bin/sh']);
    expect(content.args).toEqual([
      '-c',
      "echo 'Hello from the sidecar container!' > /nginx-data/index.html && sleep 3600",
    ]);
  });

  it('keeps the NodePort Service on 30080 that selects the Pod', async () => {
    const svc = await one('content-sidecar', 'service.yaml');
    const spec = svc.spec as V1ServiceSpec;
    expect(svc.metadata.name).toBe('nginx');
    expect(spec.type).toBe('NodePort');
    expect(spec.selector).toEqual({ app: 'nginx' });
    expect(spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }]);
  });

  it('teaches the exec + cat check and curl', () => {
    const text = lessonText('content-sidecar');
    expect(text).toContain(
      'echo -n "Output: " && kubectl exec pods/nginx --container=nginx -- /bin/cat /usr/share/nginx/html/index.html',
    );
    expect(text).toContain('Output: Hello from the sidecar container!');
    expect(text).toMatch(/curl 127\.0\.0\.1:30080/);
  });

  it('runs git-sync v4 against the in-cluster git server, and nginx serves the synced link', async () => {
    const spec = (await one('content-sidecar', 'site.yaml')).spec as V1PodSpec;
    const sync = container(spec, 'git-sync');
    const flags = Object.fromEntries((sync.args ?? []).map((a) => a.replace(/^--/, '').split('=', 2)));
    expect(flags.repo).toBe('http://git-server:8080/site.git');
    for (const f of ['root', 'link', 'period', 'ref']) expect(flags[f], `--${f}`).toBeTruthy();
    // The root lies in a volume that nginx mounts at the same path.
    const mount = sync.volumeMounts?.find((m) => `${flags.root}/`.startsWith(`${m.mountPath}/`));
    expect(mount, 'git-sync root inside a mounted volume').toBeDefined();
    const nginx = container(spec, 'nginx');
    expect(mountOf(nginx, mount!.name)).toBe(mount!.mountPath);
    const config = await one('content-sidecar', 'site-nginx-config.yaml');
    expect(config.data['default.conf']).toContain(`root ${flags.root}/${flags.link};`);
    expect(mountOf(nginx, 'nginx-config')).toBe('/etc/nginx/conf.d');
  });
});

describe('seed 002/004: the date tailer', () => {
  it('keeps the Pod, containers, args and the shared /var/log', async () => {
    const pod = await one('date-tailer', 'pod.yaml');
    expect(pod.metadata.name).toBe('sidecar');
    const spec = pod.spec as V1PodSpec;
    expect(spec.volumes).toEqual([{ name: 'shared-logs', emptyDir: {} }]);
    const main = container(spec, 'main-container');
    expect(main.image).toBe('docker.io/library/alpine:3.20.3');
    expect(main.command).toEqual(['/bin/sh']);
    expect(main.args).toEqual(['-c', 'while true; do date >> /var/log/app.log; sleep 5; done']);
    const side = container(spec, 'sidecar-container');
    expect(side.image).toBe('docker.io/library/busybox:1.36.0');
    expect(side.command).toBeUndefined();
    expect(side.args).toEqual(['/bin/sh', '-c', 'tail -fn+1 /var/log/app.log']);
    for (const c of [main, side]) expect(mountOf(c, 'shared-logs')).toBe('/var/log');
  });

  it('teaches the kubectl commands of the article', () => {
    const text = lessonText('date-tailer');
    for (const cmd of [
      'kubectl get pod sidecar',
      'kubectl describe pod sidecar',
      'kubectl logs sidecar\n',
      'kubectl logs sidecar -c sidecar-container',
      'kubectl delete pod sidecar',
    ]) {
      expect(text).toContain(cmd);
    }
  });
});

describe('seed 003: shared network, no start order, per-container resources', () => {
  it('reaches nginx over 127.0.0.1 from a sidecar that waits for it', async () => {
    const spec = (await one('localhost-between-containers', 'pod.yaml')).spec as V1PodSpec;
    expect(spec.volumes).toBeUndefined();
    const script = container(spec, 'pinger').command?.join(' ') ?? '';
    expect(script).toMatch(/until wget .*http:\/\/127\.0\.0\.1:80\//);
  });

  it('shows two containers fighting over one port', async () => {
    const spec = (await one('localhost-between-containers', 'port-clash.yaml')).spec as V1PodSpec;
    expect(spec.containers.map((c) => c.image)).toEqual([
      'docker.io/library/nginx:1.24.0',
      'docker.io/library/nginx:1.24.0',
    ]);
  });

  it('sets requests, limits and a readiness probe on every container', async () => {
    const spec = (await one('resources-probes-troubleshooting', 'pod.yaml')).spec as V1PodSpec;
    expect(spec.containers).toHaveLength(2);
    for (const c of spec.containers) {
      expect(c.resources?.requests, c.name).toHaveProperty('cpu');
      expect(c.resources?.requests, c.name).toHaveProperty('memory');
      expect(c.resources?.limits, c.name).toHaveProperty('memory');
      expect(c.readinessProbe, c.name).toBeDefined();
    }
  });

  it('the broken Pod differs from the fixed one only in the shell', async () => {
    const broken = await one('resources-probes-troubleshooting', 'broken.yaml');
    const fixed = await one('resources-probes-troubleshooting', 'fixed.yaml');
    expect(container(broken.spec, 'shipper').command?.[0]).toBe('/bin/bash');
    container(broken.spec, 'shipper').command![0] = '/bin/sh';
    expect(broken).toEqual(fixed);
  });

  it('lesson 1 lists the uses of sidecars and when not to use one', () => {
    const text = lessonText('what-is-a-sidecar');
    for (const use of ['Logging', 'Proxying', 'Security', 'Caching', 'Configuration', 'When not to']) {
      expect(text).toContain(use);
    }
    expect(text).toMatch(/network namespace/);
    expect(text).toMatch(/IPC namespace/);
  });
});

describe('seeds 002 and 004: the five purposes of a sidecar', () => {
  // Each purpose the seed articles name, and the lessons that teach it (by slug).
  const purposes: Array<[RegExp, string[]]> = [
    [/Logging and monitoring/, ['log-shipping-sidecar', 'log-pipeline', 'adapter']],
    [/Security and authentication/, ['tls-auth-proxy']],
    [/Proxying and load balancing/, ['tls-auth-proxy', 'ambassador']],
    [/Caching and data processing/, ['adapter']],
    [/Configuration and service discovery/, ['content-sidecar', 'ambassador']],
  ];
  const pages = {
    'lesson 1': lessonText('what-is-a-sidecar'),
    'the home page': readFileSync(new URL('../../../content/index.mdx', import.meta.url), 'utf8'),
  };
  for (const [page, text] of Object.entries(pages)) {
    it(`${page} names the five purposes and links each to its lessons`, () => {
      for (const [name, slugs] of purposes) {
        // The list item of that purpose: from its bold name to the next item.
        const item = text.split(/\n- /).find((i) => name.test(i));
        expect(item, `${page} has no item for ${name}`).toBeDefined();
        for (const slug of slugs) expect(item, `${name} in ${page}`).toContain(`](/lessons/${slug}/)`);
      }
    });
  }
});

describe('seed 003: nginx with a real log collector shipping to a central system', () => {
  it("the lesson keeps the article's Fluentd Pod and says what the lab does differently", () => {
    const text = lessonText('log-pipeline');
    for (const s of [
      'name: webapp-with-logger',
      'name: webapp',
      'name: log-shipper',
      'name: shared-logs',
      'mountPath: /var/log/nginx',
      '# Or any other log collector',
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toContain('What this lab does differently');
    expect(text).toContain('DaemonSet');
  });

  it('nginx and the shipper share the access log; the shipper knows its Pod from the downward API', async () => {
    const docs = await loadManifests(join(labsDir, 'log-pipeline', 'web.yaml'));
    const spec = podSpecOf(docs[0].object)!.spec;
    expect(mountOf(container(spec, 'nginx'), 'logs')).toBe('/var/log/nginx');
    const shipper = container(spec, 'shipper');
    expect(mountOf(shipper, 'logs')).toBe('/var/log/nginx');
    expect(shipper.env?.find((e) => e.name === 'POD_NAME')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.name');
    for (const c of allOf(spec)) {
      expect(c.resources?.requests, c.name).toHaveProperty('memory');
      expect(c.resources?.limits, c.name).toHaveProperty('memory');
    }
  });

  it('the native version differs only in where the shipper runs, its restartPolicy and its startup probe', async () => {
    const classic = podSpecOf((await loadManifests(join(labsDir, 'log-pipeline', 'web.yaml')))[0].object)!.spec;
    const native = podSpecOf((await loadManifests(join(labsDir, 'log-pipeline', 'web-native.yaml')))[0].object)!.spec;
    const { restartPolicy, startupProbe, ...shipper } = container(native, 'shipper');
    expect(restartPolicy).toBe('Always');
    expect(startupProbe?.httpGet?.port).toBe(13133);
    expect(shipper).toEqual(container(classic, 'shipper'));
    expect(native.containers).toEqual(classic.containers.filter((c) => c.name !== 'shipper'));
  });
});

describe('native sidecars', () => {
  it('the Job runs its shipper as an init container with restartPolicy Always', async () => {
    const job = await one('native-sidecars', 'job.yaml');
    expect(job.kind).toBe('Job');
    const spec = podSpecOf(job)!.spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([['shipper', 'Always']]);
  });

  it('the classic Job keeps the shipper among its ordinary containers', async () => {
    const spec = podSpecOf(await one('native-sidecars', 'job-classic-sidecar.yaml'))!.spec;
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers.map((c) => c.name)).toContain('shipper');
  });

  it('the start-order Pod gates its app on the sidecar startup probe', async () => {
    const spec = (await one('native-sidecars', 'pod.yaml')).spec as V1PodSpec;
    const helper = spec.initContainers?.[0];
    expect(helper?.restartPolicy).toBe('Always');
    expect(helper?.startupProbe).toBeDefined();
  });
});

describe('Services in every lab select a Pod of the same lab', () => {
  for (const slug of lessonSlugs) {
    it(slug, async () => {
      const objects = (
        await Promise.all(
          readdirSync(join(labsDir, slug))
            .filter((f) => /\.ya?ml$/.test(f) && f !== 'lab.yaml')
            .map((f) => loadManifests(join(labsDir, slug, f))),
        )
      )
        .flat()
        .map((m) => m.object as Record<string, any>);
      const podLabels = objects
        .map((o) => (o.kind === 'Pod' ? o.metadata.labels : o.spec?.template?.metadata?.labels))
        .filter(Boolean) as Record<string, string>[];
      for (const svc of objects.filter((o) => o.kind === 'Service')) {
        const selector = svc.spec.selector as Record<string, string>;
        const matches = podLabels.some((labels) => Object.entries(selector).every(([k, v]) => labels[k] === v));
        expect(matches, `Service ${svc.metadata.name}`).toBe(true);
      }
    });
  }
});
