// Issue 8 item 1, wall by wall. The engine process: an empty environment and a private working
// directory, also with one worker (the old code ran chdb in the CLI's own process then, where
// file('/proc/self/environ') read the runner's secrets). The engine's own configuration: grants,
// constraints and switches hold even for a query no AST check looked at.
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionRunner, type ChdbSession } from '../../src/clickhouse/embedded.js';
import { ClickHouseQueryError } from '../../src/clickhouse/errors.js';
import { createEnginePool } from '../../src/clickhouse/pool.js';
import { localTimeZone, writeSandboxConfig } from '../../src/clickhouse/sandbox.js';
import { makeCanary, startListener, type Canary, type Listener } from './support.js';

const limits = { maxExecutionTime: 2, maxRowsToRead: 1_000_000 };

describe('the engine process', () => {
  it('is a child with an empty environment and a private working directory, also for one worker', async () => {
    const pool = await createEnginePool({ queryCount: 1, workers: 1, limits });
    try {
      await pool.engine.prepare([], []);
      const [pid] = pool.pids();
      expect(pool.pids()).toHaveLength(1);
      expect(pid).not.toBe(process.pid);
      // Linux shows a process's initial environment and working directory in /proc.
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      // Only the IPC channel node adds itself to a forked child.
      expect(environ.map((e) => e.split('=')[0]).sort()).toEqual(
        ['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE'].filter((k) =>
          environ.some((e) => e.startsWith(`${k}=`)),
        ),
      );
      for (const v of Object.values(process.env))
        if (v && v.length > 8) expect(environ.join('\n')).not.toContain(v);
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      expect(cwd).not.toBe(process.cwd());
      expect(path.basename(cwd)).toMatch(/^dashboard-ci-worker-/);
      const outcome = await pool.engine.explain(
        "SELECT toUInt8(extract(file('/proc/self/environ'), 'PATH=(\\\\S+)'))",
      );
      expect(outcome).toMatchObject({ ok: false, kind: 'refused' });
      await pool.engine.close();
      expect(existsSync(cwd)).toBe(false);
    } finally {
      await pool.engine.close();
    }
  });
});

describe('the engine configuration alone (no AST check in front of it)', () => {
  let dir: string;
  let session: ChdbSession;
  let canary: Canary;
  let listener: Listener;
  const sandbox = { limits, timezone: localTimeZone(), maxThreads: 2 };

  const run = async (sql: string): Promise<string | { code: number; name: string }> => {
    try {
      return await sessionRunner(session).run(sql, 'TabSeparatedRaw');
    } catch (e) {
      if (e instanceof ClickHouseQueryError) return { code: e.info.code, name: e.info.name };
      throw e;
    }
  };

  beforeAll(async () => {
    canary = makeCanary();
    listener = await startListener();
    dir = mkdtempSync(path.join(os.tmpdir(), 'dci-sandbox-'));
    const chdb = (await import('chdb')) as unknown as {
      Session: new (p: string, o: { connectionArgs: string[] }) => ChdbSession;
    };
    const data = path.join(dir, 'data');
    const prepare = new chdb.Session(data, {
      connectionArgs: writeSandboxConfig(path.join(dir, 'c'), 'prepare', sandbox),
    });
    prepare.query('CREATE TABLE t (s String) ENGINE = MergeTree ORDER BY s');
    // VALUES data is literals only, in the preparing phase too.
    expect(() => prepare.query(`INSERT INTO t VALUES (file('${canary.path}'))`)).toThrow(
      /Interpreting expressions is disabled/,
    );
    prepare.close();
    session = new chdb.Session(data, {
      connectionArgs: writeSandboxConfig(path.join(dir, 'c'), 'query', sandbox),
    });
  });

  afterAll(async () => {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
    await listener?.close();
    canary?.close();
  });

  it.each([
    ['file()', "SELECT * FROM file('{F}', 'LineAsString')"],
    ['a table named by a path', 'SELECT * FROM `{F}`'],
    ['url()', "SELECT * FROM url('http://127.0.0.1:{P}/', 'CSV', 'a String')"],
    ['remote()', "SELECT * FROM remote('127.0.0.1:{P}', system.one)"],
    ['mysql()', "SELECT * FROM mysql('127.0.0.1:{P}', 'db', 't', 'u', 'p')"],
    ['filesystem()', "SELECT * FROM filesystem('{D}')"],
    ['INSERT INTO FUNCTION file()', "INSERT INTO FUNCTION file('{D}/x.js', 'CSV', 'a UInt8') SELECT 1"],
    ['introspection', 'SELECT addressToLine(toUInt64(1))'],
  ])('grants refuse %s (497 ACCESS_DENIED)', async (_, sql) => {
    const text = sql
      .replaceAll('{F}', canary.path)
      .replaceAll('{D}', canary.dir)
      .replaceAll('{P}', String(listener.port));
    expect(await run(text)).toMatchObject({ code: 497 });
    expect(listener.connections()).toBe(0);
    expect(existsSync(path.join(canary.dir, 'x.js'))).toBe(false);
  });

  it.each([
    ['SELECT 1 SETTINGS max_rows_to_read = 0', 452],
    ['SELECT 1 SETTINGS max_rows_to_read = 100000000000', 452],
    ['SELECT 1 SETTINGS max_execution_time = 0', 452],
    ['SELECT 1 SETTINGS max_execution_time = 3600', 452],
    ['SELECT 1 SETTINGS max_memory_usage = 0', 452],
    ["SELECT 1 SETTINGS read_overflow_mode = 'break'", 452],
    ["SELECT 1 SETTINGS timeout_overflow_mode = 'break'", 452],
    ['SELECT 1 SETTINGS readonly = 0', 164],
    ['SELECT 1 SETTINGS allow_introspection_functions = 1', 452],
    ['SELECT 1 SETTINGS implicit_select = 1', 452],
    ['SELECT 1 SETTINGS allow_experimental_eval_table_function = 1', 452],
    ['SELECT 1 SETTINGS allow_ddl = 1', 392],
    ["SELECT 1 SETTINGS max_result_rows = 1, result_overflow_mode = 'break'", 452],
    ['SELECT 1 SETTINGS max_result_bytes = 10', 452],
    ['SET max_rows_to_read = 0', 452],
    ['CREATE TABLE x (a UInt8) ENGINE = Memory', 497],
    ['INSERT INTO t SELECT 1', 497],
  ])('constraints, readonly and grants hold the bounds and switches: %s → %i', async (sql, code) => {
    expect(await run(sql)).toMatchObject({ code });
  });

  it('keeps a bound a query lowers, and the bound itself', async () => {
    expect(await run('SELECT count() FROM numbers(10) SETTINGS max_rows_to_read = 100')).toBe('10\n');
    expect(await run('SELECT count() FROM numbers(1000) SETTINGS max_rows_to_read = 100')).toMatchObject({
      code: 158,
    });
    expect(await run('SELECT count() FROM numbers(2000000)')).toMatchObject({ code: 158 });
    expect(await run('SELECT 1 SETTINGS skip_unavailable_shards = 1')).toBe('1\n');
  });

  it('does not read implicit SELECTs (implicit_select = 0)', async () => {
    expect(await run("1 AS EXPLAIN, throwIf(1, 'RAN')")).toMatchObject({ code: 62 });
  });
});
