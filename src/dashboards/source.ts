import {
  parse,
  type AnyNode,
  type DocumentNode,
  type ElementNode,
  type MemberNode,
} from '@humanwhocodes/momoa';
import type { Fix, JsonPath, Position } from '../core/types.js';

// The position tree (momoa's AST) is about 25 times the size of the JSON text. A check of thousands of
// dashboards needs positions one file at a time (a file's queries and findings are located together),
// so trees are rebuilt on demand and only the most recently used few are kept.
const TREES_KEPT = 8;
const trees = new Map<SourceDoc, DocumentNode>();

/**
 * A parsed document that remembers where each value came from: a JSON file, one document of a YAML
 * file, or a dashboard normalised from another shape whose paths are translated back to the file.
 * Every position is 1-based and points into `file` as the user wrote it.
 */
export interface SourceDocument {
  readonly file: string;
  /** The whole text of the file. */
  readonly text: string;
  /** The parsed value of this document. */
  readonly value: unknown;
  /** Start of the value at `path` (or of its key, with `{ key: true }`); the deepest existing ancestor when absent. */
  locate(path: JsonPath, opts?: { key?: boolean }): Position;
  /** Position of the character at a 0-based offset inside the decoded string at `path`. */
  locateInString(path: JsonPath, offsetInValue: number): Position;
  /**
   * A fix that writes `value` in place of the scalar at exactly `path`, in the file's own syntax and
   * touching nothing around it; undefined when there is no scalar there or it cannot be written in place.
   */
  replaceValue(path: JsonPath, value: string | number): Fix | undefined;
  /**
   * A fix that inserts `text` into the string at exactly `path`, before its character `offset` (0-based,
   * in the decoded value); undefined when the string is not there or `text` cannot be written in place.
   */
  insertInString(path: JsonPath, offset: number, text: string): Fix | undefined;
}

/** A JSON document that remembers where each value came from. */
export class SourceDoc implements SourceDocument {
  private lineIndex: LineIndex | undefined;

  private constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
  ) {}

  /** Parses `text`; throws JsonSyntaxError with the 1-based position of the break. */
  static parse(file: string, text: string): SourceDoc {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // JSON.parse says where in words that vary by engine; momoa gives the line and column.
      try {
        parse(text, { mode: 'json' });
      } catch (err) {
        const e = err as { message?: string; line?: number; column?: number };
        const message = String(e.message ?? err).replace(/\s*\(\d+:\d+\)\s*$/, '');
        throw new JsonSyntaxError(message, { line: e.line ?? 1, column: e.column ?? 1 });
      }
      throw new JsonSyntaxError('invalid JSON', { line: 1, column: 1 });
    }
    return new SourceDoc(file, text, value);
  }

  private get ast(): DocumentNode {
    let tree = trees.get(this);
    if (tree) {
      trees.delete(this);
    } else {
      tree = parse(this.text, { mode: 'json' });
      if (trees.size >= TREES_KEPT) trees.delete(trees.keys().next().value!);
    }
    trees.set(this, tree);
    return tree;
  }

  /** The node at `path`, or the deepest existing ancestor. */
  private nodeAt(path: JsonPath): { node: AnyNode; key?: AnyNode } {
    let node: AnyNode = this.ast.body;
    let key: AnyNode | undefined;
    for (const seg of path) {
      if (node.type === 'Object') {
        const member: MemberNode | undefined = node.members.find(
          (m) => m.name.type === 'String' && m.name.value === seg,
        );
        if (!member) break;
        key = member.name;
        node = member.value;
      } else if (node.type === 'Array' && typeof seg === 'number') {
        const el: ElementNode | undefined = node.elements[seg];
        if (!el) break;
        key = undefined;
        node = el.value;
      } else {
        break;
      }
    }
    return key ? { node, key } : { node };
  }

  /** The node at exactly `path`, or undefined when the path does not exist. */
  private exactNode(path: JsonPath): AnyNode | undefined {
    let node: AnyNode = this.ast.body;
    for (const seg of path) {
      if (node.type === 'Object') {
        const member: MemberNode | undefined = node.members.find((m) => m.name.type === 'String' && m.name.value === seg);
        if (!member) return undefined;
        node = member.value;
      } else if (node.type === 'Array' && typeof seg === 'number') {
        const el: ElementNode | undefined = node.elements[seg];
        if (!el) return undefined;
        node = el.value;
      } else return undefined;
    }
    return node;
  }

  replaceValue(path: JsonPath, value: string | number): Fix | undefined {
    const node = this.exactNode(path);
    if (!node || (node.type !== 'String' && node.type !== 'Number')) return undefined;
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    return { range: [node.loc.start.offset, node.loc.end.offset], text: JSON.stringify(value) };
  }

  insertInString(path: JsonPath, offset: number, text: string): Fix | undefined {
    const node = this.exactNode(path);
    if (!node || node.type !== 'String' || offset < 0 || offset > node.value.length) return undefined;
    const at = node.loc.start.offset + 1 + rawIndexInJsonString(this.raw(node), offset);
    return { range: [at, at], text: JSON.stringify(text).slice(1, -1) };
  }

  private raw(node: AnyNode): string {
    return this.text.slice(node.loc.start.offset + 1, node.loc.end.offset - 1);
  }

  /** Start of the value at `path` (or of its key, with `{ key: true }`). */
  locate(path: JsonPath, opts: { key?: boolean } = {}): Position {
    const { node, key } = this.nodeAt(path);
    const at = opts.key && key ? key : node;
    return { line: at.loc.start.line, column: at.loc.start.column };
  }

  /** Start position of the value at `path`, and its 0-based character offset in the file. */
  span(path: JsonPath): { start: Position & { offset: number }; end: Position & { offset: number } } {
    const { node } = this.nodeAt(path);
    return { start: { ...node.loc.start }, end: { ...node.loc.end } };
  }

  /**
   * Maps a 0-based offset inside the decoded string at `path` to a file position,
   * accounting for JSON escapes (\n, \", \uXXXX) in the raw text.
   */
  locateInString(path: JsonPath, offsetInValue: number): Position {
    const { node } = this.nodeAt(path);
    if (node.type !== 'String') return { line: node.loc.start.line, column: node.loc.start.column };
    return this.positionOfOffset(
      node.loc.start.offset + 1 + rawIndexInJsonString(this.raw(node), offsetInValue),
    );
  }

  positionOfOffset(offset: number): Position {
    this.lineIndex ??= new LineIndex(this.text);
    return this.lineIndex.position(offset);
  }
}

/**
 * Index in the raw text of a JSON string (between its quotes) of the character at `decoded` in its
 * value: escapes (\\n, \\", \\uXXXX) are longer in the text than in the value.
 */
function rawIndexInJsonString(raw: string, decoded: number): number {
  let j = 0;
  let i = 0;
  while (i < raw.length && j < decoded) {
    if (raw[i] === '\\') i += raw[i + 1] === 'u' ? 6 : 2;
    else i += 1;
    j += 1;
  }
  return i;
}

/** Offsets to 1-based line and column, by binary search over the line starts (built once per text). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
  }
}
