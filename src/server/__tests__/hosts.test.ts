import { describe, expect, it } from 'vitest';
import { hostAllowed, hostName, hostPolicy, originAllowed } from '../hosts.ts';

describe('allowed Host names', () => {
  const none = hostPolicy();
  const configured = hostPolicy({ hosts: ['Labs.Example.org'], origins: ['https://proxy.example.net'] });

  it('parses host names out of Host headers', () => {
    expect(hostName('LOCALHOST:4321')).toBe('localhost');
    expect(hostName('[::1]:4321')).toBe('::1');
    expect(hostName('labs.example.org.')).toBe('labs.example.org');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
  });

  it('answers to loopback names and IP literals by default, and refuses any other name (DNS rebinding)', () => {
    for (const h of [
      'localhost:4321',
      '127.0.0.1:4321',
      '[::1]:4321',
      'app.localhost:80',
      '192.168.1.20:4321',
      '[fe80::1]:4321',
    ]) {
      expect(hostAllowed(none, h), h).toBe(true);
    }
    for (const h of [
      'evil.example:4321',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '',
      undefined,
      'a b',
      'évil.example',
    ]) {
      expect(hostAllowed(none, h), String(h)).toBe(false);
    }
  });

  it('answers to configured names and the hosts of configured origins', () => {
    expect(hostAllowed(configured, 'labs.example.org:443')).toBe(true);
    expect(hostAllowed(configured, 'proxy.example.net')).toBe(true);
    expect(hostAllowed(configured, 'other.example.org')).toBe(false);
    expect(() => hostPolicy({ origins: ['not a url'] })).toThrow(/SIDECAR_LABS_ORIGINS.*not an origin/);
  });

  it('allows an Origin only when it is this server under an allowed name, or a configured origin', () => {
    const at = (host: string, origin?: string) => originAllowed(none, { host, origin });
    expect(at('127.0.0.1:4321', 'http://127.0.0.1:4321')).toBe(true);
    expect(at('localhost:4321', 'http://localhost:4321')).toBe(true);
    // The rebinding pair: Origin equals Host, but the name is not ours.
    expect(at('evil.example:4321', 'http://evil.example:4321')).toBe(false);
    expect(at('127.0.0.1:4321', 'http://evil.example:4321')).toBe(false);
    expect(at('127.0.0.1:4321', 'http://127.0.0.1:9999')).toBe(false);
    expect(at('127.0.0.1:4321', 'null')).toBe(false);
    expect(at('127.0.0.1:4321')).toBe(false);
    expect(at('127.0.0.1:4321', 'file://127.0.0.1:4321')).toBe(false);
    expect(originAllowed(configured, { host: '127.0.0.1:4321', origin: 'https://proxy.example.net' })).toBe(true);
    expect(originAllowed(configured, { host: 'labs.example.org', origin: 'https://labs.example.org' })).toBe(true);
  });
});
