// Issue 9 items 4 and 5 on the embedded engine: the SETTINGS a panel carries are applied while the
// tool's bounds hold; what a one-node test engine lacks (system log tables, clusters, other servers)
// is `unsupported`/`refused` (info), classified by ClickHouse's codes and the parsed query; clusters
// named in clickhouse.clusters read the local tables, and no connection is opened.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../src/clickhouse/embedded.js';
import type { ExplainOutcome } from '../../src/clickhouse/port.js';
import { FIXTURES, readSqlStatements } from '../support/clickhouse-http.js';
import { startListener, type Listener } from '../security/support.js';

let engine: EmbeddedEngine;
let listener: Listener;
const limits = { maxExecutionTime: 2, maxRowsToRead: 10_000_000 };

function failed(o: ExplainOutcome) {
  if (o.ok) throw new Error('expected a failure, got a cost');
  return o;
}

beforeAll(async () => {
  listener = await startListener();
  engine = await createEmbeddedEngine({ limits, clusters: ['main', 'default'] });
  await engine.prepare(
    [
      ...readSqlStatements(path.join(FIXTURES, 'schema.sql')),
      // A Distributed table over a mapped cluster, the way a pulled schema holds one.
      'CREATE TABLE events_all AS events ENGINE = Distributed(main, default, events, rand())',
    ],
    readSqlStatements(path.join(FIXTURES, 'seed.sql')),
  );
});
afterAll(async () => {
  await engine?.close();
  await listener?.close();
});

describe('SETTINGS in a panel query', () => {
  it('applies the ones that change no bound', async () => {
    for (const sql of [
      'SELECT count() FROM events WHERE user_id = 7 SETTINGS skip_unavailable_shards = 1',
      'SELECT count() FROM events SETTINGS skip_unavailable_shards = 1, max_threads = 1, join_use_nulls = 1',
      'SELECT count() FROM events WHERE user_id = 7 SETTINGS max_rows_to_read = 1000000',
    ]) {
      expect(await engine.explain(sql), sql).toMatchObject({ ok: true });
    }
  });

  it.each([
    'max_rows_to_read = 0',
    'max_rows_to_read = 100000000000',
    'max_execution_time = 0',
    'max_execution_time = 3600',
    'max_memory_usage = 0',
    "read_overflow_mode = 'break'",
    "timeout_overflow_mode = 'break'",
    'readonly = 0',
  ])('never lets SETTINGS %s lift a bound: not judged, and the bound holds', async (setting) => {
    const o = failed(
      await engine.explain(`SELECT (SELECT count() FROM numbers(1000000000000)) SETTINGS ${setting}`),
    );
    expect(o.kind).toBe('unsupported');
    expect(o.reason).toMatch(/would change a bound the test engine keeps fixed/);
    expect([452, 164]).toContain(o.error.code);
  });

  it('keeps a bound a query lowers', async () => {
    const o = failed(
      await engine.explain('SELECT (SELECT count() FROM numbers(1000)) SETTINGS max_rows_to_read = 10'),
    );
    expect(o).toMatchObject({ kind: 'bound-exceeded', error: { code: 158 } });
  });
});

describe('what the test engine lacks', () => {
  it.each([
    ['SELECT count() FROM system.query_log WHERE event_date = today()', /system\.query_log does not exist/],
    ["SELECT * FROM system.zookeeper WHERE path = '/'", /system\.zookeeper does not exist/],
    ["SELECT * FROM merge('system', '^metric_log')", /merge\(\) over system tables/],
    ["SELECT value FROM merge(system, '^asynchronous_metric_log')", /merge\(\) over system tables/],
  ])('%s: unsupported (info), by code and AST', async (sql, reason) => {
    const o = failed(await engine.explain(sql));
    expect(o.kind).toBe('unsupported');
    expect(o.reason).toMatch(reason);
  });

  it('still calls a table the schema lacks invalid', async () => {
    expect(failed(await engine.explain('SELECT * FROM nope'))).toMatchObject({
      kind: 'invalid',
      error: { code: 60 },
    });
  });

  it.each([
    [`SELECT * FROM remote('127.0.0.1:${0}', system.one)`, /queries another server/],
    [
      "SELECT count() FROM cluster('elsewhere', default, events)",
      /cluster the test engine does not have.*clickhouse\.clusters/,
    ],
    [
      "SELECT count() FROM clusterAllReplicas('elsewhere', default.events)",
      /cluster the test engine does not have/,
    ],
  ])('%s: refused before anything runs', async (sql, reason) => {
    const o = failed(await engine.explain(sql.replace('${0}', String(listener.port))));
    expect(o.kind).toBe('refused');
    expect(o.reason).toMatch(reason);
    expect(listener.connections()).toBe(0);
  });
});

describe('clickhouse.clusters', () => {
  it('reads a mapped cluster as the local tables: the same cost as the table itself', async () => {
    const local = await engine.explain("SELECT count() FROM events WHERE event_type = 'chat'");
    for (const sql of [
      "SELECT count() FROM cluster('main', default, events) WHERE event_type = 'chat'",
      "SELECT count() FROM clusterAllReplicas(main, default.events) WHERE event_type = 'chat'",
      "-- a comment\nSELECT count() FROM cluster('default', currentDatabase(), 'events') WHERE event_type = 'chat'",
    ]) {
      const o = await engine.explain(sql);
      expect(o, sql).toMatchObject({ ok: true });
      if (o.ok && local.ok) expect(o.cost.rows).toBe(local.cost.rows);
    }
    expect(listener.connections()).toBe(0);
  });

  it('reads a Distributed table over a mapped cluster from the local table', async () => {
    const all = await engine.explain("SELECT count() FROM events_all WHERE event_type = 'chat'");
    expect(all).toMatchObject({ ok: true });
    // The cost is the local table's (through Merge, which prunes by partition but not by key).
    if (all.ok) expect(all.cost.tables.map((t) => `${t.database}.${t.table}`)).toEqual(['default.events']);
    expect(listener.connections()).toBe(0);
  });

  it('reads the ClickHouse plugin’s clusterAllReplicas(default, merge(system...)) as the local system tables: unsupported, not refused', async () => {
    // grafana/clickhouse-datasource src/dashboards/system-dashboards.json @ 1d04063a (Apache-2.0).
    const o = failed(
      await engine.explain(
        "SELECT event_time, sum(ProfileEvent_Query) AS metric FROM clusterAllReplicas(default, merge('system', '^metric_log')) GROUP BY event_time SETTINGS skip_unavailable_shards = 1",
      ),
    );
    expect(o.kind).toBe('unsupported');
    expect(o.reason).toMatch(/merge\(\) over system tables/);
  });

  it('checks the mapped text again: a mapped cluster does not carry a refused function through', async () => {
    const o = failed(
      await engine.explain("SELECT file('/etc/hostname') FROM cluster('main', default, events)"),
    );
    expect(o).toMatchObject({ kind: 'refused' });
    expect(o.reason).toMatch(/^file\(\)/);
  });
});
