// A learner fills the page nginx serves with 100 MB and presses Check: on the real cluster the exec
// check (stdout of `cat`) and the http checks (the Service proxy, the NodePort) each read at most
// 64 KiB, stop the stream there, and the result says the output was cut. The engine is the one the
// lab server calls for the Check button (engine.checkStep).
import { afterAll, describe, expect, it } from 'vitest';
import { engine } from './helpers.ts';
import type { SessionInfo } from '../../../src/engine/index.ts';
import { CHECK_OUTPUT_LIMIT } from '../../../src/engine/checks/output-limit.ts';

const e = engine();
let s: SessionInfo | undefined;
afterAll(async () => {
  if (s) await e.stopSession(s);
});

const HUGE = 100 * 1000 * 1000;

describe('a check over a huge file on the real cluster', () => {
  it('exec and http checks return a cut result; the engine read 64 KiB per stream, not 100 MB', async () => {
    s = await e.startSession('content-sidecar', { ttlSeconds: 600 });
    await e.applySolution(s, 'content-pod');
    await e.applySolution(s, 'nodeport');
    const fine = await e.checkStep(s, 'content-pod', { mode: 'wait' });
    expect(fine.ok).toBe(true);
    // what a learner can do from their terminal with kubectl exec
    const write = await e.kube.exec(
      s.namespace,
      'nginx',
      'content',
      ['sh', '-c', `head -c ${HUGE} /dev/zero | tr '\\0' x > /nginx-data/index.html && wc -c < /nginx-data/index.html`],
      60_000,
    );
    expect(write.stdout.trim()).toBe(String(HUGE));

    const direct = await e.kube.exec(
      s.namespace,
      'nginx',
      'nginx',
      ['cat', '/usr/share/nginx/html/index.html'],
      20_000,
    );
    expect(direct.truncated).toBe(true);
    expect(direct.stdout.length).toBe(CHECK_OUTPUT_LIMIT);

    const step1 = await e.checkStep(s, 'content-pod', { mode: 'quick' });
    expect(step1.ok).toBe(false);
    const exec = step1.checks.find((c) => c.type === 'exec')!;
    expect(exec.ok).toBe(false);
    expect(exec.message).toContain('output cut at 64 KiB');

    const step2 = await e.checkStep(s, 'nodeport', { mode: 'quick' });
    expect(step2.ok).toBe(false);
    const http = step2.checks.filter((c) => c.type === 'http');
    expect(http.length).toBeGreaterThan(0);
    for (const c of http) expect(c.message).toContain('output cut at 64 KiB');
  }, 240_000);
});
