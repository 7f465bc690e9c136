// The terminal WebSocket protocol, shared by the lab server and the browser.
//
// Binary frames carry raw terminal bytes (keystrokes up, shell output down); text frames carry small
// JSON control messages that are validated against the schemas below on both ends. zod/mini keeps the
// browser bundle small (this module ships in the lazily loaded terminal chunk).
import * as z from 'zod/mini';

/** WebSocket subprotocol for this version of the protocol. */
export const PROTOCOL = 'sidecar-labs.v1';
/** The per-session token rides in a second subprotocol entry, because browsers cannot set headers. */
export const TOKEN_PREFIX = 'token.';

/** WebSocket close codes (4000-4999 are the application's). */
export const CLOSE_REPLACED = 4001; // a newer connection took the terminal over
export const CLOSE_SESSION_ENDED = 4002; // stopped, reset or expired: do not reconnect blindly

const dimension = z.int().check(z.minimum(2), z.maximum(1000));

/** Client → server. */
export const ClientHello = z.object({
  type: z.literal('hello'),
  cols: dimension,
  rows: dimension,
  /** Bytes of output this client has already shown (absolute offset); the server replays the rest. */
  resumeFrom: z.optional(z.int().check(z.minimum(0))),
});
export const ClientResize = z.object({ type: z.literal('resize'), cols: dimension, rows: dimension });
export const ClientControl = z.discriminatedUnion('type', [ClientHello, ClientResize]);
export type ClientControl = z.infer<typeof ClientControl>;

/** Server → client. */
export const ServerHello = z.object({
  type: z.literal('hello'),
  sessionId: z.string(),
  /** Absolute offset of the first byte the server is about to send (replay starts here). */
  offset: z.int().check(z.minimum(0)),
  /** True when the client asked to resume from an offset the server no longer holds. */
  truncated: z.boolean(),
});
export const ServerExit = z.object({
  type: z.literal('exit'),
  code: z.nullable(z.int()),
  reason: z.string(),
});
export const ServerError = z.object({
  type: z.literal('error'),
  message: z.string(),
  /** What the learner can do about it, in plain words. */
  fix: z.optional(z.string()),
});
export const ServerControl = z.discriminatedUnion('type', [ServerHello, ServerExit, ServerError]);
export type ServerControl = z.infer<typeof ServerControl>;

export type Decoded<T> =
  { kind: 'data'; bytes: Uint8Array } | { kind: 'control'; message: T } | { kind: 'invalid'; error: string };

/** Largest text frame we accept; control messages are tiny, anything bigger is abuse or a bug. */
export const MAX_CONTROL_BYTES = 4096;

function decodeWith<T>(schema: z.ZodMiniType<T>, data: string | Uint8Array, isBinary: boolean): Decoded<T> {
  if (isBinary) {
    if (typeof data === 'string') return { kind: 'data', bytes: new TextEncoder().encode(data) };
    return { kind: 'data', bytes: data };
  }
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  if (text.length > MAX_CONTROL_BYTES)
    return { kind: 'invalid', error: `control message too long (${text.length} bytes)` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', error: 'control message is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'message';
    return { kind: 'invalid', error: `bad control message: ${where}: ${issue?.message ?? 'invalid'}` };
  }
  return { kind: 'control', message: parsed.data };
}

export function decodeClientFrame(data: string | Uint8Array, isBinary: boolean): Decoded<ClientControl> {
  return decodeWith(ClientControl, data, isBinary);
}

export function decodeServerFrame(data: string | Uint8Array, isBinary: boolean): Decoded<ServerControl> {
  return decodeWith(ServerControl, data, isBinary);
}

/** Encode a control message; validating on the way out catches our own bugs before the peer does. */
export function encodeClientControl(message: ClientControl): string {
  return JSON.stringify(ClientControl.parse(message));
}

export function encodeServerControl(message: ServerControl): string {
  return JSON.stringify(ServerControl.parse(message));
}

/** The subprotocol list a browser offers: the version first, then its token. */
export function offeredProtocols(token: string): string[] {
  return [PROTOCOL, TOKEN_PREFIX + token];
}

/** Server side: the token a client offered, or undefined when the offer is not ours. */
export function tokenFromProtocols(offered: Iterable<string>): string | undefined {
  const list = [...offered];
  if (!list.includes(PROTOCOL)) return undefined;
  const entry = list.find((p) => p.startsWith(TOKEN_PREFIX));
  return entry?.slice(TOKEN_PREFIX.length);
}
