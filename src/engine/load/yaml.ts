// YAML with limits: every document of a file parsed by the yaml package, then walked (without recursion)
// for its nesting depth and alias count before it is turned into plain data, so an alias bomb or ten
// thousand nested brackets become a file:line:column problem instead of a stack overflow or a hang.
import { parseAllDocuments, isAlias, isCollection, isPair, isDocument, type Document, type Node } from 'yaml';
import type { FormatProblem } from '../errors.ts';
import { LIMITS, kib } from './limits.ts';
import type { Positions } from './positions.ts';

export interface ParsedDoc {
  doc: Document;
  /** The document as plain data (undefined for an empty document). */
  value: unknown;
  /** 0-based index in the file. */
  index: number;
}

/**
 * Offset of the first flow bracket nested deeper than `limit`, found on the raw text before parsing
 * (the parser itself recurses on flow collections). Quotes and comments are skipped on each line; the
 * count may only err high inside block scalars, where the parsed walk below still has the last word.
 */
export function deepFlowOffset(text: string, limit: number): number {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') quote = '';
    else if (quote) {
      if (ch === quote && !(quote === '"' && text[i - 1] === '\\')) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl - 1;
    } else if (ch === '[' || ch === '{') {
      if (++depth > limit) return i;
    } else if ((ch === ']' || ch === '}') && depth > 0) depth--;
  }
  return -1;
}

/** Walks a document's nodes with an explicit stack: the first too-deep node, and every alias. */
function measure(doc: Document): { deep?: Node; complexKey?: Node; aliases: Node[] } {
  const aliases: Node[] = [];
  let complexKey: Node | undefined;
  const stack: [unknown, number][] = [[doc.contents, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (isAlias(node)) aliases.push(node);
    if (!isCollection(node)) continue;
    if (depth > LIMITS.depth) return { deep: node, aliases: [] };
    for (const item of node.items) {
      if (isPair(item)) {
        if (isCollection(item.key) && !complexKey) complexKey = item.key;
        stack.push([item.key, depth + 1], [item.value, depth + 1]);
      } else stack.push([item, depth + 1]);
    }
  }
  return { complexKey, aliases: aliases.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0)) };
}

function syntaxProblems(doc: Document, pos: Positions): FormatProblem[] {
  return doc.errors.map((e) => {
    const overflow = /call stack/i.test(e.message);
    const msg = overflow
      ? `nested too deeply: at most ${LIMITS.depth} levels of mappings and lists`
      : `YAML syntax: ${e.message.split('\n')[0]}`;
    return pos.problem(e.pos?.[0], '', msg);
  });
}

/** One document to plain data, with its limits checked; problems are pushed, undefined on failure. */
function toData(
  doc: Document,
  pos: Positions,
  problems: FormatProblem[],
  aliasesSoFar: number,
): { value?: unknown; aliases: number } {
  const { deep, complexKey, aliases } = measure(doc);
  const at = (n: Node | undefined) => n?.range?.[0];
  if (deep) {
    problems.push(pos.problem(at(deep), '', `nested too deeply: at most ${LIMITS.depth} levels of mappings and lists`));
    return { aliases: aliases.length };
  }
  if (complexKey) {
    problems.push(pos.problem(at(complexKey), '', 'a mapping key must be a plain name, not a list or a mapping'));
    return { aliases: aliases.length };
  }
  if (aliasesSoFar + aliases.length > LIMITS.aliases) {
    const nth = aliases[Math.max(0, LIMITS.aliases - aliasesSoFar)];
    problems.push(pos.problem(at(nth), '', `too many aliases (*name): at most ${LIMITS.aliases} in a file`));
    return { aliases: aliases.length };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: LIMITS.aliasExpansion }), aliases: aliases.length };
  } catch (e) {
    const why = /alias/i.test((e as Error).message)
      ? `aliases expand to too much data (more than ${LIMITS.aliasExpansion} nodes): write the values out or use fewer aliases`
      : `cannot be read: ${(e as Error).message}`;
    problems.push(pos.problem(at(aliases[0]), '', why));
    return { aliases: aliases.length };
  }
}

/** Every document of a file, each with its plain value; problems for syntax errors and limits. */
export function parseYamlFile(text: string, pos: Positions): { docs: ParsedDoc[]; problems: FormatProblem[] } {
  const problems: FormatProblem[] = [];
  if (text.length > LIMITS.fileBytes)
    return {
      docs: [],
      problems: [
        pos.problem(0, '', `the file is ${kib(text.length)}; a lab file may be at most ${kib(LIMITS.fileBytes)}`),
      ],
    };
  const deepAt = deepFlowOffset(text, LIMITS.depth);
  if (deepAt >= 0) {
    pos.lc.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) pos.lc.addNewLine(i + 1);
    return {
      docs: [],
      problems: [pos.problem(deepAt, '', `nested too deeply: at most ${LIMITS.depth} levels of [ ] and { }`)],
    };
  }
  let all: Document[];
  try {
    const parsed = parseAllDocuments(text, {
      lineCounter: pos.lc,
      prettyErrors: false,
      uniqueKeys: true,
      logLevel: 'error',
    });
    all = (Array.isArray(parsed) ? [...parsed] : []).filter((d) => isDocument(d)) as Document[];
  } catch (e) {
    return { docs: [], problems: [pos.problem(0, '', `cannot be parsed as YAML: ${(e as Error).message}`)] };
  }
  if (all.length > LIMITS.documentsPerFile) {
    problems.push(
      pos.problem(
        all[LIMITS.documentsPerFile].range?.[0],
        '',
        `${all.length} YAML documents; a file may hold at most ${LIMITS.documentsPerFile}`,
      ),
    );
    return { docs: [], problems };
  }
  const docs: ParsedDoc[] = [];
  let aliases = 0;
  all.forEach((doc, index) => {
    const syntax = syntaxProblems(doc, pos);
    problems.push(...syntax);
    if (syntax.length) return;
    const r = toData(doc, pos, problems, aliases);
    aliases += r.aliases;
    if (r.value !== undefined || doc.contents === null) docs.push({ doc, value: r.value ?? null, index });
  });
  return { docs, problems };
}
