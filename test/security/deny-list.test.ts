// The deny lists (src/clickhouse/deny-list.ts) against the engine's own registry, and every entry
// refused by the real engine before anything of the query runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../src/clickhouse/embedded.js';
import {
  ALLOWED_TABLE_FUNCTIONS,
  DENIED_FUNCTIONS,
  DENIED_TABLE_FUNCTIONS,
  SEED_TABLE_FUNCTIONS,
} from '../../src/clickhouse/deny-list.js';
import type { ExplainOutcome } from '../../src/clickhouse/port.js';

let engine: EmbeddedEngine;
let tableFunctions: string[];
let functions: { name: string; aliasTo: string; categories: string }[];

/** Reads the registry through the engine itself: a SELECT on system tables is a query like any other. */
async function registry(): Promise<void> {
  const chdb = (await import('chdb')) as unknown as { query(q: string, f: string): string };
  tableFunctions = chdb
    .query('SELECT name FROM system.table_functions ORDER BY name', 'TSVRaw')
    .trim()
    .split('\n');
  functions = chdb
    .query('SELECT name, alias_to, categories FROM system.functions ORDER BY name', 'TSVRaw')
    .trim()
    .split('\n')
    .map((l) => {
      const [name, aliasTo, categories] = l.split('\t');
      return { name: name!, aliasTo: aliasTo ?? '', categories: categories ?? '' };
    });
}

function refused(o: ExplainOutcome): { kind: string; reason?: string; code: number } {
  if (o.ok) throw new Error('expected a refusal, got a cost');
  return { kind: o.kind, code: o.error.code, ...(o.reason ? { reason: o.reason } : {}) };
}

beforeAll(async () => {
  await registry();
  engine = await createEmbeddedEngine({ limits: { maxExecutionTime: 2, maxRowsToRead: 1_000_000 } });
  await engine.prepare(['CREATE TABLE t (s String, n UInt64) ENGINE = MergeTree ORDER BY n'], []);
});

afterAll(async () => {
  await engine?.close();
});

describe('the deny lists cover the engine registry (chdb of package.json)', () => {
  it('classifies every table function the engine has: allowed or denied with a reason', () => {
    const unreviewed = tableFunctions.filter(
      (n) => !ALLOWED_TABLE_FUNCTIONS.has(n) && !Object.hasOwn(DENIED_TABLE_FUNCTIONS, n),
    );
    expect(unreviewed).toEqual([]);
    // ...and names none it does not have (a stale entry hides a review gap).
    const known = new Set(tableFunctions);
    expect(
      [...ALLOWED_TABLE_FUNCTIONS, ...Object.keys(DENIED_TABLE_FUNCTIONS)].filter((n) => !known.has(n)),
    ).toEqual([]);
    for (const n of SEED_TABLE_FUNCTIONS) expect(ALLOWED_TABLE_FUNCTIONS.has(n), n).toBe(true);
  });

  it('denies every alias of a denied function, and every function of the AI and Introspection categories', () => {
    const denied = new Set(Object.keys(DENIED_FUNCTIONS).map((n) => n.toLowerCase()));
    const aliases = functions
      .filter((f) => f.aliasTo && denied.has(f.aliasTo.toLowerCase()))
      .map((f) => f.name);
    expect(aliases.filter((n) => !denied.has(n.toLowerCase()))).toEqual([]);
    const risky = functions
      .filter((f) => /^(AI|Introspection)$/.test(f.categories))
      .map((f) => f.name)
      .filter((n) => !['tid', 'isMergeTreePartCoveredBy', 'mergeTreePartInfo'].includes(n));
    expect(risky.filter((n) => !denied.has(n.toLowerCase()))).toEqual([]);
    // Every entry is a function of the engine.
    const known = new Set(functions.map((f) => f.name));
    expect(Object.keys(DENIED_FUNCTIONS).filter((n) => !known.has(n))).toEqual([]);
  });
});

describe('each denied name is refused by the real engine before anything runs', () => {
  it.each(Object.entries(DENIED_FUNCTIONS))('%s() (%s)', async (name, reason) => {
    for (const sql of [
      `SELECT ${name}('/etc/hostname')`,
      `SELECT count() FROM t WHERE s = ${name.toUpperCase()}('x')`,
      `-- a comment first\nSELECT arrayMap(x -> ${name}(x), ['a'])`,
    ]) {
      const r = refused(await engine.explain(sql));
      expect(r, sql).toMatchObject({ kind: 'refused', code: 497 });
      expect(r.reason?.toLowerCase()).toContain(`${name}() ${reason}`.toLowerCase());
    }
  });

  it.each(Object.entries(DENIED_TABLE_FUNCTIONS))('%s() as a table function (%s)', async (name, reason) => {
    for (const sql of [
      `SELECT * FROM ${name}('127.0.0.1:1')`,
      `SELECT n FROM t WHERE n IN (SELECT * FROM ${name}('x'))`,
    ]) {
      const r = refused(await engine.explain(sql));
      expect(r, sql).toMatchObject({ kind: 'refused', code: 497 });
      expect(r.reason).toContain(`${name}() (table function) ${reason}`);
    }
  });

  it('lets the allowed table functions through to the planner', async () => {
    for (const sql of [
      'SELECT * FROM numbers(10)',
      "SELECT * FROM generateRandom('a UInt8') LIMIT 1",
      "SELECT * FROM values('a UInt8', 1, 2)",
      'SELECT * FROM zeros(3)',
      'SELECT * FROM view(SELECT 1)',
      "SELECT * FROM merge(currentDatabase(), '^t$')",
      "SELECT * FROM format(CSV, 'a,b')",
      'SELECT * FROM loop(numbers(3)) LIMIT 4',
    ]) {
      expect((await engine.explain(sql)).ok, sql).toBe(true);
    }
  });

  it('refuses a table named by a path (clickhouse-local reads it as a file)', async () => {
    for (const sql of ['SELECT * FROM `/etc/hostname`', 'SELECT * FROM default.`\\x2fetc\\x2fhostname`']) {
      const r = refused(await engine.explain(sql));
      expect(r, sql).toMatchObject({ kind: 'refused' });
      expect(r.reason).toMatch(/names a file/);
    }
  });
});
