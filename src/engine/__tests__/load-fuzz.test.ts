// Property-based fuzzing of the loader over mutations of the real labs (seeded, reproducible): for every
// case the loader returns a lab or a LabFormatError whose every problem has a file, line >= 1, column >= 1
// and a message; it never throws anything else; loadLabs reports exactly the problems of each lab (one
// broken lab hides nothing); and it never hangs: each case runs in a worker thread that is terminated if
// it takes longer than CASE_TIMEOUT_MS (a bound on a hang, not a speed assertion).
// FUZZ_CASES=2000 FUZZ_SEED=7 npx vitest run src/engine/__tests__/load-fuzz.test.ts   (more cases, another seed)
import { describe, it, expect, afterAll } from 'vitest';
import { Worker } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Outcome } from './load-fuzz.worker.ts';

const COURSE = fileURLToPath(new URL('../../../labs/', import.meta.url));
const CASES = Number(process.env.FUZZ_CASES ?? 250);
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const CASE_TIMEOUT_MS = 20_000;

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] };
}
type Rng = ReturnType<typeof prng>;

const HOSTILE_VALUES = [
  '..',
  '/../../api/v1/secrets',
  '/%2e%2e/x',
  '//evil.example/',
  'null',
  '~',
  '[]',
  '{}',
  '*nope',
  '&a',
  '"unterminated',
  "'",
  'x:latest',
  'Always',
  'List',
  '- a',
  '!!binary AAAA',
  '!!python/object:os.system',
  '0x1F',
  '1e400',
  '-1',
  '99999999999999999999',
  'Ünïcödé',
  'My_Pod',
  'a'.repeat(300),
  '${HOME}',
  '`id`',
  '"\\u0000"',
  'yes',
  '{a: [b, {c: d}]}',
  '[[[[[[[[[[]]]]]]]]]]',
  '|',
  '>-',
  '? a',
  'kube-system',
  'ClusterRole',
  'true',
  '0',
  '',
  '#',
  '@',
  '%',
  '\t',
  'x: y: z',
];

const SNIPPETS = [
  '---',
  '...',
  'kind: List\nitems:\n  - kind: Pod\n    metadata: {name: x, namespace: default}',
  'hostNetwork: true',
  'privileged: true',
  'volumes: [{name: h, hostPath: {path: /}}]',
  'a: &a [x, y]\nb: [*a, *a, *a]',
  'namespace: kube-system',
  '%YAML 1.1',
  '\tkey: tab',
  '\ufeffbom: here',
  'apiVersion: v1\nkind: Namespace\nmetadata: {name: evil}',
  '? [complex, key]\n: value',
  'x: !!set {a, b}',
  'checks: [{type: http, service: s, path: /../../x}]',
  'pod: ghost',
  'container: nowhere',
  'selector: app=none',
  'job: never',
  '<<: {merged: true}',
  'steps: []',
  'images: [x]',
  'lesson: other',
  'type: nope',
];

const deepText = (r: Rng) => `deep: ${'['.repeat(30 + r.int(3000))}`;
const aliasBomb = (r: Rng) => {
  const width = 2 + r.int(9);
  let s = 'bomb0: &bomb0 [lol]\n';
  for (let i = 1; i < 2 + r.int(7); i++)
    s += `bomb${i}: &bomb${i} [${Array(width)
      .fill(`*bomb${i - 1}`)
      .join(', ')}]\n`;
  return s;
};

/** One mutation of a text file; returns the new text and what was done. */
function mutateText(text: string, r: Rng): [string, string] {
  const lines = text.split('\n');
  const i = r.int(lines.length);
  switch (r.int(10)) {
    case 0:
      lines.splice(i, 1);
      return [lines.join('\n'), `delete line ${i + 1}`];
    case 1:
      lines.splice(i, 0, lines[r.int(lines.length)]);
      return [lines.join('\n'), `duplicate a line at ${i + 1}`];
    case 2:
      lines[i] = r.next() < 0.5 ? `  ${lines[i]}` : lines[i].replace(/^ {1,2}/, '');
      return [lines.join('\n'), `reindent line ${i + 1}`];
    case 3: {
      const v = r.pick(HOSTILE_VALUES);
      lines[i] = lines[i].replace(/(:\s+|-\s+)\S.*$/, `$1${v}`);
      return [lines.join('\n'), `value on line ${i + 1} := ${JSON.stringify(v).slice(0, 40)}`];
    }
    case 4: {
      const s = r
        .pick(SNIPPETS)
        .split('\n')
        .map((l) => `${' '.repeat(r.int(3) * 2)}${l}`)
        .join('\n');
      lines.splice(i, 0, s);
      return [lines.join('\n'), `insert ${JSON.stringify(s).slice(0, 50)} at ${i + 1}`];
    }
    case 5: {
      lines.splice(i, 0, r.next() < 0.5 ? deepText(r) : aliasBomb(r));
      return [lines.join('\n'), `insert deep nesting or aliases at ${i + 1}`];
    }
    case 6:
      return [text.slice(0, r.int(text.length + 1)), 'truncate'];
    case 7: {
      const at = r.int(text.length + 1);
      return [
        text.slice(0, at) +
          r.pick(['\u0000', '\u0007', '\u2028', '\ud800', '\uffff', '\r', '"', '{', ']', ': ', '&', '*', '!']) +
          text.slice(at),
        `insert a character at ${at}`,
      ];
    }
    case 8: {
      const j = r.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return [lines.join('\n'), `swap lines ${i + 1} and ${j + 1}`];
    }
    default:
      return [`${text}\n${r.pick(SNIPPETS)}\n`, 'append a snippet'];
  }
}

/** One mutation of a lab folder (a file's text or bytes, or the folder itself). */
function mutateFolder(dir: string, r: Rng): string {
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  const f = files.length ? r.pick(files) : 'lab.yaml';
  const path = join(dir, f);
  const roll = r.int(20);
  try {
    if (roll === 0) {
      rmSync(path, { recursive: true, force: true });
      return `delete ${f}`;
    }
    if (roll === 1) {
      rmSync(path, { force: true });
      mkdirSync(path);
      return `${f} becomes a directory`;
    }
    if (roll === 2) {
      rmSync(path, { force: true });
      symlinkSync(r.pick(['/dev/zero', '/etc/hostname', '../../x', 'pod.yaml', 'lab.yaml', f]), path);
      return `${f} becomes a symlink`;
    }
    if (roll === 3) {
      rmSync(path, { force: true });
      execFileSync('mkfifo', [path]);
      return `${f} becomes a FIFO`;
    }
    if (roll === 4 && lstatSync(path).isFile()) {
      const bytes = readFileSync(path);
      const at = r.int(bytes.length + 1);
      writeFileSync(
        path,
        Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from([r.pick([0x80, 0xc3, 0xe9, 0xff, 0xed, 0xf4])]),
          bytes.subarray(at),
        ]),
      );
      return `invalid UTF-8 byte in ${f} at ${at}`;
    }
    if (roll === 5) {
      writeFileSync(join(dir, `extra-${r.int(1000)}.yaml`), r.pick(SNIPPETS));
      return 'add an extra manifest';
    }
    if (!lstatSync(path).isFile()) return `${f}: not a regular file any more, left alone`; // reading a FIFO here would block the harness
    const [text, what] = mutateText(readFileSync(path, 'utf8'), r);
    writeFileSync(path, text);
    return `${f}: ${what}`;
  } catch (e) {
    return `${f}: mutation not applied (${(e as Error).message})`;
  }
}

interface CaseResult {
  each: Record<string, Outcome>;
  all: Outcome;
}

/** A worker that answers one case at a time; a case that outlives CASE_TIMEOUT_MS terminates it. */
class Runner {
  private worker = this.start();
  private start() {
    return new Worker(new URL('./load-fuzz.worker.ts', import.meta.url));
  }
  async run(id: number, labsDir: string): Promise<CaseResult | 'timeout' | { crashed: string }> {
    const w = this.worker;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        cleanup();
        void w.terminate();
        this.worker = this.start();
        resolve('timeout');
      }, CASE_TIMEOUT_MS);
      const onMessage = (m: CaseResult & { id: number }) => {
        if (m.id === id) {
          cleanup();
          resolve(m);
        }
      };
      const onError = (e: Error) => {
        cleanup();
        this.worker = this.start();
        resolve({ crashed: String(e.stack ?? e) });
      };
      const cleanup = () => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.postMessage({ id, labsDir });
    });
  }
  close() {
    return this.worker.terminate();
  }
}

const key = (p: { file: string; line: number; column: number; message: string }) =>
  `${p.file}:${p.line}:${p.column}: ${p.message}`;

/** Every way a case's outcome can break the property; empty when it holds. */
function violations(r: CaseResult): string[] {
  const out: string[] = [];
  for (const [slug, o] of [...Object.entries(r.each), ['(loadLabs)', r.all] as const]) {
    if (o.kind === 'other')
      out.push(`${slug}: threw something other than LabFormatError: ${o.error.split('\n').slice(0, 4).join(' | ')}`);
    if (o.kind !== 'format') continue;
    if (o.problems.length === 0) out.push(`${slug}: LabFormatError without problems`);
    for (const p of o.problems) {
      const ok =
        typeof p.file === 'string' &&
        p.file.length > 0 &&
        Number.isInteger(p.line) &&
        p.line >= 1 &&
        Number.isInteger(p.column) &&
        p.column >= 1 &&
        typeof p.message === 'string' &&
        p.message.length > 0;
      if (!ok) out.push(`${slug}: unpositioned problem ${JSON.stringify(p)}`);
    }
  }
  const union = Object.values(r.each).flatMap((o) => (o.kind === 'format' ? o.problems.map(key) : []));
  const together = r.all.kind === 'format' ? r.all.problems.map(key) : [];
  if (JSON.stringify([...union].sort()) !== JSON.stringify([...together].sort()))
    out.push(`loadLabs reported ${together.length} problems, the labs one by one ${union.length}`);
  return out;
}

const root = mkdtempSync(join(tmpdir(), 'lab-fuzz-'));
const runner = new Runner();
afterAll(async () => {
  await runner.close();
  rmSync(root, { recursive: true, force: true });
});

describe('loader fuzzing over mutations of the real labs', () => {
  it(
    `${CASES} cases (seed ${SEED}): a lab or positioned problems, nothing else, and no hang`,
    { timeout: 30 * 60_000 },
    async () => {
      const slugs = readdirSync(COURSE)
        .filter((d) => !d.includes('.'))
        .sort();
      const failures: string[] = [];
      const tally = { lab: 0, format: 0 };
      for (let i = 0; i < CASES; i++) {
        const r = prng(SEED + i);
        const slug = r.pick(slugs);
        const bystander = r.pick(slugs.filter((s) => s !== slug));
        const dir = join(root, `case-${i}`);
        cpSync(join(COURSE, slug), join(dir, slug), { recursive: true });
        cpSync(join(COURSE, bystander), join(dir, bystander), { recursive: true });
        const done = Array.from({ length: 1 + r.int(4) }, () => mutateFolder(join(dir, slug), r));
        const result = await runner.run(i, dir);
        const what = `case ${i} (FUZZ_SEED=${SEED + i}, ${slug}: ${done.join('; ')})`;
        if (result === 'timeout') failures.push(`${what}: no answer within ${CASE_TIMEOUT_MS / 1000} s`);
        else if ('crashed' in result) failures.push(`${what}: the worker crashed: ${result.crashed.split('\n')[0]}`);
        else {
          failures.push(...violations(result).map((v) => `${what}: ${v}`));
          tally[result.each[slug]?.kind === 'lab' ? 'lab' : 'format']++;
          expect(result.each[bystander], `${what}: the untouched lab ${bystander}`).toEqual({ kind: 'lab' });
        }
        rmSync(dir, { recursive: true, force: true });
      }
      expect(failures).toEqual([]);
      // the mutations must really produce both outcomes, or the property says little
      expect(tally.format).toBeGreaterThan(CASES / 4);
      expect(tally.lab).toBeGreaterThan(0);
    },
  );
});
