import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parse,
  parseAllDocuments,
  type Document,
  type Node,
  type Scalar,
} from 'yaml';
import type { Finding, Fix, JsonPath, Position } from '../core/types.js';
import { MAX_DEPTH, MAX_YAML_ALIASES, tooDeep, valueDepthExceeds } from './limits.js';
import { LineIndex, type SourceDocument } from './source.js';

// Dashboards as YAML (gcx / grafanactl write `*.yaml` resources). A finding must land on the line the
// user wrote: inside a block scalar (`rawSql: |-`), a folded or quoted string, the line of the SQL
// itself, not the line of its key.

// The yaml library's document tree is some 60 times the size of the text: like SourceDoc's JSON trees,
// trees are rebuilt when a position is asked for (a file's findings are located together) and only the
// most recently used few are kept, so a check of a thousand YAML dashboards holds values, not trees.
const TREES_KEPT = 8;
const trees = new Map<YamlDoc, Document.Parsed>();

function parseStream(text: string) {
  return parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
}

/** One document of a YAML file (files may hold several, separated by `---`). */
export class YamlDoc implements SourceDocument {
  constructor(
    readonly file: string,
    readonly text: string,
    private readonly lines: LineIndex,
    readonly value: unknown,
    /** 0-based index of the document in its file. */
    readonly index: number,
  ) {}

  private get doc(): Document.Parsed {
    let tree = trees.get(this);
    if (tree) {
      trees.delete(this);
    } else {
      const stream = parseStream(this.text);
      tree = (Array.isArray(stream) ? stream[this.index] : undefined) as Document.Parsed;
      if (trees.size >= TREES_KEPT) trees.delete(trees.keys().next().value!);
    }
    trees.set(this, tree);
    return tree;
  }

  private nodeAt(path: JsonPath): { node: Node | null; key?: Node } {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair || !pair.value) break;
        key = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) break;
        key = undefined;
        node = item;
      } else {
        break;
      }
    }
    return key ? { node: node as Node, key } : { node: (node as Node | null) ?? null };
  }

  locate(path: JsonPath, opts: { key?: boolean } = {}): Position {
    const { node, key } = this.nodeAt(path);
    const at = opts.key && key?.range ? key : node;
    if (!at?.range) return this.lines.position(this.doc.range[0]);
    // A block scalar's text starts on the line after its `|` or `>`: that is where the user wrote it.
    if (at === node && isScalar(at) && (at.type === 'BLOCK_LITERAL' || at.type === 'BLOCK_FOLDED')) {
      const { from, indent } = blockContent(this.text, at.range[0], at.range[1]);
      if (from < at.range[1]) return this.lines.position(from + indent);
    }
    return this.lines.position(at.range[0]);
  }

  locateInString(path: JsonPath, offsetInValue: number): Position {
    const { node } = this.nodeAt(path);
    if (!node?.range) return this.locate(path);
    if (!isScalar(node) || typeof node.value !== 'string') return this.lines.position(node.range[0]);
    return this.lines.position(scalarOffset(this.text, node as Scalar.Parsed, offsetInValue));
  }

  /** The scalar at exactly `path` (no alias followed: an edit there would change every use), else undefined. */
  private exactScalar(path: JsonPath): Scalar.Parsed | undefined {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) return undefined;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else return undefined;
    }
    // An anchored scalar is also every alias of it: an edit there is not local.
    return isScalar(node) && node.range && !node.anchor ? (node as Scalar.Parsed) : undefined;
  }

  replaceValue(path: JsonPath, value: string | number): Fix | undefined {
    const node = this.exactScalar(path);
    if (!node || node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return undefined;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return undefined;
      return { range: [node.range[0], node.range[1]], text: String(value) };
    }
    return { range: [node.range[0], node.range[1]], text: yamlString(value, node.type) };
  }

  insertInString(path: JsonPath, offset: number, text: string): Fix | undefined {
    const node = this.exactScalar(path);
    if (!node || typeof node.value !== 'string' || offset < 0 || offset > node.value.length) return undefined;
    // Written as is, the text must mean itself in any scalar style: no quote, escape, comment, flow or
    // mapping indicator, no line break.
    if (/["'\\#:,[\]{}\r\n\t]/.test(text)) return undefined;
    const at = scalarOffset(this.text, node, offset);
    return { range: [at, at], text };
  }
}

/** A string written in the style it had: plain when it reads back as the same string, else quoted. */
function yamlString(value: string, style: Scalar.Type | undefined): string {
  if (style === 'QUOTE_SINGLE' && !/[\r\n]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  if (style === 'PLAIN' && /^[A-Za-z0-9_./-]+$/.test(value) && parse(value) === value) return value;
  return JSON.stringify(value);
}

/** Where the text of a block scalar starts (the line after its `|` or `>` header) and its indentation. */
function blockContent(text: string, start: number, end: number): { from: number; indent: number } {
  const header = text.slice(start, text.indexOf('\n', start) === -1 ? end : text.indexOf('\n', start));
  const nl = text.indexOf('\n', start);
  const from = nl === -1 ? end : nl + 1;
  const explicit = /[1-9]/.exec(header);
  if (explicit) return { from, indent: Number(explicit[0]) };
  // Otherwise the first non-empty line's indentation (leading blank lines belong to the value).
  const m = /^(?:[ \t]*\r?\n)*( *)/.exec(text.slice(from, end));
  return { from, indent: m ? m[1]!.length : 0 };
}

/**
 * File offset of the character at `target` in the decoded value of a scalar. Walks the source and
 * the value side by side: indentation, quotes, escapes and folded line breaks take room in the
 * source but not (or differently) in the value.
 */
export function scalarOffset(text: string, node: Scalar.Parsed, target: number): number {
  const [start, end] = node.range;
  const value = node.value as string;
  if (node.type === 'BLOCK_LITERAL') {
    // Lines map one to one; each starts after the block's indentation.
    const { from, indent } = blockContent(text, start, end);
    let line = 0;
    let lastBreak = -1;
    for (let i = 0; i < Math.min(target, value.length); i++) {
      if (value.charCodeAt(i) === 0x0a) {
        line++;
        lastBreak = i;
      }
    }
    let offset = from;
    for (let k = 0; k < line; k++) {
      const nl = text.indexOf('\n', offset);
      if (nl === -1 || nl >= end) return Math.min(offset, end);
      offset = nl + 1;
    }
    const lineEnd = text.indexOf('\n', offset);
    const col = target - (lastBreak + 1);
    const lineLength = (lineEnd === -1 ? text.length : lineEnd) - offset;
    return offset + Math.min(indent + col, Math.max(lineLength, 0));
  }
  let i: number;
  let stop: number;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (quoted) {
    i = start + 1;
    stop = Math.max(i, end - 1);
  } else if (node.type === 'BLOCK_FOLDED') {
    const content = blockContent(text, start, end);
    i = content.from + content.indent;
    stop = end;
  } else {
    i = start;
    stop = end;
  }
  let j = 0;
  while (j < target && i < stop) {
    const c = text[i];
    if (node.type === 'QUOTE_DOUBLE' && c === '\\') {
      const n = text[i + 1];
      if (n === '\n' || (n === '\r' && text[i + 2] === '\n')) {
        // An escaped line break joins the lines: nothing in the value, and the next indentation goes too.
        i += n === '\n' ? 2 : 3;
        while (i < stop && (text[i] === ' ' || text[i] === '\t')) i++;
        continue;
      }
      const width = n === 'x' ? 4 : n === 'u' ? 6 : n === 'U' ? 10 : 2;
      const units = n === 'U' ? (parseInt(text.slice(i + 2, i + 10), 16) > 0xffff ? 2 : 1) : 1;
      i += width;
      j += units;
      continue;
    }
    if (node.type === 'QUOTE_SINGLE' && c === "'" && text[i + 1] === "'") {
      i += 2;
      j += 1;
      continue;
    }
    // Spaces before a line break are dropped from a flow scalar; in a block scalar they are text.
    const trailing = node.type !== 'BLOCK_FOLDED' && (c === ' ' || c === '\t') && onlySpaceToBreak(text, i, stop);
    if (c === '\r' || c === '\n' || trailing) {
      // A run of line breaks (and the spaces around them): one break folds to a space, n breaks to
      // n - 1 newlines; a more-indented line of a folded block keeps its break.
      let breaks = 0;
      while (i < stop && /[ \t\r\n]/.test(text[i]!)) {
        if (text[i] === '\n') breaks++;
        i++;
      }
      if (node.type === 'BLOCK_FOLDED') {
        const indent = blockContent(text, start, end).indent;
        i = Math.min(i, stop);
        // Back up to the block's indentation: further spaces are content of a more-indented line.
        const lineStart = text.lastIndexOf('\n', i - 1) + 1;
        if (i - lineStart > indent) i = lineStart + indent;
      }
      if (breaks === 0) j += 1;
      else j += breaks === 1 ? 1 : breaks - 1;
      continue;
    }
    i += 1;
    j += c !== undefined && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) < 0xdc00 ? 0 : 1;
  }
  return Math.min(i, Math.max(start, end - (quoted ? 1 : 0)));
}

function onlySpaceToBreak(text: string, i: number, stop: number): boolean {
  for (let k = i; k < stop; k++) {
    const c = text[k];
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return false;
}

/** True when the node tree nests deeper than `limit` (aliases are not followed: they are counted apart). */
function nodeDepthExceeds(root: unknown, limit: number): Node | undefined {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (isMap(n) || isSeq(n)) {
      if (d + 1 > limit) return n;
      for (const item of n.items as unknown[]) {
        if (isMap(n)) {
          const pair = item as { key: unknown; value: unknown };
          stack.push([pair.key, d + 1], [pair.value, d + 1]);
        } else stack.push([item, d + 1]);
      }
    }
  }
  return undefined;
}

export interface ParsedYaml {
  docs: YamlDoc[];
  findings: Finding[];
}

function syntaxFinding(file: string, message: string, pos: Position, rule = 'yaml-syntax'): Finding {
  return { rule, severity: 'error', message, file, line: pos.line, column: pos.column };
}

/**
 * Parses every document of a YAML file. Syntax errors (duplicate keys included), nesting deeper than
 * the limit and alias bombs are findings at their line; empty documents are dropped.
 */
export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineIndex(text);
  const parsed = parseStream(text);
  const docs: YamlDoc[] = [];
  const findings: Finding[] = [];
  if (!Array.isArray(parsed)) return { docs, findings };
  parsed.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const pos = lines.position(e.pos[0]);
      // The parser catches its own stack overflow on deep flow collections: that is nesting, not syntax.
      if (e.code === 'RESOURCE_EXHAUSTION') findings.push(tooDeep(file, pos, MAX_DEPTH));
      else findings.push(syntaxFinding(file, `invalid YAML: ${e.message.split('\n')[0]}`, pos));
      return;
    }
    if (doc.contents === null) return;
    const deep = nodeDepthExceeds(doc.contents, MAX_DEPTH);
    if (deep) {
      findings.push(tooDeep(file, lines.position(deep.range?.[0] ?? doc.range[0]), MAX_DEPTH));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    } catch (err) {
      findings.push(
        syntaxFinding(
          file,
          `YAML aliases expand past the limit (${(err as Error).message}); the document is not checked`,
          lines.position(doc.range[0]),
          'yaml-aliases',
        ),
      );
      return;
    }
    // Aliases can stack shallow nodes into a deep value.
    if (valueDepthExceeds(value, MAX_DEPTH)) {
      findings.push(tooDeep(file, lines.position(doc.range[0]), MAX_DEPTH));
      return;
    }
    docs.push(new YamlDoc(file, text, lines, value, index));
  });
  return { docs, findings };
}
