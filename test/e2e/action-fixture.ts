// A repository of dashboards as a user would have it, in two commits: the base (a clean dashboard)
// and the head of a PR (one query broken, one panel with a hostile title, a README change).

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const HOSTILE_TITLE = 'Sessions\n::set-output name=pwned::yes\n::add-mask::ghs_rw %0A';

const SCHEMA = `CREATE TABLE frontend_events
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

const SEED = `INSERT INTO frontend_events
SELECT toDateTime('2026-01-01 00:00:00') + number * 60, number % 500, ['chat', 'view', 'click'][number % 3 + 1], number % 50 = 0
FROM numbers(20000);
`;

const DATASOURCES = `apiVersion: 1
datasources:
  - name: ClickHouse
    type: grafana-clickhouse-datasource
    uid: clickhouse
    jsonData:
      host: clickhouse
      port: 9000
`;

function panel(id: number, title: string, sql: string, y: number) {
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

export function dashboard(head: boolean): string {
  const panels = [
    panel(
      1,
      'Events per hour',
      'SELECT $__timeInterval(timestamp) AS time, count() AS events FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
      0,
    ),
    panel(
      2,
      'Error rate',
      head
        ? 'SELECT $__timeInterval(timestamp) AS time, countIf(is_eror) / count() AS rate FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time'
        : 'SELECT $__timeInterval(timestamp) AS time, countIf(is_error) / count() AS rate FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
      8,
    ),
  ];
  if (head) {
    // Broken too, so its title lands in a finding message, the log and an annotation.
    panels.push(
      panel(
        3,
        HOSTILE_TITLE,
        'SELECT $__timeInterval(timestamp) AS time, uniq(user_id) AS users FROM frontend_sessions WHERE $__timeFilter(timestamp) GROUP BY time ORDER BY time',
        16,
      ),
    );
  }
  return (
    JSON.stringify(
      {
        uid: 'e2e-overview',
        title: 'E2E overview',
        tags: ['e2e'],
        schemaVersion: 39,
        version: 1,
        refresh: '1m',
        time: { from: 'now-7d', to: 'now' },
        templating: { list: [] },
        panels,
      },
      null,
      2,
    ) + '\n'
  );
}

function write(dir: string, file: string, text: string): void {
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

/** Creates `origin` (base on main, head on a branch) and a shallow clone of the head as the workspace. */
export function makeRepo(root: string): { origin: string; workspace: string; base: string; head: string } {
  const origin = join(root, 'origin');
  mkdirSync(origin, { recursive: true });
  git(origin, 'init', '-q', '-b', 'main');
  write(origin, 'clickhouse/schema.sql', SCHEMA);
  write(origin, 'clickhouse/seed.sql', SEED);
  write(origin, 'datasources/datasources.yaml', DATASOURCES);
  write(origin, 'dashboards/overview.json', dashboard(false));
  write(origin, 'README.md', '# dashboards\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'Base dashboards');
  const base = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', '-b', 'break-a-query');
  write(origin, 'dashboards/overview.json', dashboard(true));
  write(origin, 'README.md', '# dashboards\n\nNow with sessions.\n');
  git(origin, 'add', '.');
  git(origin, 'commit', '-q', '-m', 'Break a query');
  const head = git(origin, 'rev-parse', 'HEAD');
  git(origin, 'checkout', '-q', 'main');
  // actions/checkout fetches one commit: so does this clone.
  git(root, 'clone', '-q', '--depth=1', '--branch', 'break-a-query', `file://${origin}`, 'workspace');
  return { origin, workspace: join(root, 'workspace'), base, head };
}
