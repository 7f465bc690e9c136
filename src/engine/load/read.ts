// Reading a lab's files without trusting the folder: only regular files inside the lab folder (a symlink
// may point at another file of the same folder), opened without blocking (a FIFO swapped in after the
// check cannot hang the loader), at most LIMITS.fileBytes each, and valid UTF-8.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { join, relative, sep, isAbsolute } from 'node:path';
import type { FormatProblem } from '../errors.ts';
import { LIMITS, kib } from './limits.ts';

export type ReadResult = { text: string; problem?: undefined } | { text?: undefined; problem: FormatProblem };

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function inside(dir: string, path: string): boolean {
  const r = relative(dir, path);
  return r !== '' && !r.startsWith(`..${sep}`) && r !== '..' && !isAbsolute(r);
}

/** The real path of `name` in `dir` if it is a regular file inside the folder, else why not. */
function resolveRegular(dir: string, name: string): { path: string } | { why: string } {
  const full = join(dir, name);
  let st: Stats;
  try {
    st = lstatSync(full);
  } catch (e) {
    return { why: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (st.isFile()) return { path: full };
  if (!st.isSymbolicLink())
    return { why: `is ${kindOf(st)}, not a regular file: a lab file must be a plain file (rename or remove it)` };
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    return { why: 'is a symbolic link to nothing: a lab file must be a plain file' };
  }
  if (!inside(realpathSync(dir), real))
    return {
      why: 'is a symbolic link to a file outside the lab folder: a lab file must be a plain file inside its folder',
    };
  const target = statSync(real);
  if (!target.isFile()) return { why: `is a symbolic link to ${kindOf(target)}: a lab file must be a plain file` };
  return { path: real };
}

/** Up to `max` bytes of an open file; reading stops at max so a file that grows cannot exhaust memory. */
function readAtMost(fd: number, max: number): Buffer {
  const buf = Buffer.alloc(max);
  let n = 0;
  while (n < max) {
    const got = readSync(fd, buf, n, max - n, null);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i; // stray byte, or cut off at the end
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f))) return i; // overlong, surrogate
    if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))) return i; // overlong, > U+10FFFF
    i += n + 1;
  }
  return -1;
}

/** Line and column (1-based, in characters) of a byte offset. */
function lineColumn(b: Buffer, offset: number): { line: number; column: number } {
  const before = b.subarray(0, offset);
  const nl = before.lastIndexOf(0x0a);
  const line = before.reduce((n, x) => n + (x === 0x0a ? 1 : 0), 1);
  return { line, column: before.subarray(nl + 1).toString('utf8').length + 1 };
}

/** The text of a lab file, or one positioned problem saying why it cannot be used. */
export function readLabFile(dir: string, name: string, display: string): ReadResult {
  const fail = (message: string, at = { line: 1, column: 1 }): ReadResult => ({
    problem: { file: display, ...at, path: '', message },
  });
  const r = resolveRegular(dir, name);
  if ('why' in r) return fail(`${name} ${r.why}`);
  let fd: number;
  try {
    fd = openSync(r.path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    return fail(`${name} cannot be opened: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return fail(`${name} is ${kindOf(st)}, not a regular file`);
    if (st.size > LIMITS.fileBytes)
      return fail(`${name} is ${kib(st.size)}; a lab file may be at most ${kib(LIMITS.fileBytes)}`);
    const bytes = readAtMost(fd, LIMITS.fileBytes + 1);
    if (bytes.length > LIMITS.fileBytes)
      return fail(`${name} is larger than ${kib(LIMITS.fileBytes)}, the most a lab file may be`);
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0)
      return fail(
        `invalid UTF-8 (byte 0x${bytes[bad].toString(16).padStart(2, '0')} at offset ${bad}): save the file as UTF-8`,
        lineColumn(bytes, bad),
      );
    const text = bytes.toString('utf8');
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (e) {
    return fail(`${name} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** The manifest file names of a lab folder (*.yaml, *.yml except lab.yaml), sorted, or a problem. */
export function listManifestFiles(dir: string, display: string): { names: string[]; problem?: FormatProblem } {
  const names = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'lab.yaml')
    .sort();
  if (names.length <= LIMITS.filesPerLab) return { names };
  return {
    names: names.slice(0, LIMITS.filesPerLab),
    problem: {
      file: display,
      line: 1,
      column: 1,
      path: '',
      message: `${names.length} YAML files in the lab folder; a lab may have at most ${LIMITS.filesPerLab}`,
    },
  };
}
