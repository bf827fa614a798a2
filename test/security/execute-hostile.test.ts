// Issue 12: no-data-on-seed runs panel queries for real. Every hostile statement of the corpus, given
// straight to execute() (the engine in its child process, prepared with a seed, as the check opens it),
// is refused or stopped before it does anything: no throwIf fires, no file is read or written, no socket
// is opened. And through the whole check with a seed, none of the hostile panels' queries is executed.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { createEnginePool, type EnginePool } from '../../src/clickhouse/pool.js';
import type { ExecuteOutcome } from '../../src/clickhouse/port.js';
import { loadConfig } from '../../src/config/load.js';
import { FIXTURES, readSqlStatements } from '../support/clickhouse-http.js';
import { HOSTILE_PANEL_SQL } from './hostile-sql.js';
import {
  ROOT,
  hostileDashboard,
  leaks,
  makeCanary,
  startListener,
  tree,
  type Canary,
  type Listener,
} from './support.js';

const limits = { maxExecutionTime: 2, maxRowsToRead: 10_000_000, maxMemoryUsage: 200_000_000 };

let canary: Canary;
let listener: Listener;
let pool: EnginePool;

function fill(sql: string): string {
  return sql
    .replaceAll('{F}', canary.path)
    .replaceAll('{D}', canary.dir)
    .replaceAll('{O}', canary.out)
    .replaceAll('{P}', String(listener.port));
}

beforeAll(async () => {
  canary = makeCanary();
  listener = await startListener();
  pool = await createEnginePool({ queryCount: 1, workers: 1, limits, cacheDir: false });
  await pool.engine.prepare(
    readSqlStatements(path.join(FIXTURES, 'schema.sql')),
    readSqlStatements(path.join(FIXTURES, 'seed.sql')),
  );
}, 60_000);

afterAll(async () => {
  await pool?.engine.close();
  await listener?.close();
  canary?.close();
});

describe('execute() on hostile panel SQL', () => {
  it('refuses or stops every statement of the corpus, before anything of it runs', async () => {
    const before = tree(canary.dir);
    const outcomes: [string, ExecuteOutcome][] = [];
    for (const raw of HOSTILE_PANEL_SQL) {
      const sql = fill(raw);
      outcomes.push([sql, await pool.engine.execute(sql, { maxResultRows: 1 })]);
    }
    for (const [sql, o] of outcomes) {
      expect(o.ok, sql).toBe(false);
      if (o.ok) continue;
      // throwIf (395) would mean the text ran; the kinds are the checks' own verdicts.
      expect(o.error.code, sql).not.toBe(395);
      expect(
        ['refused', 'not-select', 'multi-statement', 'invalid', 'unsupported', 'bound-exceeded'],
        sql,
      ).toContain(o.kind);
      expect(leaks(JSON.stringify(o), canary), sql).toEqual([]);
    }
    // What only the checks in front of the engine refuse (the engine's grants alone would run them).
    const verdict = new Map(outcomes.map(([sql, o]) => [sql, o.ok ? 'ran' : o.kind]));
    expect(verdict.get('SELECT showCertificate()')).toBe('refused');
    expect(verdict.get(fill("SELECT catboostEvaluate('{F}', 1)"))).toBe('refused');
    expect(verdict.get(fill("SELECT 1 INTO OUTFILE '{O}/outfile.txt'"))).toBe('not-select');
    expect(listener.connections()).toBe(0);
    expect(existsSync(canary.out)).toBe(false);
    expect(tree(canary.dir)).toEqual(before);
    // The engine is still sound for the next query.
    const next = await pool.engine.execute('SELECT count() AS c FROM events');
    expect(next).toMatchObject({ ok: true, result: { rows: [[23040]] } });
  }, 120_000);
});

describe('the check with a seed (clickhouse.execute on) on a hostile dashboard', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'dci-execute-hostile-'));
    await cp(path.join(ROOT, 'test/fixtures/cli'), work, { recursive: true });
    await rm(path.join(work, 'dashboards'), { recursive: true });
    await cp(
      path.join(ROOT, 'test/fixtures/cli/dashboards/good.json'),
      path.join(work, 'dashboards/good.json'),
    );
    await writeFile(
      path.join(work, 'dashboards/hostile.json'),
      hostileDashboard(HOSTILE_PANEL_SQL.map(fill)),
    );
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('runs the good query on the seed and none of the hostile ones', async () => {
    const config = await loadConfig({ cwd: work });
    config.clickhouse.cache = false;
    expect(config.clickhouse.execute).toBe(true);
    const before = tree(canary.dir);
    const { report } = await runCheck({ cwd: work, paths: [], config, explain: true });
    const good = report.queries.find((q) => q.dashboardUid === 'cli-good');
    expect(good?.executed?.readRows).toBeGreaterThan(0);
    const hostile = report.queries.filter((q) => q.dashboardUid === 'hostile');
    expect(hostile).toHaveLength(HOSTILE_PANEL_SQL.length);
    for (const q of hostile) expect(q.executed, q.sql).toBeUndefined();
    expect(report.findings.filter((f) => f.rule === 'no-data-on-seed')).toEqual([]);
    expect(listener.connections()).toBe(0);
    expect(existsSync(canary.out)).toBe(false);
    expect(tree(canary.dir)).toEqual(before);
  }, 180_000);
});
