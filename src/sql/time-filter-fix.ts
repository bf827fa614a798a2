// The mechanical fix of a panel query that reads a time-partitioned table without the dashboard's time
// range: `WHERE $__timeFilter(col)` (or `$__timeFilter(col) AND` in front of the WHERE it has), with
// col the column the table is partitioned by. Offered only where that insertion cannot change what the
// query means otherwise: one SELECT from that one table, no subquery, join or set operation, no time
// macro already, and a WHERE without a top-level OR that the new AND would bind differently.

import { isWordChar, regionAt } from './lexer.js';

/** A partition key that is a calendar function of one column, e.g. `toDate(ts)`, `toYYYYMM(ts)`. */
const TIME_PARTITION =
  /^(?:toDate|toDate32|toYYYYMM|toYYYYMMDD|toYYYYMMDDhhmmss|toYear|toMonday|toStartOf[A-Za-z]+|toRelative[A-Za-z]+Num)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/;

/** The column a partition key is a calendar function of, or undefined. */
export function timePartitionColumn(partitionKeys: readonly string[]): string | undefined {
  if (partitionKeys.length !== 1) return undefined;
  return TIME_PARTITION.exec(partitionKeys[0]!.trim())?.[1];
}

/** Macros and variables that already bring the time range in (grafana-clickhouse-datasource, Grafana). */
const TIME_MACRO =
  /\$\{?__(?:timeFilter|timeFilter_ms|dateFilter|dateTimeFilter|dt|fromTime|toTime|fromTime_ms|toTime_ms|from|to)\b/;

interface Token {
  kind: 'word' | 'var' | 'punct';
  /** Upper-cased for words; the text otherwise. */
  text: string;
  start: number;
  end: number;
  depth: number;
}

function tokenize(sql: string): Token[] | undefined {
  const out: Token[] = [];
  let depth = 0;
  for (let i = 0; i < sql.length;) {
    const c = sql.charCodeAt(i);
    const region = regionAt(sql, i);
    if (region) {
      if (region.kind === 'identifier' || region.kind === 'backtick') {
        // A quoted name: a word, compared unquoted.
        out.push({ kind: 'word', text: sql.slice(i + 1, region.end - 1), start: i, end: region.end, depth });
      } else if (region.kind === 'string' || region.kind === 'dollar') {
        out.push({ kind: 'punct', text: "'", start: i, end: region.end, depth });
      }
      i = region.end;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    if (c === 36 /* $ */) {
      let j = i + 1;
      if (sql[j] === '{') {
        const close = sql.indexOf('}', j);
        if (close === -1) return undefined;
        j = close + 1;
      } else while (j < sql.length && isWordChar(sql.charCodeAt(j))) j++;
      out.push({ kind: 'var', text: sql.slice(i, j), start: i, end: j, depth });
      i = j;
      continue;
    }
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < sql.length && isWordChar(sql.charCodeAt(j))) j++;
      out.push({ kind: 'word', text: sql.slice(i, j).toUpperCase(), start: i, end: j, depth });
      i = j;
      continue;
    }
    if (c === 40 || c === 91 /* ( [ */) depth++;
    // Two-character operators matter here (`->` is a lambda, `?` a ternary): kept whole.
    const two = sql.slice(i, i + 2);
    const op = ['->', '<=', '>=', '!=', '<>', '=='].includes(two) ? two : sql[i]!;
    out.push({ kind: 'punct', text: op, start: i, end: i + op.length, depth });
    if (c === 41 || c === 93 /* ) ] */) depth--;
    if (depth < 0) return undefined;
    i += op.length;
  }
  return depth === 0 ? out : undefined;
}

const CLAUSES = new Set(['GROUP', 'ORDER', 'LIMIT', 'HAVING', 'SETTINGS', 'FORMAT', 'QUALIFY', 'WINDOW']);
const REFUSED = new Set([
  'JOIN',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'PREWHERE',
  'SAMPLE',
  'ARRAY',
  'USING',
  'GLOBAL',
]);
const COMPARISON = new Set(['=', '==', '!=', '<>', '<', '>', '<=', '>=', 'IN', 'LIKE', 'ILIKE']);

export interface TimeFilterInsertion {
  /** Offset in the SQL text where the text goes. */
  at: number;
  text: string;
  /** The same insertion with spaces only (for a file whose string cannot take a line break as is). */
  flat: string;
}

/**
 * Where and what to insert into `sql` so it filters `table` on `column` with $__timeFilter, or
 * undefined when the insertion would not be unambiguous.
 */
export function timeFilterInsertion(
  sql: string,
  table: { database: string; table: string },
  column: string,
): TimeFilterInsertion | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(column) || TIME_MACRO.test(sql)) return undefined;
  const tokens = tokenize(sql);
  if (!tokens || tokens.length === 0) return undefined;
  if (tokens[0]!.kind !== 'word' || tokens[0]!.text !== 'SELECT') return undefined;
  let from = -1;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== 'word') continue;
    if (REFUSED.has(t.text)) return undefined;
    if (k > 0 && t.text === 'SELECT') return undefined; // a subquery, or a second statement
    if (t.text === 'WHERE' && t.depth > 0) return undefined;
    if (t.text === 'FROM' && t.depth === 0) {
      if (from !== -1) return undefined;
      from = k;
    }
  }
  if (from === -1) return undefined;
  if (tokens.some((t) => t.text === ';')) return undefined;

  // FROM [db.]table [FINAL] [[AS] alias] [FINAL]
  let k = from + 1;
  const name: Token[] = [];
  const word = (i: number) => tokens[i]?.kind === 'word';
  if (!word(k)) return undefined;
  name.push(tokens[k]!);
  k++;
  if (tokens[k]?.text === '.' && word(k + 1)) {
    name.push(tokens[k + 1]!);
    k += 2;
  }
  const raw = (t: Token) => sql.slice(t.start, t.end).replace(/^[`"]|[`"]$/g, '');
  const tableName = raw(name[name.length - 1]!);
  const dbName = name.length === 2 ? raw(name[0]!) : undefined;
  if (tableName !== table.table || (dbName !== undefined && dbName !== table.database)) return undefined;
  let last = tokens[k - 1]!;
  if (tokens[k]?.text === 'FINAL') last = tokens[k++]!;
  if (tokens[k]?.text === 'AS') k++;
  if (word(k) && !CLAUSES.has(tokens[k]!.text) && tokens[k]!.text !== 'WHERE' && tokens[k]!.text !== 'FINAL')
    last = tokens[k++]!;
  if (tokens[k]?.text === 'FINAL') last = tokens[k++]!;

  const next = tokens[k];
  const filter = `$__timeFilter(${column})`;
  if (next === undefined) {
    const text = ` WHERE ${filter}`;
    return { at: last.end, text, flat: text };
  }
  if (next.kind !== 'word' || next.depth !== 0) return undefined;
  if (next.text === 'WHERE') {
    // The new AND binds tighter than a top-level OR, and a ternary or lambda would swallow it.
    for (let i = k + 1; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.depth > 0) continue;
      if (t.kind === 'word' && CLAUSES.has(t.text)) break;
      if (t.text === 'OR' || t.text === 'XOR' || t.text === '?' || t.text === '->') return undefined;
      // A variable standing alone could expand to anything (`a OR b`); as a compared value it is one.
      if (t.kind === 'var' && !COMPARISON.has(tokens[i - 1]?.text ?? '')) return undefined;
    }
    const text = ` ${filter} AND`;
    return { at: next.end, text, flat: text };
  }
  if (!CLAUSES.has(next.text)) return undefined;
  const gap = sql.slice(last.end, next.start);
  const separator = /^[ \t\r\n]+$/.test(gap) ? gap : ' ';
  return { at: next.start, text: `WHERE ${filter}${separator}`, flat: `WHERE ${filter} ` };
}
