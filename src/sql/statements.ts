// Statement helpers for schema.sql / seed.sql and a cheap first look at a query. ClickHouse's own
// parser (src/clickhouse) is the authority on what a statement is; these only help around it.

import { regionAt } from './lexer.js';

export interface Statement {
  /** The statement without its `;` and surrounding whitespace. */
  sql: string;
  /** 0-based offset of `sql` in the file text. */
  offset: number;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** The first offset from `i` that is no whitespace or comment (nor, with `parens`, an opening parenthesis). */
function skipBlank(sql: string, i: number, parens = false): number {
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (isSpace(c) || (parens && c === 40)) {
      i++;
      continue;
    }
    const r = regionAt(sql, i);
    if (!r || (r.kind !== 'line-comment' && r.kind !== 'block-comment')) break;
    i = r.end;
  }
  return i;
}

/** True when `sql` holds nothing but whitespace and comments. */
export function isBlank(sql: string): boolean {
  return skipBlank(sql, 0) === sql.length;
}

/**
 * Splits a file of statements on `;` outside strings, quoted identifiers, comments and `$tag$`
 * literals. Statements holding only comments are dropped.
 */
export function splitStatements(text: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  const push = (end: number): void => {
    let s = start;
    let e = end;
    while (s < e && isSpace(text.charCodeAt(s))) s++;
    while (e > s && isSpace(text.charCodeAt(e - 1))) e--;
    const sql = text.slice(s, e);
    if (sql !== '' && !isBlank(sql)) out.push({ sql, offset: s });
  };
  for (let i = 0; i < text.length;) {
    const r = regionAt(text, i);
    if (r) {
      i = r.end;
      continue;
    }
    if (text.charCodeAt(i) === 59) {
      push(i);
      start = i + 1;
    }
    i++;
  }
  push(text.length);
  return out;
}

/** Keywords a read-only dashboard query may start with. */
export const READ_KEYWORDS: ReadonlySet<string> = new Set([
  'SELECT',
  'WITH',
  'EXPLAIN',
  'SHOW',
  'DESC',
  'DESCRIBE',
  'EXISTS',
]);

/** The first keyword of `sql`, upper-cased, skipping whitespace, comments and opening parentheses. */
export function firstKeyword(sql: string): string | undefined {
  const i = skipBlank(sql, 0, true);
  let j = i;
  while (j < sql.length) {
    const d = sql.charCodeAt(j);
    if (!((d >= 65 && d <= 90) || (d >= 97 && d <= 122) || d === 95)) break;
    j++;
  }
  return j > i ? sql.slice(i, j).toUpperCase() : undefined;
}

/** Cheap pre-check: more than one non-empty statement (a trailing `;` alone does not count). */
export function hasMultipleStatements(sql: string): boolean {
  return splitStatements(sql).length > 1;
}
