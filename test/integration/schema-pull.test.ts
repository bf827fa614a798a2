// `dashboard-ci schema pull` against the ClickHouse HTTP double over chdb, as a read-only user: it
// writes the tables the dashboards read in dependency order (a dictionary after its source table, a
// view after what it reads), never a credential, and the same dashboards pass the check with it.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/core/types.js';
import { splitStatements } from '../../src/sql/statements.js';
import { startClickHouseHttp, type ClickHouseHttpDouble } from '../support/clickhouse-http.js';

const CORPUS = fileURLToPath(new URL('../corpus/real-dashboards', import.meta.url));
const PASSWORD = 's3cret-pw-77';
// ZJUSCT/obs: four dashboards over OTel tables and an ip_trie dictionary (SOURCES.md).
const DASHBOARDS = [
  'ZJUSCT__obs__zju-mirror.json',
  'ZJUSCT__obs__zjusct-cluster.json',
  'ZJUSCT__obs__opentelemetry-collector-filelog-receiver.json',
  'ZJUSCT__obs__opentelemetry-tracing.json',
];

let server: ClickHouseHttpDouble;
let dir: string;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    cwd: dir,
    env: { CLICKHOUSE_USER: 'reader', CLICKHOUSE_PASSWORD: PASSWORD },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  const schema = await readFile(path.join(CORPUS, 'schema/ZJUSCT__obs.sql'), 'utf8');
  server = await startClickHouseHttp({
    users: [{ name: 'reader', password: PASSWORD, readonly: 1 }],
    schema: [
      ...splitStatements(schema).map((s) => s.sql),
      // Objects no dashboard reads: only pulled when named, the view after the table it reads.
      'CREATE TABLE default.unrelated (x UInt8) ENGINE = MergeTree ORDER BY x',
      'CREATE VIEW default.logs_by_service AS SELECT ServiceName, count() AS n FROM default.otel_logs GROUP BY ServiceName',
    ],
  });
  dir = await mkdtemp(path.join(tmpdir(), 'dci-pull-'));
  for (const d of DASHBOARDS) await cp(path.join(CORPUS, 'dashboards', d), path.join(dir, 'dashboards', d));
  for (const p of ['clickhouse', 'prometheus', 'elasticsearch', 'influxdb'])
    await cp(
      path.join(CORPUS, `provisioning/ZJUSCT__obs__${p}.yaml`),
      path.join(dir, `datasources/${p}.yaml`),
    );
  await writeFile(
    path.join(dir, 'dashboard-ci.yml'),
    'now: 2026-01-15T12:00:00Z\nclickhouse:\n  cache: false\n',
  );
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dashboard-ci schema pull', () => {
  it('writes the tables the dashboards read, dependencies first, without credentials', async () => {
    const run = await cli('schema', 'pull', '--clickhouse', server.url);
    expect(run.stderr).not.toContain(PASSWORD);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^wrote clickhouse\/schema\.sql: \d+ objects\n$/);
    const text = await readFile(path.join(dir, 'clickhouse/schema.sql'), 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toMatch(/PASSWORD|reader/);
    const created = [...text.matchAll(/^CREATE (?:TABLE|DICTIONARY) (\S+)/gm)].map((m) => m[1]);
    // The dictionary the geomap panel reads comes after its source table; unrelated tables stay out.
    expect(created).toContain('default.ip_trie');
    expect(created.indexOf('default.geoip')).toBeLessThan(created.indexOf('default.ip_trie'));
    expect(created).toContain('default.otel_logs');
    expect(created).toContain('default.otel_traces');
    expect(created).not.toContain('default.unrelated');
    expect(created).not.toContain('default.logs_by_service');
    // Only reads went to the server, as the read-only user.
    const requests = await server.requests();
    expect(requests.every((r) => r.user === 'reader')).toBe(true);
    expect(requests.every((r) => /^(SELECT|EXPLAIN AST|SHOW CREATE)\b/.test(r.query.trim()))).toBe(true);
  });

  it('makes the same dashboards pass the check', async () => {
    const run = await cli(
      'check',
      '--format',
      'json',
      '--schema',
      'clickhouse/schema.sql',
      '--seed',
      '/dev/null',
    );
    const report = JSON.parse(run.stdout) as Report;
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
    expect(report.queries.filter((q) => q.status === 'invalid')).toEqual([]);
    expect(report.queries.filter((q) => q.status === 'ok').length).toBeGreaterThan(10);
  });

  it('pulls named tables with what they read: a view after its table', async () => {
    const run = await cli(
      'schema',
      'pull',
      '--clickhouse',
      server.url,
      '--tables',
      'logs_by_service,nope',
      '--output',
      'named.sql',
      'dashboards/ZJUSCT__obs__opentelemetry-tracing.json',
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('not on the server (skipped): nope');
    const text = await readFile(path.join(dir, 'named.sql'), 'utf8');
    const created = [...text.matchAll(/^CREATE (?:TABLE|VIEW|DICTIONARY) (\S+)/gm)].map((m) => m[1]);
    expect(created.indexOf('default.otel_logs')).toBeGreaterThanOrEqual(0);
    expect(created.indexOf('default.otel_logs')).toBeLessThan(created.indexOf('default.logs_by_service'));
  });

  it('check --clickhouse URL warns schema-drift only when the checked-in schema differs from the server', async () => {
    expect((await cli('schema', 'pull', '--clickhouse', server.url)).code).toBe(0);
    const clean = await cli('check', '--format', 'json', '--clickhouse', server.url);
    const cleanReport = JSON.parse(clean.stdout) as Report;
    expect(cleanReport.findings.filter((f) => f.rule === 'schema-drift')).toEqual([]);

    const file = path.join(dir, 'clickhouse/schema.sql');
    const pulled = await readFile(file, 'utf8');
    const drifted =
      pulled
        .replace('`request_count` UInt32', '`request_count` UInt64')
        .replace(/\n\s*`TraceFlags` UInt8,/, '') +
      '\nCREATE TABLE default.not_there (x INT) ENGINE = MergeTree ORDER BY x;\n';
    await writeFile(file, drifted);
    const run = await cli('check', '--format', 'json', '--clickhouse', server.url);
    const report = JSON.parse(run.stdout) as Report;
    const drift = report.findings.filter((f) => f.rule === 'schema-drift');
    expect(drift.map((f) => [f.severity, f.file, f.message])).toEqual([
      [
        'warning',
        'clickhouse/schema.sql',
        `table default.otel_logs differs from ClickHouse server ${server.url}: column TraceFlags (UInt8) is on the server only`,
      ],
      [
        'warning',
        'clickhouse/schema.sql',
        `table default.zjumirror_nginx_request_ipv4 differs from ClickHouse server ${server.url}: column request_count is UInt64 here, UInt32 on the server`,
      ],
      [
        'warning',
        'clickhouse/schema.sql',
        `table default.not_there is in the test schema but not on ClickHouse server ${server.url}`,
      ],
    ]);
    expect(drift[0]!.line).toBe(
      drifted.split('\n').findIndex((l) => l.startsWith('CREATE TABLE default.otel_logs')) + 1,
    );
    await writeFile(file, pulled);
  });

  it('says in one line when the credentials are wrong, without echoing them', async () => {
    let stderr = '';
    const code = await runCli(['schema', 'pull', '--clickhouse', server.url, '--tables', 'x'], {
      cwd: dir,
      env: { CLICKHOUSE_USER: 'reader', CLICKHOUSE_PASSWORD: 'wrong-pw-123' },
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain("rejected the credentials of user 'reader'");
    expect(stderr).not.toContain('wrong-pw-123');
  });
});
