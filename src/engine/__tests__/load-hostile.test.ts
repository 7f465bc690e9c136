// The loader against hostile or careless lab folders: tests/fixtures/hostile-labs/ holds one lab per
// rule (see its README); FIFOs, devices, symlinks and oversized files are made in a temporary folder.
import { describe, it, expect } from 'vitest';
import { mkdirSync, writeFileSync, rmSync, symlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLab, loadLabs, LIMITS } from '../load.ts';
import { copyCourseLab, problems, tempLabsDir } from './lab-fixtures.ts';
import { confineProxyPath, proxyPathProblem } from '../load/http-path.ts';
import { firstInvalidUtf8 } from '../load/read.ts';
import { commandInventory } from '../load/commands.ts';

const HOSTILE = fileURLToPath(new URL('../../../tests/fixtures/hostile-labs/', import.meta.url));
const COURSE = fileURLToPath(new URL('../../../labs/', import.meta.url));

const hostile = (slug: string) => problems(() => loadLab(slug, HOSTILE));

const tmp = tempLabsDir('hostile-');
/** A copy of a course lab in the temporary folder, to break one thing in it. */
const copyLab = (slug: string) => copyCourseLab(tmp.dir, slug);

describe('only regular files inside the lab folder, each at most LIMITS.fileBytes', () => {
  it('a FIFO named *.yaml is refused at once instead of hanging the loader', () => {
    const lab = copyLab('date-tailer');
    execFileSync('mkfifo', [join(lab, 'pipe.yaml')]);
    expect(problems(() => loadLab('date-tailer', tmp.dir))).toEqual([
      'date-tailer/pipe.yaml:1:1: pipe.yaml is a FIFO (named pipe), not a regular file: a lab file must be a plain file (rename or remove it)',
    ]);
  });

  it('symlinks to a device, to a file outside the folder, and to nothing are refused; one to a file inside is read', () => {
    const lab = copyLab('date-tailer');
    symlinkSync('/dev/zero', join(lab, 'zero.yaml'));
    writeFileSync(join(tmp.dir, 'outside.txt'), 'apiVersion: v1\n');
    symlinkSync(join(tmp.dir, 'outside.txt'), join(lab, 'outside.yaml'));
    symlinkSync(join(lab, 'nothing-here'), join(lab, 'dangling.yaml'));
    symlinkSync('pod.yaml', join(lab, 'same.yaml'));
    expect(problems(() => loadLab('date-tailer', tmp.dir))).toEqual([
      'date-tailer/dangling.yaml:1:1: dangling.yaml is a symbolic link to nothing: a lab file must be a plain file',
      'date-tailer/outside.yaml:1:1: outside.yaml is a symbolic link to a file outside the lab folder: a lab file must be a plain file inside its folder',
      'date-tailer/zero.yaml:1:1: zero.yaml is a symbolic link to a file outside the lab folder: a lab file must be a plain file inside its folder',
    ]);
    rmSync(join(lab, 'zero.yaml'));
    rmSync(join(lab, 'outside.yaml'));
    rmSync(join(lab, 'dangling.yaml'));
    expect(loadLab('date-tailer', tmp.dir).files['same.yaml']).toContain('kind: Pod');
  });

  it('a directory named x.yaml (or lab.yaml) gets a clear message, not EISDIR', () => {
    const lab = copyLab('date-tailer');
    mkdirSync(join(lab, 'x.yaml'));
    expect(problems(() => loadLab('date-tailer', tmp.dir))).toEqual([
      'date-tailer/x.yaml:1:1: x.yaml is a directory, not a regular file: a lab file must be a plain file (rename or remove it)',
    ]);
    mkdirSync(join(tmp.dir, 'tmp.dir-lab', 'lab.yaml'), { recursive: true });
    expect(problems(() => loadLab('tmp.dir-lab', tmp.dir))).toEqual([
      'tmp.dir-lab/lab.yaml:1:1: lab.yaml is a directory, not a regular file: a lab file must be a plain file (rename or remove it)',
    ]);
  });

  it('a file over the size cap is refused without being read into memory', () => {
    const lab = copyLab('date-tailer');
    writeFileSync(join(lab, 'huge.yaml'), Buffer.alloc(LIMITS.fileBytes + 1, 0x61));
    expect(problems(() => loadLab('date-tailer', tmp.dir))).toEqual([
      `date-tailer/huge.yaml:1:1: huge.yaml is 257 KiB; a lab file may be at most 256 KiB`,
    ]);
  });

  it('a slug that climbs out of the labs folder is not a lab', () => {
    expect(() => loadLab('../labs/date-tailer', join(COURSE, 'x'))).toThrow(/no lab "\.\.\/labs\/date-tailer"/);
  });
});

describe('YAML limits and malformed lab.yaml, each at file:line:column', () => {
  it('an alias bomb stops at the aliases, naming the first one', () => {
    expect(hostile('alias-bomb')).toEqual([
      'alias-bomb/bomb.yaml:7:12: aliases expand to too much data (more than 1000 nodes): write the values out or use fewer aliases',
    ]);
  });

  it('too many aliases in one file', () => {
    const lab = copyLab('date-tailer');
    const lines = Array.from({ length: LIMITS.aliases + 1 }, (_, i) => `  k${i}: *v`);
    writeFileSync(
      join(lab, 'cm.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  v: &v x\n${lines.join('\n')}\n`,
    );
    expect(problems(() => loadLab('date-tailer', tmp.dir))).toEqual([
      `date-tailer/cm.yaml:${6 + LIMITS.aliases}:${6 + String(LIMITS.aliases).length}: too many aliases (*name): at most ${LIMITS.aliases} in a file`,
    ]);
  });

  it('deep flow nesting is stopped at the bracket past the limit', () => {
    expect(hostile('deep-nesting')).toEqual([
      `deep-nesting/deep.yaml:6:${6 + LIMITS.depth}: nested too deeply: at most ${LIMITS.depth} levels of [ ] and { }`,
    ]);
  });

  it('deep block nesting is stopped at the mapping past the limit', () => {
    const lab = copyLab('date-tailer');
    const deep = Array.from({ length: LIMITS.depth + 5 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    writeFileSync(
      join(lab, 'cm.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n${deep.replace(/^/gm, '  ')} x\n`,
    );
    const p = problems(() => loadLab('date-tailer', tmp.dir));
    expect(p).toEqual([
      expect.stringMatching(
        new RegExp(`^date-tailer/cm.yaml:${4 + LIMITS.depth}:\\d+: nested too deeply: at most ${LIMITS.depth} levels`),
      ),
    ]);
  });

  it('a second document in lab.yaml, a list as its root and invalid UTF-8 each get one clear message', () => {
    expect(hostile('multi-doc')).toEqual([
      'multi-doc/lab.yaml:13:1: lab.yaml holds 2 YAML documents (a "---" line starts another one): a lab is one document; move manifests into their own files',
    ]);
    expect(hostile('list-root')).toEqual([
      'list-root/lab.yaml:2:1: lab.yaml must be a mapping (title: …, lesson: …, steps: …), not a list: remove the leading "- "',
    ]);
    expect(hostile('bad-utf8')).toEqual([
      'bad-utf8/lab.yaml:7:15: invalid UTF-8 (byte 0xe9 at offset 175): save the file as UTF-8',
    ]);
  });

  it('an empty lab.yaml and a scalar root', () => {
    mkdirSync(join(tmp.dir, 'empty'));
    writeFileSync(join(tmp.dir, 'empty', 'lab.yaml'), '# nothing\n');
    expect(problems(() => loadLab('empty', tmp.dir))).toEqual([
      'empty/lab.yaml:1:1: lab.yaml is empty: it needs title, lesson, images and steps',
    ]);
    writeFileSync(join(tmp.dir, 'empty', 'lab.yaml'), 'just words\n');
    expect(problems(() => loadLab('empty', tmp.dir))).toEqual([
      'empty/lab.yaml:1:1: lab.yaml must be a mapping (title: …, lesson: …, steps: …), not "just words"',
    ]);
  });

  it('finds the first invalid UTF-8 byte: stray, truncated, overlong, surrogate', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo ✓ 𝄞'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x80]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x9c]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0);
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
  });
});

describe('manifests', () => {
  it('a v1 List is unwrapped and every item meets the rules of a document', () => {
    expect(hostile('list-smuggle')).toEqual([
      'list-smuggle/list.yaml:11:18: items[0].spec.containers[0].image: image "docker.io/library/busybox:latest" is not pinned: use an exact tag (never :latest)',
      'list-smuggle/list.yaml:12:28: items[0].spec.containers[0].imagePullPolicy: imagePullPolicy Always cannot work on the offline cluster: use IfNotPresent',
      'list-smuggle/list.yaml:14:11: items[1].kind: ClusterRoleBinding is cluster-scoped: a lab may only create objects inside its own namespace',
      'list-smuggle/list.yaml:21:18: items[2].metadata.namespace: names namespace "kube-system": lab manifests must not set a namespace (each session gets its own; remove the line)',
      'list-smuggle/list.yaml:23:11: items[3].kind: a List inside a List: put its items in the outer List',
    ]);
  });

  it('a good List loads as its items (the engine applies each)', () => {
    const lab = copyLab('date-tailer');
    const pod = loadLab('date-tailer', tmp.dir).manifests['pod.yaml'][0];
    rmSync(join(lab, 'pod.yaml'));
    writeFileSync(join(lab, 'pod.yaml'), `apiVersion: v1\nkind: List\nitems:\n  - ${JSON.stringify(pod)}\n`);
    expect(loadLab('date-tailer', tmp.dir).manifests['pod.yaml']).toEqual([pod]);
  });

  it('host access is refused: host namespaces, hostPath, hostPort, privileged, added capabilities, externalIPs', () => {
    const p = hostile('host-access');
    expect(p.map((x) => x.split(': ')[0].replace(/^host-access\//, ''))).toEqual([
      'pod.yaml:6:16',
      'pod.yaml:7:12',
      'pod.yaml:8:12',
      'pod.yaml:11:17',
      'pod.yaml:18:21',
      'pod.yaml:20:21',
      'pod.yaml:22:35',
      'pod.yaml:22:46',
      'service.yaml:7:16',
    ]);
    expect(p.join('\n')).not.toContain('NET_BIND_SERVICE reaches');
    expect(p[3]).toBe(
      "host-access/pod.yaml:11:17: spec.volumes[0].hostPath: a hostPath volume reaches the node, which a lab may not do: use an emptyDir (shared by the Pod's containers), a ConfigMap or a PersistentVolumeClaim",
    );
    expect(p[6]).toMatch(/capabilities\.add\[1\]: capability SYS_ADMIN reaches the node/);
    expect(p[7]).toMatch(/capabilities\.add\[2\]: capability NET_ADMIN reaches the node/);
  });

  it('names Kubernetes would refuse are reported where they are written', () => {
    expect(
      hostile('bad-names').map((x) =>
        x
          .split(': ')
          .slice(0, x.includes('document 2') ? 3 : 2)
          .join(': '),
      ),
    ).toEqual([
      'bad-names/lab.yaml:12:14: steps[0].checks[0].pod',
      'bad-names/lab.yaml:13:20: steps[0].checks[0].container',
      'bad-names/lab.yaml:16:18: steps[0].checks[1].service',
      'bad-names/pod.yaml:4:9: metadata.name',
      'bad-names/pod.yaml:6:10: metadata.labels.app',
      'bad-names/pod.yaml:9:13: spec.volumes[0].name',
      'bad-names/pod.yaml:12:13: spec.containers[0].name',
      'bad-names/pod.yaml:17:17: spec.containers[0].ports[0].name',
      'bad-names/pod.yaml:22:9: document 2: metadata.name',
    ]);
  });
});

describe('lab.yaml against what the lab creates', () => {
  it('a check naming an object no manifest or command creates is an error; ones commands create are fine', () => {
    expect(hostile('ghost-refs')).toEqual([
      'ghost-refs/lab.yaml:34:14: steps[0].checks[6].pod: no manifest or command of this lab creates a pod "ghost" (pods: "made", "terminal", "web")',
      'ghost-refs/lab.yaml:37:20: steps[0].checks[7].container: pod "web" has no container "sidecar" (containers: "app")',
      'ghost-refs/lab.yaml:40:18: steps[0].checks[8].service: no manifest or command of this lab creates a Service "nowhere" (Services: "web-svc")',
      'ghost-refs/lab.yaml:42:14: steps[0].checks[9].job: no manifest or command of this lab creates a Job "never" (Jobs: "once")',
      'ghost-refs/lab.yaml:44:19: steps[0].checks[10].selector: no pod of this lab matches selector "app=nothing" (no manifest or command gives its pods these labels)',
      'ghost-refs/lab.yaml:48:15: steps[0].checks[11].name: no manifest or command of this lab creates a Pod "phantom" (Pods: "made", "terminal", "web")',
      'ghost-refs/lab.yaml:52:38: steps[0].checks[12].from.container: pod "web" has no container "missing" (containers: "app")',
    ]);
  });

  it('reads what kubectl command lines create', () => {
    const inv = commandInventory([
      'kubectl -n "$NAMESPACE" run web --image=x:1 -- sleep 1',
      'kubectl create deployment api --image=x:1 && kubectl expose deployment api --port 80',
      'kubectl create service nodeport site --tcp=80:80; kubectl debug pod/web -it --image=x:1 -c dbg',
    ]);
    expect(Object.fromEntries([...inv.objects].map(([k, v]) => [k, [...v]]))).toEqual({
      Pod: ['web'],
      Deployment: ['api'],
      Service: ['api', 'site'],
    });
    expect([...inv.containers.get('web')!]).toEqual(['web', 'dbg']);
    expect(inv.opaque).toBe(false);
    expect(
      commandInventory(["kubectl apply -f - <<'EOF'\nkind: Pod\nmetadata:\n  name: inline\nEOF"]).inlineNames,
    ).toEqual(new Set(['inline']));
  });
});

describe('http paths stay under the Service they name', () => {
  it('dot segments (raw or encoded), encoded slashes, a second host and control characters are refused', () => {
    expect(hostile('http-escape').map((x) => x.split(': ').slice(0, 2).join(': '))).toEqual([
      'http-escape/lab.yaml:16:15: steps[0].checks[1].path',
      'http-escape/lab.yaml:19:15: steps[0].checks[2].path',
      'http-escape/lab.yaml:22:15: steps[0].checks[3].path',
      'http-escape/lab.yaml:25:15: steps[0].checks[4].path',
    ]);
    for (const bad of ['/a/..', '/%2E./x', '/a\\..\\b', '/a b', '/x#y', '/%zz'])
      expect(proxyPathProblem(bad), bad).toBeDefined();
    for (const ok of ['/', '/index.html', '/a/b.c/?q=../x', '/...']) expect(proxyPathProblem(ok), ok).toBeUndefined();
  });

  it('the proxy call itself refuses a path that would leave the proxy prefix', () => {
    const prefix = '/api/v1/namespaces/lab-x/services/web:80/proxy';
    expect(confineProxyPath(prefix, '/a?b=c')).toBe(`${prefix}/a?b=c`);
    expect(() => confineProxyPath(prefix, '/../../secrets')).toThrow(/^refused: path/);
  });
});

describe('one lab never hides another', () => {
  it('loadLabs reports the problems of every hostile lab together', () => {
    const p = problems(() => loadLabs(HOSTILE));
    const labs = new Set(p.map((x) => x.split('/')[0]));
    expect([...labs].sort()).toEqual([
      'alias-bomb',
      'bad-names',
      'bad-utf8',
      'deep-nesting',
      'ghost-refs',
      'host-access',
      'http-escape',
      'list-root',
      'list-smuggle',
      'multi-doc',
    ]);
  });

  it('a lab that cannot be read at all is reported beside the others', () => {
    copyLab('date-tailer');
    mkdirSync(join(tmp.dir, 'broken'));
    execFileSync('mkfifo', [join(tmp.dir, 'broken', 'lab.yaml')]);
    expect(problems(() => loadLabs(tmp.dir))).toEqual([
      'broken/lab.yaml:1:1: lab.yaml is a FIFO (named pipe), not a regular file: a lab file must be a plain file (rename or remove it)',
    ]);
  });
});

describe('keys', () => {
  it('a list or mapping used as a key is a positioned problem (not a stringified key and a process warning)', () => {
    const lab = copyLab('date-tailer');
    writeFileSync(
      join(lab, 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata:\n  ? [complex, key]\n  : value\n',
    );
    expect(problems(() => loadLab('date-tailer', tmp.dir))).toEqual([
      'date-tailer/cm.yaml:5:5: a mapping key must be a plain name, not a list or a mapping',
    ]);
  });
});
