import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { ENGINE_WORKER_ARG } from '../../../src/clickhouse/engine-worker.js';
import {
  QUERIES_PER_WORKER,
  chooseWorkerCount,
  defaultWorkerEntry,
  memoizeExplain,
} from '../../../src/clickhouse/pool.js';
import type { Engine, ExplainOutcome } from '../../../src/clickhouse/port.js';
import { parseServerUrl, unescapeTsv } from '../../../src/clickhouse/server.js';

describe('chooseWorkerCount', () => {
  it('takes the configured number as is', () => {
    expect(chooseWorkerCount(5, 3, 2)).toBe(3);
  });
  it('auto: one process per QUERIES_PER_WORKER queries, never more than the cores', () => {
    expect(chooseWorkerCount(1, 0, 8)).toBe(1);
    expect(chooseWorkerCount(QUERIES_PER_WORKER, 0, 8)).toBe(1);
    expect(chooseWorkerCount(QUERIES_PER_WORKER + 1, 0, 8)).toBe(2);
    expect(chooseWorkerCount(100 * QUERIES_PER_WORKER, 0, 2)).toBe(2);
    expect(chooseWorkerCount(0, 0, 2)).toBe(1);
  });
});

describe('defaultWorkerEntry', () => {
  it('runs the TypeScript entry under tsx from src, tsx resolved here (the worker starts in an empty folder)', () => {
    const entry = defaultWorkerEntry(pathToFileURL('/repo/src/clickhouse/pool.ts').href);
    expect(entry).toEqual({
      modulePath: '/repo/src/clickhouse/engine-worker-main.ts',
      execArgv: ['--import', expect.stringMatching(/^file:\/\/.*\/tsx\/dist\/loader\.mjs$/)],
    });
  });
  it('from a bundle without engine-worker.js beside it, starts the bundle with the hidden argument', () => {
    const entry = defaultWorkerEntry(pathToFileURL('/nowhere/dist/cli.js').href);
    expect(entry).toEqual({ modulePath: '/nowhere/dist/cli.js', args: [ENGINE_WORKER_ARG], execArgv: [] });
  });
});

describe('server URL handling', () => {
  it('takes credentials and the database out of the URL', () => {
    expect(parseServerUrl('https://ci:p%40ss@ch.example:8443/analytics')).toEqual({
      url: 'https://ch.example:8443',
      username: 'ci',
      password: 'p@ss',
      database: 'analytics',
    });
  });
  it('rejects a URL that is not http(s) without echoing credentials', () => {
    expect(() => parseServerUrl('ftp://u:secret@host')).toThrow(
      /expected http\(s\):\/\/host:port, got ftp:\/\/host/,
    );
    expect(() => parseServerUrl('not a url u:secret@x')).toThrow(
      /^not a ClickHouse URL: expected http\(s\):\/\/\[user/,
    );
  });
  it('undoes TabSeparated escaping', () => {
    expect(unescapeTsv("a\\tb\\\\c\\nd\\'e\n")).toBe("a\tb\\c\nd'e\n");
  });
});

describe('memoizeExplain', () => {
  const ok = (rows: number): ExplainOutcome => ({
    ok: true,
    cost: { rows, marks: 1, parts: 1, granules: { selected: 1, total: 2 }, tables: [] },
    columns: [{ name: 'c', type: 'UInt64' }],
  });
  function fake(answers: (sql: string, call: number) => Promise<ExplainOutcome>) {
    const calls: string[] = [];
    const executed: string[] = [];
    const engine: Engine = {
      description: 'fake',
      prepare: async () => undefined,
      explain: (sql) => {
        calls.push(sql);
        return answers(sql, calls.length);
      },
      execute: async (sql) => {
        executed.push(sql);
        return {
          ok: true,
          result: {
            columns: [],
            rows: [[executed.length]],
            truncated: false,
            rowsRead: 0,
            bytesRead: 0,
            elapsedMs: 0,
          },
        };
      },
      close: async () => undefined,
    };
    return { engine, calls, executed };
  }

  it('never remembers an execution: each is the query’s own moment', async () => {
    const { engine, executed } = fake(async (sql) => ok(sql.length));
    const m = memoizeExplain(engine);
    const a = await m.execute('SELECT now()');
    const b = await m.execute('SELECT now()');
    expect(executed).toEqual(['SELECT now()', 'SELECT now()']);
    expect([a.ok && a.result.rows, b.ok && b.result.rows]).toEqual([[[1]], [[2]]]);
  });

  it('asks the engine once per distinct text, also while the first answer is in flight', async () => {
    const { engine, calls } = fake(async (sql) => ok(sql.length));
    const m = memoizeExplain(engine);
    const outcomes = await Promise.all(
      ['SELECT 1', 'SELECT 1', 'SELECT 22', 'SELECT 1'].map((s) => m.explain(s)),
    );
    expect(calls).toEqual(['SELECT 1', 'SELECT 22']);
    expect(outcomes.map((o) => o.ok && o.cost.rows)).toEqual([8, 8, 9, 8]);
  });

  it('gives each caller its own copy (callers add fields to the cost)', async () => {
    const m = memoizeExplain(fake(async () => ok(5)).engine);
    const a = await m.explain('q');
    const b = await m.explain('q');
    if (!a.ok || !b.ok) throw new Error('expected costs');
    a.cost.projectedRows = 42;
    expect(b.cost.projectedRows).toBeUndefined();
  });

  it('does not remember an engine failure', async () => {
    const { engine, calls } = fake((_, call) =>
      call === 1 ? Promise.reject(new Error('worker died')) : Promise.resolve(ok(1)),
    );
    const m = memoizeExplain(engine);
    await expect(m.explain('q')).rejects.toThrow('worker died');
    expect((await m.explain('q')).ok).toBe(true);
    expect(calls).toHaveLength(2);
  });
});
