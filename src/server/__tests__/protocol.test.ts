import { describe, expect, it } from 'vitest';
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientControl,
  encodeServerControl,
  offeredProtocols,
  tokenFromProtocols,
  PROTOCOL,
} from '../protocol.ts';

describe('terminal protocol codec', () => {
  it('passes binary frames through as terminal bytes', () => {
    const bytes = new TextEncoder().encode('kubectl get pods\r');
    expect(decodeClientFrame(bytes, true)).toEqual({ kind: 'data', bytes });
    expect(decodeServerFrame(bytes, true)).toEqual({ kind: 'data', bytes });
  });

  it('round-trips every control message', () => {
    const hello = { type: 'hello', cols: 120, rows: 30, resumeFrom: 42 } as const;
    expect(decodeClientFrame(encodeClientControl(hello), false)).toEqual({ kind: 'control', message: hello });
    const resize = { type: 'resize', cols: 80, rows: 24 } as const;
    expect(decodeClientFrame(encodeClientControl(resize), false)).toEqual({ kind: 'control', message: resize });
    for (const m of [
      { type: 'hello', sessionId: 'abc', offset: 10, truncated: false },
      { type: 'exit', code: 0, reason: 'exited' },
      { type: 'exit', code: null, reason: 'connection lost' },
      { type: 'error', message: 'no shell', fix: 'press Reset lab' },
    ] as const) {
      expect(decodeServerFrame(encodeServerControl(m), false)).toEqual({ kind: 'control', message: m });
    }
  });

  it('accepts control text delivered as bytes (how ws hands text frames over)', () => {
    const text = new TextEncoder().encode('{"type":"resize","cols":100,"rows":40}');
    expect(decodeClientFrame(text, false)).toEqual({
      kind: 'control',
      message: { type: 'resize', cols: 100, rows: 40 },
    });
  });

  it('rejects malformed control messages with a reason', () => {
    expect(decodeClientFrame('not json', false)).toEqual({ kind: 'invalid', error: 'control message is not JSON' });
    const unknown = decodeClientFrame('{"type":"exec","cmd":"rm -rf /"}', false);
    expect(unknown.kind).toBe('invalid');
    const bad = decodeClientFrame('{"type":"resize","cols":0,"rows":24}', false);
    expect(bad).toMatchObject({ kind: 'invalid' });
    expect(bad.kind === 'invalid' && bad.error).toContain('cols');
    const fractional = decodeClientFrame('{"type":"resize","cols":80.5,"rows":24}', false);
    expect(fractional.kind).toBe('invalid');
    const huge = decodeClientFrame(
      JSON.stringify({ type: 'resize', cols: 80, rows: 24, pad: 'x'.repeat(5000) }),
      false,
    );
    expect(huge).toMatchObject({ kind: 'invalid', error: expect.stringContaining('too long') });
    // A server message is not a valid client message and vice versa.
    expect(decodeClientFrame('{"type":"exit","code":0,"reason":"x"}', false).kind).toBe('invalid');
    expect(decodeServerFrame('{"type":"resize","cols":80,"rows":24}', false).kind).toBe('invalid');
  });

  it('refuses to encode an invalid message', () => {
    expect(() => encodeClientControl({ type: 'resize', cols: -1, rows: 5 })).toThrow();
  });

  it('carries the token in the subprotocol offer, and only alongside our protocol', () => {
    const offer = offeredProtocols('s3cret_token-1');
    expect(offer[0]).toBe(PROTOCOL);
    expect(tokenFromProtocols(offer)).toBe('s3cret_token-1');
    expect(tokenFromProtocols(['token.s3cret'])).toBeUndefined();
    expect(tokenFromProtocols([PROTOCOL])).toBeUndefined();
  });
});
