import { describe, expect, it } from 'vitest';
import { parseWorkshopArgs, learnerHost } from '../workshop.ts';

describe('sidecar-labs workshop options', () => {
  it('has sensible defaults and reads every flag', () => {
    const d = parseWorkshopArgs([], {});
    expect(d).toMatchObject({ reserve: 0, maxSessions: 40, host: '0.0.0.0', port: 4321, cluster: 'kind', build: true });
    expect(d.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(
      parseWorkshopArgs(
        [
          '--code',
          'kube 2026',
          '--reserve=3',
          '--max-sessions',
          '31',
          '--host',
          '127.0.0.1',
          '--port',
          '4406',
          '--cluster',
          'current',
          '--pool-labs',
          'date-tailer',
          '--no-build',
        ],
        {},
      ),
    ).toEqual({
      code: 'KUBE-2026',
      reserve: 3,
      maxSessions: 31,
      host: '127.0.0.1',
      port: 4406,
      cluster: 'current',
      build: false,
      poolLabs: 'date-tailer',
    });
  });

  it('says what was expected', () => {
    expect(() => parseWorkshopArgs(['--reserve', 'lots'], {})).toThrow(
      '--reserve expects a whole number from 0 to 50, got "lots"',
    );
    expect(() => parseWorkshopArgs(['--cluster', 'gke'], {})).toThrow(
      '--cluster expects "kind" or "current", got "gke"',
    );
    expect(() => parseWorkshopArgs(['--code', '!!'], {})).toThrow(/at least 4 letters/);
    expect(() => parseWorkshopArgs(['--frobnicate'], {})).toThrow(/unknown option --frobnicate/);
  });

  it('prints an address learners can reach', () => {
    expect(learnerHost('127.0.0.1')).toBe('127.0.0.1');
    expect(learnerHost('::1')).toBe('[::1]');
    expect(learnerHost('0.0.0.0')).not.toBe('0.0.0.0');
  });
});
