// The embedded engine on real chdb, with the fixtures' own small schema (4 days, one part a day).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine } from '../../src/clickhouse/embedded.js';
import type { Engine, ExplainOutcome } from '../../src/clickhouse/port.js';
import type { QueryCost } from '../../src/core/types.js';
import { FIXTURES, readSqlStatements } from '../support/clickhouse-http.js';

const FULL_SCAN = 'SELECT count() FROM events WHERE user_id = 7';
const ONE_DAY =
  "SELECT avg(response_ms) FROM events WHERE timestamp >= '2024-03-02 00:00:00' AND timestamp < '2024-03-03 00:00:00'";
const ONE_DAY_CHAT = `${ONE_DAY} AND event_type = 'chat'`;

let engine: Engine;
let scratch: string;

function cost(o: ExplainOutcome): QueryCost {
  if (!o.ok) throw new Error(`expected a cost, got ${o.kind}: ${o.error.code} ${o.error.message}`);
  return o.cost;
}

function failure(o: ExplainOutcome) {
  if (o.ok) throw new Error('expected a failure, got a cost');
  return o;
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'dashboard-ci-embedded-'));
  engine = await createEmbeddedEngine({ limits: { maxExecutionTime: 2, maxRowsToRead: 10_000_000 } });
  await engine.prepare(
    readSqlStatements(path.join(FIXTURES, 'schema.sql')),
    readSqlStatements(path.join(FIXTURES, 'seed.sql')),
  );
});

afterAll(async () => {
  await engine?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('embedded engine: validity', () => {
  it('describes itself with the ClickHouse version', () => {
    expect(engine.description).toMatch(/^embedded ClickHouse \d+\.\d+/);
  });

  it('costs a valid query', async () => {
    const c = cost(await engine.explain(FULL_SCAN));
    expect(c.tables.map((t) => `${t.database}.${t.table}`)).toEqual(['default.events']);
    expect(c.rows).toBe(23_040);
  });

  it.each([
    ['unknown column', 'SELECT nope FROM events', 47, 'UNKNOWN_IDENTIFIER', /nope/],
    ['unknown table', 'SELECT * FROM nope', 60, 'UNKNOWN_TABLE', /nope/],
    ['unknown function', 'SELECT nofn(user_id) FROM events', 46, 'UNKNOWN_FUNCTION', /nofn/],
  ])('reports %s with ClickHouse code and name', async (_, sql, code, name, text) => {
    const f = failure(await engine.explain(sql));
    expect(f.kind).toBe('invalid');
    expect(f.error.code).toBe(code);
    expect(f.error.name).toBe(name);
    expect(f.error.message).toMatch(text);
    expect(f.error.message).not.toMatch(/^Code:|\(version/);
  });

  it('reports a syntax error with its 0-based position in the SQL given', async () => {
    const sql = "SELECT 'é' AS a,\n  user_id FRM events";
    const f = failure(await engine.explain(sql));
    expect(f).toMatchObject({ kind: 'invalid', error: { code: 62, name: 'SYNTAX_ERROR' } });
    expect(f.position).toBe(sql.indexOf('events'));
    // The message counts in the caller's SQL too (1-based), not in the text with our EXPLAIN prefix.
    expect(f.error.message).toContain(`failed at position ${sql.indexOf('events') + 1}`);
  });

  it('refuses an empty query', async () => {
    expect(failure(await engine.explain('  \n ')).error.code).toBe(62);
  });
});

describe('embedded engine: nothing but one SELECT is ever run', () => {
  it('rejects a multi-statement input before anything runs; the table still exists', async () => {
    const f = failure(await engine.explain('SELECT 1; DROP TABLE events'));
    expect(f.kind).toBe('multi-statement');
    expect(f.error).toMatchObject({ code: 62, name: 'SYNTAX_ERROR' });
    expect(f.error.message).toMatch(/Multi-statements are not allowed/);
    expect(f.position).toBe('SELECT 1'.length);
    expect(cost(await engine.explain(FULL_SCAN)).rows).toBe(23_040);
  });

  it('rejects PARALLEL WITH, a second statement without a semicolon', async () => {
    const f = failure(await engine.explain('SELECT 1 PARALLEL WITH DROP TABLE events'));
    expect(f.kind).toBe('multi-statement');
    expect(cost(await engine.explain(FULL_SCAN)).rows).toBe(23_040);
  });

  it('accepts one statement with a trailing semicolon', async () => {
    expect(cost(await engine.explain(`${ONE_DAY};`)).parts).toBe(1);
  });

  it.each([
    ['DROP', 'DROP TABLE events'],
    ['INSERT', 'INSERT INTO events SELECT * FROM events'],
    ['ALTER', 'ALTER TABLE events DROP COLUMN model'],
    ['TRUNCATE', 'TRUNCATE TABLE events'],
    ['SET', 'SET readonly = 0'],
    ['SYSTEM', 'SYSTEM START MERGES'],
    ['OPTIMIZE', 'OPTIMIZE TABLE events FINAL'],
    ['CREATE', 'CREATE TABLE x (a UInt8) ENGINE = Memory'],
  ])('refuses %s in a panel and changes nothing', async (keyword, sql) => {
    const f = failure(await engine.explain(sql));
    expect(f.kind).toBe('not-select');
    expect(f.error.message).toMatch(new RegExp(`^${keyword} statement refused`));
  });

  it('left the table as it was after all of the above', async () => {
    const c = cost(await engine.explain('SELECT model FROM events'));
    // Still 4 parts (no INSERT, no OPTIMIZE) and the model column (no ALTER).
    expect(c.tables[0]).toMatchObject({ parts: 4, granules: { selected: 92, total: 92 }, rows: 23_040 });
    expect(failure(await engine.explain('SELECT * FROM x')).error.code).toBe(60);
  });

  it('refuses INTO OUTFILE (it writes even under EXPLAIN) and FORMAT; no file appears', async () => {
    const file = path.join(scratch, 'out.txt');
    const f = failure(await engine.explain(`SELECT 1 INTO OUTFILE '${file}'`));
    expect(f.kind).toBe('not-select');
    expect(existsSync(file)).toBe(false);
    expect(failure(await engine.explain('SELECT 1 FORMAT JSON')).kind).toBe('not-select');
  });

  it('keeps file() and url() out: refused by name before anything runs', async () => {
    const f = failure(await engine.explain("SELECT * FROM file('/etc/hostname', 'LineAsString')"));
    expect(f).toMatchObject({ kind: 'refused', error: { code: 497, name: 'ACCESS_DENIED' } });
    expect(f.reason).toMatch(/^file\(\) \(table function\) reads files of the machine/);
  });

  it('does not let SETTINGS lift a bound: the query is not judged (info), the bound holds', async () => {
    const f = failure(await engine.explain('SELECT 1 SETTINGS max_execution_time = 0'));
    expect(f).toMatchObject({
      kind: 'unsupported',
      error: { code: 452, name: 'SETTING_CONSTRAINT_VIOLATION' },
    });
  });
});

describe('embedded engine: bounded work during EXPLAIN', () => {
  it('stops a scalar subquery over a trillion rows inside max_rows_to_read', async () => {
    const t0 = Date.now();
    const f = failure(await engine.explain('SELECT (SELECT count() FROM numbers(1e12))'));
    expect(f.kind).toBe('bound-exceeded');
    expect(f.error).toMatchObject({ code: 158, name: 'TOO_MANY_ROWS' });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('stops a scalar subquery that reads few rows but runs long, at max_execution_time', async () => {
    const f = failure(
      await engine.explain('SELECT (SELECT count() FROM numbers(3000000) AS a, numbers(3000000) AS b)'),
    );
    expect(f.kind).toBe('bound-exceeded');
    expect(f.error).toMatchObject({ code: 159, name: 'TIMEOUT_EXCEEDED' });
  });

  it('does not leak a failed call into the next one', async () => {
    const before = await engine.explain(ONE_DAY_CHAT);
    for (const bad of [
      'SELECT nope FROM events',
      'SELECT * FRM events',
      'SELECT 1; SELECT nope',
      'SELECT (SELECT count() FROM numbers(1e12))',
      'DROP TABLE events',
    ]) {
      await engine.explain(bad);
    }
    expect(await engine.explain(ONE_DAY_CHAT)).toEqual(before);
  });
});

describe('embedded engine: cost', () => {
  it('a full scan prunes nothing', async () => {
    const c = cost(await engine.explain(FULL_SCAN));
    expect(c).toMatchObject({ parts: 4, marks: 92, granules: { selected: 92, total: 92 } });
    expect(c.tables[0]).toMatchObject({ partitionPruned: false, primaryKeyPruned: false });
  });

  it('a one-day filter is pruned by partition (1 of 4 parts)', async () => {
    const c = cost(await engine.explain(ONE_DAY));
    expect(c).toMatchObject({ parts: 1, granules: { selected: 23, total: 92 }, rows: 5_760 });
    const t = c.tables[0]!;
    expect(t.partitionPruned).toBe(true);
    expect(t.indexes.find((i) => i.type === 'MinMax')).toMatchObject({ initialParts: 4, selectedParts: 1 });
    expect(t.indexes.find((i) => i.type === 'Partition')!.keys).toEqual(['toDate(timestamp)']);
  });

  it('an event_type filter is pruned by the primary key as well', async () => {
    const c = cost(await engine.explain(ONE_DAY_CHAT));
    expect(c.tables[0]).toMatchObject({ partitionPruned: true, primaryKeyPruned: true });
    expect(c.granules.selected).toBeLessThan(23);
    expect(c.tables[0]!.indexes.find((i) => i.type === 'PrimaryKey')!.keys).toEqual([
      'event_type',
      'timestamp',
    ]);
  });

  it('costs count() answered from the primary key as the boundary granules it reads (EXPLAIN ESTIMATE)', async () => {
    const c = cost(
      await engine.explain(
        `SELECT count() FROM events WHERE event_type = 'chat' AND timestamp >= '2024-03-04 00:00:00'`,
      ),
    );
    expect(c).toMatchObject({ marks: 1, rows: 256, granules: { selected: 1, total: 92 } });
    expect(c.tables[0]).toMatchObject({ partitionPruned: true, primaryKeyPruned: true });
  });

  it('costs each table of a join', async () => {
    const c = cost(
      await engine.explain('SELECT count() FROM events AS e JOIN users AS u ON e.user_id = u.user_id'),
    );
    expect(c.tables.map((t) => t.table).sort()).toEqual(['events', 'users']);
    expect(c.rows).toBe(23_040 + 500);
  });

  it('costs a table with no keys from its parts', async () => {
    const c = cost(await engine.explain('SELECT * FROM notes'));
    expect(c.tables[0]).toMatchObject({ table: 'notes', rows: 1000, parts: 1, indexes: [] });
  });

  it('costs a trivial count as nothing read', async () => {
    expect(cost(await engine.explain('SELECT count() FROM events'))).toMatchObject({ rows: 0, tables: [] });
  });
});

describe('embedded engine: system log tables', () => {
  it('says a query over system.query_log cannot be judged here, instead of calling it invalid', async () => {
    const f = failure(
      await engine.explain('SELECT count() FROM system.query_log WHERE event_date = today()'),
    );
    expect(f.kind).toBe('unsupported');
    expect(f.error.code).toBe(60);
    expect(f.reason).toMatch(/cannot be judged by the embedded engine; check it against a server/);
  });

  it('still costs the system tables chdb has', async () => {
    expect((await engine.explain('SELECT count() FROM system.parts')).ok).toBe(true);
  });
});

describe('embedded engine: result columns (EXPLAIN header = 1, same call)', () => {
  it('gives the output columns with their types', async () => {
    const o = await engine.explain(
      "SELECT toStartOfHour(timestamp) AS t, count() AS `events per hour`, avg(response_ms) FROM events WHERE event_type = 'chat' GROUP BY t",
    );
    if (!o.ok) throw new Error(o.error.message);
    expect(o.columns).toEqual([
      { name: 't', type: "DateTime('UTC')" },
      { name: 'events per hour', type: 'UInt64' },
      { name: 'avg(response_ms)', type: 'Float64' },
    ]);
  });

  it('gives the columns of a UNION, of a query with no table, and of one answered by EXPLAIN ESTIMATE', async () => {
    const union = await engine.explain("SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y'");
    expect(union).toMatchObject({
      ok: true,
      columns: [
        { name: 'a', type: 'UInt8' },
        { name: 'b', type: 'String' },
      ],
    });
    const count = await engine.explain(
      "SELECT count() FROM events WHERE event_type = 'chat' AND timestamp >= '2024-03-04 00:00:00'",
    );
    expect(count).toMatchObject({ ok: true, columns: [{ name: 'count()', type: 'UInt64' }] });
  });
});
