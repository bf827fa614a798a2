import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardModel, type JsonObject } from '../../../src/dashboards/model.js';
import { SourceDoc } from '../../../src/dashboards/source.js';
import {
  extractAlertQueries,
  extractDashboardQueries,
  interpolateSource,
  resolveDatasourceType,
  type AlertGroupInput,
} from '../../../src/sql/extract.js';

function dashboard(raw: JsonObject, file = 'dashboards/test.json'): DashboardModel {
  const doc = SourceDoc.parse(file, JSON.stringify(raw, null, 2));
  return buildDashboard(file, doc, doc.value as JsonObject);
}

const CH = { type: 'grafana-clickhouse-datasource', uid: 'ch' };

const raw: JsonObject = {
  uid: 'exec',
  title: 'Exec',
  time: { from: 'now-1h', to: 'now' },
  templating: {
    list: [
      { name: 'ds', type: 'datasource', query: 'grafana-clickhouse-datasource', current: { value: 'ch' } },
      { name: 'redis', type: 'datasource', query: 'redis-datasource' },
      {
        name: 'users',
        type: 'query',
        datasource: { type: 'grafana-clickhouse-datasource', uid: '${ds}' },
        query: { editorType: 'sql', rawSql: 'SELECT DISTINCT user_id FROM events WHERE $__timeFilter(ts)' },
        definition: 'ignored when query has SQL',
      },
      {
        name: 'models',
        type: 'query',
        datasource: { uid: '$ds' },
        query: 'SELECT DISTINCT model FROM events',
      },
      { name: 'byDefinition', type: 'query', datasource: 'ClickHouse', query: {}, definition: 'SELECT 1' },
      { name: 'keys', type: 'query', datasource: { type: 'redis-datasource', uid: 'r' }, query: 'KEYS *' },
      { name: 'constant', type: 'constant', query: 'SELECT not sql' },
    ],
  },
  panels: [
    {
      id: 1,
      type: 'stat',
      datasource: CH,
      targets: [
        { refId: 'A', rawSql: 'SELECT count() FROM events WHERE $__timeFilter(ts)' },
        { refId: 'B', rawSql: '   ' },
        { refId: 'C', datasource: { type: 'redis-datasource', uid: 'r' }, command: 'get' },
      ],
    },
    {
      id: 2,
      type: 'row',
      collapsed: true,
      panels: [
        {
          id: 3,
          type: 'table',
          datasource: { uid: 'alt' },
          targets: [
            {
              refId: 'A',
              query: 'SELECT * FROM $table WHERE $timeFilter',
              table: 'events',
              dateTimeColDataType: 'ts',
            },
          ],
        },
      ],
    },
    {
      id: 4,
      type: 'timeseries',
      datasource: '$ds',
      targets: [{ refId: 'A', rawSql: 'SELECT 1' }],
    },
    {
      id: 5,
      type: 'timeseries',
      datasource: { type: 'datasource', uid: '-- Mixed --' },
      targets: [{ refId: 'A', rawSql: 'SELECT 2' }],
    },
    { id: 6, type: 'timeseries', targets: [{ refId: 'A', rawSql: 'SELECT 3' }] },
  ],
};

const types = new Map([
  ['alt', 'vertamedia-clickhouse-datasource'],
  ['ClickHouse', 'grafana-clickhouse-datasource'],
  ['r', 'redis-datasource'],
]);

describe('extractDashboardQueries', () => {
  const dash = dashboard(raw);
  const qs = extractDashboardQueries(dash, types);

  it('finds panel targets (collapsed rows too) and query variables on ClickHouse datasources', () => {
    expect(
      qs.map((q) => [q.origin, q.panel?.id ?? q.variable?.name, q.refId, q.datasourceType, q.path.join('.')]),
    ).toEqual([
      ['panel', 1, 'A', 'grafana-clickhouse-datasource', 'panels.0.targets.0.rawSql'],
      ['panel', 3, 'A', 'vertamedia-clickhouse-datasource', 'panels.1.panels.0.targets.0.query'],
      ['panel', 4, 'A', 'grafana-clickhouse-datasource', 'panels.2.targets.0.rawSql'],
      ['variable', 'users', undefined, 'grafana-clickhouse-datasource', 'templating.list.2.query.rawSql'],
      ['variable', 'models', undefined, 'grafana-clickhouse-datasource', 'templating.list.3.query'],
      [
        'variable',
        'byDefinition',
        undefined,
        'grafana-clickhouse-datasource',
        'templating.list.4.definition',
      ],
    ]);
  });

  it('points each query at the line and column of its string in the file', () => {
    const text = dash.doc.text;
    for (const q of qs) {
      const lines = text.split('\n');
      const line = lines[q.line - 1]!;
      // The JSON string value starts at the column: its opening quote.
      expect(line.slice(q.column - 1, q.column)).toBe('"');
      expect(JSON.parse(line.slice(q.column - 1).replace(/,$/, ''))).toBe(q.text);
    }
  });

  it('uses the default datasource type only when asked', () => {
    const withDefault = extractDashboardQueries(dash, types, {
      defaultDatasourceType: 'grafana-clickhouse-datasource',
    });
    expect(withDefault.map((q) => q.panel?.id).filter((x) => x !== undefined)).toEqual([1, 3, 4, 6]);
  });

  it('interpolates each source with its own context', () => {
    const r = interpolateSource(qs[1]!, new Date('2024-03-15T12:00:00Z'));
    expect(r.problems).toEqual([]);
    expect(r.sql).toBe(
      'SELECT * FROM events WHERE ts >= toDateTime(1710500400) AND ts <= toDateTime(1710504000)',
    );
  });
});

describe('resolveDatasourceType', () => {
  const dash = dashboard(raw);
  it.each([
    [{ type: 'grafana-clickhouse-datasource', uid: '${ds}' }, 'grafana-clickhouse-datasource'],
    [{ uid: '${ds}' }, 'grafana-clickhouse-datasource'],
    [{ uid: '$ds' }, 'grafana-clickhouse-datasource'],
    [{ uid: '[[ds]]' }, 'grafana-clickhouse-datasource'],
    [{ name: '$redis' }, 'redis-datasource'],
    [{ uid: 'alt' }, 'vertamedia-clickhouse-datasource'],
    [{ name: 'ClickHouse' }, 'grafana-clickhouse-datasource'],
    [{ uid: 'nope' }, undefined],
    [{ uid: '$nope' }, undefined],
    [{ type: 'datasource', uid: '-- Mixed --' }, undefined],
    [undefined, undefined],
  ])('%j → %s', (ref, want) => {
    expect(resolveDatasourceType(ref, dash, types)).toBe(want);
  });
});

describe('extractAlertQueries', () => {
  const groups: AlertGroupInput[] = [
    {
      file: 'alerts/alerts.yaml',
      name: 'slo',
      rules: [
        {
          uid: 'high-errors',
          title: 'High error rate',
          queries: [
            {
              refId: 'A',
              datasourceUid: 'ch',
              model: {
                refId: 'A',
                rawSql: 'SELECT countIf(error) / count() FROM events WHERE $__timeFilter(ts)',
              },
              relativeTimeRange: { from: 300, to: 0 },
              line: 12,
              column: 9,
              rawSqlLine: 16,
              rawSqlColumn: 21,
            },
            {
              refId: 'B',
              datasourceUid: '__expr__',
              model: { type: 'reduce', expression: 'A' },
              line: 20,
              column: 9,
            },
            {
              refId: 'C',
              datasourceUid: 'unknown',
              model: { datasource: { type: 'vertamedia-clickhouse-datasource' }, query: 'SELECT 1' },
              line: 30,
              column: 9,
            },
            { refId: 'D', datasourceUid: 'pg', model: { rawSql: 'SELECT 1' }, line: 40, column: 9 },
          ],
        },
      ],
    },
  ];
  const qs = extractAlertQueries(
    groups,
    new Map([
      ['ch', 'grafana-clickhouse-datasource'],
      ['pg', 'postgres'],
    ]),
  );

  it('takes ClickHouse queries only, with the rule and the position of the SQL', () => {
    expect(
      qs.map((q) => [q.refId, q.datasourceType, q.line, q.column, q.alertRule?.uid, q.alertRule?.group]),
    ).toEqual([
      ['A', 'grafana-clickhouse-datasource', 16, 21, 'high-errors', 'slo'],
      ['C', 'vertamedia-clickhouse-datasource', 30, 9, 'high-errors', 'slo'],
    ]);
  });

  it('interpolates alert SQL with backend macros over the relative range', () => {
    const r = interpolateSource(qs[0]!, new Date('2024-03-15T12:00:00Z'));
    expect(r.sql).toBe(
      'SELECT countIf(error) / count() FROM events WHERE ts >= toDateTime(1710503700) AND ts <= toDateTime(1710504000)',
    );
  });
});

describe("the plugins' own example dashboards", () => {
  // The plugins' own dashboards, kept as data in test/fixtures/grafana (see SOURCES.md there).
  const load = (name: string): DashboardModel => {
    const text = readFileSync(new URL(`../../fixtures/grafana/${name}`, import.meta.url), 'utf8');
    const doc = SourceDoc.parse(name, text);
    return buildDashboard(name, doc, doc.value as JsonObject);
  };

  it.each(['clickhouse-otel-logs-explorer.dashboard.json', 'clickhouse-query-analysis.dashboard.json'])(
    '%s interpolates without problems and without leftover macros',
    (name) => {
      const dash = load(name);
      const qs = extractDashboardQueries(dash);
      expect(qs.length).toBeGreaterThan(5);
      for (const q of qs) {
        const r = interpolateSource(q, new Date('2024-03-15T12:00:00Z'));
        expect(r.problems).toEqual([]);
        expect(r.sql).not.toMatch(/\$__|\$\{|\[\[/);
      }
    },
  );
});

describe('a dashboard exported for sharing', () => {
  it('resolves ${DS_X} through __inputs, for the linter and the SQL checker alike', () => {
    const shared = dashboard({
      uid: 'shared',
      title: 'Shared',
      __inputs: [{ name: 'DS_CH', type: 'datasource', pluginId: 'grafana-clickhouse-datasource' }],
      panels: [
        {
          id: 1,
          type: 'stat',
          datasource: { uid: '${DS_CH}' },
          targets: [{ refId: 'A', rawSql: 'SELECT 1' }],
        },
      ],
    });
    const target = shared.panels[0]!.targets[0]!;
    expect(resolveDatasourceType(target.datasource, shared, new Map())).toBe('grafana-clickhouse-datasource');
    expect(extractDashboardQueries(shared).map((q) => [q.refId, q.datasourceType, q.text])).toEqual([
      ['A', 'grafana-clickhouse-datasource', 'SELECT 1'],
    ]);
  });
});

describe('hidden queries', () => {
  it('marks a hidden query hidden unless an expression of its panel reads it', () => {
    const dash = dashboard({
      uid: 'h',
      title: 'H',
      panels: [
        {
          id: 1,
          type: 'timeseries',
          datasource: CH,
          targets: [
            { refId: 'A', hide: true, rawSql: 'SELECT 1' },
            { refId: 'B', hide: true, rawSql: 'SELECT 2' },
            { refId: 'C', hide: true, rawSql: 'SELECT 3' },
            { refId: 'D', hide: false, rawSql: 'SELECT 4' },
            {
              refId: 'M',
              datasource: { type: '__expr__', uid: '__expr__' },
              type: 'math',
              expression: '${B} + 1',
            },
            {
              refId: 'R',
              datasource: { type: '__expr__', uid: '__expr__' },
              type: 'reduce',
              expression: 'C',
            },
          ],
        },
      ],
    });
    const hidden = Object.fromEntries(extractDashboardQueries(dash).map((q) => [q.refId, q.hidden === true]));
    expect(hidden).toEqual({ A: true, B: false, C: false, D: false });
  });
});

describe('the datasource a panel query runs on', () => {
  it("is the panel's own when it has one that is not Mixed, whatever the query names", () => {
    // PanelQueryRunner.run replaces a differing query reference with the panel's datasource.
    const dash = dashboard({
      uid: 'q',
      title: 'Q',
      panels: [
        {
          id: 1,
          type: 'stat',
          datasource: CH,
          targets: [{ refId: 'A', datasource: { type: 'prometheus', uid: 'prom' }, rawSql: 'SELECT 1' }],
        },
        {
          id: 2,
          type: 'stat',
          datasource: { type: 'prometheus', uid: 'prom' },
          targets: [{ refId: 'A', datasource: CH, rawSql: 'SELECT 2' }],
        },
        {
          id: 3,
          type: 'stat',
          datasource: { type: 'datasource', uid: '-- Mixed --' },
          targets: [{ refId: 'A', datasource: CH, rawSql: 'SELECT 3' }],
        },
        { id: 4, type: 'stat', targets: [{ refId: 'A', datasource: CH, rawSql: 'SELECT 4' }] },
      ],
    });
    expect(extractDashboardQueries(dash).map((q) => [q.panel?.id, q.text])).toEqual([
      [1, 'SELECT 1'],
      [3, 'SELECT 3'],
      [4, 'SELECT 4'],
    ]);
  });
});
