// panel-data-shape's requirements, one panel at a time, on columns as EXPLAIN reports them (the
// engine-backed end-to-end test is test/integration/panel-data-shape.test.ts). The valid rows are the
// conservative cases: what Grafana may still draw is never an error.

import { describe, expect, it } from 'vitest';
import { columnKind, resultFormat } from '../../../src/check/panel-columns.js';
import { alertDataShape, panelDataShape } from '../../../src/check/rules/panel-data-shape.js';
import { ALTINITY, CH, cols, knownPanel, type PanelCase } from '../../support/known-panel.js';

type Case = PanelCase & { name: string };

const findings = (c: Case) => panelDataShape(knownPanel(c));

const invalid: (Case & { says: string })[] = [
  {
    name: 'time series of text',
    panel: { type: 'timeseries' },
    columns: [cols('host String, n UInt64')],
    says: 'needs a time column',
  },
  {
    name: 'time series without a number',
    panel: { type: 'timeseries' },
    columns: [cols('t DateTime, host String')],
    says: 'needs a number column',
  },
  {
    name: 'time series, the time excluded by organize',
    panel: {
      type: 'timeseries',
      transformations: [{ id: 'organize', options: { excludeByName: { t: true } } }],
    },
    columns: [cols('t DateTime, n UInt64')],
    says: 'needs a time column',
  },
  {
    name: 'state timeline without time',
    panel: { type: 'state-timeline' },
    columns: [cols('host String, state String')],
    says: 'needs a time column',
  },
  {
    name: 'candlestick without time',
    panel: { type: 'candlestick' },
    columns: [cols('day String, open Float64')],
    says: 'day is a String: a time formatted as text',
  },
  {
    name: 'gauge of text',
    panel: { type: 'gauge' },
    columns: [cols('version String')],
    says: 'a gauge needs a number column',
  },
  {
    name: 'bar gauge of text',
    panel: { type: 'bargauge' },
    columns: [cols('host String, ip IPv4')],
    says: 'needs a number column',
  },
  {
    name: 'pie chart of text',
    panel: { type: 'piechart' },
    columns: [cols('host LowCardinality(String)')],
    says: 'needs a number column',
  },
  {
    name: 'bar chart of one number',
    panel: { type: 'barchart' },
    columns: [cols('n UInt64')],
    says: 'a string or time column for the categories',
  },
  {
    name: 'histogram of text',
    panel: { type: 'histogram' },
    columns: [cols('host String')],
    says: 'needs a number column',
  },
  {
    name: 'trend with a time but one number',
    panel: { type: 'trend' },
    columns: [cols('t DateTime, n UInt64')],
    says: 'a trend needs two number columns',
  },
  {
    name: 'time series, the converting transformation disabled',
    panel: {
      type: 'timeseries',
      transformations: [{ id: 'convertFieldType', disabled: true, options: {} }],
    },
    columns: [cols('t String, n UInt64')],
    says: 't is a String',
  },
  {
    name: 'two queries, neither with time',
    panel: { type: 'timeseries' },
    columns: [cols('host String, n UInt64'), cols('host String')],
    says: 'its queries return host String, n UInt64, host String',
  },
];

const valid: Case[] = [
  {
    name: 'time series',
    panel: { type: 'timeseries' },
    columns: [cols('t DateTime64(3), n Nullable(Float64)')],
  },
  {
    name: 'time series, Date in LowCardinality(Nullable)',
    panel: { type: 'timeseries' },
    columns: [cols('d Nullable(Date32), n Decimal(18, 4)')],
  },
  {
    name: 'time series, time from the second query',
    panel: { type: 'timeseries', transformations: [{ id: 'merge', options: {} }] },
    columns: [cols('n UInt64'), cols("t DateTime('UTC'), m Int32")],
  },
  {
    name: 'time series, two numbers (one may be an epoch)',
    panel: { type: 'timeseries' },
    columns: [cols('t UInt32, n UInt64')],
  },
  {
    name: 'time series, a type dashboard-ci does not map',
    panel: { type: 'timeseries' },
    columns: [cols('v Dynamic, n UInt64')],
  },
  {
    name: 'time series, boolean values',
    panel: { type: 'timeseries' },
    columns: [cols('t DateTime, up Bool')],
  },
  {
    name: 'time series, a transformation that may convert',
    panel: { type: 'timeseries', transformations: [{ id: 'convertFieldType', options: {} }] },
    columns: [cols('t String, n UInt64')],
  },
  {
    name: 'time series, an unmodelled transformation (formatTime)',
    panel: { type: 'timeseries', transformations: [{ id: 'formatTime', options: {} }] },
    columns: [cols('t String, n UInt64')],
  },
  {
    name: 'a query without known columns',
    panel: { type: 'timeseries' },
    columns: [cols('host String, n UInt64'), null],
  },
  {
    name: 'Altinity time series: the plugin makes the first column the time',
    panel: { type: 'timeseries' },
    columns: [cols('t UInt64, n UInt64')],
    datasource: ALTINITY,
  },
  {
    name: 'Altinity, even from text',
    panel: { type: 'timeseries' },
    columns: [cols('t String, n UInt64')],
    datasource: ALTINITY,
  },
  {
    name: 'logs format',
    panel: { type: 'timeseries', targets: [{ refId: 'A', format: 2 }] },
    columns: [cols('body String')],
  },
  {
    name: 'state timeline of text states',
    panel: { type: 'state-timeline' },
    columns: [cols('t DateTime, state String')],
  },
  { name: 'stat of text (stat shows strings)', panel: { type: 'stat' }, columns: [cols('version String')] },
  {
    name: 'gauge whose reduce fields pick text',
    panel: { type: 'gauge', options: { reduceOptions: { fields: '/.*/' } } },
    columns: [cols('version String')],
  },
  { name: 'table of anything', panel: { type: 'table' }, columns: [cols('a Array(String)')] },
  {
    name: 'graph in series mode',
    panel: { type: 'graph', xaxis: { mode: 'series' } },
    columns: [cols('host String, n UInt64')],
  },
  {
    name: 'bar chart with a category',
    panel: { type: 'barchart' },
    columns: [cols("host Enum8('a' = 1), n UInt64")],
  },
  { name: 'trend of two numbers', panel: { type: 'trend' }, columns: [cols('x Float64, y Float64')] },
];

describe('panel-data-shape', () => {
  it.each(invalid)('flags $name', (c) => {
    const f = findings(c);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'panel-data-shape', severity: 'error', panelId: 1, file: 'd.json' });
    expect(f[0]!.message).toContain(c.says);
  });

  it.each(valid)('says nothing of $name', (c) => {
    expect(findings(c)).toEqual([]);
  });
});

describe('columnKind', () => {
  it.each([
    ['DateTime', 'time'],
    ["DateTime64(9, 'Europe/Paris')", 'time'],
    ['LowCardinality(Nullable(Date))', 'time'],
    ['UInt64', 'number'],
    ['Nullable(Decimal(38, 2))', 'number'],
    ['SimpleAggregateFunction(sum, UInt64)', 'number'],
    ['Bool', 'boolean'],
    ['LowCardinality(String)', 'string'],
    ["Enum8('a' = 1, 'b' = 2)", 'string'],
    ['FixedString(16)', 'string'],
    ['Array(String)', 'other'],
    ['Map(String, UInt64)', 'other'],
    ['Int128', 'unknown'],
    ['Nullable(Nothing)', 'unknown'],
  ])('%s is %s', (type, kind) => {
    expect(columnKind(type)).toBe(kind);
  });
});

describe('resultFormat', () => {
  it('reads both plugins’ format values', () => {
    expect(resultFormat(CH, { format: 0 })).toBe('time-series');
    expect(resultFormat(CH, { format: 1 })).toBe('table');
    expect(resultFormat(CH, { format: 2 })).toBe('other');
    expect(resultFormat(CH, {})).toBeUndefined();
    expect(resultFormat(ALTINITY, {})).toBe('time-series');
    expect(resultFormat(ALTINITY, { format: 'table' })).toBe('table');
    expect(resultFormat(ALTINITY, { format: 'logs' })).toBe('other');
  });
});

describe('alert rules', () => {
  const TEXT = cols('service String');
  const rule = (
    queries: { refId: string; datasourceUid: string; model: Record<string, unknown> }[],
    condition = 'C',
  ) =>
    ({
      line: 1,
      column: 1,
      raw: { condition },
      queries: queries.map((q) => ({ ...q, line: 1, column: 1 })),
    }) as never;
  const group = (rules: never[]) =>
    [
      { file: 'a.yaml', line: 1, column: 1, name: 'g', folder: 'f', interval: '1m', raw: {}, rules },
    ] as never[];
  const ch = { refId: 'A', datasourceUid: 'ch', model: { refId: 'A' } };
  const expr = (model: Record<string, unknown>) => ({
    refId: 'C',
    datasourceUid: '__expr__',
    model: { refId: 'C', ...model },
  });

  it.each([
    ['a math expression', expr({ type: 'math', expression: '${A} > 1' }), 1],
    [
      'classic conditions',
      expr({ type: 'classic_conditions', conditions: [{ query: { params: ['A'] } }] }),
      1,
    ],
    ['no expression reads it', expr({ type: 'math', expression: '1 > 0' }), 0],
  ])('reads the query through %s', (_, expression, n) => {
    const r = rule([ch, expression]);
    const results = [
      {
        query: (r as { queries: object[] }).queries[0]!,
        refId: 'A',
        datasourceType: CH,
        format: undefined,
        columns: TEXT,
      },
    ];
    expect(alertDataShape(group([r]), results)).toHaveLength(n);
  });

  it('says nothing of a column type it does not map, nor of Altinity time series', () => {
    const r = rule([ch], 'A');
    const query = (r as { queries: object[] }).queries[0]!;
    expect(
      alertDataShape(group([r]), [
        { query, refId: 'A', datasourceType: CH, format: 'table', columns: cols('v Dynamic') },
      ]),
    ).toEqual([]);
    expect(
      alertDataShape(group([r]), [
        { query, refId: 'A', datasourceType: ALTINITY, format: 'time-series', columns: TEXT },
      ]),
    ).toEqual([]);
    // The condition itself is the query: a text result is flagged.
    expect(
      alertDataShape(group([r]), [{ query, refId: 'A', datasourceType: CH, format: 'table', columns: TEXT }]),
    ).toHaveLength(1);
  });
});
