// execute() on the real engine: one checked query run for real on the test data, read-only and bounded
// in rows read, time, memory and result rows; variable statements (SHOW TABLES, SHOW DATABASES,
// DESCRIBE, EXISTS) only when asked for. Through the engine, the pool and a server's scratch database.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../src/clickhouse/embedded.js';
import { createEnginePool } from '../../src/clickhouse/pool.js';
import type { ExecuteOutcome, ExecuteResult } from '../../src/clickhouse/port.js';
import { createServerEngine } from '../../src/clickhouse/server.js';
import { FIXTURES, readSqlStatements, startClickHouseHttp } from '../support/clickhouse-http.js';

const schema = readSqlStatements(path.join(FIXTURES, 'schema.sql'));
const seed = readSqlStatements(path.join(FIXTURES, 'seed.sql'));
const limits = { maxExecutionTime: 2, maxRowsToRead: 10_000_000, maxMemoryUsage: 200_000_000 };

let engine: EmbeddedEngine;
let scratch: string;

function result(o: ExecuteOutcome): ExecuteResult {
  if (!o.ok) throw new Error(`expected a result, got ${o.kind}: ${o.error.code} ${o.error.message}`);
  return o.result;
}
function failed(o: ExecuteOutcome) {
  if (o.ok) throw new Error('expected a failure, got a result');
  return o;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'dci-execute-'));
  engine = await createEmbeddedEngine({ limits });
  await engine.prepare(schema, seed);
});
afterAll(async () => {
  await engine?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('execute: a SELECT on the test data', () => {
  it('returns the columns with their types, the first rows, rows read and elapsed time', async () => {
    const r = result(
      await engine.execute(
        "SELECT event_type, count() AS events FROM events WHERE timestamp >= '2024-03-02 00:00:00' GROUP BY event_type ORDER BY event_type",
      ),
    );
    expect(r.columns).toEqual([
      { name: 'event_type', type: 'LowCardinality(String)' },
      { name: 'events', type: 'UInt64' },
    ]);
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.rows[0]).toHaveLength(2);
    expect(r.truncated).toBe(false);
    expect(r.rowsRead).toBeGreaterThan(0);
    expect(r.bytesRead).toBeGreaterThan(0);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('gives an empty result as no rows (what no-data-on-seed looks for)', async () => {
    const r = result(
      await engine.execute(
        "SELECT count() AS c FROM events WHERE event_type = 'no-such-type' GROUP BY user_id",
      ),
    );
    expect(r.rows).toEqual([]);
    expect(r.columns.map((c) => c.name)).toEqual(['c']);
  });

  it('caps the result rows, and says there were more', async () => {
    const r = result(
      await engine.execute('SELECT number FROM numbers(1000) ORDER BY number', { maxResultRows: 10 }),
    );
    expect(r.rows).toEqual(Array.from({ length: 10 }, (_, i) => [i]));
    expect(r.truncated).toBe(true);
    const all = result(await engine.execute('SELECT number FROM numbers(5)', { maxResultRows: 10 }));
    expect(all).toMatchObject({ truncated: false });
    expect(all.rows).toHaveLength(5);
  });

  it.each([
    ['rows read', 'SELECT count() FROM numbers(100000000000)', 158],
    ['time', 'SELECT sleepEachRow(1) FROM numbers(3) SETTINGS max_block_size = 1', 159],
    // 100 kB a row: past the memory bound within a few thousand rows, long before the time bound on a
    // loaded machine.
    ['memory', "SELECT groupArray(repeat('x', 100000)) FROM numbers(1000000)", 241],
  ])(
    'is bounded in %s, and what it wrote before it was stopped does not reach the next call',
    async (_, sql, code) => {
      const o = failed(await engine.execute(sql));
      expect(o).toMatchObject({ kind: 'bound-exceeded', error: { code } });
      expect(result(await engine.execute('SELECT 42 AS x'))).toMatchObject({ rows: [[42]] });
      expect(await engine.explain('SELECT count() FROM events')).toMatchObject({ ok: true });
    },
    30_000,
  );

  it('refuses what explain() refuses, and runs nothing of it', async () => {
    const file = path.join(scratch, 'out.txt');
    for (const [sql, kind] of [
      ['DROP TABLE events', 'not-select'],
      ['INSERT INTO events SELECT * FROM events', 'not-select'],
      ['SELECT 1; DROP TABLE events', 'multi-statement'],
      [`SELECT 1 INTO OUTFILE '${file}'`, 'not-select'],
      ["SELECT file('/etc/hostname')", 'refused'],
      ["SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')", 'refused'],
      ["-- x\n, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)", 'invalid'],
      ['SELECT 1 SETTINGS max_rows_to_read = 0', 'unsupported'],
      ['SHOW TABLES', 'not-select'],
    ] as const) {
      expect(failed(await engine.execute(sql)).kind, sql).toBe(kind);
    }
    expect(existsSync(file)).toBe(false);
    expect(result(await engine.execute('SELECT count() FROM events')).rows).toEqual([[23040]]);
  });
});

describe('execute: variable statements, only when asked for', () => {
  it.each([
    ['SHOW TABLES', ['events', 'notes', 'users']],
    ["SHOW TABLES LIKE 'ev%'", ['events']],
    ['SHOW DATABASES', undefined],
    ['DESCRIBE TABLE users', undefined],
    ['DESC (SELECT 1 AS x)', [['x', 'UInt8']]],
    ['EXISTS TABLE events', [[1]]],
    ['EXISTS nope', [[0]]],
  ])('runs %s', async (sql, expected) => {
    const r = result(await engine.execute(sql, { variable: true }));
    expect(r.rows.length).toBeGreaterThan(0);
    if (Array.isArray(expected) && typeof expected[0] === 'string')
      expect(r.rows.map((x) => x[0])).toEqual(expected);
    else if (expected) expect(r.rows.map((x) => x.slice(0, 2))).toEqual(expected);
  });

  it('accepts nothing else there', async () => {
    for (const sql of [
      'SHOW CREATE TABLE events',
      'SHOW GRANTS',
      "SHOW TABLES INTO OUTFILE '/tmp/dci-never.txt'",
      'SHOW TABLES FORMAT JSON',
      "DESCRIBE (SELECT file('/etc/hostname'))",
      'EXISTS TABLE events; DROP TABLE events',
      'DROP TABLE events',
    ]) {
      expect(failed(await engine.execute(sql, { variable: true })).kind, sql).toMatch(
        /not-select|refused|multi-statement/,
      );
    }
    expect(result(await engine.execute('EXISTS TABLE events', { variable: true })).rows).toEqual([[1]]);
  });
});

describe('execute through the pool and on a server', () => {
  it('runs in a worker process', async () => {
    const pool = await createEnginePool({ queryCount: 1, workers: 1, limits });
    try {
      await pool.engine.prepare(schema, seed);
      const r = result(await pool.engine.execute('SELECT user_id FROM users ORDER BY user_id LIMIT 2'));
      expect(r.columns).toEqual([{ name: 'user_id', type: 'UInt32' }]);
      expect(r.rows).toHaveLength(2);
    } finally {
      await pool.engine.close();
    }
  });

  it('runs only in the scratch database a server engine prepared', async () => {
    const double = await startClickHouseHttp({
      users: [{ name: 'ci', password: 'pw-execute' }],
      schema,
      seed,
    });
    try {
      const own = createServerEngine({ url: double.url, username: 'ci', password: 'pw-execute', limits });
      await own.prepare([], []);
      const o = failed(await own.execute('SELECT count() FROM events'));
      expect(o).toMatchObject({ kind: 'unsupported' });
      expect(o.reason).toMatch(/only on the test data/);
      await own.close();
      const prepared = createServerEngine({
        url: double.url,
        username: 'ci',
        password: 'pw-execute',
        limits,
        applySchema: true,
      });
      await prepared.prepare(schema, seed);
      const r = result(await prepared.execute('SELECT count() AS c FROM events'));
      expect(r).toMatchObject({ columns: [{ name: 'c', type: 'UInt64' }], rows: [[23040]] });
      expect(r.rowsRead).toBeGreaterThan(0);
      await prepared.close();
    } finally {
      await double.close();
    }
  }, 60_000);
});
