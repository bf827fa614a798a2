// Tokens of ClickHouse's own single-line formatting of a statement (formatQuerySingleLine): keywords
// upper-cased, no comments, strings and identifiers quoted the way ClickHouse's lexer reads them. Only
// formatter output is tokenized here; the caller's own text is always read by ClickHouse's parser.
import { regionAt } from '../sql/lexer.js';

export interface Token {
  type: 'word' | 'quoted' | 'string' | 'number' | 'punct';
  /** Words upper-cased; quoted identifiers and strings without their quotes (escapes kept). */
  value: string;
  /** As written. */
  raw: string;
  /** Parenthesis depth at the token (an opening parenthesis has the outer depth). */
  depth: number;
  /** Offsets in the text: [start, end). */
  start: number;
  end: number;
}

/** Tokens of formatter output (no comments in it). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const region = regionAt(text, i);
    if (region) {
      const inner = text.slice(i + 1, region.end - 1);
      out.push({
        type: region.kind === 'string' ? 'string' : 'quoted',
        value: inner,
        raw: inner,
        depth,
        start: i,
        end: region.end,
      });
      i = region.end;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 256));
    if (word) {
      out.push({
        type: 'word',
        value: word[0].toUpperCase(),
        raw: word[0],
        depth,
        start: i,
        end: i + word[0].length,
      });
      i += word[0].length;
      continue;
    }
    const num = /^[0-9][0-9a-zA-Z_.]*/.exec(text.slice(i, i + 256));
    if (num) {
      out.push({ type: 'number', value: num[0], raw: num[0], depth, start: i, end: i + num[0].length });
      i += num[0].length;
      continue;
    }
    if (c === ')') depth = Math.max(0, depth - 1);
    out.push({ type: 'punct', value: c, raw: c, depth, start: i, end: i + 1 });
    if (c === '(') depth++;
    i++;
  }
  return out;
}

/** A name as a back-quoted ClickHouse identifier (backslash and back quote escaped). */
export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}
