import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/dashboards/model.js';
import {
  expandAdHocFilters,
  expandAltinityMacros,
  expandClickHouseMacros,
  expandConditionalAll,
  expandConditionalTest,
  type MacroContext,
} from '../../../src/sql/macros.js';
import { variableIndex } from '../../../src/sql/variables.js';

// from 2023-11-14T22:13:20Z to 2023-11-16T02:00:00Z, interval 30 s.
const ctx: MacroContext = { fromMs: 1700000000000, toMs: 1700100000000, intervalMs: 30000 };
const ch = (text: string, c: MacroContext = ctx) => expandClickHouseMacros(text, c, 'panel');

describe('grafana-clickhouse-datasource backend macros (CONTRACTS C.3)', () => {
  it.each([
    ['$__timeFilter(ts)', 'ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000)'],
    [
      '$__timeFilter_ms(ts)',
      'ts >= fromUnixTimestamp64Milli(1700000000000) AND ts <= fromUnixTimestamp64Milli(1700100000000)',
    ],
    ['$__dateFilter(d)', "d >= toDate('2023-11-14') AND d <= toDate('2023-11-16')"],
    [
      '$__dateTimeFilter(d, ts)',
      "(d >= toDate('2023-11-14') AND d <= toDate('2023-11-16')) AND (ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000))",
    ],
    [
      '$__dt(d, ts)',
      "(d >= toDate('2023-11-14') AND d <= toDate('2023-11-16')) AND (ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000))",
    ],
    ['$__fromTime', 'toDateTime(1700000000)'],
    ['$__toTime', 'toDateTime(1700100000)'],
    ['$__fromTime_ms', 'fromUnixTimestamp64Milli(1700000000000)'],
    ['$__toTime_ms', 'fromUnixTimestamp64Milli(1700100000000)'],
    ['$__timeInterval(ts)', 'toStartOfInterval(toDateTime(ts), INTERVAL 30 second)'],
    ['$__timeInterval_ms(ts)', 'toStartOfInterval(toDateTime64(ts, 3), INTERVAL 30000 millisecond)'],
    ['$__interval_s', '30'],
    ['$__timeFrom(ts)', 'ts >= toDateTime(1700000000)'],
    ['$__timeTo(ts)', 'ts <= toDateTime(1700100000)'],
    ['$__timeGroup(ts, 5m)', 'toStartOfInterval(toDateTime(ts), INTERVAL 300 second)'],
    ["$__timeGroup(ts, '1h')", 'toStartOfInterval(toDateTime(ts), INTERVAL 3600 second)'],
    ['$__timeGroup(ts, "1h30m")', 'toStartOfInterval(toDateTime(ts), INTERVAL 5400 second)'],
    ['$__interval', '30s'],
    ['$__interval_ms', '30000'],
    // Zero-argument macros consume an argument list like macropro does.
    ['$__fromTime()', 'toDateTime(1700000000)'],
  ])('%s → %s', (text, want) => {
    const r = ch(text);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(want);
  });

  it('floors the interval at one second / one millisecond', () => {
    const small = { ...ctx, intervalMs: 500 };
    expect(ch('$__interval_s', small).text).toBe('1');
    expect(ch('$__timeInterval(ts)', small).text).toBe(
      'toStartOfInterval(toDateTime(ts), INTERVAL 1 second)',
    );
    expect(ch('$__timeInterval_ms(ts)', small).text).toBe(
      'toStartOfInterval(toDateTime64(ts, 3), INTERVAL 500 millisecond)',
    );
    expect(ch('$__interval', small).text).toBe('500ms');
    expect(ch('$__interval', { ...ctx, intervalMs: 86400000 }).text).toBe('1d');
  });

  it('expands in place inside a query, keeping the rest', () => {
    const r = ch('SELECT $__timeInterval(ts) AS t, count() FROM e WHERE $__timeFilter(ts) GROUP BY t');
    expect(r.text).toBe(
      'SELECT toStartOfInterval(toDateTime(ts), INTERVAL 30 second) AS t, count() FROM e WHERE ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000) GROUP BY t',
    );
  });

  it.each([
    ["$__timeFilter(toDateTime(ts, 'UTC'))", "toDateTime(ts, 'UTC') >= toDateTime(1700000000)"],
    ["$__timeFilter(concat('a,)', b))", "concat('a,)', b) >= toDateTime(1700000000)"],
    ['$__timeFilter( ts )', 'ts >= toDateTime(1700000000)'],
    ['$__dt(toDate(a), if(x, b, c))', "(toDate(a) >= toDate('2023-11-14')"],
    ['$__dt(arr[1], tupleElement(t, 2))', "(arr[1] >= toDate('2023-11-14')"],
  ])('parses nested parentheses, brackets and quoted commas: %s', (text, prefix) => {
    const r = ch(text);
    expect(r.problems).toEqual([]);
    expect(r.text.startsWith(prefix)).toBe(true);
  });

  it.each([
    ['$__timeFilter()', '$__timeFilter expected 1 argument(s), received 0'],
    ['$__timeFilter(a, b)', '$__timeFilter expected 1 argument(s), received 2'],
    ['$__timeFilter', '$__timeFilter expected 1 argument(s), received 0'],
    ['$__timeFilter (ts)', '$__timeFilter expected 1 argument(s), received 0'],
    ['$__timeFilter(ts', '$__timeFilter expected 1 argument(s), received 0'],
    ['$__timeFilter_ms(a,b,c)', '$__timeFilter_ms expected 1 argument(s), received 3'],
    ['$__dateFilter()', '$__dateFilter expected 1 argument(s), received 0'],
    ['$__dateTimeFilter(d)', '$__dateTimeFilter expected 2 argument(s), received 1'],
    ['$__dt(d)', '$__dt expected 2 argument(s), received 1'],
    ['$__timeInterval(a, b)', '$__timeInterval expected 1 argument(s), received 2'],
    ['$__timeInterval_ms()', '$__timeInterval_ms expected 1 argument(s), received 0'],
    ['$__timeFrom', '$__timeFrom expected 1 argument(s), received 0'],
    ['$__timeTo()', '$__timeTo expected 1 argument(s), received 0'],
    ['$__timeGroup(ts)', '$__timeGroup expected 2 argument(s), received 1'],
    ['$__timeGroup(ts, 1d)', '$__timeGroup: invalid interval "1d" (a Go duration such as 30s, 5m, 1h)'],
    ['$__timeGroup(ts, 0s)', '$__timeGroup: interval must be positive, got "0s"'],
    ['$__table', '$__table: no table name in query context'],
    ['$__column', '$__column: no column name in query context'],
  ])('%s is a problem: %s', (text, message) => {
    const r = ch(`SELECT ${text}`);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ offset: 7, message, blocking: true });
    // Left as it was: Grafana fails the query rather than guessing.
    expect(r.text.startsWith(`SELECT ${text.slice(0, 5)}`)).toBe(true);
  });

  it('expands $__table / $__column when the query context has them', () => {
    expect(ch('$__table.$__column', { ...ctx, table: 'events', column: 'ts' }).text).toBe('events.ts');
  });

  it.each([
    'SELECT 1 -- $__timeFilter(ts)',
    'SELECT 1 /* $__fromTime and $__nope */',
    "SELECT '$__fromTime'",
    "SELECT 'it\\'s $__fromTime'",
    "SELECT 'it''s $__fromTime'",
    'SELECT `$__fromTime`',
    'SELECT "$__fromTime"',
    'SELECT $x$ $__fromTime $x$',
    'SELECT $$ $__fromTime $$',
  ])('leaves macros in comments, strings, identifiers and heredocs alone: %s', (text) => {
    const r = ch(text);
    expect(r.text).toBe(text);
    expect(r.problems).toEqual([]);
  });

  it('expands macros after a comment or string ends', () => {
    expect(ch("SELECT '--' , $__fromTime -- $__toTime\n, $__toTime").text).toBe(
      "SELECT '--' , toDateTime(1700000000) -- $__toTime\n, toDateTime(1700100000)",
    );
  });

  it('reports unknown $__names, frontend-only macros in alerts, and statement macros', () => {
    const r = ch('SELECT $__nope, $__timeFilterX(ts)');
    expect(r.problems.map((p) => [p.offset, p.kind, p.message])).toEqual([
      [
        7,
        'unknown-macro',
        'cannot expand $__nope: not a macro of grafana-clickhouse-datasource nor a Grafana variable',
      ],
      [
        16,
        'unknown-macro',
        'cannot expand $__timeFilterX: not a macro of grafana-clickhouse-datasource nor a Grafana variable',
      ],
    ]);
    const alert = expandClickHouseMacros('WHERE $__conditionalAll(a, $b)', ctx, 'alert');
    expect(alert.problems[0]!.message).toBe(
      'cannot expand $__conditionalAll: it is a frontend macro of grafana-clickhouse-datasource and alert queries never reach the frontend',
    );
    const stmt = ch('SELECT $__rateColumns(t, k, v) FROM x');
    expect(stmt.problems[0]).toMatchObject({ kind: 'unsupported-macro' });
    expect(stmt.problems[0]!.message).toMatch(
      /^\$__rateColumns\(\.\.\.\) is a statement macro .* skipped \(not judged\)$/,
    );
  });

  it('maps output offsets back to the input', () => {
    const text = 'SELECT $__fromTime, bad';
    const r = ch(text);
    const out = r.text.indexOf('bad');
    expect(r.map.map(out)).toBe(text.indexOf('bad'));
    expect(r.map.map(r.text.indexOf('toDateTime') + 3)).toBe(7);
  });
});

const vars: JsonObject[] = [
  { name: 'multi', type: 'query', multi: true, current: { value: ['a', 'b'] } },
  { name: 'all', type: 'query', multi: true, includeAll: true, current: { value: ['$__all'] } },
  { name: 'allScalar', type: 'query', includeAll: true, current: { value: '$__all' } },
  { name: 'blank', type: 'textbox', current: { value: '' } },
  { name: 'none', type: 'query', multi: true, current: { value: [] } },
  { name: 'one', type: 'custom', current: { value: 'x' } },
];
const index = variableIndex(vars);

describe('$__conditionalAll (frontend, before variables)', () => {
  it.each([
    ['$__conditionalAll(user IN ($multi), $multi)', 'user IN ($multi)'],
    ['$__conditionalAll(user IN ($all), $all)', '1=1'],
    ['$__conditionalAll(user IN ($allScalar), ${allScalar})', '1=1'],
    ["$__conditionalAll(position(b, '$blank') > 0, $blank)", '1=1'],
    ['$__conditionalAll(user IN ($none), $none)', '1=1'],
    ['$__conditionalAll(f(a, g(b, c)) = 1, $one)', 'f(a, g(b, c)) = 1'],
    ['$__conditionalAll(x = 1, $unknownVar)', 'x = 1'],
    ['$__conditionalAll(x = 1 AND $__conditionalAll(y IN ($all), $all), $one)', 'x = 1 AND 1=1'],
  ])('%s → %s', (text, want) => {
    const r = expandConditionalAll(`WHERE ${text} LIMIT 1`, index);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(`WHERE ${want} LIMIT 1`);
  });

  it('reports a wrong argument count and leaves the macro', () => {
    const r = expandConditionalAll('WHERE $__conditionalAll(x = 1) AND 1', index);
    expect(r.text).toBe('WHERE $__conditionalAll(x = 1) AND 1');
    expect(r.problems).toEqual([
      {
        offset: 6,
        message: '$__conditionalAll expected 2 argument(s), received 1',
        kind: 'macro-arguments',
        blocking: true,
      },
    ]);
  });

  it('keeps raw offsets of the kept condition', () => {
    const text = 'WHERE $__conditionalAll(user IN ($multi), $multi)';
    const r = expandConditionalAll(text, index);
    expect(r.text).toBe('WHERE user IN ($multi)');
    expect(r.map.map(r.text.indexOf('$multi'))).toBe(text.indexOf('$multi'));
  });
});

describe('$__adHocFilters', () => {
  it('gives an empty setting without filters', () => {
    expect(expandAdHocFilters("SELECT 1 SETTINGS $__adHocFilters('events')", index).text).toBe(
      'SELECT 1 SETTINGS additional_table_filters={}',
    );
  });

  it('renders the ad hoc variable filters per table', () => {
    const adhoc = variableIndex([
      {
        name: 'filters',
        type: 'adhoc',
        filters: [
          { key: 'country', operator: '=', value: "O'Brien" },
          { key: 'model', operator: '=~', value: 'gpt.*' },
        ],
      },
    ]);
    expect(expandAdHocFilters("SETTINGS $__adHocFilters('events', 'users')", adhoc).text).toBe(
      "SETTINGS additional_table_filters={'events': 'country = \\'O\\\\\\'Brien\\' AND match(model, \\'gpt.*\\')', 'users': 'country = \\'O\\\\\\'Brien\\' AND match(model, \\'gpt.*\\')'}",
    );
  });
});

const altTarget: JsonObject = {
  database: 'default',
  table: 'events',
  dateTimeColDataType: 'event_time',
  dateColDataType: 'event_date',
};
const alt = (text: string, target: JsonObject = altTarget) =>
  expandAltinityMacros(text, {
    fromMs: 1700000000000,
    toMs: 1700100000000,
    intervalMs: 30000,
    maxDataPoints: 1000,
    target,
  });

describe('Altinity (vertamedia) macros (CONTRACTS C.6)', () => {
  // 100,000 s over 1,000 points: $interval = 100 s, $__interval_ms = 100000.
  it.each([
    ['$table', 'default.events'],
    ['$dateCol', 'event_date'],
    ['$dateTimeCol', 'event_time'],
    ['$from', '1700000000'],
    ['$to', '1700100000'],
    ['$__from', '1700000000000'],
    ['$__to', '1700100000000'],
    ['$interval', '100'],
    ['$__interval_ms', '100000'],
    [
      '$timeFilter',
      'event_date >= toDate(1700000000) AND event_date <= toDate(1700100000) AND event_time >= toDateTime(1700000000) AND event_time <= toDateTime(1700100000)',
    ],
    [
      '$timeFilterMs',
      'event_date >= toDate(1700000000) AND event_date <= toDate(1700100000) AND event_time >= toDateTime(1700000000000/1000) AND event_time <= toDateTime(1700100000000/1000)',
    ],
    ['$timeSeries', '(intDiv(toUInt32(event_time), 100) * 100) * 1000'],
    ['$timeSeriesMs', '(intDiv(toUInt32(event_time) * 1000, 100000) * 100000)'],
    ['$naturalTimeSeries', 'toUInt32(toStartOfFifteenMinutes(event_time)) * 1000'],
    [
      '$timeFilterByColumn(created)',
      'created >= toDateTime(1700000000) AND created <= toDateTime(1700100000)',
    ],
    [
      '$timeFilter64ByColumn(created)',
      'created >= toDateTime(1700000000000/1000) AND created <= toDateTime(1700100000000/1000)',
    ],
    ["$unescape('a,b')", 'a,b'],
  ])('%s → %s', (text, want) => {
    const r = alt(text);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(want);
  });

  it.each([
    [
      { dateTimeType: 'DATETIME64' },
      '$timeFilter',
      'event_time >= toDateTime64(1700000000,3) AND event_time <= toDateTime64(1700100000,3)',
    ],
    [
      { dateTimeType: 'DATETIME64' },
      '$timeSeries',
      '(intDiv(toFloat64(event_time) * 1000, (100 * 1000)) * (100 * 1000))',
    ],
    [
      { dateTimeType: 'TIMESTAMP64_3' },
      '$timeFilter',
      'event_time >= 1000*1700000000 AND event_time <= 1000*1700100000',
    ],
    [
      { dateTimeType: 'FLOAT' },
      '$timeFilterMs',
      'event_time >= toFloat64(1700000000000/1000) AND event_time <= toFloat64(1700100000000/1000)',
    ],
    [{ table: 'my-events', database: '' }, '$table', '`my-events`'],
    [{ dateTimeColDataType: 't' }, '$dateTimeCol', '"t"'],
    [{ interval: '1m' }, '$interval', '60'],
    [{ interval: '1m', intervalFactor: 2 }, '$__interval_ms', '120000'],
    [{ round: '1h' }, '$from', '1699999200'],
    [{ round: '1h' }, '$__from', '1700000000000'],
    [
      { round: '1h' },
      '$timeFilterByColumn(c)',
      'c >= toDateTime(1699992001) AND c <= toDateTime(1700107199)',
    ],
  ] as [JsonObject, string, string][])('with %j: %s → %s', (fields, text, want) => {
    const target = { ...altTarget, dateColDataType: '', ...fields };
    const r = alt(text, target);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(want);
  });

  it("reports a whole-query macro that is not the query's first item (the plugin expands only that one)", () => {
    for (const m of ['rate', 'columns', 'perSecond', 'delta', 'increase', 'rateColumns', 'lttb']) {
      const r = alt(`SELECT * FROM ($${m}(count() c) FROM $table WHERE $timeFilter)`);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toMatchObject({ offset: 15, kind: 'unsupported-macro', blocking: true });
      expect(r.problems[0]!.message).toMatch(
        new RegExp(`^\\$${m}\\(\\.\\.\\.\\) is expanded by the Altinity plugin`),
      );
      expect(r.problems[0]!.message).not.toMatch(/Grafana (could|can)not/);
    }
  });

  it('reports a missing table or DateTime column', () => {
    const r = alt('SELECT $timeSeries FROM $table', {});
    expect(r.problems.map((p) => p.message)).toEqual([
      'cannot expand $timeSeries: the target sets no DateTime column (dateTimeColDataType)',
      'cannot expand $table: the target sets no table',
    ]);
  });

  it('renders $adhoc as the ad hoc filters, or 1 without any', () => {
    expect(alt('WHERE $adhoc').text).toBe('WHERE 1');
    const r = expandAltinityMacros('WHERE $adhoc', {
      fromMs: 0,
      toMs: 1000,
      intervalMs: 1000,
      maxDataPoints: 100,
      target: altTarget,
      adhoc: "country = 'FR'",
    });
    expect(r.text).toBe("WHERE country = 'FR'");
  });

  it('leaves unknown $names to the variable stage', () => {
    const r = alt('SELECT $somethingElse');
    expect(r.text).toBe('SELECT $somethingElse');
    expect(r.problems).toEqual([]);
  });
});

describe('$conditionalTest (Altinity, frontend)', () => {
  it.each([
    ['$conditionalTest(AND user IN ($multi), $multi)', 'AND user IN ($multi)'],
    ['$conditionalTest(AND user IN ($all), $all)', ''],
    ['$conditionalTest(AND a = 1, AND a = 2, $all)', 'AND a = 2'],
    ['$conditionalTest(AND a = 1, AND a = 2, ${one})', 'AND a = 1'],
    ['$conditionalTest(AND x = f(1, 2), $none)', ''],
    ["$conditionalTest(AND b = '$blank', $blank)", ''],
  ])('%s → "%s"', (text, want) => {
    const r = expandConditionalTest(`WHERE 1 ${text}`, index);
    expect(r.problems).toEqual([]);
    expect(r.text).toBe(`WHERE 1 ${want}`);
  });

  it('reports an unknown variable and a wrong argument count', () => {
    expect(expandConditionalTest('$conditionalTest(a, $ghost)', index).problems[0]!.message).toBe(
      '$conditionalTest: $ghost is not a variable of this dashboard',
    );
    expect(expandConditionalTest('$conditionalTest(a)', index).problems[0]!.message).toBe(
      '$conditionalTest expected 2 or 3 argument(s), received 1',
    );
  });
});
