// Issue 12: does a panel get the data it draws? On a dashboard whose queries are all valid SQL
// (test/fixtures/data-shape), checked on the embedded engine: the result columns EXPLAIN gives each
// query against what each panel type needs (panel-data-shape) and every field the panel names
// (field-reference). Panels that get what they draw, multi-query ones included, get neither.

import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Report } from '../../src/core/types.js';

const DIR = fileURLToPath(new URL('../fixtures/data-shape', import.meta.url));

let report: Report;

beforeAll(async () => {
  const config = defaultConfig();
  config.clickhouse.cache = false;
  const r = await runCheck({
    cwd: DIR,
    paths: ['dashboard.json'],
    alertPaths: ['alerts.yaml'],
    config,
    explain: true,
    schema: ['schema.sql'],
    seed: [],
    datasources: ['datasources.yaml'],
    engineCacheDir: false,
    now: new Date('2026-01-15T12:00:00Z'),
  });
  expect(r.usageErrors).toEqual([]);
  report = r.report;
}, 60_000);

const of = (rule: string) => report.findings.filter((f) => f.rule === rule);

describe('panel-data-shape', () => {
  it('every query of the fixture is valid SQL with known columns', () => {
    expect(report.queries).toHaveLength(15);
    expect(report.queries.map((q) => q.status)).toEqual(report.queries.map(() => 'ok'));
    expect(report.queries.every((q) => q.columns && q.columns.length > 0)).toBe(true);
    expect(report.findings.filter((f) => f.rule.startsWith('sql-'))).toEqual([]);
  });

  it('flags a time series without a time column, and one whose time is formatted as text', () => {
    const shape = of('panel-data-shape');
    const panels = shape.filter((f) => f.file === 'dashboard.json');
    expect(panels.map((f) => [f.panelId, f.severity])).toEqual([
      [1, 'error'],
      [2, 'error'],
    ]);
    expect(panels[0]!.message).toBe(
      'dashboard "Data shape", panel 1 "By service": a time series needs a time column (Date, DateTime, DateTime64), and its query returns service LowCardinality(String), requests UInt64. Grafana says "Data does not have a time field"',
    );
    expect(panels[1]!.message).toContain('hour String, requests UInt64');
    expect(panels[1]!.message).toContain(
      'hour is a String: a time formatted as text (formatDateTime, toString)',
    );
    // At the panel's type, in the file.
    expect(panels[0]).toMatchObject({ file: 'dashboard.json', dashboardUid: 'data-shape' });
    expect(panels[0]!.line).toBeGreaterThan(1);
  });

  it('flags alert queries the rule cannot reduce: no number, and two numbers in time series format without a time', () => {
    const alerts = of('panel-data-shape').filter((f) => f.file === 'alerts.yaml');
    expect(alerts.map((f) => f.message)).toEqual([
      'alert rule no-number "Text only", query A: the alert rule\'s expressions read this query, and reduce, threshold and math act on numbers: it needs a number column; it returns service String',
      'alert rule ts-two-numbers "Time series without time", query A: in time series format it needs a time column; without a time column Grafana\'s alerting reads a result as one number per row with text labels, and it returns n UInt64, worst UInt32 (2 number columns): "input data must be a wide series but got type not"',
    ]);
    expect(alerts.every((f) => f.severity === 'error' && f.refId === 'A')).toBe(true);
    // At each query's SQL in the YAML file.
    expect(alerts.map((f) => f.line)).toEqual([48, 74]);
  });
});

describe('field-reference', () => {
  it('flags an override and an organize transformation naming a column the query does not return', () => {
    const refs = of('field-reference');
    expect(refs.map((f) => [f.panelId, f.severity])).toEqual([
      [4, 'warning'],
      [5, 'warning'],
    ]);
    expect(refs[0]!.message).toBe(
      'dashboard "Data shape", panel 4 "Stale override": override 1 (byName) names field "p95_latncy", which is not among the fields the panel gets (time, p95_latency), so it does not apply. Maybe you meant "p95_latency"',
    );
    expect(refs[1]!.message).toContain('transformation 1 (organize) names field "error_rate"');
  });

  it('says nothing of panels that get what they name: merged queries, an override on the second query, a rename, a calculated field, a join', () => {
    const clean = new Set([3, 6, 7, 8]);
    expect(report.findings.filter((f) => f.panelId !== undefined && clean.has(f.panelId))).toEqual([]);
  });
});
