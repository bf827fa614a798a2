// The Altinity plugin's whole-query macros ($rate, $columns, $perSecond, $delta, $increase, their
// *Columns / *ColumnsAggregated / Ms variants, $lttb, $lttbMs): the query starts with the macro and
// the plugin rebuilds it around the macro's arguments and the FROM tail, leaving $timeSeries /
// $timeFilter / $table ... in it for the value macros that follow.
//
// The rewrites are the plugin's, as Altinity/clickhouse-grafana pkg/eval/eval_query.go has them at
// e59acb63c6bed399d024b611c4d27231d20a8c95 (applyMacros, _parseMacro, _fromIndex, _applyTimeFilter,
// _columns, _rate, _perSecond, _delta, _increase, *Columns, _prepareColumnsAggregated, _lttb). The
// plugin's scanner re-prints each argument from its tokens; here arguments keep their text with runs
// of whitespace folded to one space: the same SQL to ClickHouse.

import { parseMacroArgs, regionAt } from './lexer.js';

export interface WholeQueryOptions {
  /** The target's `useWindowFuncForMacros`: lagInFrame(...) OVER () instead of runningDifference. */
  windowFunctions: boolean;
}

export type WholeQueryResult =
  | { kind: 'none' }
  | { kind: 'expanded'; sql: string; macro: string; offset: number }
  /** The plugin itself refuses the query: Grafana shows this error, so it is a real one. */
  | { kind: 'error'; macro: string; offset: number; message: string }
  /** The macro is not where the plugin expands it (not the query's first item): not reproduced. */
  | { kind: 'unsupported'; macro: string; offset: number };

/** In the plugin's dispatch order (applyMacros). */
const MACROS = [
  'columns',
  'columnsMs',
  'lttb',
  'lttbMs',
  'rateColumnsAggregated',
  'rateColumns',
  'rate',
  'perSecond',
  'perSecondColumns',
  'perSecondColumnsAggregated',
  'deltaColumnsAggregated',
  'delta',
  'deltaColumns',
  'increase',
  'increaseColumns',
  'increaseColumnsAggregated',
] as const;
type Macro = (typeof MACROS)[number];

export const ALTINITY_WHOLE_QUERY_MACROS: ReadonlySet<string> = new Set(MACROS);

class MacroError extends Error {}

/** Whitespace runs outside quotes folded to one space, ends trimmed. */
function fold(text: string): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const r = regionAt(text, i);
    if (r && (r.kind === 'string' || r.kind === 'identifier' || r.kind === 'backtick')) {
      out += text.slice(i, r.end);
      i = r.end;
      continue;
    }
    if (/\s/.test(text[i]!)) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      out += ' ';
      continue;
    }
    out += text[i];
    i++;
  }
  return out.trim();
}

/** The last space-separated word: how the plugin finds an argument's alias. */
function aliasOf(arg: string): string {
  const parts = arg.trim().split(' ');
  return parts[parts.length - 1]!;
}

function requireAliases(...args: string[]): void {
  for (const a of args) {
    if (a.endsWith(')')) throw new MacroError(`argument ${a} can't be used without an alias`);
  }
}

/** Where the macro's FROM starts: the plugin's `\$macro\([\w\s\S]+?\)(\s+FROM\s+)` (case-insensitive). */
function fromIndex(query: string, macro: string): number {
  const re = new RegExp(`\\$${macro}\\([\\w\\s\\S]+?\\)(\\s+FROM\\s+)`, 'im');
  const m = re.exec(query);
  if (!m) throw new MacroError(`can't find the FROM statement after $${macro}(...)`);
  const fragment = m[1]!;
  return m.index + m[0].length - fragment.length + fragment.toLowerCase().indexOf('from');
}

/** `$timeFilter` into every WHERE (the plugin's regex, case-insensitive, anywhere), or a WHERE of its own. */
function applyTimeFilter(query: string, ms: boolean): string {
  const filter = ms ? '$timeFilterMs' : '$timeFilter';
  if (query.toLowerCase().includes('where')) return query.replace(/where/gi, `WHERE ${filter} AND`);
  return `${query} WHERE ${filter}`;
}

/** The plugin's findKeywordOutsideBrackets: the first `keyword` at bracket depth 0. */
function keywordOutsideBrackets(query: string, keyword: string): number {
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth > 0) depth--;
    } else if (depth === 0 && query.startsWith(keyword, i)) return i;
  }
  return -1;
}

function columnsCore(key: string, value: string, before: string, from: string, ms: boolean): string {
  requireAliases(key, value);
  const keyAlias = aliasOf(key);
  const valueAlias = aliasOf(value);
  let groupBy = ` GROUP BY t, ${keyAlias}`;
  let orderBy = ` ORDER BY t, ${keyAlias}`;
  let having = '';
  if (!/^\s*FROM\s*\(/im.test(from)) {
    const lower = from.toLowerCase();
    const g = keywordOutsideBrackets(lower, 'group by');
    const h = keywordOutsideBrackets(lower, 'having');
    const o = keywordOutsideBrackets(lower, 'order by');
    if (h >= 0 && o >= 0 && h >= o) throw new MacroError('ORDER BY clause shall be before HAVING');
    if (g >= 0 && o >= 0 && g >= o) throw new MacroError('GROUP BY clause shall be before ORDER BY');
    if (g >= 0 && h >= 0 && g >= h) throw new MacroError('GROUP BY clause shall be before HAVING');
    if (o !== -1) {
      orderBy = ` ${from.slice(o)}`;
      from = from.slice(0, o - 1);
    }
    if (h !== -1) {
      having = ` ${from.slice(h)}`;
      from = from.slice(0, h - 1);
    }
    if (g !== -1) {
      groupBy = ` ${from.slice(g)}`;
      from = from.slice(0, g - 1);
    }
  }
  from = applyTimeFilter(from, ms);
  const ts = ms ? '$timeSeriesMs' : '$timeSeries';
  return (
    `${before}SELECT t, groupArray((${keyAlias}, ${valueAlias})) AS groupArr FROM ( SELECT ${ts} AS t, ${key}, ${value} ` +
    `${from}${groupBy}${having}${orderBy}) GROUP BY t ORDER BY t`
  );
}

function splitHaving(from: string): { from: string; having: string } {
  const h = from.toLowerCase().indexOf('having');
  return h === -1 ? { from, having: '' } : { from: from.slice(0, h - 1), having: ` ${from.slice(h)}` };
}

/** $perSecondColumns / $deltaColumns / $increaseColumns: one shape, a different per-row expression. */
function keyedColumns(
  name: 'perSecondColumns' | 'deltaColumns' | 'increaseColumns',
  args: string[],
  before: string,
  fromQuery: string,
  window: boolean,
): string {
  if (args.length !== 2) throw new MacroError(`amount of arguments must equal 2 for $${name}`);
  let key = args[0]!;
  const value = `max(${args[1]!.trim()}) AS max_0`;
  const asAt = key.toLowerCase().indexOf(' as ');
  let alias: string = name;
  if (asAt === -1) key = `${key} AS ${alias}`;
  else alias = key.slice(asAt + 4);
  const { from: f, having } = splitHaving(fromQuery);
  const from = applyTimeFilter(f, false);
  const lag = (x: string, d: string): string => `lagInFrame(${x},1,${d}) OVER ()`;
  const changed = window ? `${lag(alias, alias)} != ${alias}` : `neighbor(${alias},-1,${alias}) != ${alias}`;
  const diff = window ? `(max_0 - ${lag('max_0', '0')})` : 'runningDifference(max_0)';
  const suffix = { perSecondColumns: 'PerSecond', deltaColumns: 'Delta', increaseColumns: 'Increase' }[name];
  let expr: string;
  if (name === 'perSecondColumns') {
    const dt = window ? `(t/1000 - ${lag('t/1000', '0')})` : 'runningDifference(t/1000)';
    expr = `if(${diff} < 0 OR ${changed}, nan, ${diff} / ${dt})`;
  } else if (name === 'deltaColumns') {
    expr = window
      ? `if(${changed}, 0, max_0 - ${lag('max_0', '0')})`
      : `if(${changed}, 0, runningDifference(max_0))`;
  } else {
    expr = window
      ? `if(${diff} < 0 OR ${changed}, 0, max_0 - ${lag('max_0', '0')})`
      : `if(${diff} < 0 OR ${changed}, 0, runningDifference(max_0))`;
  }
  return (
    `${before}SELECT t, groupArray((${alias}, max_0_${suffix})) AS groupArr FROM ( SELECT t, ${alias}, ${expr} AS max_0_${suffix}` +
    ` FROM ( SELECT $timeSeries AS t, ${key}, ${value} ${from} GROUP BY t, ${alias}${having} ORDER BY ${alias}, t)) GROUP BY t ORDER BY t`
  );
}

/** $rate / $perSecond / $delta / $increase: one row per interval, one column per argument. */
function perInterval(
  name: 'rate' | 'perSecond' | 'delta' | 'increase',
  args: string[],
  before: string,
  fromQuery: string,
  window: boolean,
): string {
  if (args.length < 1) throw new MacroError(`amount of arguments must be > 0 for $${name}`);
  const from = applyTimeFilter(fromQuery, false);
  if (name === 'rate') {
    requireAliases(...args);
    const cols = args
      .map(aliasOf)
      .map((a) =>
        window
          ? `${a}/((t - lagInFrame(t,1,0) OVER ())/1000) ${a}Rate`
          : `${a}/runningDifference(t/1000) ${a}Rate`,
      );
    return `${before}SELECT t, ${cols.join(', ')} FROM ( SELECT $timeSeries AS t, ${args.join(', ')} ${from}\n GROUP BY t\n ORDER BY t)`;
  }
  const maxes = args.map((a, i) => `max(${a.trim()}) AS max_${i}`);
  const cols = args.map((_a, i) => {
    const m = `max_${i}`;
    const lag = `lagInFrame(${m},1,0) OVER ()`;
    if (name === 'perSecond') {
      return window
        ? `if(${m} - ${lag} < 0, nan, (${m} - ${lag}) / ((t - lagInFrame(t,1,0) OVER ())/1000) ) AS ${m}_PerSecond`
        : `if(runningDifference(${m}) < 0, nan, runningDifference(${m}) / runningDifference(t/1000)) AS ${m}_PerSecond`;
    }
    if (name === 'delta')
      return window ? `${m} - ${lag} AS ${m}_Delta` : `runningDifference(${m}) AS ${m}_Delta`;
    return window
      ? `if((${m} - ${lag}) < 0, 0, ${m} - ${lag}) AS ${m}_Increase`
      : `if(runningDifference(${m}) < 0, 0, runningDifference(${m})) AS ${m}_Increase`;
  });
  return `${before}SELECT t, ${cols.join(', ')} FROM ( SELECT $timeSeries AS t, ${maxes.join(', ')} ${from} GROUP BY t ORDER BY t)`;
}

function aggregated(
  name:
    | 'rateColumnsAggregated'
    | 'perSecondColumnsAggregated'
    | 'increaseColumnsAggregated'
    | 'deltaColumnsAggregated',
  args: string[],
  before: string,
  fromQuery: string,
  window: boolean,
): string {
  if (args.length < 4) throw new MacroError(`expect 2 or more amount of arguments for $${name}`);
  const { from: f, having } = splitHaving(fromQuery);
  const from = applyTimeFilter(f, false);
  const key = args[0]!;
  const keyAlias = aliasOf(key);
  const subKey = args[1]!;
  const sub = aliasOf(subKey);
  if (args.length % 2 !== 0)
    throw new MacroError(
      `wrong arguments count, expect argument pairs aggregate function and value for $${name}`,
    );
  const values: string[] = [];
  const aliases: string[] = [];
  const aggs: string[] = [];
  for (let i = 2; i < args.length; i += 2) {
    aggs.push(args[i]!);
    let value = args[i + 1]!;
    const parts = value.trim().split(' ');
    const alias = parts[parts.length - 1]!;
    aliases.push(alias);
    if (parts.length > 1) value = parts.slice(0, -1).join(' ').replace(/ AS$/, '').replace(/ as$/, '');
    if (!value.includes('(')) value = `max(${value})`;
    values.push(`${value} AS ${alias}`);
  }
  const lag = (x: string, d: string): string => `lagInFrame(${x},1,${d}) OVER ()`;
  const changed = window ? `${lag(sub, sub)} != ${sub}` : `neighbor(${sub},-1,${sub}) != ${sub}`;
  const suffix = {
    rateColumnsAggregated: 'Rate',
    perSecondColumnsAggregated: 'PerSecond',
    increaseColumnsAggregated: 'Increase',
    deltaColumnsAggregated: 'Delta',
  }[name];
  const finalAggregated = aliases.map((a, i) => `${aggs[i]}(${a}${suffix}) AS ${a}${suffix}Agg`);
  const finalValues = aliases.map((a) => {
    const diff = window ? `(${a} - ${lag(a, '0')})` : `runningDifference(${a})`;
    switch (name) {
      case 'rateColumnsAggregated':
        return window
          ? `${a} / (t/1000 - ${lag('t/1000', '0')}) AS ${a}Rate`
          : `${a} / runningDifference(t / 1000) AS ${a}Rate`;
      case 'perSecondColumnsAggregated':
        return `if(${diff} < 0 OR ${changed}, nan, ${diff} / ${window ? `(t/1000 - ${lag('t/1000', '0')})` : 'runningDifference(t / 1000)'}) AS ${a}PerSecond`;
      case 'increaseColumnsAggregated':
        return `if(${diff} < 0 OR ${changed}, nan, ${diff} / 1) AS ${a}Increase`;
      default:
        return window
          ? `if(${changed}, 0, ${a} - ${lag(a, '0')}) AS ${a}Delta`
          : `if(${changed}, 0, runningDifference(${a}) / 1) AS ${a}Delta`;
    }
  });
  return (
    `${before}SELECT t, ${keyAlias}, ${finalAggregated.join(', ')} FROM (` +
    `  SELECT t, ${keyAlias}, ${sub}, ${finalValues.join(', ')}  FROM (` +
    `   SELECT $timeSeries AS t, ${key}, ${subKey}, ${values.join(', ')}   ${from}` +
    `   GROUP BY ${keyAlias}, ${sub}, t ${having}   ORDER BY ${keyAlias}, ${sub}, t  ) ) ` +
    `GROUP BY ${keyAlias}, t ORDER BY ${keyAlias}, t`
  );
}

function lttb(args: string[], before: string, fromQuery: string, ms: boolean): string {
  if (args.length < 3)
    throw new MacroError(`amount of arguments must great or equal 3 for $lttb${ms ? 'Ms' : ''}`);
  let buckets = args[0]!;
  if (buckets.trim().toLowerCase() === 'auto') {
    buckets = ms ? 'toUInt64( ($__to - $__from) / $__interval_ms )' : 'toUInt64( ($to - $from) / $interval )';
  }
  const middle = args.length > 3 ? `${args.slice(1, -2).join(', ')}, ` : '';
  const x = args[args.length - 2]!;
  const y = args[args.length - 1]!;
  requireAliases(x, y);
  const from = applyTimeFilter(fromQuery, ms);
  return (
    `${before}SELECT \`lttb_result.1\` AS ${aliasOf(x)}, ${middle}\`lttb_result.2\` AS ${aliasOf(y)} FROM (\n` +
    `  SELECT ${middle}untuple(arrayJoin(lttb(${buckets})(${x}, ${y}))) AS lttb_result ${from}\n) ORDER BY ${aliasOf(x)}`
  );
}

function build(macro: Macro, args: string[], before: string, from: string, window: boolean): string {
  switch (macro) {
    case 'columns':
    case 'columnsMs':
      if (args.length !== 2) throw new MacroError(`amount of arguments must equal 2 for $${macro}`);
      return columnsCore(args[0]!, args[1]!, before, from, macro === 'columnsMs');
    case 'rateColumns': {
      if (args.length !== 2) throw new MacroError('amount of arguments must equal 2 for $rateColumns');
      const inner = columnsCore(args[0]!, args[1]!, '', from, false);
      const dt = window ? '(t/1000 - lagInFrame(t/1000,1,0) OVER ())' : 'runningDifference( t/1000 )';
      return `${before}SELECT t, arrayMap(a -> (a.1, a.2/${dt}), groupArr) FROM (${inner})`;
    }
    case 'rate':
    case 'perSecond':
    case 'delta':
    case 'increase':
      return perInterval(macro, args, before, from, window);
    case 'perSecondColumns':
    case 'deltaColumns':
    case 'increaseColumns':
      return keyedColumns(macro, args, before, from, window);
    case 'lttb':
    case 'lttbMs':
      return lttb(args, before, from, macro === 'lttbMs');
    default:
      return aggregated(macro, args, before, from, window);
  }
}

/** True when offset `i` is the query's first item, past whitespace and comments. */
export function isFirstItem(text: string, i: number): boolean {
  return skipTrivia(text, 0) === i;
}

/** Skips whitespace and comments from `i`. */
function skipTrivia(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    const r = regionAt(text, i);
    if (r && (r.kind === 'line-comment' || r.kind === 'block-comment')) i = r.end;
    else return i;
  }
}

/**
 * Finds a whole-query macro and rebuilds the query around it as the plugin does. The plugin expands
 * one only as the query's first item (comments may come before it); anywhere else it is left to the
 * plugin's parser, which dashboard-ci does not reproduce.
 */
export function expandWholeQueryMacro(text: string, opts: WholeQueryOptions): WholeQueryResult {
  const query = text.replace(/^[ \u00a0\t\r\n]+|[ \u00a0\t\r\n]+$/g, '');
  const lead = text.length - text.replace(/^[ \u00a0\t\r\n]+/, '').length;
  const found = /\$(\w+)\(/g;
  let first: { macro: Macro; at: number } | undefined;
  for (let m = found.exec(query); m; m = found.exec(query)) {
    if (ALTINITY_WHOLE_QUERY_MACROS.has(m[1]!)) {
      first = { macro: m[1] as Macro, at: m.index };
      break;
    }
  }
  if (!first) return { kind: 'none' };
  const offset = first.at + lead;
  if (skipTrivia(query, 0) !== first.at) return { kind: 'unsupported', macro: first.macro, offset };
  const parsed = parseMacroArgs(query, first.at + first.macro.length + 1);
  if (!parsed)
    return {
      kind: 'error',
      macro: first.macro,
      offset,
      message: `$${first.macro}: its argument list never closes`,
    };
  const args = parsed.args.map((a) => fold(a.text));
  try {
    const from = query.slice(fromIndex(query, first.macro));
    const sql = build(first.macro, args, query.slice(0, first.at), from, opts.windowFunctions);
    return { kind: 'expanded', sql, macro: first.macro, offset };
  } catch (e) {
    if (!(e instanceof MacroError)) throw e;
    return { kind: 'error', macro: first.macro, offset, message: `$${first.macro}: ${e.message}` };
  }
}
