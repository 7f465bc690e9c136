import { describe, it, expect } from 'vitest';
import { evalJsonPath, formatJsonPathResult, parseJsonPath } from '../jsonpath.ts';

const pod = {
  spec: {
    initContainers: [{ name: 'helper', restartPolicy: 'Always' }],
    containers: [
      { name: 'app', image: 'nginx:1', resources: { limits: { memory: '64Mi' } } },
      { name: 'sidecar', image: 'busybox:1' },
    ],
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [
      { name: 'app', restartCount: 0 },
      { name: 'sidecar', restartCount: 3 },
    ],
  },
  metadata: { annotations: { 'sidecar-labs.dev/expires-at': 'soon' } },
};

describe('kubectl-style JSONPath', () => {
  it.each([
    ['{.spec.initContainers[0].restartPolicy}', 'Always'],
    ['.spec.containers[*].name', 'app sidecar'],
    ['{.spec.containers[-1].image}', 'busybox:1'],
    ['{.status.conditions[?(@.type=="Ready")].status}', 'True'],
    ['{.status.containerStatuses[?(@.name=="sidecar")].restartCount}', '3'],
    ["{.metadata.annotations['sidecar-labs.dev/expires-at']}", 'soon'],
    ['{.spec.containers[?(@.name=="app")].resources.limits.memory}', '64Mi'],
    ['{.spec.containers[0]}', JSON.stringify(pod.spec.containers[0])],
  ])('%s → %s', (expr, want) => {
    expect(formatJsonPathResult(evalJsonPath(pod, expr))).toBe(want);
  });

  it('selects nothing for a missing field', () => {
    expect(evalJsonPath(pod, '{.status.podIP}')).toEqual([]);
    expect(evalJsonPath(pod, '{.spec.containers[5].name}')).toEqual([]);
    expect(evalJsonPath(pod, '{.status.containerStatuses[?(@.name=="nope")].restartCount}')).toEqual([]);
  });

  it('rejects what it does not understand, saying where', () => {
    expect(() => parseJsonPath('{.spec..containers}')).toThrow(/position 6/);
    expect(() => parseJsonPath('{.spec.containers[?(@.name~"x")]}')).toThrow(/unsupported selector/);
    expect(() => parseJsonPath('{.spec.containers[0}')).toThrow(/missing "]"/);
  });
});
