// A git repository of dashboards for the change filter's tests: a small events table, its seed, a
// datasource file, and dashboards built panel by panel. Base and head are commits (or the working
// tree), so the tests exercise the same git plumbing a pull request does.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const SCHEMA = `CREATE TABLE frontend_events
(
    timestamp DateTime,
    user_id UInt64,
    event_type LowCardinality(String),
    is_error UInt8
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
ORDER BY (event_type, timestamp);
`;

export const SEED = `INSERT INTO frontend_events
SELECT toDateTime('2026-01-01 00:00:00') + number * 60, number % 500, ['chat', 'view', 'click'][number % 3 + 1], number % 50 = 0
FROM numbers(20000);
`;

export const DATASOURCES = `apiVersion: 1
datasources:
  - name: ClickHouse
    type: grafana-clickhouse-datasource
    uid: clickhouse
    jsonData:
      host: clickhouse
      port: 9000
`;

export function panel(id: number, title: string, sql: string, y: number) {
  return {
    id,
    type: 'timeseries',
    title,
    description: `What ${title.split('\n')[0]} tells the business.`,
    gridPos: { h: 8, w: 12, x: 0, y },
    datasource: { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' },
    fieldConfig: { defaults: { unit: 'short' }, overrides: [] },
    targets: [
      {
        refId: 'A',
        datasource: { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' },
        rawSql: sql,
        format: 1,
      },
    ],
  };
}

export function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'e2e',
  GIT_AUTHOR_EMAIL: 'e2e@example.com',
  GIT_COMMITTER_NAME: 'e2e',
  GIT_COMMITTER_EMAIL: 'e2e@example.com',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).trim();
}

export const SQL = {
  events:
    'SELECT $__timeInterval(timestamp) AS time, count() AS events FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
  errorRate:
    'SELECT $__timeInterval(timestamp) AS time, countIf(is_error) / count() AS rate FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
  /** 47 UNKNOWN_IDENTIFIER: the column is is_error. */
  broken:
    'SELECT $__timeInterval(timestamp) AS time, countIf(is_eror) / count() AS rate FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
  /** No time filter: every partition is read, twice the rows of the 7-day default range. */
  unfiltered:
    'SELECT toStartOfHour(timestamp) AS time, count() AS events FROM frontend_events GROUP BY time ORDER BY time',
};

/** A dashboard file's text: uid `ops`, the 7 days before `now`, the panels given. */
export function dashboardText(panels: object[], extra: Record<string, unknown> = {}): string {
  const dashboard = {
    uid: 'ops',
    title: 'Ops',
    tags: [],
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-7d', to: 'now' },
    templating: { list: [] },
    panels,
    ...extra,
  };
  return JSON.stringify(dashboard, null, 2) + '\n';
}

/** dashboard-ci.yml of the fixture: the clock inside the seed's two weeks. */
export const CONFIG = `now: 2026-01-10T00:00:00Z
paths: [dashboards]
clickhouse:
  schema: [clickhouse/schema.sql]
  seed: [clickhouse/seed.sql]
  cache: false
budgets:
  regressionThreshold: 0.2
`;

/** A repository whose first commit holds the schema, seed, datasources, config and `files`; returns its sha. */
export function baseRepo(dir: string, files: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, 'clickhouse/schema.sql', SCHEMA);
  write(dir, 'clickhouse/seed.sql', SEED);
  write(dir, 'datasources/datasources.yaml', DATASOURCES);
  write(dir, 'dashboard-ci.yml', CONFIG);
  for (const [file, text] of Object.entries(files)) write(dir, file, text);
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'base');
  return git(dir, 'rev-parse', 'HEAD');
}

export interface PullRequestRepo {
  origin: string;
  workspace: string;
  base: string;
  head: string;
}

/**
 * `origin` with `base` panels on main and `head` panels on the branch `topic` (dashboards/ops.json),
 * and the workspace a shallow clone of the head, as actions/checkout leaves it. `cache` keeps the
 * engine's prepared-data cache on, as a user has it (the fixture's default turns it off).
 */
export function pullRequestRepo(root: string, base: object[], head: object[], cache = true): PullRequestRepo {
  const origin = join(root, 'origin');
  const config = cache ? CONFIG.replace('  cache: false\n', '') : CONFIG;
  const baseSha = baseRepo(origin, {
    'dashboards/ops.json': dashboardText(base),
    'dashboard-ci.yml': config,
  });
  git(origin, 'checkout', '-q', '-b', 'topic');
  write(origin, 'dashboards/ops.json', dashboardText(head));
  git(origin, 'commit', '-q', '-am', 'the change');
  const headSha = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', 'main');
  git(root, 'clone', '-q', '--depth=1', '--branch', 'topic', `file://${origin}`, 'workspace');
  return { origin, workspace: join(root, 'workspace'), base: baseSha, head: headSha };
}
