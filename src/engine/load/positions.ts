// Positions in a lab file: byte offsets of the yaml package's nodes turned into 1-based line:column, and
// the helpers every check of the loader uses to name a place in a document.
import { LineCounter, isMap, isNode, isPair, isScalar, type Document, type Node } from 'yaml';
import type { FormatProblem } from '../errors.ts';

export type YamlPath = (string | number)[];

export class Positions {
  readonly lc = new LineCounter();
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  at(offset: number | undefined): { line: number; column: number } {
    if (offset === undefined || this.lc.lineStarts.length === 0) return { line: 1, column: 1 };
    const p = this.lc.linePos(offset);
    return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
  }
  /** A problem at offset (1:1 when unknown). */
  problem(offset: number | undefined, path: string, message: string): FormatProblem {
    return { file: this.file, ...this.at(offset), path, message };
  }
}

export function pathString(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s;
}

/** The node at `path`, or the closest existing ancestor (a missing key is reported at its parent). */
export function nodeAt(doc: Document, path: readonly PropertyKey[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as YamlPath, true);
    if (isNode(node)) return node;
  }
  return doc.contents ?? undefined;
}

export function keyNode(map: Node | undefined, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) return item.key;
  }
  return undefined;
}

/** A function that reports a problem at a path of one document. */
export type At = (path: YamlPath, message: string) => void;

export function reporter(doc: Document, pos: Positions, problems: FormatProblem[], prefix = ''): At {
  return (path, message) => {
    const p = pathString(path);
    problems.push(
      pos.problem(
        nodeAt(doc, path)?.range?.[0],
        prefix && p ? `${prefix}${p}` : prefix ? prefix.replace(/: $/, '') : p,
        message,
      ),
    );
  };
}
