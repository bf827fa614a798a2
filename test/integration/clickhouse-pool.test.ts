// The pool of embedded engines in child processes (chdb must not run in worker_threads).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine } from '../../src/clickhouse/embedded.js';
import { EngineCrashedError, EnginePrepareError } from '../../src/clickhouse/errors.js';
import { createEnginePool, type EnginePool } from '../../src/clickhouse/pool.js';
import type { Engine, ExplainOutcome } from '../../src/clickhouse/port.js';
import { FIXTURES, readSqlStatements } from '../support/clickhouse-http.js';

const limits = { maxExecutionTime: 2, maxRowsToRead: 10_000_000 };
const schema = readSqlStatements(path.join(FIXTURES, 'schema.sql'));
const seed = readSqlStatements(path.join(FIXTURES, 'seed.sql'));
const SLOW = 'SELECT (SELECT count() FROM numbers(3000000) AS a, numbers(3000000) AS b)';

function queries(n: number): string[] {
  const shapes = (i: number): string[] => [
    `SELECT avg(response_ms) FROM events WHERE timestamp >= '2024-03-0${1 + (i % 4)} 00:00:00' AND user_id = ${i}`,
    `SELECT count() FROM events WHERE event_type = 'chat' AND timestamp >= '2024-03-0${1 + (i % 4)} 00:00:00'`,
    `SELECT nope_${i} FROM events`,
    'SELECT 1; DROP TABLE events',
    `SELECT user_id FROM users WHERE user_id < ${i} ORDER BY user_id`,
  ];
  return Array.from({ length: n }, (_, i) => shapes(i)[i % 5]!);
}

async function explainAll(engine: Engine, sqls: readonly string[], lanes: number): Promise<ExplainOutcome[]> {
  const out: ExplainOutcome[] = new Array(sqls.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < sqls.length) {
        const i = next++;
        out[i] = await engine.explain(sqls[i]!);
      }
    }),
  );
  return out;
}

let pool: EnginePool;

beforeAll(async () => {
  pool = await createEnginePool({ queryCount: 200, workers: 2, limits });
  await pool.engine.prepare(schema, seed);
});

afterAll(async () => {
  await pool?.engine.close();
});

describe('engine pool', () => {
  it('runs the configured number of worker processes', () => {
    expect(pool.size).toBe(2);
    expect(pool.pids()).toHaveLength(2);
    expect(pool.pids()).not.toContain(process.pid);
    expect(pool.engine.description).toMatch(/^embedded ClickHouse .*\(chdb\), 2 processes$/);
  });

  it('answers each query with its own outcome, the same as one in-process engine', async () => {
    const sqls = queries(200);
    const pooled = await explainAll(pool.engine, sqls, 4);
    const single = await createEmbeddedEngine({ limits });
    try {
      await single.prepare(schema, seed);
      const expected = await explainAll(single, sqls, 1);
      expect(pooled).toEqual(expected);
    } finally {
      await single.close();
    }
    expect(pooled.filter((o) => o.ok)).toHaveLength(120);
  });

  it('survives a worker that dies: its query fails with EngineCrashedError, the others go on', async () => {
    const [victim] = pool.pids();
    // Two different texts: the pool answers one text once per run (memoizeExplain).
    const slow = [pool.engine.explain(`${SLOW} AS one`), pool.engine.explain(`${SLOW} AS two`)].map((p) =>
      p.then(
        (o) => o,
        (e: unknown) => e,
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    process.kill(victim!, 'SIGKILL');
    const settled = await Promise.all(slow);
    expect(settled.filter((s) => s instanceof EngineCrashedError)).toHaveLength(1);
    expect(settled.filter((s) => !(s instanceof Error))).toEqual([
      expect.objectContaining({ ok: false, kind: 'bound-exceeded' }),
    ]);
    expect(pool.pids()).toHaveLength(1);
    const after = await explainAll(pool.engine, queries(10), 4);
    expect(after.filter((o) => o.ok)).toHaveLength(6);
  });
});

describe('engine pool: setup', () => {
  it('runs one worker process for a few queries, never the engine in this process', async () => {
    const p = await createEnginePool({ queryCount: 10, workers: 0, limits, cores: 2 });
    try {
      expect(p.size).toBe(1);
      expect(p.pids()).toHaveLength(1);
      expect(p.pids()).not.toContain(process.pid);
      await p.engine.prepare(schema, seed);
      expect((await p.engine.explain('SELECT count() FROM events WHERE user_id = 1')).ok).toBe(true);
    } finally {
      await p.engine.close();
    }
  });

  it('brings a worker’s prepare error back typed, and ends the workers', async () => {
    const p = await createEnginePool({ queryCount: 10, workers: 2, limits });
    const pids = p.pids();
    const err = await p.engine
      .prepare(['CREATE TABLE t (a UInt8) ENGINE = Memory; DROP TABLE t'], [])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnginePrepareError);
    expect(err).toMatchObject({ list: 'schema', index: 0 });
    expect(p.pids()).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
