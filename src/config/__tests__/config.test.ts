import { describe, expect, it } from 'vitest';
import { serverConfig } from '../load.ts';
import { parseCommand, UsageError } from '../args.ts';

describe('the server configuration', () => {
  it('a flag wins over its variable, a variable over the default', () => {
    const d = serverConfig({});
    expect(d).toMatchObject({ port: 4321, host: '127.0.0.1', cluster: 'kind', insecureHttp: false, maxSessions: 50 });
    expect(d.workshop).toBeUndefined();
    const env = {
      PORT: '4400',
      HOST: '::1',
      SIDECAR_LABS_CLUSTER: 'current',
      SIDECAR_LABS_HOSTS: 'a.example, b.example',
    };
    expect(serverConfig(env)).toMatchObject({
      port: 4400,
      host: '::1',
      cluster: 'current',
      hosts: ['a.example', 'b.example'],
    });
    expect(serverConfig(env, { port: 4401, host: '127.0.0.1', cluster: 'kind' })).toMatchObject({
      port: 4401,
      host: '127.0.0.1',
      cluster: 'kind',
    });
    expect(serverConfig({}, {}, { host: '0.0.0.0', maxSessions: 40 })).toMatchObject({
      host: '0.0.0.0',
      maxSessions: 40,
    });
    expect(serverConfig({ SIDECAR_LABS_INSECURE_HTTP: '1' }).insecureHttp).toBe(true);
  });

  it('session times and limits from their variables', () => {
    const c = serverConfig({ SIDECAR_LABS_IDLE_MINUTES: '50', SIDECAR_LABS_MAX_CONNECTIONS: '10' });
    expect(c.idleMs).toBe(50 * 60_000);
    expect(c.expiryMs).toBe(55 * 60_000); // always past the idle cut-off
    expect(c.limits.maxConnections).toBe(10);
  });

  it('a bad value names its flag or variable', () => {
    expect(() => serverConfig({ PORT: 'abc' })).toThrow('PORT=abc: expected a port number from 1 to 65535');
    expect(() => serverConfig({ SIDECAR_LABS_WORKSHOP_CODE: 'room-1' })).toThrow(/SIDECAR_LABS_INSTRUCTOR_SECRET/);
    expect(() => serverConfig({}, { tlsKey: 'k.pem' })).toThrow(/--tls-cert <file> and --tls-key <file>/);
  });
});

describe('parseCommand', () => {
  const spec = { usage: 'usage: x [--n N]\n', options: { n: { type: 'string' } } } as const;
  it('--help prints the usage and returns nothing; bad input is a UsageError with the usage', () => {
    let out = '';
    expect(parseCommand(spec, ['--help'], (s) => (out += s))).toBeUndefined();
    expect(parseCommand(spec, ['--bogus', '-h'], (s) => (out += s))).toBeUndefined();
    expect(out).toBe('usage: x [--n N]\nusage: x [--n N]\n');
    expect(parseCommand(spec, ['--n', '3'])?.values.n).toBe('3');
    const err = (() => {
      try {
        parseCommand(spec, ['--bogus']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ kind: 'usage', message: "unknown option '--bogus'", usage: 'usage: x [--n N]\n' });
    expect(() => parseCommand(spec, ['stray'])).toThrow("unexpected argument 'stray'");
  });
});
