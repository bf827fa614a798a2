// The server engine over real HTTP, against the ClickHouse HTTP double (chdb in a child process), next
// to the embedded engine in this process: the same cases must give the same verdicts.
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine } from '../../src/clickhouse/embedded.js';
import { EngineConnectionError } from '../../src/clickhouse/errors.js';
import type { Engine, ExplainOutcome } from '../../src/clickhouse/port.js';
import { createServerEngine } from '../../src/clickhouse/server.js';
import {
  FIXTURES,
  readSqlStatements,
  startClickHouseHttp,
  type ClickHouseHttpDouble,
} from '../support/clickhouse-http.js';

const PASSWORD = 'ci-Pa55word-never-printed';
const limits = { maxExecutionTime: 2, maxRowsToRead: 10_000_000 };
const schema = readSqlStatements(path.join(FIXTURES, 'schema.sql'));
const seed = readSqlStatements(path.join(FIXTURES, 'seed.sql'));

const CASES: [string, string][] = [
  ['valid full scan', 'SELECT count() FROM events WHERE user_id = 7'],
  [
    'partition pruned',
    "SELECT avg(response_ms) FROM events WHERE timestamp >= '2024-03-02 00:00:00' AND timestamp < '2024-03-03 00:00:00'",
  ],
  [
    'primary key pruned',
    "SELECT avg(response_ms) FROM events WHERE event_type = 'chat' AND timestamp >= '2024-03-04 00:00:00'",
  ],
  [
    'count from the primary key',
    "SELECT count() FROM events WHERE event_type = 'chat' AND timestamp >= '2024-03-04 00:00:00'",
  ],
  ['join', 'SELECT count() FROM events AS e JOIN users AS u ON e.user_id = u.user_id'],
  ['unknown column', 'SELECT nope FROM events'],
  ['unknown table', 'SELECT * FROM nope'],
  ['unknown function', 'SELECT nofn(1) FROM events'],
  ['syntax error', 'SELECT user_id FRM events'],
  ['multi-statement', 'SELECT 1; DROP TABLE events'],
  ['parallel with', 'SELECT 1 PARALLEL WITH DROP TABLE events'],
  ['drop', 'DROP TABLE events'],
  ['insert', 'INSERT INTO events SELECT * FROM events'],
  ['alter', 'ALTER TABLE events DELETE WHERE 1'],
  ['outfile', "SELECT 1 INTO OUTFILE '/tmp/dashboard-ci-never.txt'"],
  ['scalar subquery', 'SELECT (SELECT count() FROM numbers(1e12))'],
  ['refused function', "SELECT file('/etc/hostname')"],
  ['refused table function', "SELECT * FROM url('http://127.0.0.1:1/', CSV, 'a String')"],
];

/** The verdict without the database name (default here, a scratch database on the server). */
function verdict(o: ExplainOutcome): unknown {
  if (!o.ok) {
    const message = o.error.message.replace(/dashboard_ci_[0-9a-f]+/g, 'default');
    return { kind: o.kind, code: o.error.code, name: o.error.name, message, position: o.position };
  }
  return { ...o.cost, tables: o.cost.tables.map((t) => ({ ...t, database: '-' })) };
}

let double: ClickHouseHttpDouble;
let server: Engine;
let embedded: Engine;

beforeAll(async () => {
  double = await startClickHouseHttp({
    users: [
      { name: 'ci', password: PASSWORD },
      { name: 'viewer', password: 'view-only', readonly: 1 },
    ],
    schema,
    seed,
  });
  server = createServerEngine({
    url: double.url,
    username: 'ci',
    password: PASSWORD,
    limits,
    applySchema: true,
  });
  await server.prepare(schema, seed);
  embedded = await createEmbeddedEngine({ limits });
  await embedded.prepare(schema, seed);
});

afterAll(async () => {
  await server?.close();
  await embedded?.close();
  await double?.close();
});

describe('server engine over HTTP', () => {
  it.each(CASES)('gives the embedded verdict for: %s', async (_, sql) => {
    expect(verdict(await server.explain(sql))).toEqual(verdict(await embedded.explain(sql)));
  });

  it('brings ClickHouse error codes through HTTP into the outcome', async () => {
    const o = await server.explain('SELECT nope FROM events');
    expect(o).toMatchObject({ ok: false, kind: 'invalid', error: { code: 47, name: 'UNKNOWN_IDENTIFIER' } });
    const s = await server.explain('SELECT user_id FRM events');
    expect(s).toMatchObject({ ok: false, error: { code: 62 }, position: 'SELECT user_id FRM '.length });
  });

  it('never lets a query lift a bound with SETTINGS: not judged on either engine', async () => {
    for (const sql of [
      'SELECT 1 SETTINGS max_rows_to_read = 0',
      'SELECT 1 SETTINGS max_execution_time = 0',
    ]) {
      // The embedded profile's constraints refuse it (452); the server session is readonly = 1 (164).
      expect(await embedded.explain(sql)).toMatchObject({
        ok: false,
        kind: 'unsupported',
        error: { code: 452 },
      });
      expect(await server.explain(sql)).toMatchObject({
        ok: false,
        kind: 'unsupported',
        error: { code: 164 },
      });
    }
  });

  it('describes the server without credentials', () => {
    expect(server.description).toBe(`ClickHouse server ${double.url} (version ${double.version})`);
  });

  it('sent every EXPLAIN read-only and bounded, and no credential in any URL', async () => {
    const log = await double.requests();
    const explains = log.filter((r) => r.query.startsWith('EXPLAIN'));
    expect(explains.length).toBeGreaterThan(10);
    for (const r of explains) {
      expect(r.params).toMatchObject({
        readonly: '1',
        max_execution_time: '2',
        max_rows_to_read: '10000000',
        max_threads: '1',
      });
    }
    // The double drops `password` from what it logs; it must never have been a URL parameter at all.
    for (const r of log) expect(JSON.stringify(r)).not.toContain(PASSWORD);
    // Nothing but EXPLAIN, the single-statement check and the engine's own SELECTs after prepare.
    const after = log.slice(log.findIndex((r) => r.query.startsWith('EXPLAIN json')));
    for (const r of after)
      expect(r.query).toMatch(
        /^(EXPLAIN (AST|json = 1, indexes = 1, header = 1|ESTIMATE)\s|SELECT formatQuerySingleLine|SELECT 'table')/,
      );
  });

  it('left the scratch database tables intact after DROP / INSERT / ALTER were refused', async () => {
    const o = await server.explain('SELECT model FROM events');
    expect(o.ok && o.cost.tables[0]).toMatchObject({ parts: 4, rows: 23_040 });
  });

  it('matches the double’s own EXPLAIN ESTIMATE on rows for a full scan, and within a granule when pruned', async () => {
    const client = createClient({ url: double.url, username: 'ci', password: PASSWORD });
    try {
      for (const [, sql] of CASES.slice(0, 4)) {
        const rs = await client.query({ query: `EXPLAIN ESTIMATE ${sql}`, format: 'JSONEachRow' });
        const [est] = await rs.json<{ rows: string; marks: string; parts: string }>();
        const o = await embedded.explain(sql);
        if (!o.ok) throw new Error('expected a cost');
        expect(o.cost.marks).toBe(Number(est!.marks));
        expect(o.cost.parts).toBe(Number(est!.parts));
        expect(Math.abs(o.cost.rows - Number(est!.rows))).toBeLessThanOrEqual(256);
      }
    } finally {
      await client.close();
    }
  });
});

describe('server engine: connecting', () => {
  it('fails with a clear error on wrong credentials, without the password', async () => {
    const bad = createServerEngine({ url: double.url, username: 'ci', password: 'wrong-secret-pw', limits });
    const err = await bad.prepare([], []).catch((e: unknown) => e);
    await bad.close();
    expect(err).toBeInstanceOf(EngineConnectionError);
    expect((err as EngineConnectionError).info).toMatchObject({ code: 516, name: 'AUTHENTICATION_FAILED' });
    expect((err as Error).message).toMatch(
      /rejected the credentials of user 'ci': 516 AUTHENTICATION_FAILED/,
    );
    expect((err as Error).message).not.toContain('wrong-secret-pw');
  });

  it('takes credentials from the URL and keeps them out of the description', async () => {
    const url = double.url.replace('http://', `http://ci:${encodeURIComponent(PASSWORD)}@`);
    const e = createServerEngine({ url, limits });
    try {
      await e.prepare([], []);
      expect(e.description).not.toContain(PASSWORD);
      expect((await e.explain('SELECT count() FROM events WHERE user_id = 1')).ok).toBe(true);
    } finally {
      await e.close();
    }
  });

  it('works for a read-only user, sending no setting at all', async () => {
    const e = createServerEngine({ url: double.url, username: 'viewer', password: 'view-only', limits });
    try {
      await e.prepare([], []);
      expect(await e.explain('SELECT count() FROM events WHERE user_id = 1')).toMatchObject({ ok: true });
      expect(await e.explain('DROP TABLE events')).toMatchObject({ ok: false, kind: 'not-select' });
      const mine = (await double.requests()).filter((r) => r.user === 'viewer');
      expect(mine.length).toBeGreaterThan(0);
      // Query parameters (param_q: the text the single-statement check reads) are values, not settings.
      for (const r of mine)
        expect(Object.keys(r.params).filter((k) => !k.startsWith('param_'))).toEqual(['query_id']);
    } finally {
      await e.close();
    }
  });

  it('fails with a clear error when nothing listens', async () => {
    const e = createServerEngine({ url: 'http://127.0.0.1:1', limits });
    const err = await e.prepare([], []).catch((x: unknown) => x);
    await e.close();
    expect(err).toBeInstanceOf(EngineConnectionError);
    expect((err as Error).message).toMatch(
      /^connecting to ClickHouse at http:\/\/127\.0\.0\.1:1 failed: .*ECONNREFUSED/,
    );
  });

  it('drops its scratch database on close', async () => {
    const e = createServerEngine({
      url: double.url,
      username: 'ci',
      password: PASSWORD,
      limits,
      applySchema: true,
    });
    await e.prepare(schema.slice(0, 1), []);
    const client = createClient({ url: double.url, username: 'ci', password: PASSWORD });
    try {
      const count = async () =>
        (
          await (
            await client.query({
              query: "SELECT count() AS n FROM system.databases WHERE name LIKE 'dashboard_ci_%'",
              format: 'JSONEachRow',
            })
          ).json<{ n: string }>()
        )[0]!.n;
      const during = Number(await count());
      await e.close();
      expect(Number(await count())).toBe(during - 1);
    } finally {
      await client.close();
    }
  });
});
