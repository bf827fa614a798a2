// Query variables without a stored value, resolved as Grafana resolves them when a dashboard loads, on
// the real embedded engine: each variable's own query runs on the test data (schema + seed), read-only
// and bounded, in dependency order; its rows pass the variable's regex and sort; the first option is
// taken, or All when the variable includes All (scenes: defaultToAll = includeAll, grafana/grafana
// public/app/features/dashboard-scene/serialization/transformSaveModelToScene.ts). Where a query gives
// nothing, fails, is refused or is part of a cycle, a typed stand-in and one variable-unresolved info.
// The chain below is the one of grafana.com dashboard 22037 (test/corpus/real-dashboards), on a
// synthetic table written for this test.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Report } from '../../src/core/types.js';

const DS = { type: 'grafana-clickhouse-datasource', uid: 'ch' };

const SCHEMA = `CREATE TABLE default.nginx_access (timestamp DateTime, server_ip String, path String)
ENGINE = MergeTree ORDER BY timestamp;
CREATE TABLE default.nginx_error (timestamp DateTime, message String) ENGINE = MergeTree ORDER BY timestamp;
CREATE TABLE default.empty_t (x String) ENGINE = MergeTree ORDER BY x;
`;

// 30 requests in the hour before the pinned now: two servers, three paths (ten requests each).
const SEED = `INSERT INTO default.nginx_access
SELECT toDateTime('2026-01-15 11:00:00') + number * 60, ['10.0.0.2', '10.0.0.1'][number % 2 + 1], ['/b', '/a', '/c'][number % 3 + 1]
FROM numbers(30);
`;

const DATASOURCES = `apiVersion: 1
datasources:
  - name: ClickHouse
    type: grafana-clickhouse-datasource
    uid: ch
`;

function variable(name: string, query: string, extra: Record<string, unknown> = {}) {
  return { name, type: 'query', datasource: DS, query, current: {}, options: [], refresh: 1, ...extra };
}

function panel(id: number, rawSql: string) {
  return {
    id,
    type: 'table',
    title: `Panel ${id}`,
    description: 'd',
    gridPos: { x: 0, y: id * 8, w: 24, h: 8 },
    datasource: DS,
    targets: [{ refId: 'A', datasource: DS, rawSql }],
  };
}

const DASHBOARD = {
  uid: 'vars',
  title: 'Variables',
  schemaVersion: 39,
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      // Listed before what it reads: the order is the dependencies', not the list's.
      variable(
        'uri',
        'SELECT path FROM ${project} WHERE server_ip IN (${server_ip}) GROUP BY path ORDER BY count() DESC, path',
      ),
      variable('server_ip', 'SELECT DISTINCT server_ip FROM $project', {
        multi: true,
        includeAll: true,
        sort: 1,
      }),
      variable('project', 'show tables', { regex: '/.*access$/' }),
      // Multi without All: the first option after a descending sort, as a one-value list.
      variable('ip_multi', 'SELECT DISTINCT server_ip FROM nginx_access', { multi: true, sort: 2 }),
      // Two columns: the ClickHouse plugin takes the first as the value, the second as the text.
      variable('ip_named', "SELECT server_ip, concat('server ', server_ip) FROM nginx_access ORDER BY 1"),
      variable('nothing', 'SELECT message FROM nginx_error'),
      variable('loop_a', 'SELECT x FROM empty_t WHERE x = ${loop_b}'),
      variable('loop_b', 'SELECT x FROM empty_t WHERE x = ${loop_a}'),
    ],
  },
  panels: [
    panel(
      1,
      "SELECT count() FROM ${project} WHERE $__timeFilter(timestamp) AND server_ip IN (${server_ip}) AND path = '${uri}'",
    ),
    panel(2, "SELECT count() FROM nginx_error WHERE message = '${nothing}'"),
    panel(3, 'SELECT count() FROM empty_t WHERE x = ${loop_a}'),
    panel(4, 'SELECT count() FROM nginx_access WHERE server_ip IN (${ip_multi})'),
    panel(5, "SELECT count() FROM nginx_access WHERE server_ip = '${ip_named}'"),
    // A panel may not run SHOW (only a variable's query may): the gate stays as it is.
    panel(6, 'SHOW TABLES'),
  ],
};

let dir: string;
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dci-vars-'));
  writeFileSync(join(dir, 'schema.sql'), SCHEMA);
  writeFileSync(join(dir, 'seed.sql'), SEED);
  writeFileSync(join(dir, 'datasources.yaml'), DATASOURCES);
  writeFileSync(join(dir, 'vars.json'), JSON.stringify(DASHBOARD, null, 2));
  const config = defaultConfig();
  config.clickhouse.cache = false;
  const r = await runCheck({
    cwd: dir,
    paths: ['vars.json'],
    alertPaths: [],
    config,
    explain: true,
    schema: ['schema.sql'],
    seed: ['seed.sql'],
    datasources: ['datasources.yaml'],
    engineCacheDir: false,
    now: new Date('2026-01-15T12:00:00Z'),
  });
  expect(r.usageErrors).toEqual([]);
  report = r.report;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const query = (panelId: number) => report.queries.find((q) => q.panelId === panelId)!;
const variableQuery = (name: string) =>
  report.queries.find((q) => q.origin === 'variable' && q.panelTitle === `$${name}`)!;
const infos = () =>
  report.findings
    .filter((f) => f.rule === 'variable-unresolved')
    .map((f) => f.message.replace(/^.*?: (?=query variable)/, ''));

describe('query variables without a stored value, run on the test data', () => {
  it('resolves a chain in dependency order: SHOW TABLES through its regex, then All, then the first row', () => {
    expect(variableQuery('project')).toMatchObject({ status: 'ok', sql: 'show tables' });
    expect(variableQuery('server_ip').sql).toBe('SELECT DISTINCT server_ip FROM nginx_access');
    expect(variableQuery('uri').sql).toBe(
      "SELECT path FROM nginx_access WHERE server_ip IN ('10.0.0.1','10.0.0.2') GROUP BY path ORDER BY count() DESC, path",
    );
    const q = query(1);
    expect(q.sql).toMatch(/^SELECT count\(\) FROM nginx_access WHERE timestamp >= /);
    expect(q.sql).toContain("server_ip IN ('10.0.0.1','10.0.0.2') AND path = '/a'");
    expect(q).toMatchObject({ status: 'ok' });
    expect(q.cost?.rows).toBeGreaterThan(0);
  });

  it('takes a multi-value variable without All as a one-value list, after its sort', () => {
    expect(query(4).sql).toBe("SELECT count() FROM nginx_access WHERE server_ip IN ('10.0.0.2')");
    expect(query(4).status).toBe('ok');
  });

  it('takes the first column as the value when the query returns two (the ClickHouse plugin)', () => {
    expect(query(5).sql).toBe("SELECT count() FROM nginx_access WHERE server_ip = '10.0.0.1'");
  });

  it('keeps a stand-in and says once why, for a query that gives nothing and for a cycle', () => {
    expect(query(2).sql).toBe("SELECT count() FROM nginx_error WHERE message = ''");
    expect(query(2).status).toBe('ok');
    expect(query(3).sql).toBe('SELECT count() FROM empty_t WHERE x = NULL');
    expect(infos()).toEqual([
      "query variable $nothing has no value: it has no stored value, and its query, run on the test data, gave no value. 1 query reads a stand-in (NULL, or '' inside quotes)",
      // Panel 3 and $loop_b's own query read $loop_a; $loop_a's query reads $loop_b.
      "query variable $loop_a has no value: its query reads itself through other variables. 2 queries read a stand-in (NULL, or '' inside quotes)",
      "query variable $loop_b has no value: its query reads itself through other variables. 1 query reads a stand-in (NULL, or '' inside quotes)",
    ]);
  });

  it('never lets a panel run SHOW: the variable statements are for variable queries only', () => {
    expect(query(6).status).toBe('invalid');
    const f = report.findings.filter((x) => x.panelId === 6);
    expect(f.map((x) => [x.rule, x.severity])).toEqual([['sql-not-select', 'error']]);
  });

  it('reports no other error', () => {
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.rule)).toEqual([
      'sql-not-select',
    ]);
  });
});
