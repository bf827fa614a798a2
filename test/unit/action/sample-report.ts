// Hand-built reports for the renderer and Action tests (no engine needed).

import type { Finding, QueryRecord, Report } from '../../../src/core/types.js';
import { summarize } from '../../../src/core/types.js';

export function query(over: Partial<QueryRecord> = {}): QueryRecord {
  return {
    file: 'dashboards/executive_overview.json',
    line: 40,
    column: 21,
    dashboardUid: 'exec-overview',
    panelId: 1,
    panelTitle: 'Active users',
    refId: 'A',
    origin: 'panel',
    datasourceType: 'grafana-clickhouse-datasource',
    sql: 'SELECT count() FROM frontend_events WHERE timestamp >= now() - INTERVAL 1 HOUR',
    status: 'ok',
    cost: {
      rows: 1_245_184,
      marks: 152,
      parts: 3,
      granules: { selected: 152, total: 610 },
      tables: [],
    },
    ...over,
  };
}

export function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'sql-invalid',
    severity: 'error',
    message: 'dashboard "Executive overview", panel "Error rate" (#4), query A: Code 47 UNKNOWN_IDENTIFIER',
    file: 'dashboards/executive_overview.json',
    line: 88,
    column: 21,
    dashboardUid: 'exec-overview',
    panelId: 4,
    refId: 'A',
    ...over,
  };
}

export function makeReport(findings: Finding[], queries: QueryRecord[]): Report {
  const files = new Set(queries.map((q) => q.file));
  return {
    summary: summarize(findings, {
      dashboards: files.size,
      panels: new Set(queries.map((q) => `${q.file}#${q.panelId}`)).size,
      queries: queries.length,
      files: files.size,
    }),
    findings,
    queries,
    load: [
      {
        file: 'dashboards/executive_overview.json',
        dashboardUid: 'exec-overview',
        title: 'Executive overview',
        refresh: '30s',
        refreshesPerHour: 120,
        rowsPerRefresh: 3_500_000,
        rowsPerHour: 420_000_000,
      },
    ],
    engine: 'embedded (chdb 3.4.0)',
  };
}

/** The comment a PR with one broken query, one over budget and one cost regression gets. */
export function sampleReport(): Report {
  const queries = [
    query(),
    query({
      panelId: 2,
      panelTitle: 'Chat volume | by model',
      sql: 'SELECT toStartOfHour(timestamp) AS t, model, count() FROM frontend_events\nWHERE timestamp >= toDateTime(1700000000) AND timestamp <= toDateTime(1700086400)\nGROUP BY t, model ORDER BY t',
      cost: { rows: 2_100_000, marks: 260, parts: 2, granules: { selected: 260, total: 610 }, tables: [] },
      baseRows: 1_400_000,
      costChange: 0.5,
      regression: true,
    }),
    query({
      panelId: 4,
      panelTitle: 'Error rate',
      line: 88,
      sql: 'SELECT countIf(is_eror) / count() FROM frontend_events',
      status: 'invalid',
      cost: undefined,
      error: {
        code: 47,
        name: 'UNKNOWN_IDENTIFIER',
        message:
          "Missing columns: 'is_eror' while processing query: 'SELECT countIf(is_eror) / count() FROM frontend_events', required columns: 'is_eror'",
      },
    }),
    query({
      file: 'dashboards/prompt_analytics.json',
      dashboardUid: 'prompt-analytics',
      panelId: 7,
      panelTitle: 'Token consumption',
      status: 'over-budget',
      cost: {
        rows: 48_000_000,
        marks: 5_860,
        parts: 60,
        granules: { selected: 5_860, total: 5_860 },
        tables: [],
      },
      baseRows: 48_000_000,
      costChange: 0,
    }),
    query({
      file: 'dashboards/prompt_analytics.json',
      dashboardUid: 'prompt-analytics',
      panelId: 9,
      panelTitle: 'Live sessions',
      datasourceType: 'redis-datasource',
      sql: '',
      status: 'skipped',
      reason: 'Redis target (checked statically)',
      cost: undefined,
    }),
  ];
  const findings = [
    finding(),
    finding({
      rule: 'sql-cost',
      severity: 'warning',
      message:
        'dashboard "Prompt analytics", panel "Token consumption" (#7), query A: reads 100% of granules of frontend_events; the partition key did not prune',
      file: 'dashboards/prompt_analytics.json',
      line: 140,
      column: 19,
      dashboardUid: 'prompt-analytics',
      panelId: 7,
    }),
    finding({
      rule: 'panel-description',
      severity: 'info',
      message: 'dashboard "Prompt analytics", panel "Live sessions" (#9): no description',
      file: 'dashboards/prompt_analytics.json',
      line: 170,
      column: 7,
      dashboardUid: 'prompt-analytics',
      panelId: 9,
      refId: undefined,
    }),
  ];
  return makeReport(findings, queries);
}

/**
 * A report judged against a base (filter changed): one query broken by the change, one cost
 * regression, one clean changed query, two unchanged (one of them broken on the base), a lint finding
 * of the change, and what was already on main.
 */
export function sampleChangeReport(): Report {
  const queries = [
    query({
      change: 'unchanged',
      status: 'skipped',
      reason: 'unchanged since main: not judged again',
      cost: undefined,
    }),
    query({
      panelId: 2,
      panelTitle: 'Chat volume',
      line: 60,
      change: 'changed',
      sql: 'SELECT toStartOfHour(timestamp) AS t, count() FROM frontend_events GROUP BY t',
      cost: { rows: 2_100_000, marks: 260, parts: 2, granules: { selected: 260, total: 610 }, tables: [] },
      baseRows: 1_400_000,
      baseGranules: { selected: 170, total: 610 },
      costChange: 0.5,
      regression: true,
      columns: [
        { name: 't', type: 'DateTime' },
        { name: 'count()', type: 'UInt64' },
      ],
      baseColumns: [
        { name: 't', type: 'DateTime' },
        { name: 'chats', type: 'UInt64' },
      ],
    }),
    query({
      panelId: 4,
      panelTitle: 'Error rate',
      line: 88,
      change: 'changed',
      sql: 'SELECT countIf(is_eror) / count() FROM frontend_events',
      status: 'invalid',
      cost: undefined,
      error: {
        code: 47,
        name: 'UNKNOWN_IDENTIFIER',
        message: 'Unknown expression identifier `is_eror` in scope SELECT countIf(is_eror)',
      },
    }),
    query({
      panelId: 5,
      panelTitle: 'Sessions',
      line: 100,
      change: 'new',
      sql: 'SELECT uniq(user_id) FROM frontend_events',
    }),
    query({
      panelId: 6,
      panelTitle: 'Old and broken',
      line: 120,
      change: 'unchanged',
      sql: 'SELECT nope FROM frontend_events',
      status: 'invalid',
      cost: undefined,
      error: { code: 47, name: 'UNKNOWN_IDENTIFIER', message: 'Unknown identifier `nope`' },
      verdictFrom: 'a'.repeat(40),
    }),
  ];
  const findings = [
    finding({
      line: 88,
      message:
        'dashboard "Executive overview", panel 4 "Error rate", query A: ClickHouse rejected the query: 47 UNKNOWN_IDENTIFIER: Unknown expression identifier `is_eror`',
    }),
    finding({
      rule: 'sql-cost-regression',
      severity: 'warning',
      line: 60,
      panelId: 2,
      message:
        'dashboard "Executive overview", panel 2 "Chat volume", query A: reads 2.1M rows, +50% against main (1.4M rows); threshold +20%',
    }),
    finding({
      rule: 'unique-panel-ids',
      line: 130,
      column: 7,
      panelId: 7,
      refId: undefined,
      message: 'dashboard "Executive overview", panel 7: panel id 7 is used twice',
    }),
  ];
  const report = makeReport(findings, queries);
  report.baseFindings = [
    finding({
      line: 120,
      panelId: 6,
      message:
        'dashboard "Executive overview", panel 6 "Old and broken", query A: ClickHouse rejected the query: 47 UNKNOWN_IDENTIFIER',
    }),
    finding({
      rule: 'refresh-floor',
      line: 3,
      panelId: undefined,
      refId: undefined,
      message: 'dashboard "Executive overview": refresh 5s is below 10s',
    }),
  ];
  report.change = {
    filter: 'changed',
    base: 'b'.repeat(40),
    baseSha: 'b'.repeat(40),
    changedFiles: ['dashboards/executive_overview.json'],
    queries: { new: 1, changed: 2, unchanged: 2 },
    contextChanged: false,
    verdictFrom: 'a'.repeat(40),
  };
  return report;
}
