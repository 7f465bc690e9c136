import { describe, it, expect } from 'vitest';
import { Mistake } from '../schema.ts';
import { findMistake } from '../mistakes.ts';
import { FakeCluster, fakeContext } from './fakes.ts';

const mounts = (name: string) => `{.spec.containers[?(@.name=="nginx")].volumeMounts[?(@.name=="${name}")].mountPath}`;
const MISTAKES = [
  {
    id: 'no-mount',
    title: 'nginx mounts nothing',
    apply: { manifests: ['mistakes/a.yaml'] },
    diagnosis: 'Mount shared-data in nginx.',
    detect: [{ type: 'field', kind: 'Pod', name: 'nginx', jsonPath: mounts('shared-data'), exists: false }],
  },
  {
    id: 'wrong-path',
    title: 'nginx mounts it elsewhere',
    apply: { manifests: ['mistakes/b.yaml'] },
    diagnosis: 'Mount it at /usr/share/nginx/html.',
    detect: [
      {
        type: 'field',
        kind: 'Pod',
        name: 'nginx',
        jsonPath: mounts('shared-data'),
        matches: '^(?!/usr/share/nginx/html/?$)',
      },
    ],
  },
].map((m) => Mistake.parse(m));

function setup() {
  const ops = new FakeCluster();
  const ctx = fakeContext(ops);
  const nginx = (mountPath?: string) => ({
    kind: 'Pod',
    metadata: { name: 'nginx' },
    spec: { containers: [{ name: 'nginx', volumeMounts: mountPath ? [{ name: 'shared-data', mountPath }] : [] }] },
  });
  return { ops, ctx, nginx };
}

describe('finding a listed mistake', () => {
  it('nothing done yet (no Pod): no diagnosis', async () => {
    const { ctx } = setup();
    expect(await findMistake(MISTAKES, ctx)).toBeUndefined();
  });
  it('the state of a mistake gives its diagnosis', async () => {
    const { ops, ctx, nginx } = setup();
    ops.objects['Pod/nginx'] = nginx();
    expect(await findMistake(MISTAKES, ctx)).toEqual({
      id: 'no-mount',
      title: 'nginx mounts nothing',
      diagnosis: 'Mount shared-data in nginx.',
    });
    ops.objects['Pod/nginx'] = nginx('/var/www/html');
    expect((await findMistake(MISTAKES, ctx))?.id).toBe('wrong-path');
  });
  it('the right answer matches no mistake', async () => {
    const { ops, ctx, nginx } = setup();
    ops.objects['Pod/nginx'] = nginx('/usr/share/nginx/html');
    expect(await findMistake(MISTAKES, ctx)).toBeUndefined();
  });
  it('every detecting check must pass; the first failing one ends the look at that mistake', async () => {
    const { ops, ctx, nginx } = setup();
    ops.objects['Pod/nginx'] = nginx();
    const both = Mistake.parse({
      ...MISTAKES[0],
      detect: [{ type: 'jobComplete', job: 'none' }, MISTAKES[0].detect[0]],
    });
    expect(await findMistake([both], ctx)).toBeUndefined();
    expect(ops.calls).toEqual(['read batch/v1 Job none']);
  });
});
