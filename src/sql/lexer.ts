// Small single-pass helpers over SQL text: where comments and quoted text end, macro arguments,
// and a rewriter that remembers where each piece of its output came from.

const SQUOTE = 39; // '
const DQUOTE = 34; // "
const BACKTICK = 96; // `
const BACKSLASH = 92;
const DASH = 45;
const SLASH = 47;
const STAR = 42;
const DOLLAR = 36;
const HASH = 35;
const LF = 10;
const CR = 13;
const LPAREN = 40;
const RPAREN = 41;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;

export type RegionKind = 'line-comment' | 'block-comment' | 'string' | 'identifier' | 'backtick' | 'dollar';

export function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** End (exclusive) of a quoted run opened at `i`: backslash escapes and doubled quotes, as ClickHouse reads them. */
function quotedEnd(text: string, i: number, quote: number): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}

/** `$tag$` or `$$` at `i`: the tag's length including both dollars, else 0. */
function dollarTagLength(text: string, i: number): number {
  let j = i + 1;
  if (text.charCodeAt(j) === DOLLAR) return 2;
  if (!isIdentStart(text.charCodeAt(j))) return 0;
  j++;
  while (j < text.length && isWordChar(text.charCodeAt(j))) j++;
  return text.charCodeAt(j) === DOLLAR ? j + 1 - i : 0;
}

export interface Region {
  kind: RegionKind;
  /** Exclusive end. */
  end: number;
}

/**
 * If a comment or quoted run starts at `i`, its kind and end; else undefined.
 * `#` starts a comment only as `# ` or `#!` (ClickHouse's lexer); `$tag$…$tag$` is a heredoc literal.
 */
export function regionAt(text: string, i: number): Region | undefined {
  const c = text.charCodeAt(i);
  switch (c) {
    case SQUOTE:
      return { kind: 'string', end: quotedEnd(text, i, SQUOTE) };
    case DQUOTE:
      return { kind: 'identifier', end: quotedEnd(text, i, DQUOTE) };
    case BACKTICK:
      return { kind: 'backtick', end: quotedEnd(text, i, BACKTICK) };
    case DASH:
    case HASH: {
      const next = text.charCodeAt(i + 1);
      if ((c === DASH && next === DASH) || (c === HASH && (next === 32 || next === 33))) {
        let j = i + 2;
        while (j < text.length) {
          const d = text.charCodeAt(j);
          if (d === LF || d === CR) break;
          j++;
        }
        return { kind: 'line-comment', end: j };
      }
      return undefined;
    }
    case SLASH: {
      if (text.charCodeAt(i + 1) !== STAR) return undefined;
      const close = text.indexOf('*/', i + 2);
      return { kind: 'block-comment', end: close === -1 ? text.length : close + 2 };
    }
    case DOLLAR: {
      const len = dollarTagLength(text, i);
      if (len === 0) return undefined;
      const close = text.indexOf(text.slice(i, i + len), i + len);
      return { kind: 'dollar', end: close === -1 ? text.length : close + len };
    }
    default:
      return undefined;
  }
}

/** Sorted comment/quoted regions of `text`, for the rare question "is offset X inside one?". */
export function regionsOf(text: string): { start: number; end: number; kind: RegionKind }[] {
  const out: { start: number; end: number; kind: RegionKind }[] = [];
  for (let i = 0; i < text.length;) {
    const r = regionAt(text, i);
    if (r) {
      out.push({ start: i, end: r.end, kind: r.kind });
      i = r.end;
    } else i++;
  }
  return out;
}

export function regionKindAt(
  regions: readonly { start: number; end: number; kind: RegionKind }[],
  offset: number,
): RegionKind | undefined {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = regions[mid]!;
    if (offset < r.start) hi = mid - 1;
    else if (offset >= r.end) lo = mid + 1;
    else return r.kind;
  }
  return undefined;
}

export interface MacroArg {
  /** Trimmed text. */
  text: string;
  /** Offset of the trimmed text in the source. */
  start: number;
}

export interface MacroArgs {
  args: MacroArg[];
  /** Offset just past the closing parenthesis. */
  end: number;
}

/**
 * Splits the argument list whose `(` is at `open`: commas inside nested parentheses, brackets and
 * quoted text do not separate. Blank `()` has zero arguments. Undefined when the list never closes.
 */
export function parseMacroArgs(text: string, open: number): MacroArgs | undefined {
  const n = text.length;
  let depth = 0;
  let argStart = open + 1;
  const raw: [number, number][] = [];
  for (let i = open + 1; i < n;) {
    const c = text.charCodeAt(i);
    if (c === SQUOTE || c === DQUOTE || c === BACKTICK) {
      i = quotedEnd(text, i, c);
      continue;
    }
    if (c === LPAREN || c === LBRACKET) depth++;
    else if (c === RPAREN || c === RBRACKET) {
      if (depth === 0) {
        if (c !== RPAREN) return undefined;
        raw.push([argStart, i]);
        const args: MacroArg[] = [];
        const blank = raw.length === 1 && text.slice(raw[0]![0], raw[0]![1]).trim() === '';
        if (!blank) for (const [s, e] of raw) args.push(trimmed(text, s, e));
        return { args, end: i + 1 };
      }
      depth--;
    } else if (c === COMMA && depth === 0) {
      raw.push([argStart, i]);
      argStart = i + 1;
    }
    i++;
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0;
}

function trimmed(text: string, s: number, e: number): MacroArg {
  while (s < e && isSpace(text.charCodeAt(s))) s++;
  while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
  return { text: text.slice(s, e), start: s };
}

/** Maps offsets of a rewritten text back to the text it was made from. */
export class OffsetMap {
  constructor(
    private readonly outStart: readonly number[],
    private readonly outEnd: readonly number[],
    private readonly inStart: readonly number[],
    private readonly inEnd: readonly number[],
  ) {}

  static readonly identity = new OffsetMap([], [], [], []);

  map(offset: number): number {
    const starts = this.outStart;
    let lo = 0;
    let hi = starts.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]! <= offset) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k === -1) return offset;
    if (offset < this.outEnd[k]!) return this.inStart[k]!;
    return this.inEnd[k]! + (offset - this.outEnd[k]!);
  }
}

/**
 * Builds a new text from `src` with replacements, remembering where each replacement came from.
 * Replacements go in source order; the source between them is copied as it is.
 */
export class Rewriter {
  private readonly parts: string[] = [];
  private length = 0;
  /** End of the source written so far. */
  private written = 0;
  private readonly outStart: number[] = [];
  private readonly outEnd: number[] = [];
  private readonly inStart: number[] = [];
  private readonly inEnd: number[] = [];

  constructor(readonly src: string) {}

  private copyTo(to: number): void {
    if (to <= this.written) return;
    this.parts.push(this.src.slice(this.written, to));
    this.length += to - this.written;
    this.written = to;
  }

  /** Writes the source not yet written up to `from`, then `text` in place of `src[from, to)`. */
  splice(from: number, to: number, text: string): void {
    this.copyTo(from);
    this.outStart.push(this.length);
    this.parts.push(text);
    this.length += text.length;
    this.outEnd.push(this.length);
    this.inStart.push(from);
    this.inEnd.push(to);
    this.written = to;
  }

  get changed(): boolean {
    return this.outStart.length > 0;
  }

  /** The new text (the rest of the source copied) and its offset map. */
  finish(): { text: string; map: OffsetMap } {
    this.copyTo(this.src.length);
    if (!this.changed) return { text: this.parts.join(''), map: OffsetMap.identity };
    return {
      text: this.parts.join(''),
      map: new OffsetMap(this.outStart, this.outEnd, this.inStart, this.inEnd),
    };
  }
}

/** Applies maps from the last stage to the first: an offset in the final text → the raw text. */
export function composeMaps(maps: readonly OffsetMap[]): (offset: number) => number {
  const live = maps.filter((m) => m !== OffsetMap.identity);
  if (live.length === 0) return (o) => o;
  return (offset) => {
    let o = offset;
    for (let i = live.length - 1; i >= 0; i--) o = live[i]!.map(o);
    return o;
  };
}
