// Issue 8 item 3: EXPLAIN is built so the text can never become a statement of its own. The "one
// SELECT" check and the text EXPLAIN plans are one parse of the caller's text, comments included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../src/clickhouse/embedded.js';

let engine: EmbeddedEngine;

beforeAll(async () => {
  engine = await createEmbeddedEngine({ limits: { maxExecutionTime: 2, maxRowsToRead: 1_000_000 } });
  await engine.prepare([], []);
});
afterAll(async () => {
  await engine?.close();
});

describe('a text that starts with a comment', () => {
  it.each([
    "-- x\n, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
    "/* x */, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
    "# x\n, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
    "--\n1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
    "/* x */ AST, throwIf(number > 5, 'RAN') FROM numbers(10)",
  ])('never runs: %j', async (sql) => {
    const o = await engine.explain(sql);
    expect(o.ok).toBe(false);
    if (o.ok) return;
    // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO is what running it gives (the old code did).
    expect(o.error.code).not.toBe(395);
    expect(o.error.message).not.toMatch(/^RAN/);
    expect(o).toMatchObject({ kind: 'invalid', error: { code: 62, name: 'SYNTAX_ERROR' } });
  });

  it('is still checked and planned when it is one SELECT', async () => {
    const o = await engine.explain(
      "-- the panel's query\n/* really */ SELECT throwIf(number > 5, 'RAN') FROM numbers(10)",
    );
    expect(o).toMatchObject({ ok: true });
  });

  it('reports a syntax error at its position in the caller’s text', async () => {
    const sql = '-- a comment\nSELECT 1 FRM x';
    const o = await engine.explain(sql);
    expect(o).toMatchObject({ ok: false, kind: 'invalid', error: { code: 62 }, position: sql.indexOf('x') });
  });
});
