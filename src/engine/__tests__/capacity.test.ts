import { describe, expect, it } from 'vitest';
import { holdsResources, podRequests, sessionRoom, SESSION_REQUESTS, maxSessionsSetting } from '../capacity.ts';
import { bytesOf, milliCpu } from '../quantity.ts';

describe('quantities', () => {
  it('reads CPU and memory the way the API writes them', () => {
    expect([milliCpu('250m'), milliCpu('2'), milliCpu('0.5'), milliCpu(1)]).toEqual([250, 2000, 500, 1000]);
    expect([bytesOf('512Mi'), bytesOf('1Gi'), bytesOf('1G'), bytesOf('24683792Ki')]).toEqual([
      536870912,
      1073741824,
      1e9,
      24683792 * 1024,
    ]);
    expect(() => milliCpu('lots')).toThrow(/not a Kubernetes quantity: "lots"/);
  });
});

describe('room for sessions', () => {
  it('counts sessions at their full budget in what the system pods leave free', () => {
    expect(SESSION_REQUESTS).toEqual({ cpuMilli: 200, memoryBytes: 512 * 2 ** 20 });
    // the kit's 2-core node: 860m requested by etcd, the API server, the controllers, DNS and the enforcer
    const room = sessionRoom({ cpuMilli: 2000, memoryBytes: 24 * 2 ** 30 }, [
      { namespace: 'kube-system', cpuMilli: 860, memoryBytes: 272 * 2 ** 20 },
    ]);
    expect(room).toMatchObject({ freeCpuMilli: 1140, sessions: 5, bound: 'cpu' });
    const tiny = sessionRoom({ cpuMilli: 8000, memoryBytes: 1024 * 2 ** 20 }, []);
    expect(tiny).toMatchObject({ sessions: 2, bound: 'memory' });
    expect(
      sessionRoom({ cpuMilli: 100, memoryBytes: 0 }, [{ namespace: 'x', cpuMilli: 500, memoryBytes: 0 }]).sessions,
    ).toBe(0);
  });

  it("counts a pod's requests as the scheduler does: containers and native sidecars, or the largest init container", () => {
    const c = (cpu: string, restartPolicy?: string) => ({
      resources: { requests: { cpu, memory: '16Mi' } },
      restartPolicy,
    });
    expect(
      podRequests({ spec: { containers: [c('10m'), c('50m')], initContainers: [c('20m', 'Always')] } }),
    ).toMatchObject({
      cpuMilli: 80,
      memoryBytes: 48 * 2 ** 20,
    });
    expect(podRequests({ spec: { containers: [c('10m')], initContainers: [c('500m')] } }).cpuMilli).toBe(500);
    expect(podRequests({ spec: { containers: [{}] } }).cpuMilli).toBe(0);
    expect(holdsResources({ status: { phase: 'Succeeded' } })).toBe(false);
    expect(holdsResources({ status: { phase: 'Pending' } })).toBe(true);
  });

  it('opens 50 sessions unless SIDECAR_LABS_MAX_SESSIONS says otherwise', () => {
    expect(maxSessionsSetting({})).toBe(50);
    expect(maxSessionsSetting({ SIDECAR_LABS_MAX_SESSIONS: '5' })).toBe(5);
  });
});
