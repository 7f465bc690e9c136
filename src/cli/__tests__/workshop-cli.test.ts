import { describe, expect, it } from 'vitest';
import { parseWorkshopArgs, learnerHost } from '../workshop.ts';
import { UsageError } from '../../config/args.ts';

describe('sidecar-labs workshop options', () => {
  it('has sensible defaults and reads every flag', () => {
    const d = parseWorkshopArgs([], {})!;
    expect(d.build).toBe(true);
    expect(d.config).toMatchObject({ host: '0.0.0.0', port: 4321, cluster: 'kind', maxSessions: 40 });
    expect(d.config.workshop.reserve).toBe(0);
    expect(d.config.workshop.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(d.config.workshop.instructorSecret.length).toBeGreaterThanOrEqual(16);
    const o = parseWorkshopArgs(
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
        '--tls-cert',
        'c.pem',
        '--tls-key',
        'k.pem',
      ],
      {},
    )!;
    expect(o.build).toBe(false);
    expect(o.config).toMatchObject({
      host: '127.0.0.1',
      port: 4406,
      cluster: 'current',
      maxSessions: 31,
      tls: { cert: 'c.pem', key: 'k.pem' },
      workshop: { code: 'KUBE-2026', reserve: 3, poolLabs: ['date-tailer'] },
    });
  });

  it('takes the room settings from the environment when no flag gives them', () => {
    const o = parseWorkshopArgs([], {
      SIDECAR_LABS_WORKSHOP_CODE: 'room-4242',
      SIDECAR_LABS_INSTRUCTOR_SECRET: 'an-instructor-secret-of-32-chars',
      SIDECAR_LABS_RESERVE: '2',
      SIDECAR_LABS_TLS_CERT: 'c.pem',
      SIDECAR_LABS_TLS_KEY: 'k.pem',
      PORT: '4499',
    })!;
    expect(o.config.workshop).toMatchObject({ code: 'ROOM-4242', reserve: 2 });
    expect(o.config.workshop.instructorSecret).toBe('an-instructor-secret-of-32-chars');
    expect(o.config).toMatchObject({ port: 4499, tls: { cert: 'c.pem', key: 'k.pem' } });
  });

  it('--help prints the usage; bad input is a usage error that says what was expected', () => {
    let out = '';
    expect(parseWorkshopArgs(['--help'], {}, (s) => (out += s))).toBeUndefined();
    expect(out).toMatch(/^usage: sidecar-labs workshop [\s\S]*--tls-cert FILE --tls-key FILE \| --insecure-http/);
    expect(() => parseWorkshopArgs(['--reserve', 'lots'], {})).toThrow(
      '--reserve expects a whole number from 0 to 50, got "lots"',
    );
    expect(() => parseWorkshopArgs(['--cluster', 'gke'], {})).toThrow(
      '--cluster expects "kind" or "current", got "gke"',
    );
    expect(() => parseWorkshopArgs(['--code', '!!'], {})).toThrow(/at least 4 letters/);
    expect(() => parseWorkshopArgs(['--frobnicate'], {})).toThrow(UsageError);
    expect(() => parseWorkshopArgs(['--tls-cert', 'c.pem'], {})).toThrow(/both a certificate and its key/);
    expect(() => parseWorkshopArgs(['workshop'], {})).toThrow("unexpected argument 'workshop'");
  });

  it('prints an address learners can reach', () => {
    expect(learnerHost('127.0.0.1')).toBe('127.0.0.1');
    expect(learnerHost('::1')).toBe('[::1]');
    expect(learnerHost('0.0.0.0')).not.toBe('0.0.0.0');
  });
});
