// The ClickHouse plugins' macros with their exact expansions (CONTRACTS.md C.3, C.6):
// grafana-clickhouse-datasource's backend macros and frontend $__conditionalAll / $__adHocFilters,
// and the Altinity (vertamedia) plugin's macros and $conditionalTest.

import { isObject, type JsonObject } from '../dashboards/model.js';
import { OffsetMap, Rewriter, isWordChar, parseMacroArgs, regionAt, type MacroArg } from './lexer.js';
import { formatIntervalBackend, parseGoDuration, utcDate } from './time.js';
import {
  ALTINITY_WHOLE_QUERY_MACROS as ALTINITY_WHOLE_QUERY,
  expandWholeQueryMacro,
  isFirstItem,
} from './altinity-query-macros.js';
import type { InterpolationProblem, SqlOrigin, TimeRangeUse } from './types.js';
import {
  ALL_VARIABLE_VALUE,
  currentString,
  type VariableIndex,
  type VariableNameRules,
} from './variables.js';

export interface StageResult {
  text: string;
  map: OffsetMap;
  problems: InterpolationProblem[];
  /** The time-range macros this stage expanded (macro stages only). */
  timeRange?: TimeRangeUse;
}

/** Records one expanded macro in `use`: a condition on the range (`filter`), or another read of it. */
function noteTimeRange(
  use: TimeRangeUse,
  name: string,
  out: string,
  filters: ReadonlySet<string>,
  readers: ReadonlySet<string>,
): void {
  if (filters.has(name)) use.filters.push(out);
  else if (readers.has(name)) use.other = true;
}

/** grafana-clickhouse-datasource macros that expand to a condition on the range, and others that read it. */
const CLICKHOUSE_RANGE_FILTERS = new Set([
  'timeFilter',
  'timeFilter_ms',
  'dateFilter',
  'dateTimeFilter',
  'dt',
  'timeFrom',
  'timeTo',
]);
const CLICKHOUSE_RANGE_READERS = new Set(['fromTime', 'toTime', 'fromTime_ms', 'toTime_ms']);

/** What the backend macros read: the query's time range and interval, and the query context. */
export interface MacroContext {
  fromMs: number;
  toMs: number;
  intervalMs: number;
  /** `sqlutil.Query.Table/Column`: empty for raw SQL targets. */
  table?: string;
  column?: string;
}

const DOLLAR = 36;
const LPAREN = 40;

function fromSec(ms: number): number {
  return Math.floor(ms / 1000);
}

function argCount(name: string, expected: number, got: number): string {
  return `${name} expected ${expected} argument(s), received ${got}`;
}

type MacroFn = (
  args: MacroArg[],
  ctx: MacroContext,
  name: string,
) => string | { error: string; kind: 'macro-arguments' | 'macro-error' };

function oneColumn(build: (col: string, ctx: MacroContext) => string): MacroFn {
  return (args, ctx, name) => {
    if (args.length !== 1) return { error: argCount(name, 1, args.length), kind: 'macro-arguments' };
    return build(args[0]!.text, ctx);
  };
}

const dateTime = (ms: number): string => `toDateTime(${fromSec(ms)})`;
const dateTime64 = (ms: number): string => `fromUnixTimestamp64Milli(${Math.trunc(ms)})`;
const date = (ms: number): string => `toDate('${utcDate(ms)}')`;
const intervalSeconds = (ctx: MacroContext): number => Math.trunc(Math.max(ctx.intervalMs / 1000, 1));

const dateTimeFilter: MacroFn = (args, ctx, name) => {
  if (args.length !== 2) return { error: argCount(name, 2, args.length), kind: 'macro-arguments' };
  const d = args[0]!.text;
  const t = args[1]!.text;
  return (
    `(${d} >= ${date(ctx.fromMs)} AND ${d} <= ${date(ctx.toMs)}) AND ` +
    `(${t} >= ${dateTime(ctx.fromMs)} AND ${t} <= ${dateTime(ctx.toMs)})`
  );
};

/** grafana-clickhouse-datasource backend macros (v4.19+ with macropro defaults), keyed by name after `$__`. */
const CLICKHOUSE_MACROS: Record<string, MacroFn> = {
  timeFilter: oneColumn((c, x) => `${c} >= ${dateTime(x.fromMs)} AND ${c} <= ${dateTime(x.toMs)}`),
  timeFilter_ms: oneColumn((c, x) => `${c} >= ${dateTime64(x.fromMs)} AND ${c} <= ${dateTime64(x.toMs)}`),
  dateFilter: oneColumn((c, x) => `${c} >= ${date(x.fromMs)} AND ${c} <= ${date(x.toMs)}`),
  dateTimeFilter,
  dt: dateTimeFilter,
  fromTime: (_a, x) => dateTime(x.fromMs),
  toTime: (_a, x) => dateTime(x.toMs),
  fromTime_ms: (_a, x) => dateTime64(x.fromMs),
  toTime_ms: (_a, x) => dateTime64(x.toMs),
  timeInterval: oneColumn(
    (c, x) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${intervalSeconds(x)} second)`,
  ),
  timeInterval_ms: oneColumn(
    (c, x) =>
      `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${Math.max(Math.trunc(x.intervalMs), 1)} millisecond)`,
  ),
  interval_s: (_a, x) => String(intervalSeconds(x)),
  timeFrom: oneColumn((c, x) => `${c} >= ${dateTime(x.fromMs)}`),
  timeTo: oneColumn((c, x) => `${c} <= ${dateTime(x.toMs)}`),
  timeGroup: (args, x, name) => {
    if (args.length !== 2) return { error: argCount(name, 2, args.length), kind: 'macro-arguments' };
    const raw = args[1]!.text.replace(/^['"]+|['"]+$/g, '');
    const ms = parseGoDuration(raw);
    if (ms === undefined)
      return {
        error: `${name}: invalid interval "${raw}" (a Go duration such as 30s, 5m, 1h)`,
        kind: 'macro-error',
      };
    const secs = Math.round(ms / 1000);
    if (secs <= 0) return { error: `${name}: interval must be positive, got "${raw}"`, kind: 'macro-error' };
    return `toStartOfInterval(toDateTime(${args[0]!.text}), INTERVAL ${secs} second)`;
  },
  interval: (_a, x) => formatIntervalBackend(x.intervalMs),
  interval_ms: (_a, x) => String(Math.trunc(x.intervalMs)),
  table: (_a, x) =>
    x.table ? x.table : { error: '$__table: no table name in query context', kind: 'macro-error' },
  column: (_a, x) =>
    x.column ? x.column : { error: '$__column: no column name in query context', kind: 'macro-error' },
};

/** Frontend-only macros of grafana-clickhouse-datasource (expanded before the backend, never in alerts). */
const CLICKHOUSE_FRONTEND_MACROS = new Set(['conditionalAll', 'adHocFilters', 'adhoc_column']);
/** Statement macros of unreleased plugin versions (HEAD only): they rewrite the FROM tail. */
const CLICKHOUSE_STATEMENT_MACROS = new Set([
  'columns',
  'rateColumns',
  'perSecondColumns',
  'increaseColumns',
  'lttb',
]);

/** Names (after `$`) the grafana-clickhouse plugin expands itself: never unknown template variables. */
export const CLICKHOUSE_MACRO_NAMES: ReadonlySet<string> = new Set([
  ...Object.keys(CLICKHOUSE_MACROS).map((n) => `__${n}`),
  ...[...CLICKHOUSE_FRONTEND_MACROS].map((n) => `__${n}`),
  ...[...CLICKHOUSE_STATEMENT_MACROS].map((n) => `__${n}`),
]);

/**
 * Expands grafana-clickhouse-datasource backend macros. Macros inside comments, quoted strings,
 * identifiers and `$tag$` literals stay as they are; unknown `$__name` tokens stay and are reported.
 */
export function expandClickHouseMacros(text: string, ctx: MacroContext, origin: SqlOrigin): StageResult {
  const problems: InterpolationProblem[] = [];
  if (!text.includes('$__')) return { text, map: OffsetMap.identity, problems };
  const rw = new Rewriter(text);
  const timeRange: TimeRangeUse = { filters: [], other: false };
  const n = text.length;
  for (let i = 0; i < n;) {
    const c = text.charCodeAt(i);
    const region = c === DOLLAR && text.startsWith('$__', i) ? undefined : regionAt(text, i);
    if (region) {
      i = region.end;
      continue;
    }
    if (c !== DOLLAR || !text.startsWith('$__', i)) {
      i++;
      continue;
    }
    let j = i + 3;
    while (j < n && isWordChar(text.charCodeAt(j))) j++;
    const name = text.slice(i + 3, j);
    const token = `$__${name}`;
    const fn = CLICKHOUSE_MACROS[name];
    if (!fn) {
      // A frontend macro left in a panel query was malformed, and the frontend stage said so.
      if (origin === 'alert' || !CLICKHOUSE_FRONTEND_MACROS.has(name)) {
        problems.push({ offset: i, ...unknownClickHouseMacro(token, name), blocking: true });
      }
      i = j;
      continue;
    }
    let args: MacroArg[] = [];
    let end = j;
    if (text.charCodeAt(j) === LPAREN) {
      // macropro: an argument list that never closes counts as none and is left in the text.
      const parsed = parseMacroArgs(text, j);
      if (parsed) {
        args = parsed.args;
        end = parsed.end;
      }
    }
    const out = fn(args, ctx, token);
    if (typeof out !== 'string') {
      problems.push({ offset: i, message: out.error, kind: out.kind, blocking: true });
      i = end;
      continue;
    }
    noteTimeRange(timeRange, name, out, CLICKHOUSE_RANGE_FILTERS, CLICKHOUSE_RANGE_READERS);
    rw.splice(i, end, out);
    i = end;
  }
  return { ...rw.finish(), problems, timeRange };
}

function unknownClickHouseMacro(token: string, name: string): Pick<InterpolationProblem, 'message' | 'kind'> {
  if (CLICKHOUSE_FRONTEND_MACROS.has(name)) {
    return {
      message: `cannot expand ${token}: it is a frontend macro of grafana-clickhouse-datasource and alert queries never reach the frontend`,
      kind: 'unknown-macro',
    };
  }
  if (CLICKHOUSE_STATEMENT_MACROS.has(name)) {
    return {
      message: `${token}(...) is a statement macro of recent grafana-clickhouse-datasource builds; dashboard-ci does not reproduce it, so this query is skipped (not judged)`,
      kind: 'unsupported-macro',
    };
  }
  return {
    message: `cannot expand ${token}: not a macro of grafana-clickhouse-datasource nor a Grafana variable`,
    kind: 'unknown-macro',
  };
}

// ---------------------------------------------------------------------------------------------
// grafana-clickhouse-datasource frontend macros

const CONDITIONAL_ALL = '$__conditionalAll(';
// The plugin's own variable pattern: `${name}` or `$name` (CHDatasource.applyConditionalAll).
const CONDITIONAL_VAR_RE = /\$\{([\w\d]+)\}|\$([\w\d]+)/;

/**
 * `$__conditionalAll(condition, $var)`: `1=1` when the variable's value is empty or All, else the
 * condition. Runs before template variables; a condition may hold further conditionalAll calls.
 */
export function expandConditionalAll(text: string, index: VariableIndex): StageResult {
  const problems: InterpolationProblem[] = [];
  if (!text.includes(CONDITIONAL_ALL)) return { text, map: OffsetMap.identity, problems };
  const rw = new Rewriter(text);
  walk(0, text.length);
  return { ...rw.finish(), problems };

  function walk(from: number, to: number): void {
    let i = from;
    for (;;) {
      const k = text.indexOf(CONDITIONAL_ALL, i);
      if (k === -1 || k >= to) break;
      const open = k + CONDITIONAL_ALL.length - 1;
      const parsed = parseMacroArgs(text, open);
      if (!parsed || parsed.end > to || parsed.args.length !== 2) {
        const got = parsed ? parsed.args.length : 0;
        problems.push({
          offset: k,
          message: parsed
            ? argCount('$__conditionalAll', 2, got)
            : '$__conditionalAll: its argument list never closes',
          kind: 'macro-arguments',
          blocking: true,
        });
        i = open + 1;
        continue;
      }
      const [cond, varArg] = parsed.args as [MacroArg, MacroArg];
      const m = CONDITIONAL_VAR_RE.exec(varArg.text);
      const rv = m ? index.byName.get((m[1] ?? m[2])!) : undefined;
      const value = rv ? currentString(rv) : undefined;
      if (value === '' || value === ALL_VARIABLE_VALUE) {
        rw.splice(k, parsed.end, '1=1');
      } else {
        rw.splice(k, cond.start, '');
        walk(cond.start, cond.start + cond.text.length);
        rw.splice(cond.start + cond.text.length, parsed.end, '');
      }
      i = parsed.end;
    }
  }
}

const ADHOC = '$__adHocFilters';

/** The filters of the dashboard's ad hoc variables. */
export function adHocFilters(index: VariableIndex): JsonObject[] {
  const filters: JsonObject[] = [];
  for (const rv of index.list) {
    if (rv.type === 'adhoc' && Array.isArray(rv.raw.filters)) {
      for (const f of rv.raw.filters) if (isObject(f)) filters.push(f);
    }
  }
  return filters;
}

/** Ad hoc filters as a SQL condition (`key = 'v' AND ...`), empty without filters. */
export function adHocFilterSql(filters: readonly JsonObject[]): string {
  const parts: string[] = [];
  for (const f of filters) {
    const key = typeof f.key === 'string' ? f.key : undefined;
    if (!key) continue;
    const op = typeof f.operator === 'string' ? f.operator : '=';
    const raw = typeof f.value === 'string' || typeof f.value === 'number' ? String(f.value) : '';
    const value = `'${raw.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    if (op === '=~') parts.push(`match(${key}, ${value})`);
    else if (op === '!~') parts.push(`NOT match(${key}, ${value})`);
    else parts.push(`${key} ${op} ${value}`);
  }
  return parts.join(' AND ');
}

/** `$__adHocFilters('table', ...)` → `additional_table_filters={'table': '<filters>'}` (or `{}` with no filters). */
export function expandAdHocFilters(text: string, index: VariableIndex): StageResult {
  const problems: InterpolationProblem[] = [];
  if (!text.includes(ADHOC)) return { text, map: OffsetMap.identity, problems };
  const sql = adHocFilterSql(adHocFilters(index));
  const rw = new Rewriter(text);
  let pos = 0;
  for (;;) {
    const k = text.indexOf(ADHOC, pos);
    if (k === -1) break;
    const after = k + ADHOC.length;
    pos = after;
    if (isWordChar(text.charCodeAt(after))) continue;
    const parsed = text.charCodeAt(after) === LPAREN ? parseMacroArgs(text, after) : undefined;
    if (!parsed || parsed.args.length === 0) {
      problems.push({
        offset: k,
        message: `${ADHOC} expects one or more table names, e.g. ${ADHOC}('events')`,
        kind: 'macro-arguments',
        blocking: true,
      });
      continue;
    }
    let value = 'additional_table_filters={}';
    if (sql !== '') {
      const escaped = `'${sql.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      const entries = parsed.args.map((a) => `'${a.text.replace(/^['"`]+|['"`]+$/g, '')}': ${escaped}`);
      value = `additional_table_filters={${entries.join(', ')}}`;
    }
    rw.splice(k, parsed.end, value);
    pos = parsed.end;
  }
  return { ...rw.finish(), problems };
}

// ---------------------------------------------------------------------------------------------
// Altinity plugin (vertamedia-clickhouse-datasource)

const ALTINITY_SIMPLE = new Set([
  'table',
  'dateCol',
  'dateTimeCol',
  'from',
  'to',
  '__from',
  '__to',
  'interval',
  '__interval_ms',
  'timeFilter',
  'timeFilterMs',
  'timeSeries',
  'timeSeriesMs',
  'naturalTimeSeries',
  'timeFilterByColumn',
  'timeFilter64ByColumn',
]);

/** Names (after `$`) the Altinity plugin expands itself: never unknown template variables. */
export const ALTINITY_MACRO_NAMES: ReadonlySet<string> = new Set([
  ...ALTINITY_SIMPLE,
  ...ALTINITY_WHOLE_QUERY,
  'unescape',
  'conditionalTest',
  'adhoc',
]);

const CLICKHOUSE_NAME_RULES: VariableNameRules = { reserved: CLICKHOUSE_MACRO_NAMES, deferDunder: true };
const ALTINITY_NAME_RULES: VariableNameRules = { reserved: ALTINITY_MACRO_NAMES, deferDunder: false };
const OTHER_NAME_RULES: VariableNameRules = { reserved: new Set(), deferDunder: true, anyDunder: true };

/**
 * Which names need no dashboard variable in the text of a datasource of this plugin type: the
 * ClickHouse plugins' macros as interpolation applies them; for any other datasource every `__`
 * name (Grafana leaves unknown names to it).
 */
export function variableNameRules(datasourceType: string | undefined): VariableNameRules {
  if (datasourceType === 'grafana-clickhouse-datasource') return CLICKHOUSE_NAME_RULES;
  if (datasourceType === 'vertamedia-clickhouse-datasource') return ALTINITY_NAME_RULES;
  return OTHER_NAME_RULES;
}

type DateTimeType =
  'DATETIME' | 'DATETIME64' | 'FLOAT' | 'TIMESTAMP' | 'TIMESTAMP64_3' | 'TIMESTAMP64_6' | 'TIMESTAMP64_9';

export interface AltinityContext {
  /** The ad hoc filters as a condition, for `$adhoc` (empty: none). */
  adhoc?: string;
  fromMs: number;
  toMs: number;
  intervalMs: number;
  maxDataPoints: number;
  /** The target's own fields: database, table, dateTimeColDataType, dateColDataType, dateTimeType, round, interval, intervalFactor. */
  target: JsonObject;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function escapeIdentifier(id: string): string {
  if (/^[a-zA-Z][0-9a-zA-Z_]+$/.test(id) || /\(.*\)/.test(id) || /[/*+-]/.test(id)) return id;
  return `"${id.replace(/"/g, '\\"')}"`;
}

function escapeTableIdentifier(id: string): string {
  if (/^[$a-zA-Z][0-9a-zA-Z_]+$/.test(id)) return id;
  return '`' + id.replace(/`/g, '\\`') + '`';
}

const ALT_UNIT_MS: Record<string, number> = {
  y: 365 * 86400000,
  M: 30 * 86400000,
  w: 7 * 86400000,
  d: 86400000,
  h: 3600000,
  m: 60000,
  s: 1000,
  ms: 1,
};

/** Altinity's parseInterval (`1m`, `1.5h`, `500ms`, sums of those): milliseconds, or undefined. */
function altinityIntervalMs(text: string): number | undefined {
  let total = 0;
  let i = 0;
  const s = text;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    const from = i;
    while (i < s.length && /[\d.]/.test(s[i]!)) i++;
    if (from === i) return undefined;
    const num = Number(s.slice(from, i));
    if (Number.isNaN(num)) return undefined;
    const unit = ['ms', 'y', 'M', 'w', 'd', 'h', 'm', 's'].find((u) => s.startsWith(u, i));
    if (!unit) return undefined;
    i += unit.length;
    total += Math.trunc(num * ALT_UNIT_MS[unit]!);
  }
  return total;
}

interface AltinityValues {
  type: DateTimeType;
  dateCol: string;
  dateTimeCol: string;
  table: string;
  intervalSec: number;
  intervalMs: number;
  fromS: number;
  toS: number;
  fromMs: number;
  toMs: number;
  /** The round-extended range used by $timeFilterByColumn / $timeFilter64ByColumn. */
  extFromS: number;
  extToS: number;
  extFromMs: number;
  extToMs: number;
  rangeS: number;
}

function altinityValues(ctx: AltinityContext): AltinityValues | { error: string } {
  const t = ctx.target;
  const type = (str(t.dateTimeType) || 'DATETIME') as DateTimeType;
  const factor = typeof t.intervalFactor === 'number' && t.intervalFactor > 0 ? t.intervalFactor : 1;
  let intervalSec = 0;
  let intervalMs = 0;
  const interval = str(t.interval);
  if (interval !== '') {
    const ms = altinityIntervalMs(interval);
    if (ms === undefined) return { error: `$interval: cannot read the target's interval "${interval}"` };
    intervalMs = ms * factor;
    intervalSec = Math.max(Math.floor(intervalMs / 1000), 1);
  }
  if (intervalSec <= 0) {
    const points = ctx.maxDataPoints > 0 ? ctx.maxDataPoints : 100;
    const stepMs = (ctx.toMs - ctx.fromMs) / points;
    const msPart = stepMs > 1 && intervalMs <= 0 ? stepMs : 1;
    const secs = Math.max(stepMs, 1000) / 1000;
    intervalSec = Math.ceil(Math.ceil(secs) * factor);
    if (intervalMs <= 0) intervalMs = Math.ceil(Math.trunc(msPart) * factor);
  }
  let round = 0;
  const roundText = str(t.round);
  if (roundText === '$step') round = intervalSec;
  else if (roundText !== '') {
    const ms = parseGoDuration(roundText);
    if (ms === undefined) return { error: `the target's round "${roundText}" is not a duration` };
    round = Math.ceil((ms / 1000) * factor);
  }
  const roundDown = (ms: number): number =>
    round > 0 ? Math.floor(Math.floor(ms / 1000) / round) * round * 1000 : ms;
  const rFrom = roundDown(ctx.fromMs);
  const rTo = roundDown(ctx.toMs);
  const ext = round > 0 ? (round * 2 - 1) * 1000 : 0;
  const database = str(t.database);
  const table = str(t.table);
  const tableSql = database
    ? `${escapeTableIdentifier(database)}.${escapeTableIdentifier(table)}`
    : escapeTableIdentifier(table);
  return {
    type,
    dateCol: str(t.dateColDataType),
    dateTimeCol: str(t.dateTimeColDataType),
    table: table === '' ? '' : tableSql,
    intervalSec,
    intervalMs,
    fromS: Math.floor(rFrom / 1000),
    toS: Math.floor(rTo / 1000),
    fromMs: ctx.fromMs,
    toMs: ctx.toMs,
    extFromS: Math.floor((rFrom - ext) / 1000),
    extToS: Math.floor((rTo + ext) / 1000),
    extFromMs: rFrom - ext,
    extToMs: rTo + ext,
    rangeS: Math.floor(rTo / 1000) - Math.floor(rFrom / 1000),
  };
}

function convert(
  type: DateTimeType,
  t: string,
  table: Partial<Record<DateTimeType, (t: string) => string>>,
): string {
  const f = table[type];
  return f ? f(t) : t;
}

function timeSeriesTemplate(type: DateTimeType): string {
  switch (type) {
    case 'DATETIME':
      return '(intDiv(toUInt32($dateTimeCol), $interval) * $interval) * 1000';
    case 'DATETIME64':
      return '(intDiv(toFloat64($dateTimeCol) * 1000, ($interval * 1000)) * ($interval * 1000))';
    case 'FLOAT':
      return '(intDiv($dateTimeCol * 1000, ($interval * 1000)) * ($interval * 1000))';
    case 'TIMESTAMP64_3':
      return '(intDiv($dateTimeCol, ($interval * 1000)) * ($interval * 1000))';
    case 'TIMESTAMP64_6':
      return '(intDiv($dateTimeCol / 1000, ($interval * 1000)) * ($interval * 1000))';
    case 'TIMESTAMP64_9':
      return '(intDiv($dateTimeCol / 1000000, ($interval * 1000)) * ($interval * 1000))';
    default:
      return '(intDiv($dateTimeCol, $interval) * $interval) * 1000';
  }
}

function timeSeriesMsTemplate(type: DateTimeType): string {
  switch (type) {
    case 'DATETIME':
      return '(intDiv(toUInt32($dateTimeCol) * 1000, $__interval_ms) * $__interval_ms)';
    case 'DATETIME64':
      return '(intDiv(toFloat64($dateTimeCol) * 1000, $__interval_ms) * $__interval_ms)';
    case 'TIMESTAMP':
    case 'FLOAT':
      return '(intDiv($dateTimeCol * 1000, $__interval_ms) * $__interval_ms)';
    case 'TIMESTAMP64_3':
      return '(intDiv($dateTimeCol, $__interval_ms) * $__interval_ms)';
    case 'TIMESTAMP64_6':
      return '(intDiv($dateTimeCol / 1000, $__interval_ms) * $__interval_ms)';
    case 'TIMESTAMP64_9':
      return '(intDiv($dateTimeCol / 1000000, $__interval_ms) * $__interval_ms)';
  }
}

function naturalTimeSeriesTemplate(type: DateTimeType, rangeS: number): string {
  if (type !== 'DATETIME' && type !== 'DATETIME64')
    return '(intDiv($dateTimeCol, $interval) * $interval) * 1000';
  const h = 3600;
  const day = 24 * h;
  if (rangeS < 20 * 60) return 'toUInt32($dateTimeCol) * 1000';
  if (rangeS < 4 * h) return 'toUInt32(toStartOfMinute($dateTimeCol)) * 1000';
  if (rangeS < day) return 'toUInt32(toStartOfFiveMinute($dateTimeCol)) * 1000';
  if (rangeS < 72 * h) return 'toUInt32(toStartOfFifteenMinutes($dateTimeCol)) * 1000';
  if (rangeS < 15 * day) return 'toUInt32(toStartOfHour($dateTimeCol)) * 1000';
  if (rangeS < 15 * 7 * day) return 'toUInt32(toStartOfDay($dateTimeCol)) * 1000';
  if (rangeS < 10 * 30 * day) return 'toUInt32(toDateTime(toMonday($dateTimeCol))) * 1000';
  if (rangeS < 6 * 365 * day) return 'toUInt32(toDateTime(toStartOfMonth($dateTimeCol))) * 1000';
  return 'toUInt32(toDateTime(toStartOfQuarter($dateTimeCol))) * 1000';
}

function timeFilterTemplate(v: AltinityValues, ms: boolean): string {
  const dt = ms
    ? '$dateTimeCol >= ' +
      convert(v.type, '$__from', msConverters) +
      ' AND $dateTimeCol <= ' +
      convert(v.type, '$__to', msConverters)
    : '$dateTimeCol >= ' +
      convert(v.type, '$from', secConverters) +
      ' AND $dateTimeCol <= ' +
      convert(v.type, '$to', secConverters);
  return v.dateCol ? `$dateCol >= toDate($from) AND $dateCol <= toDate($to) AND ${dt}` : dt;
}

const secConverters: Partial<Record<DateTimeType, (t: string) => string>> = {
  DATETIME: (t) => `toDateTime(${t})`,
  DATETIME64: (t) => `toDateTime64(${t},3)`,
  TIMESTAMP64_3: (t) => `1000*${t}`,
  TIMESTAMP64_6: (t) => `1000000*${t}`,
  TIMESTAMP64_9: (t) => `1000000000*${t}`,
};

const msConverters: Partial<Record<DateTimeType, (t: string) => string>> = {
  DATETIME: (t) => `toDateTime(${t}/1000)`,
  DATETIME64: (t) => `toDateTime64(${t}/1000,3)`,
  FLOAT: (t) => `toFloat64(${t}/1000)`,
  TIMESTAMP: (t) => `${t}/1000`,
  TIMESTAMP64_6: (t) => `1000*${t}`,
  TIMESTAMP64_9: (t) => `1000000*${t}`,
};

function byColumnFilter(col: string, v: AltinityValues, ms: boolean): string {
  if (ms) {
    const conv: Partial<Record<DateTimeType, (t: string) => string>> = {
      DATETIME: (t) => `toDateTime(${t})`,
      DATETIME64: (t) => `toDateTime64(${t},3)`,
      FLOAT: (t) => `${t}/1000`,
      TIMESTAMP: (t) => `${t}/1000`,
      TIMESTAMP64_6: (t) => `1000*${t}`,
      TIMESTAMP64_9: (t) => `1000000*${t}`,
    };
    const seconds = v.type === 'DATETIME64' || v.type === 'DATETIME';
    const from = seconds ? `${v.extFromMs}/1000` : String(v.extFromMs);
    const to = seconds ? `${v.extToMs}/1000` : String(v.extToMs);
    return `${col} >= ${convert(v.type, from, conv)} AND ${col} <= ${convert(v.type, to, conv)}`;
  }
  const from = v.type === 'DATETIME64' ? `${v.extFromMs}/1000` : String(v.extFromS);
  const to = v.type === 'DATETIME64' ? `${v.extToMs}/1000` : String(v.extToS);
  return `${col} >= ${convert(v.type, from, secConverters)} AND ${col} <= ${convert(v.type, to, secConverters)}`;
}

/** Substitutes the simple value macros in a template (no offsets: the template is ours). */
function fillTemplate(template: string, v: AltinityValues): string {
  return template.replace(
    /\$(__from|__to|__interval_ms|dateTimeCol|dateCol|interval|from|to)\b/g,
    (_m, name: string) => {
      switch (name) {
        case 'dateTimeCol':
          return escapeIdentifier(v.dateTimeCol);
        case 'dateCol':
          return escapeIdentifier(v.dateCol);
        case 'interval':
          return String(v.intervalSec);
        case '__interval_ms':
          return String(v.intervalMs);
        case 'from':
          return String(v.fromS);
        case 'to':
          return String(v.toS);
        case '__from':
          return String(v.fromMs);
        default:
          return String(v.toMs);
      }
    },
  );
}

/**
 * Expands the Altinity plugin's macros as its backend does. The whole-query macros ($rate,
 * $columns, ...) are reported, not guessed. $unescape(x) drops the single quotes of its argument.
 */
export function expandAltinityMacros(text: string, ctx: AltinityContext): StageResult {
  const problems: InterpolationProblem[] = [];
  if (!text.includes('$')) return { text, map: OffsetMap.identity, problems };
  const values = altinityValues(ctx);
  const rw = new Rewriter(text);
  const timeRange: TimeRangeUse = { filters: [], other: false };
  const n = text.length;
  let reportedDateTimeCol = false;
  for (let i = 0; i < n;) {
    if (text.charCodeAt(i) !== DOLLAR) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isWordChar(text.charCodeAt(j))) j++;
    const name = text.slice(i + 1, j);
    if (ALTINITY_WHOLE_QUERY.has(name) && text.charCodeAt(j) === LPAREN) {
      // The query's first item was expanded, or refused with its reason, by expandAltinityWholeQuery.
      if (isFirstItem(text, i)) {
        i = j;
        continue;
      }
      problems.push({
        offset: i,
        message: `$${name}(...) is expanded by the Altinity plugin, which rewrites the whole query around it; dashboard-ci does not reproduce that rewrite, so this query is skipped (not judged)`,
        kind: 'unsupported-macro',
        blocking: true,
      });
      i = j;
      continue;
    }
    if (name === 'unescape' && text.charCodeAt(j) === LPAREN) {
      const parsed = parseMacroArgs(text, j);
      if (!parsed) {
        problems.push({
          offset: i,
          message: '$unescape: missing parentheses',
          kind: 'macro-arguments',
          blocking: true,
        });
        i = j;
        continue;
      }
      rw.splice(i, parsed.end, text.slice(j + 1, parsed.end - 1).replace(/'/g, ''));
      i = parsed.end;
      continue;
    }
    if (name === 'adhoc') {
      // Altinity renders the ad hoc filters, or 1 when there are none.
      rw.splice(i, j, ctx.adhoc ? ctx.adhoc : '1');
      i = j;
      continue;
    }
    if (!ALTINITY_SIMPLE.has(name)) {
      i = j;
      continue;
    }
    if ('error' in values) {
      problems.push({
        offset: i,
        message: `cannot expand $${name}: ${values.error}`,
        kind: 'macro-error',
        blocking: true,
      });
      i = j;
      continue;
    }
    let end = j;
    let out: string;
    switch (name) {
      case 'timeFilterByColumn':
      case 'timeFilter64ByColumn': {
        const m = /^\((\w+)\)/.exec(text.slice(j, j + 256));
        if (!m) {
          i = j;
          continue;
        }
        end = j + m[0].length;
        out = byColumnFilter(m[1]!, values, name === 'timeFilter64ByColumn');
        break;
      }
      case 'table':
        if (values.table === '') {
          problems.push({
            offset: i,
            message: 'cannot expand $table: the target sets no table',
            kind: 'macro-error',
            blocking: true,
          });
          i = j;
          continue;
        }
        out = values.table;
        break;
      case 'timeSeries':
        out = fillTemplate(timeSeriesTemplate(values.type), values);
        break;
      case 'timeSeriesMs':
        out = fillTemplate(timeSeriesMsTemplate(values.type), values);
        break;
      case 'naturalTimeSeries':
        out = fillTemplate(naturalTimeSeriesTemplate(values.type, values.rangeS), values);
        break;
      case 'timeFilter':
        out = fillTemplate(timeFilterTemplate(values, false), values);
        break;
      case 'timeFilterMs':
        out = fillTemplate(timeFilterTemplate(values, true), values);
        break;
      default:
        out = fillTemplate(`$${name}`, values);
    }
    const needsCol = [
      'timeSeries',
      'timeSeriesMs',
      'naturalTimeSeries',
      'timeFilter',
      'timeFilterMs',
      'dateTimeCol',
    ].includes(name);
    if (needsCol && values.dateTimeCol === '' && !reportedDateTimeCol) {
      reportedDateTimeCol = true;
      problems.push({
        offset: i,
        message: `cannot expand $${name}: the target sets no DateTime column (dateTimeColDataType)`,
        kind: 'macro-error',
        blocking: true,
      });
    }
    noteTimeRange(timeRange, name, out, ALTINITY_RANGE_FILTERS, ALTINITY_RANGE_READERS);
    rw.splice(i, end, out);
    i = end;
  }
  return { ...rw.finish(), problems, timeRange };
}

/** The Altinity plugin's macros that expand to a condition on the range, and others that read it. */
const ALTINITY_RANGE_FILTERS = new Set([
  'timeFilter',
  'timeFilterMs',
  'timeFilterByColumn',
  'timeFilter64ByColumn',
]);
const ALTINITY_RANGE_READERS = new Set(['from', 'to', '__from', '__to']);

const CONDITIONAL_TEST = '$conditionalTest(';

/**
 * Altinity's `$conditionalTest(SQL_if, $var)` / `$conditionalTest(SQL_if, SQL_else, $var)`: SQL_if is
 * dropped (SQL_else used) when the variable has All selected, a multi-value with nothing selected,
 * or an empty value. Runs before template variables.
 */
export function expandConditionalTest(text: string, index: VariableIndex): StageResult {
  const problems: InterpolationProblem[] = [];
  if (!text.includes(CONDITIONAL_TEST)) return { text, map: OffsetMap.identity, problems };
  const rw = new Rewriter(text);
  let pos = 0;
  for (;;) {
    const k = text.indexOf(CONDITIONAL_TEST, pos);
    if (k === -1) break;
    const open = k + CONDITIONAL_TEST.length - 1;
    pos = open + 1;
    const parsed = parseMacroArgs(text, open);
    if (!parsed || (parsed.args.length !== 2 && parsed.args.length !== 3)) {
      problems.push({
        offset: k,
        message: parsed
          ? `$conditionalTest expected 2 or 3 argument(s), received ${parsed.args.length}`
          : '$conditionalTest: its argument list never closes',
        kind: 'macro-arguments',
        blocking: true,
      });
      continue;
    }
    const args = parsed.args;
    const varArg = args[args.length - 1]!;
    const m = CONDITIONAL_VAR_RE.exec(varArg.text);
    const rv = m ? index.byName.get((m[1] ?? m[2])!) : undefined;
    if (!rv) {
      problems.push({
        offset: varArg.start,
        message: `$conditionalTest: ${varArg.text} is not a variable of this dashboard`,
        kind: 'macro-error',
        blocking: true,
      });
      continue;
    }
    const empty = rv.isAll || (Array.isArray(rv.current) ? rv.current.length === 0 : rv.current === '');
    const chosen = empty ? (args.length === 3 ? args[1]! : undefined) : args[0]!;
    if (chosen) {
      rw.splice(k, chosen.start, '');
      rw.splice(chosen.start + chosen.text.length, parsed.end, '');
    } else {
      rw.splice(k, parsed.end, '');
    }
    pos = parsed.end;
  }
  return { ...rw.finish(), problems };
}

/**
 * Altinity's whole-query macros ($rate, $columns, ... see altinity-query-macros.ts), before the value
 * macros: the query is rebuilt around the macro and the FROM tail, as the plugin does. A macro the
 * plugin itself refuses (an argument without an alias, no FROM) is an error Grafana shows too.
 */
export function expandAltinityWholeQuery(text: string, target: JsonObject): StageResult {
  const problems: InterpolationProblem[] = [];
  if (!text.includes('$')) return { text, map: OffsetMap.identity, problems };
  const r = expandWholeQueryMacro(text, { windowFunctions: target.useWindowFuncForMacros === true });
  if (r.kind === 'none' || r.kind === 'unsupported') return { text, map: OffsetMap.identity, problems };
  if (r.kind === 'error') {
    problems.push({
      offset: r.offset,
      message: `the Altinity plugin refuses this query: ${r.message}`,
      kind: 'macro-arguments',
      blocking: true,
    });
    return { text, map: OffsetMap.identity, problems };
  }
  // What came before the macro (comments) is kept as written; the rebuilt rest maps to the macro.
  const before = r.offset;
  const rw = new Rewriter(text);
  const kept = text.slice(0, before).replace(/^[ \u00a0\t\r\n]+/, '');
  rw.splice(before, text.length, r.sql.slice(kept.length));
  return { ...rw.finish(), problems };
}
