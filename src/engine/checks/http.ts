// http: an HTTP GET through a Service (API server proxy), on a NodePort from the host, or from inside
// a pod with busybox wget. Compares the status and, optionally, the body.
import { z } from 'zod';
import { checkBase, TextMatch, matchText } from './fields.ts';
import { clip, defaultContainer, doesNotExist, notRunning } from './lookup.ts';
import { defineCheck, type ProbeContext, type HttpResult, type ProbeResult } from './types.ts';
import { outputCutNote } from './output-limit.ts';

const schema = z
  .strictObject({
    type: z.literal('http').describe('An HTTP GET through a Service, a NodePort, or from inside a pod.'),
    ...checkBase,
    service: z.string().min(1).optional().describe('Service name: the request goes through the API server proxy.'),
    port: z
      .union([z.number().int().min(1).max(65535), z.string().min(1)])
      .optional()
      .describe('Service port (number or name).'),
    nodePort: z
      .union([
        z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'the name of a port in the lab\'s "nodePorts", e.g. web'),
        z.number().int().min(30000).max(32767),
      ])
      .optional()
      .describe(
        "The name of one of the lab's nodePorts (e.g. web), asked from the host: 127.0.0.1 for kind, else a node address. (A port number is the unversioned format's; the loader converts it.)",
      ),
    from: z
      .strictObject({ pod: z.string().min(1), container: z.string().min(1).optional() })
      .optional()
      .describe('Run busybox-style `wget -qO-` in this pod/container (needs wget in it).'),
    url: z.string().min(1).optional().describe('With "from": the URL to fetch, e.g. http://127.0.0.1:80/.'),
    path: z.string().startsWith('/').default('/'),
    status: z.number().int().min(100).max(599).default(200).describe('The HTTP status code expected.'),
    body: TextMatch.optional(),
  })
  .superRefine((v, ctx) => {
    const n = [v.service, v.nodePort, v.from].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of "service", "nodePort" or "from"' });
    if (v.from && !v.url)
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'with "from", give the "url" to fetch' });
    if (v.url && !v.from) ctx.addIssue({ code: 'custom', path: ['url'], message: '"url" is only used with "from"' });
  });
type Http = z.output<typeof schema>;

/** The answer and where it came from, or a failure when nothing answered. */
type Fetched = { r: HttpResult; where: string } | ProbeResult;

async function viaNodePort(c: Http, ctx: ProbeContext, timeoutMs: number): Promise<Fetched> {
  const url = `http://${await ctx.nodeHost()}:${c.nodePort}${c.path}`;
  try {
    return { r: await ctx.ops.httpGet(url, Math.min(timeoutMs, 10000)), where: url };
  } catch (e) {
    return {
      ok: false,
      message: `nothing answers on ${url}: ${(e as Error).message}`,
      hint: `is there a NodePort Service with nodePort ${c.nodePort}?`,
    };
  }
}

async function fromPod(c: Http, ctx: ProbeContext, timeoutMs: number): Promise<Fetched> {
  const from = c.from!;
  const url = c.url!;
  const pod = await ctx.ops.readPod(ctx.namespace, from.pod);
  if (!pod) return doesNotExist(`pod "${from.pod}"`);
  const container = defaultContainer(pod, from.container);
  const down = notRunning(pod, container);
  if (down) return down;
  const x = await ctx.ops.exec(
    ctx.namespace,
    from.pod,
    container,
    ['wget', '-S', '-q', '-O', '-', url],
    Math.min(timeoutMs, 15000),
  );
  const status = Number(/HTTP\/[\d.]+ (\d{3})/.exec(x.stderr)?.[1] ?? (x.exitCode === 0 ? 200 : 0));
  if (status === 0)
    return { ok: false, message: `no answer from ${url}: ${clip(x.stderr, 200) || `wget exit ${x.exitCode}`}` };
  return { r: { status, body: x.stdout, truncated: x.truncated }, where: `${url} (from pod "${from.pod}")` };
}

export const http = defineCheck({
  type: 'http',
  schema,
  settleSeconds: 0,
  timeoutSeconds: 60,
  title: (c) =>
    c.service
      ? `HTTP GET ${c.path} via service "${c.service}"`
      : c.nodePort
        ? `HTTP GET ${c.path} on NodePort ${c.nodePort}`
        : `HTTP GET ${c.url} from pod "${c.from?.pod}"`,
  async probe(c, ctx, timeoutMs) {
    const got: Fetched = c.service
      ? {
          r: await ctx.ops.proxyService(ctx.namespace, c.service, c.port, c.path, Math.min(timeoutMs, 10000)),
          where: `service "${c.service}"`,
        }
      : c.nodePort
        ? await viaNodePort(c, ctx, timeoutMs)
        : await fromPod(c, ctx, timeoutMs);
    if (!('r' in got)) return got;
    const { r, where } = got;
    const observed = `HTTP ${r.status}\n${clip(r.body, 400)}`;
    if (r.truncated)
      return {
        ok: false,
        message: `the page from ${where} is too big to check (${outputCutNote()}; the rest was not read)`,
        hint: 'the step expects a short page: is a much bigger file being served?',
        observed,
      };
    if (r.status !== c.status)
      return { ok: false, message: `${where} answered HTTP ${r.status}, expected ${c.status}`, observed };
    if (c.body) {
      const m = matchText(r.body, c.body);
      if (!m.ok)
        return {
          ok: false,
          message: `the page from ${where} was not as expected: expected it ${m.expected}`,
          observed,
        };
    }
    return { ok: true, message: `${where} answered as expected`, observed };
  },
});
