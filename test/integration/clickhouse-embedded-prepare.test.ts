// Loading chdb and applying schema and seed: each test opens and closes its own engine (chdb allows one
// data directory per process at a time, so they run one after another).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chdbLoaderFromPath, createEmbeddedEngine } from '../../src/clickhouse/embedded.js';
import { EnginePrepareError, EngineUnavailableError } from '../../src/clickhouse/errors.js';
import type { Engine } from '../../src/clickhouse/port.js';

const limits = { maxExecutionTime: 2, maxRowsToRead: 1_000_000 };
const TABLE = 'CREATE TABLE t (d Date, v UInt32) ENGINE = MergeTree PARTITION BY d ORDER BY v';

async function withEngine(
  fn: (e: Engine) => Promise<void>,
  loadChdb?: () => Promise<unknown>,
): Promise<void> {
  const engine = await createEmbeddedEngine({ limits, ...(loadChdb ? { loadChdb } : {}) });
  try {
    await fn(engine);
  } finally {
    await engine.close();
  }
}

async function prepareError(schema: string[], seed: string[]): Promise<EnginePrepareError> {
  let caught: unknown;
  await withEngine(async (e) => {
    caught = await e.prepare(schema, seed).catch((err: unknown) => err);
  });
  expect(caught).toBeInstanceOf(EnginePrepareError);
  return caught as EnginePrepareError;
}

describe('loading chdb', () => {
  it('points at the server mode on Windows', async () => {
    const err = await createEmbeddedEngine({ limits, platform: 'win32' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    expect((err as Error).message).toMatch(
      /does not run on Windows; use a ClickHouse server instead: --clickhouse http:\/\//,
    );
  });

  it('turns a failed load into one line that points at the server mode', async () => {
    const err = await createEmbeddedEngine({
      limits,
      loadChdb: () =>
        Promise.reject(new Error('Cannot find module @chdb/lib-linux-x64-musl\n    at stack line')),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /could not be loaded on linux-.*: Cannot find module @chdb\/lib-linux-x64-musl; use a ClickHouse server/,
    );
  });

  it('refuses a module without a Session class', async () => {
    const err = await createEmbeddedEngine({ limits, loadChdb: async () => ({}) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnavailableError);
  });

  it('loads chdb from a folder, as the Action does from its tool cache', async () => {
    const dir = path.resolve('node_modules/chdb');
    await withEngine(async (e) => {
      await e.prepare([TABLE], []);
      expect((await e.explain('SELECT * FROM t')).ok).toBe(true);
    }, chdbLoaderFromPath(dir));
  });
});

describe('prepare', () => {
  it('refuses a schema entry holding two statements, naming it, and runs none of it', async () => {
    const err = await prepareError([TABLE, 'CREATE TABLE a (x UInt8) ENGINE = Memory; DROP TABLE t'], []);
    expect(err).toMatchObject({ list: 'schema', index: 1 });
    expect(err.message).toMatch(/^schema statement 2 \(CREATE TABLE a .*\) holds more than one statement/);
  });

  it('refuses inline INSERT data that hides a second statement after a semicolon', async () => {
    const err = await prepareError([TABLE], ["INSERT INTO t VALUES ('2024-01-01', 1); DROP TABLE t"]);
    expect(err).toMatchObject({ list: 'seed', index: 0 });
    expect(err.message).toMatch(/inline data holding ';'/);
  });

  it('reports a failing statement with ClickHouse code, name and message', async () => {
    const err = await prepareError([TABLE], ['INSERT INTO t SELECT nope FROM numbers(3)']);
    expect(err).toMatchObject({ list: 'seed', index: 0, info: { code: 47, name: 'UNKNOWN_IDENTIFIER' } });
    expect(err.message).toMatch(
      /^seed statement 1 \(INSERT INTO t SELECT nope FROM numbers\(3\)\) failed: 47 UNKNOWN_IDENTIFIER: /,
    );
  });

  it('reports a syntax error in the schema before running it', async () => {
    const err = await prepareError(['CREATE TABEL t (a UInt8) ENGINE = Memory'], []);
    expect(err.info).toMatchObject({ code: 62, name: 'SYNTAX_ERROR' });
    expect(err.message).toMatch(/is not valid SQL: 62 SYNTAX_ERROR/);
  });

  it('keeps the parts of the seed as they were inserted (merges stopped), so costs repeat', async () => {
    await withEngine(async (e) => {
      await e.prepare(
        [TABLE],
        [
          "INSERT INTO t SELECT '2024-01-01', number FROM numbers(10)",
          "INSERT INTO t SELECT '2024-01-01', number FROM numbers(10)",
        ],
      );
      const o = await e.explain('SELECT * FROM t');
      expect(o.ok && o.cost.parts).toBe(2);
    });
  });

  it('locks an engine nobody prepared before its first EXPLAIN', async () => {
    await withEngine(async (e) => {
      // The bounds of the checking profile hold: a query may not switch one off.
      const o = await e.explain('SELECT 1 SETTINGS max_rows_to_read = 0');
      expect(o).toMatchObject({ ok: false, kind: 'unsupported', error: { code: 452 } });
      const w = await e.explain('SELECT 1 SETTINGS readonly = 0');
      expect(w).toMatchObject({ ok: false, kind: 'unsupported', error: { code: 164, name: 'READONLY' } });
      await expect(e.prepare([TABLE], [])).rejects.toThrow(/already prepared/);
    });
  });
});
