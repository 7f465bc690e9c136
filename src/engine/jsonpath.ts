// A small kubectl-style JSONPath reader for `field` checks: `{.spec.containers[0].image}`,
// `.status.conditions[?(@.type=="Ready")].status`, `[*]`, `['key.with.dots']`. Just the subset lab
// authors need to point at one field; anything else is an error at load time (parseJsonPath).

type Segment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string | number | boolean };

export class JsonPathError extends Error {}

export function parseJsonPath(expr: string): Segment[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const out: Segment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new JsonPathError(`invalid JSONPath "${expr}" at position ${i}: ${why}`);
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      const m = /^[A-Za-z0-9_\-/]+/.exec(s.slice(i));
      if (!m) fail('expected a field name after "."');
      out.push({ kind: 'key', key: m![0] });
      i += m![0].length;
    } else if (c === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) fail('missing "]"');
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') out.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) out.push({ kind: 'index', index: Number(inner) });
      else if (/^'[^']*'$|^"[^"]*"$/.test(inner)) out.push({ kind: 'key', key: inner.slice(1, -1) });
      else {
        const f =
          /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(-?\d+(?:\.\d+)?)|(true|false))\s*\)$/.exec(
            inner,
          );
        if (!f) fail(`unsupported selector [${inner}]`);
        const value = f![3] ?? f![4] ?? (f![5] !== undefined ? Number(f![5]) : f![6] === 'true');
        out.push({ kind: 'filter', path: f![1].slice(1).split('.'), op: f![2] as '==' | '!=', value });
      }
    } else fail(`unexpected "${c}"`);
  }
  return out;
}

/** Every value the path selects (empty when nothing matches). */
export function evalJsonPath(obj: unknown, expr: string): unknown[] {
  let current: unknown[] = [obj];
  for (const seg of parseJsonPath(expr)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg.kind === 'key') {
        if (v && typeof v === 'object' && !Array.isArray(v) && seg.key in (v as object))
          next.push((v as Record<string, unknown>)[seg.key]);
      } else if (seg.kind === 'index') {
        if (Array.isArray(v)) {
          const el = v[seg.index < 0 ? v.length + seg.index : seg.index];
          if (el !== undefined) next.push(el);
        }
      } else if (seg.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else {
        if (!Array.isArray(v)) continue;
        for (const el of v) {
          const got = seg.path.reduce<unknown>(
            (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
            el,
          );
          const eq = got === seg.value || (got !== undefined && String(got) === String(seg.value));
          if (seg.op === '==' ? eq : !eq) next.push(el);
        }
      }
    }
    current = next;
  }
  return current;
}

/** kubectl prints selected values space-separated; scalars as-is, objects as JSON. */
export function formatJsonPathResult(values: unknown[]): string {
  return values.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))).join(' ');
}
