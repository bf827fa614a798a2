import { describe, expect, it } from 'vitest';
import { engineVariableRunner, optionsFromResult } from '../../../src/check/variable-runner.js';
import type { Engine, ExecuteOutcome, ExecuteResult } from '../../../src/clickhouse/port.js';
import type { QuerySource } from '../../../src/sql/extract.js';

function result(columns: string[], rows: unknown[][]): ExecuteResult {
  return {
    columns: columns.map((name) => ({ name, type: 'String' })),
    rows,
    truncated: false,
    rowsRead: 0,
    bytesRead: 0,
    elapsedMs: 0,
  };
}

const CH = 'grafana-clickhouse-datasource';
const ALTINITY = 'vertamedia-clickhouse-datasource';

describe('optionsFromResult: rows become options as each plugin makes them', () => {
  it('ClickHouse plugin: one column is text and value; with more, the first is the value, the second the text', () => {
    expect(optionsFromResult(result(['name'], [['a'], [2], [null]]), CH)).toEqual([
      { text: 'a', value: 'a' },
      { text: '2', value: '2' },
      { text: '', value: '' },
    ]);
    expect(optionsFromResult(result(['id', 'label', 'x'], [[7, 'seven', 1]]), CH)).toEqual([
      { text: 'seven', value: '7' },
    ]);
  });

  it('Altinity plugin: exactly __text and __value give text and value; otherwise the first column', () => {
    expect(optionsFromResult(result(['__value', '__text'], [['v1', 't1']]), ALTINITY)).toEqual([
      { text: 't1', value: 'v1' },
    ]);
    expect(optionsFromResult(result(['a', 'b'], [['x', 'y']]), ALTINITY)).toEqual([
      { text: 'x', value: 'x' },
    ]);
  });

  it('no columns, no options', () => {
    expect(optionsFromResult(result([], []), CH)).toEqual([]);
  });
});

describe('engineVariableRunner', () => {
  const source = { datasourceType: CH } as QuerySource;

  function engine(outcome: ExecuteOutcome, calls: { sql: string; variable?: boolean; rows?: number }[]) {
    return {
      description: 'test',
      prepare: () => Promise.resolve(),
      explain: () => Promise.reject(new Error('not used')),
      execute: (sql: string, opts?: { variable?: boolean; maxResultRows?: number }) => {
        calls.push({ sql, variable: opts?.variable, rows: opts?.maxResultRows });
        return Promise.resolve(outcome);
      },
      close: () => Promise.resolve(),
    } as Engine;
  }

  it('runs each SQL once, as a variable query, with a bounded result', async () => {
    const calls: { sql: string; variable?: boolean; rows?: number }[] = [];
    const run = engineVariableRunner(engine({ ok: true, result: result(['t'], [['a']]) }, calls));
    expect(await run({ sql: 'SHOW TABLES', variable: 'x', source })).toEqual([{ text: 'a', value: 'a' }]);
    expect(await run({ sql: 'SHOW TABLES', variable: 'y', source })).toEqual([{ text: 'a', value: 'a' }]);
    expect(calls).toEqual([{ sql: 'SHOW TABLES', variable: true, rows: 1000 }]);
  });

  it("throws the engine's reason when the query is refused or fails", async () => {
    const refused: ExecuteOutcome = {
      ok: false,
      kind: 'refused',
      error: { code: 497, name: 'ACCESS_DENIED', message: 'file() reads files' },
      reason: 'file() reads files: the sandboxed test engine refuses it',
    };
    const run = engineVariableRunner(engine(refused, []));
    await expect(run({ sql: "SELECT file('x')", variable: 'x', source })).rejects.toThrow(
      'file() reads files: the sandboxed test engine refuses it',
    );
    const invalid: ExecuteOutcome = {
      ok: false,
      kind: 'invalid',
      error: { code: 60, name: 'UNKNOWN_TABLE', message: 'Table default.t does not exist' },
    };
    await expect(
      engineVariableRunner(engine(invalid, []))({ sql: 'SELECT x FROM t', variable: 'x', source }),
    ).rejects.toThrow('60 UNKNOWN_TABLE: Table default.t does not exist');
  });
});
