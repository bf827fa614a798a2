import { describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardModel, type JsonObject } from '../../../src/dashboards/model.js';
import { SourceDoc } from '../../../src/dashboards/source.js';
import { alertContextFor, contextFor, interpolate } from '../../../src/sql/interpolate.js';
import { variableNameRules } from '../../../src/sql/macros.js';
import { findVariableRefs, isBuiltinVariable, isLeftToDatasource } from '../../../src/sql/variables.js';
import type { InterpolationContext } from '../../../src/sql/types.js';

function dashboard(raw: JsonObject, file = 'dashboards/test.json'): DashboardModel {
  const doc = SourceDoc.parse(file, JSON.stringify(raw, null, 2));
  return buildDashboard(file, doc, doc.value as JsonObject);
}

const variables: JsonObject[] = [
  {
    name: 'model',
    type: 'query',
    multi: true,
    includeAll: true,
    current: { value: ['gpt-4', 'claude'] },
    options: [],
  },
  { name: 'user', type: 'query', multi: true, includeAll: true, current: { value: ['$__all'] }, options: [] },
  { name: 'period', type: 'interval', query: '1m,1h', current: { value: '1h' } },
];

const ctx: InterpolationContext = {
  fromMs: 1700000000000,
  toMs: 1700100000000,
  intervalMs: 30000,
  variables,
};

describe('interpolate: grafana-clickhouse-datasource panel', () => {
  it('runs conditionalAll, then variables, then backend macros', () => {
    const raw =
      'SELECT $__timeInterval(ts) AS t, count() FROM events WHERE $__timeFilter(ts) ' +
      'AND $__conditionalAll(model IN ($model), $model) AND $__conditionalAll(user_id IN (${user:sqlstring}), $user)';
    const r = interpolate(raw, ctx, { plugin: 'grafana-clickhouse-datasource', origin: 'panel' });
    expect(r.problems).toEqual([]);
    expect(r.sql).toBe(
      'SELECT toStartOfInterval(toDateTime(ts), INTERVAL 30 second) AS t, count() FROM events WHERE ' +
        "ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000) AND model IN ('gpt-4','claude') AND 1=1",
    );
  });

  it('lets a variable feed a macro argument (frontend first, backend after)', () => {
    const r = interpolate('SELECT $__timeGroup(ts, $period)', ctx, {
      plugin: 'grafana-clickhouse-datasource',
      origin: 'panel',
    });
    expect(r.sql).toBe('SELECT toStartOfInterval(toDateTime(ts), INTERVAL 3600 second)');
  });

  it('puts every problem at its offset in the raw text, whatever stage found it', () => {
    const raw = "SELECT $model, $ghost FROM t WHERE $__conditionalAll(x) AND $__timeFilter() AND '$__nope'";
    const r = interpolate(raw, ctx, { plugin: 'grafana-clickhouse-datasource', origin: 'panel' });
    expect(r.problems.map((p) => [p.offset, p.message])).toEqual([
      [raw.indexOf('$ghost'), 'cannot expand $ghost: no variable, built-in or macro of that name'],
      [raw.indexOf('$__conditionalAll'), '$__conditionalAll expected 2 argument(s), received 1'],
      [raw.indexOf('$__timeFilter'), '$__timeFilter expected 1 argument(s), received 0'],
    ]);
  });

  it('maps positions in the final SQL back to the raw text', () => {
    const raw = 'SELECT $model FROM t WHERE $__timeFilter(ts) AND bad_column = 1';
    const r = interpolate(raw, ctx, { plugin: 'grafana-clickhouse-datasource', origin: 'panel' });
    expect(r.mapOffset(r.sql.indexOf('bad_column'))).toBe(raw.indexOf('bad_column'));
    expect(r.mapOffset(r.sql.indexOf('claude'))).toBe(raw.indexOf('$model'));
    expect(r.mapOffset(r.sql.indexOf('toDateTime(1700100000)'))).toBe(raw.indexOf('$__timeFilter'));
    expect(r.mapOffset(0)).toBe(0);
  });

  it('gives alert queries only the backend macros', () => {
    const raw = 'SELECT count() FROM e WHERE $__timeFilter(ts) AND m IN ($model) GROUP BY $__interval';
    const r = interpolate(raw, ctx, { plugin: 'grafana-clickhouse-datasource', origin: 'alert' });
    expect(r.sql).toBe(
      'SELECT count() FROM e WHERE ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000) AND m IN ($model) GROUP BY 30s',
    );
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ offset: raw.indexOf('$model'), kind: 'unknown-variable' });
  });

  it('reports $__from in an alert query (no frontend), not as a variable', () => {
    const r = interpolate('SELECT $__from', ctx, {
      plugin: 'grafana-clickhouse-datasource',
      origin: 'alert',
    });
    expect(r.problems.map((p) => p.message)).toEqual([
      'cannot expand $__from: not a macro of grafana-clickhouse-datasource nor a Grafana variable',
    ]);
  });
});

describe('interpolate: vertamedia-clickhouse-datasource', () => {
  const target: JsonObject = { database: 'default', table: 'events', dateTimeColDataType: 'ts' };
  it('applies conditionalTest, the Altinity formatter, then the Altinity macros', () => {
    const raw =
      'SELECT $timeSeries AS t, count() FROM $table WHERE $timeFilter $conditionalTest(AND model IN ($model), $model) $conditionalTest(AND u IN ($user), $user)';
    const r = interpolate(
      raw,
      { ...ctx, maxDataPoints: 1000 },
      { plugin: 'vertamedia-clickhouse-datasource', origin: 'panel', target },
    );
    expect(r.problems).toEqual([]);
    expect(r.sql).toBe(
      "SELECT (intDiv(toUInt32(ts), 100) * 100) * 1000 AS t, count() FROM default.events WHERE ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000) AND model IN ('gpt-4','claude') ",
    );
  });

  it('does not mistake Altinity macros for unknown variables', () => {
    const r = interpolate('SELECT $from, $to, $interval FROM $table', ctx, {
      plugin: 'vertamedia-clickhouse-datasource',
      origin: 'panel',
      target,
    });
    expect(r.problems).toEqual([]);
    expect(r.sql).toBe('SELECT 1700000000, 1700100000, 100 FROM default.events');
  });
});

describe('how a query reads its time range (no-data-on-seed)', () => {
  const ch = { plugin: 'grafana-clickhouse-datasource', origin: 'panel' } as const;
  it('records the conditions the time-filter macros expanded to', () => {
    const r = interpolate(
      "SELECT count() FROM t WHERE $__timeFilter(ts) AND $__dateFilter(d) AND s = '$__timeFilter(x)' -- $__timeTo(y)",
      ctx,
      ch,
    );
    expect(r.timeRange).toEqual({
      filters: [
        'ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000)',
        "d >= toDate('2023-11-14') AND d <= toDate('2023-11-16')",
      ],
      other: false,
    });
  });

  it('says when the range is read another way, and nothing when it is not read', () => {
    const other = (sql: string) => interpolate(sql, ctx, ch).timeRange?.other;
    expect(other('SELECT 1 FROM t WHERE ts >= $__fromTime')).toBe(true);
    expect(other('SELECT 1 FROM t WHERE ts >= toDateTime(${__from:date:seconds})')).toBe(true);
    expect(other('SELECT 1 FROM t WHERE ts >= $__to / 1000')).toBe(true);
    expect(interpolate('SELECT $__timeInterval(ts) AS t, count() FROM t GROUP BY t', ctx, ch).timeRange).toBe(
      undefined,
    );
  });

  it("records the Altinity plugin's $timeFilter, and $from as another read", () => {
    const target: JsonObject = { database: 'default', table: 'events', dateTimeColDataType: 'ts' };
    const alt = { plugin: 'vertamedia-clickhouse-datasource', origin: 'panel', target } as const;
    expect(interpolate('SELECT 1 FROM $table WHERE $timeFilter', ctx, alt).timeRange).toEqual({
      filters: ['ts >= toDateTime(1700000000) AND ts <= toDateTime(1700100000)'],
      other: false,
    });
    expect(interpolate('SELECT $from FROM $table', ctx, alt).timeRange?.other).toBe(true);
  });
});

describe('the Altinity plugin before and after 3.4', () => {
  it('gives the form the plugin before 3.4 sends as an alternative when it differs', () => {
    const list: JsonObject[] = [
      { name: 'prefix', type: 'textbox', current: { value: '' } },
      { name: 'kind', type: 'query', multi: false, includeAll: false, current: { value: 'a' } },
    ];
    const run = (text: string) =>
      interpolate(
        text,
        { ...ctx, variables: list },
        { plugin: 'vertamedia-clickhouse-datasource', origin: 'panel' },
      );
    const r = run('SELECT 1 FROM ${prefix}events');
    expect(r.sql).toBe("SELECT 1 FROM ''events");
    expect(r.alternatives?.map((a) => a.sql)).toEqual(['SELECT 1 FROM events']);
    // Where both send the same SQL there is nothing else to try; nor for the ClickHouse plugin.
    expect(run('SELECT $kind').alternatives).toBeUndefined();
    expect(
      interpolate(
        'SELECT 1 FROM ${prefix}events',
        { ...ctx, variables: list },
        {
          plugin: 'grafana-clickhouse-datasource',
          origin: 'panel',
        },
      ).alternatives,
    ).toBeUndefined();
  });
});

describe('$__searchFilter', () => {
  it("is '%' in an Altinity query variable's query, as the plugin gives it before anything is typed", () => {
    const text =
      'SELECT DISTINCT c FROM t WHERE c LIKE ${__searchFilter:sqlstring} OR c LIKE $__searchFilter';
    const r = interpolate(text, ctx, { plugin: 'vertamedia-clickhouse-datasource', origin: 'variable' });
    expect(r.sql).toBe("SELECT DISTINCT c FROM t WHERE c LIKE '%' OR c LIKE '%'");
    expect(r.problems).toEqual([]);
    // Only a variable's own query has it.
    const panel = interpolate(text, ctx, { plugin: 'vertamedia-clickhouse-datasource', origin: 'panel' });
    expect(panel.problems.map((p) => p.kind)).toContain('unknown-variable');
  });
});

describe('contextFor', () => {
  const NOW = new Date('2024-03-15T12:00:00.000Z');
  const base: JsonObject = {
    uid: 'exec',
    title: 'Executive overview',
    time: { from: 'now-7d', to: 'now' },
    timezone: 'utc',
    templating: {
      list: [{ name: 'period', type: 'interval', query: '1m,1h', current: { value: '1h' } }],
    },
    panels: [
      { id: 1, type: 'timeseries', targets: [] },
      { id: 2, type: 'timeseries', interval: '1h', targets: [] },
      { id: 3, type: 'timeseries', interval: '$period', targets: [] },
      { id: 4, type: 'timeseries', maxDataPoints: 100, targets: [] },
      { id: 5, type: 'timeseries', timeFrom: '2h', targets: [] },
      { id: 6, type: 'timeseries', timeShift: '1d', targets: [] },
      { id: 7, type: 'timeseries', interval: 'soon', targets: [] },
    ],
  };
  const dash = dashboard(base);
  const panel = (id: number) => dash.panels.find((p) => p.id === id)!;

  it('reads the default range against the fixed now and derives the interval', () => {
    const c = contextFor(dash, NOW);
    expect(c.fromMs).toBe(Date.UTC(2024, 2, 8, 12));
    expect(c.toMs).toBe(NOW.getTime());
    // 7 d / 1000 points = 604.8 s → the 10 m rung.
    expect(c.intervalMs).toBe(600000);
    expect(c.dashboard).toEqual({ uid: 'exec', title: 'Executive overview' });
    expect(c.timezone).toBe('utc');
    expect(c.warnings).toEqual([]);
  });

  it.each([
    [1, 600000],
    [2, 3600000],
    [3, 3600000],
    [4, 3600000 * 2],
  ])('panel %d interval → %d ms', (id, want) => {
    expect(contextFor(dash, NOW, panel(id)).intervalMs).toBe(want);
  });

  it('applies relative time and time shift overrides', () => {
    const c5 = contextFor(dash, NOW, panel(5));
    expect([c5.fromMs, c5.toMs]).toEqual([NOW.getTime() - 2 * 3600000, NOW.getTime()]);
    const c6 = contextFor(dash, NOW, panel(6));
    expect([c6.fromMs, c6.toMs]).toEqual([Date.UTC(2024, 2, 7, 12), Date.UTC(2024, 2, 14, 12)]);
  });

  it('warns about what it cannot read and falls back to Grafana defaults', () => {
    expect(contextFor(dash, NOW, panel(7)).warnings).toEqual([
      'panel interval "soon" is not an interval Grafana reads; ignored',
    ]);
    const bad = dashboard({ ...base, time: { from: 'last week', to: 'now' } });
    const c = contextFor(bad, NOW);
    expect(c.warnings).toEqual(['time.from "last week" is not a time Grafana reads; using now-6h']);
    expect(c.fromMs).toBe(NOW.getTime() - 6 * 3600000);
    const none = dashboard({ uid: 'x', title: 'x', panels: [] });
    expect(contextFor(none, NOW).fromMs).toBe(NOW.getTime() - 6 * 3600000);
  });

  it('shares one variable array per dashboard across panels', () => {
    expect(contextFor(dash, NOW, panel(1)).variables).toBe(contextFor(dash, NOW, panel(2)).variables);
  });
});

describe('a repeated panel sees one value of the variable it repeats by', () => {
  // go-faster/oteldb dev/local/ch-demo/grafana/dashboards/oteldb.json @ 047f8e88: panel "${table}" repeats
  // by the multi-value $table and reads `table LIKE '${table}'`; each clone gets one table name.
  const NOW = new Date('2024-03-15T12:00:00.000Z');
  const list: JsonObject[] = [
    {
      name: 'table',
      type: 'query',
      multi: true,
      includeAll: true,
      current: { text: ['traces_spans', 'logs'], value: ['traces_spans', 'logs'] },
      options: [],
    },
    {
      name: 'svc',
      type: 'custom',
      multi: true,
      includeAll: true,
      allValue: '.*',
      current: { text: 'All', value: '$__all' },
      options: [
        { text: 'API', value: 'api' },
        { text: 'Web', value: 'web' },
      ],
    },
    { name: 'pending', type: 'query', multi: true, current: {}, options: [] },
  ];
  const dash = dashboard({
    uid: 'r',
    title: 'R',
    templating: { list },
    panels: [
      { id: 1, type: 'table', repeat: 'table', targets: [] },
      { id: 2, type: 'row', repeat: 'svc', panels: [] },
      { id: 3, type: 'table', targets: [] },
      { id: 4, type: 'table', repeat: 'pending', targets: [] },
      { id: 5, type: 'row', panels: [] },
      { id: 6, type: 'table', targets: [] },
    ],
  });
  const panel = (id: number) => dash.panels.find((p) => p.id === id)!;
  const run = (id: number, text: string, plugin: 'clickhouse' | 'altinity' = 'clickhouse') =>
    interpolate(text, contextFor(dash, NOW, panel(id)), {
      plugin: plugin === 'clickhouse' ? 'grafana-clickhouse-datasource' : 'vertamedia-clickhouse-datasource',
      origin: 'panel',
    }).sql;

  it('the first selected value, formatted as the one string it is', () => {
    expect(run(1, "SELECT 1 FROM system.parts WHERE table LIKE '${table}'")).toBe(
      "SELECT 1 FROM system.parts WHERE table LIKE 'traces_spans'",
    );
    // Outside the repeat the variable is the list the plugin quotes and joins.
    expect(run(6, 'SELECT 1 WHERE t IN (${table})')).toBe("SELECT 1 WHERE t IN ('traces_spans','logs')");
  });

  it('keeps multi for the Altinity formatter, which quotes a multi-value variable even when it is one string', () => {
    expect(run(1, 'SELECT 1 WHERE t = $table', 'altinity')).toBe("SELECT 1 WHERE t = 'traces_spans'");
  });

  it('a repeated row repeats its panels: All means each option, never the custom all value', () => {
    expect(run(3, "SELECT 1 WHERE s = '$svc' -- ${svc:text}")).toBe("SELECT 1 WHERE s = 'api' -- API");
    expect(run(6, 'SELECT 1 WHERE s = $svc')).toBe('SELECT 1 WHERE s = .*');
  });

  it('a variable with no value to repeat on stays unresolved', () => {
    expect(run(4, 'SELECT 1 WHERE p IN ($pending)')).toBe('SELECT 1 WHERE p IN (NULL)');
  });
});

describe('alertContextFor', () => {
  it('takes the relative range and the model interval, with Grafana defaults', () => {
    const now = new Date('2024-03-15T12:00:00.000Z');
    const c = alertContextFor(
      { model: { rawSql: 'x', intervalMs: 60000 }, relativeTimeRange: { from: 3600, to: 0 } },
      now,
    );
    expect([c.fromMs, c.toMs, c.intervalMs, c.maxDataPoints]).toEqual([
      now.getTime() - 3600000,
      now.getTime(),
      60000,
      43200,
    ]);
    const d = alertContextFor({ model: {} }, now);
    expect([d.fromMs, d.intervalMs]).toEqual([now.getTime() - 600000, 1000]);
  });
});

describe('what a variable is: one answer for interpolation and the linter', () => {
  const plugins = ['grafana-clickhouse-datasource', 'vertamedia-clickhouse-datasource'] as const;
  const texts = [
    '$model',
    '$ghost',
    '${ghost}',
    '[[ghost:csv]]',
    '$__from',
    '${__user.login}',
    '$__timeFilter(ts)',
    '${__timeFilter}',
    '$__nope',
    '$timeFilter',
    '${table}',
    '$adhoc',
    "'$1'",
  ];

  it.each(plugins.flatMap((p) => texts.map((t) => [p, t] as const)))(
    '%s: %s is reported as an unknown variable exactly when no variable, built-in or macro rule covers it',
    (plugin, text) => {
      const names = new Set(variables.map((v) => v.name as string));
      const rules = variableNameRules(plugin);
      const undefinedRefs = findVariableRefs(text).filter(
        (r) => !names.has(r.name) && !isBuiltinVariable(r.name) && !isLeftToDatasource(r, rules),
      );
      const r = interpolate(
        `SELECT ${text}`,
        { ...ctx, target: { table: 't', dateTimeColDataType: 'ts' } },
        {
          plugin,
          origin: 'panel',
        },
      );
      const unknown = r.problems.filter((p) => p.kind === 'unknown-variable');
      expect(unknown.length).toBe(undefinedRefs.length);
    },
  );

  it('leaves every __ name of a datasource it does not interpolate to that datasource', () => {
    const other = variableNameRules('prometheus');
    expect(isLeftToDatasource({ name: '__rate_interval', syntax: '${}' }, other)).toBe(true);
    expect(isLeftToDatasource({ name: 'rate_interval', syntax: '$' }, other)).toBe(false);
  });
});
