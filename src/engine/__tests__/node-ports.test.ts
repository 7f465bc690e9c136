import { describe, it, expect } from 'vitest';
import {
  pickNodePorts,
  rewriteObjects,
  rewriteFiles,
  nodePortEnv,
  sessionCheck,
  usedPorts,
  parseNodePorts,
  RESERVED_HIGH,
} from '../node-ports.ts';
import { Check } from '../schema.ts';
import { loadLab } from '../load.ts';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabFormatError } from '../errors.ts';

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx' },
  spec: {
    type: 'NodePort',
    ports: [
      { port: 80, nodePort: 30080 },
      { port: 81, nodePort: 30081 },
    ],
  },
};

describe('node ports', () => {
  it('picks distinct free ports above the reserved range, avoiding used ones', () => {
    const used = new Set([RESERVED_HIGH + 1, RESERVED_HIGH + 2]);
    const got = pickNodePorts(['web', 'api'], used, () => 0);
    expect(got).toEqual({ web: RESERVED_HIGH + 3, api: RESERVED_HIGH + 4 });
    const many = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const p = pickNodePorts(['web'], many).web!;
      expect(p).toBeGreaterThan(RESERVED_HIGH);
      expect(p).toBeLessThanOrEqual(32767);
      expect(many.has(p)).toBe(false);
      many.add(p);
    }
  });

  it('fails plainly when the range is full', () => {
    const all = new Set(Array.from({ length: 32767 - RESERVED_HIGH }, (_, i) => RESERVED_HIGH + 1 + i));
    expect(() => pickNodePorts(['web'], all)).toThrow(/no free NodePort/);
  });

  it('rewrites declared ports in Services only, leaving the lesson objects untouched', () => {
    const objs = [service as never, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } as never];
    const out = rewriteObjects(objs, { web: 30080 }, { web: 31234 });
    expect((out[0] as typeof service).spec.ports.map((p) => p.nodePort)).toEqual([31234, 30081]);
    expect(service.spec.ports[0]!.nodePort).toBe(30080);
    expect(out[1]).toBe(objs[1]);
    expect(rewriteObjects(objs, { web: 30080 }, { web: 30080 })).toBe(objs);
  });

  it("rewrites the learner's files and sets $NODE_PORT", () => {
    const files = { 'service.yaml': '# on port 30080\n      nodePort: 30080\n', 'pod.yaml': 'x: 30080\n' };
    const out = rewriteFiles(files, { web: 30080 }, { web: 31234 });
    expect(out['service.yaml']).toBe('# on port 30080\n      nodePort: 31234\n');
    expect(out['pod.yaml']).toBe('x: 30080\n');
    expect(nodePortEnv({ web: 30080, 'admin-ui': 30081 }, { web: 31234, 'admin-ui': 31235 })).toEqual({
      NODE_PORT: '31234',
      NODE_PORT_WEB: '31234',
      NODE_PORT_ADMIN_UI: '31235',
    });
    expect(nodePortEnv({ web: 30080 }, undefined)).toEqual({ NODE_PORT: '30080', NODE_PORT_WEB: '30080' });
  });

  it('turns a NodePort check on an allocated port into curl from the terminal pod', () => {
    const c = Check.parse({
      type: 'http',
      title: 'the page on NodePort 30080',
      nodePort: 30080,
      body: { contains: 'Hello' },
    });
    expect(sessionCheck(c, { web: 30080 }, { web: 30080 }, true)).toBe(c);
    const mine = sessionCheck(c, { web: 30080 }, { web: 31234 }, true);
    expect(mine).toMatchObject({
      type: 'exec',
      pod: 'terminal',
      container: 'terminal',
      title: 'the page on NodePort 31234',
      stdout: { contains: 'Hello' },
    });
    expect((mine as { command: string }).command).toBe('curl -sS -f -m 5 "http://$HOST_IP:31234/"');
    expect(sessionCheck(c, { web: 30080 }, { web: 31234 }, false)).toMatchObject({ type: 'http', nodePort: 31234 });
  });

  it('counts ports held by Services and promised to sessions; ignores junk annotations', () => {
    const used = usedPorts([service], ['{"web":31000}', 'not json', undefined, '{"x":5}']);
    expect([...used].sort()).toEqual([30080, 30081, 31000]);
    expect(parseNodePorts('[1]')).toBeUndefined();
  });

  it('content-sidecar declares its NodePort; an undeclared one is a positioned problem', () => {
    expect(loadLab('content-sidecar').nodePorts).toEqual({ web: 30080 });
    const dir = mkdtempSync(join(tmpdir(), 'np-'));
    mkdirSync(join(dir, 'demo'));
    writeFileSync(
      join(dir, 'demo', 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, ports: [{port: 80, nodePort: 30099}]}\n',
    );
    writeFileSync(
      join(dir, 'demo', 'lab.yaml'),
      [
        'title: d',
        'lesson: demo',
        'images: [docker.io/library/busybox:1.36.0]',
        'steps:',
        '  - id: a',
        '    title: a',
        '    instructions: a',
        '    solution: {manifests: [svc.yaml]}',
        '    checks: [{type: http, nodePort: 30099}]',
        '',
      ].join('\n'),
    );
    let err: unknown;
    try {
      loadLab('demo', dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LabFormatError);
    const messages = (err as LabFormatError).problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(/Service "s" uses nodePort 30099: declare it in "nodePorts"/),
    );
    expect(messages).toContainEqual(expect.stringMatching(/^9:\d+ nodePort 30099 is not declared/));
  });
});
