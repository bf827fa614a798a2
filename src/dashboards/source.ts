import { parse } from '@humanwhocodes/momoa';
import type { Fix, JsonPath, Position } from '../core/types.js';

// Positions come from the text itself: locating a path scans the JSON text from the top, stepping over
// the siblings before each segment, and allocates nothing. A position tree (momoa's AST, about 25 times
// the size of the text) for every file was most of the garbage of a check of thousands of dashboards,
// and a file's few positions (its queries, its findings) do not need one.

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

  /** The span of the value at `path` (and of its key), or of the deepest existing ancestor. */
  private nodeAt(path: JsonPath): { node: Span; key?: Span } {
    return locateJsonPath(this.text, path);
  }

  /** The span of the value at exactly `path`, or undefined when the path does not exist. */
  private exactNode(path: JsonPath): Span | undefined {
    return locateJsonPath(this.text, path, { exact: true })?.node;
  }

  replaceValue(path: JsonPath, value: string | number): Fix | undefined {
    const node = this.exactNode(path);
    if (!node || !isStringOrNumber(this.text.charCodeAt(node.start))) return undefined;
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    return { range: [node.start, node.end], text: JSON.stringify(value) };
  }

  insertInString(path: JsonPath, offset: number, text: string): Fix | undefined {
    const node = this.exactNode(path);
    if (!node || this.text.charCodeAt(node.start) !== QUOTE) return undefined;
    const raw = this.raw(node);
    if (offset < 0 || offset > (JSON.parse(`"${raw}"`) as string).length) return undefined;
    const at = node.start + 1 + rawIndexInJsonString(raw, offset);
    return { range: [at, at], text: JSON.stringify(text).slice(1, -1) };
  }

  private raw(node: Span): string {
    return this.text.slice(node.start + 1, node.end - 1);
  }

  /** Start of the value at `path` (or of its key, with `{ key: true }`). */
  locate(path: JsonPath, opts: { key?: boolean } = {}): Position {
    const { node, key } = this.nodeAt(path);
    const at = opts.key && key ? key : node;
    return this.positionOfOffset(at.start);
  }

  /** Start position of the value at `path`, and its 0-based character offset in the file. */
  span(path: JsonPath): { start: Position & { offset: number }; end: Position & { offset: number } } {
    const { node } = this.nodeAt(path);
    return {
      start: { ...this.positionOfOffset(node.start), offset: node.start },
      end: { ...this.positionOfOffset(node.end), offset: node.end },
    };
  }

  /**
   * Maps a 0-based offset inside the decoded string at `path` to a file position,
   * accounting for JSON escapes (\n, \", \uXXXX) in the raw text.
   */
  locateInString(path: JsonPath, offsetInValue: number): Position {
    const { node } = this.nodeAt(path);
    if (this.text.charCodeAt(node.start) !== QUOTE) return this.positionOfOffset(node.start);
    return this.positionOfOffset(node.start + 1 + rawIndexInJsonString(this.raw(node), offsetInValue));
  }

  positionOfOffset(offset: number): Position {
    this.lineIndex ??= new LineIndex(this.text);
    return this.lineIndex.position(offset);
  }
}

/** Where a value (or a key) is in the text: 0-based offsets, `end` just after its last character. */
export interface Span {
  start: number;
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A string (its quote) or a number (a minus sign or a digit) starts with this character. */
function isStringOrNumber(c: number): boolean {
  return c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39);
}

/** Offset of the first character at or after `i` that is not JSON whitespace. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Offset just after the string that starts (with its quote) at `i`. */
function skipString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  return i;
}

/** Offset just after the value that starts at `i` (the text is valid JSON: JSON.parse read it first). */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c !== 0x7b && c !== 0x5b) {
    // A number or a literal: up to the next delimiter.
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      i++;
    }
    return i;
  }
  // An object or an array: count brackets, stepping over strings (which may hold brackets).
  let depth = 0;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === QUOTE) i = skipString(text, i) - 1;
    else if (d === 0x7b || d === 0x5b) depth++;
    else if ((d === 0x7d || d === 0x5d) && --depth === 0) return i + 1;
  }
  return i;
}

/** The decoded key of the string at `i`, compared without decoding when it has no escape. */
function keyEquals(text: string, start: number, end: number, want: string): boolean {
  const raw = text.slice(start + 1, end - 1);
  if (!raw.includes('\\')) return raw === want;
  try {
    return JSON.parse(text.slice(start, end)) === want;
  } catch {
    return false;
  }
}

/**
 * The span of the value at `path` in valid JSON text (and of its key, for an object member), or of the
 * deepest existing ancestor when the path goes further than the text. Like the parsed value's lookup it
 * stops at a segment that names nothing; of duplicate keys the first is taken.
 */
export function locateJsonPath(text: string, path: JsonPath): { node: Span; key?: Span };
/** With `exact`: undefined when the path does not exist, instead of the deepest ancestor. */
export function locateJsonPath(
  text: string,
  path: JsonPath,
  opts: { exact: true },
): { node: Span; key?: Span } | undefined;
export function locateJsonPath(
  text: string,
  path: JsonPath,
  opts: { exact?: boolean } = {},
): { node: Span; key?: Span } | undefined {
  let start = skipSpace(text, 0);
  let key: Span | undefined;
  for (const seg of path) {
    const open = text.charCodeAt(start);
    let found: { value: number; key?: Span } | undefined;
    if (open === 0x7b && typeof seg === 'string') {
      let i = skipSpace(text, start + 1);
      while (text.charCodeAt(i) === QUOTE) {
        const keyEnd = skipString(text, i);
        const valueAt = skipSpace(text, skipSpace(text, keyEnd) + 1);
        if (keyEquals(text, i, keyEnd, seg)) {
          found = { value: valueAt, key: { start: i, end: keyEnd } };
          break;
        }
        i = skipSpace(text, skipValue(text, valueAt));
        if (text.charCodeAt(i) !== 0x2c) break;
        i = skipSpace(text, i + 1);
      }
    } else if (open === 0x5b && typeof seg === 'number') {
      let i = skipSpace(text, start + 1);
      for (let n = 0; text.charCodeAt(i) !== 0x5d && i < text.length; n++) {
        if (n === seg) {
          found = { value: i };
          break;
        }
        i = skipSpace(text, skipValue(text, i));
        if (text.charCodeAt(i) !== 0x2c) break;
        i = skipSpace(text, i + 1);
      }
    }
    if (!found) {
      if (opts.exact) return undefined;
      break;
    }
    start = found.value;
    key = found.key;
  }
  const node = { start, end: skipValue(text, start) };
  return key ? { node, key } : { node };
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
