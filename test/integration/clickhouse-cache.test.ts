// The prepared-data cache on real chdb: a warm engine must see exactly what a fresh prepare sees, a
// damaged entry must never be trusted, and the pool's workers share one prepare.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, chdbPackageVersion, readManifest } from '../../src/clickhouse/cache.js';
import { createEmbeddedEngine, type EmbeddedEngine } from '../../src/clickhouse/embedded.js';
import { createEnginePool } from '../../src/clickhouse/pool.js';
import type { ExplainOutcome } from '../../src/clickhouse/port.js';
import { FIXTURES, readSqlStatements } from '../support/clickhouse-http.js';

const limits = { maxExecutionTime: 5, maxRowsToRead: 100_000_000 };
const PRODUCT = path.resolve('clickhouse');
const product = {
  schema: readSqlStatements(path.join(PRODUCT, 'schema.sql')),
  seed: readSqlStatements(path.join(PRODUCT, 'seed.sql')),
};
const small = {
  schema: readSqlStatements(path.join(FIXTURES, 'schema.sql')),
  seed: readSqlStatements(path.join(FIXTURES, 'seed.sql')),
};

const FROM = "toDateTime('2026-11-20 00:00:00')";
const TO = "toDateTime('2026-11-27 00:00:00')";
const RANGE = `timestamp >= ${FROM} AND timestamp <= ${TO}`;
/** Product-panel shapes: partition and primary-key pruning, the user_id bloom filter, an IN subquery, errors. */
const PRODUCT_SQL = [
  `SELECT toStartOfHour(timestamp) AS t, count() FROM frontend_events WHERE ${RANGE} AND event_type = 'prompt_submitted' GROUP BY t ORDER BY t`,
  `SELECT model, avg(response_time_ms) FROM frontend_events WHERE ${RANGE} AND event_type = 'response_received' GROUP BY model`,
  `SELECT count() FROM frontend_events WHERE ${RANGE} AND user_id = 'u-00042'`,
  `SELECT user_id, count() FROM frontend_events WHERE ${RANGE} AND user_id IN (SELECT user_id FROM frontend_events WHERE ${RANGE} AND is_error = 1) GROUP BY user_id`,
  'SELECT event_type, count() FROM frontend_events GROUP BY event_type',
  `SELECT count() FROM frontend_events WHERE ${RANGE}`,
  'SELECT nope FROM frontend_events',
  'SELECT 1; DROP TABLE frontend_events',
];
const SMALL_SQL = [
  "SELECT avg(response_ms) FROM events WHERE timestamp >= '2024-03-02 00:00:00' AND event_type = 'chat'",
  "SELECT count() FROM events WHERE model = 'gpt'",
  'SELECT user_id FROM users WHERE user_id < 10',
  'SELECT nope FROM events',
];

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'dashboard-ci-cache-test-'));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function run(
  data: { schema: string[]; seed: string[] },
  sqls: readonly string[],
  cacheDir: string | false,
): Promise<{ outcomes: ExplainOutcome[]; engine: EmbeddedEngine }> {
  const engine = await createEmbeddedEngine({ limits, cacheDir });
  try {
    await engine.prepare(data.schema, data.seed);
    const outcomes: ExplainOutcome[] = [];
    for (const sql of sqls) outcomes.push(await engine.explain(sql));
    return { outcomes, engine };
  } finally {
    await engine.close();
  }
}

function entryOf(root: string, data: { schema: string[]; seed: string[] }): string {
  return path.join(root, cacheKey({ ...data, chdbVersion: chdbPackageVersion() }));
}

/** Every file under `dir` with its content hash, to prove nothing wrote into the cache. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        out[path.relative(dir, p)] = createHash('sha1').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function partsOf(entry: string): string[] {
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const p = path.join(d, e.name);
      if (existsSync(path.join(p, 'checksums.txt'))) parts.push(p);
      else walk(p);
    }
  };
  walk(path.join(entry, 'data', 'store'));
  return parts.sort();
}

describe('prepared-data cache on the product schema and seed', () => {
  let root: string;
  let fresh: ExplainOutcome[];

  beforeAll(async () => {
    root = path.join(scratch, 'product');
    const cold = await run(product, PRODUCT_SQL, root);
    expect(cold.engine.cache).toMatchObject({ status: 'stored' });
    fresh = cold.outcomes;
  });

  it('saves a complete entry with its manifest', () => {
    const entry = entryOf(root, product);
    const manifest = readManifest(root, path.basename(entry));
    expect(manifest).toBeDefined();
    expect(manifest!.files).toBeGreaterThan(1000);
    expect(manifest!.stats.some((s) => s.includes('"frontend_events"'))).toBe(true);
    expect(readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(existsSync(path.join(entry, 'data', 'status'))).toBe(false);
  });

  it('gives a warm engine the same verdicts, parts, granules, rows and index pruning as a fresh prepare', async () => {
    const entry = entryOf(root, product);
    const before = fingerprint(entry);
    const warm = await run(product, PRODUCT_SQL, root);
    expect(warm.engine.cache).toEqual({ status: 'hit', key: path.basename(entry) });
    expect(warm.outcomes).toEqual(fresh);
    const costs = fresh.flatMap((o) => (o.ok ? [o.cost] : []));
    expect(costs.length).toBe(6);
    expect(costs[0]!.parts).toBeGreaterThan(1);
    expect(costs.some((c) => c.tables.some((t) => t.indexes.some((i) => i.type === 'Skip')))).toBe(true);
    // The warm engine's copy shares files with the cache (hard links): none may have changed.
    expect(fingerprint(entry)).toEqual(before);
  });

  it('gives the same outcomes with the cache off', async () => {
    const off = await run(product, PRODUCT_SQL, false);
    expect(off.engine.cache).toEqual({ status: 'off' });
    expect(off.outcomes).toEqual(fresh);
  });
});

describe('a damaged cache entry is never trusted', () => {
  let root: string;
  let expected: ExplainOutcome[];

  beforeAll(async () => {
    root = path.join(scratch, 'damaged');
    expected = (await run(small, SMALL_SQL, false)).outcomes;
  });

  const damages: [string, (entry: string) => void, RegExp | undefined][] = [
    [
      'a half-written marker',
      (e) => writeFileSync(path.join(e, 'ready.json'), '{"format": 1, "ke'),
      undefined,
    ],
    [
      'a missing part',
      (e) => rmSync(partsOf(e)[0]!, { recursive: true, force: true }),
      /incomplete \(\d+ of \d+ files\)/,
    ],
    [
      'a data file with the same size and other bytes',
      (e) => {
        const file = path.join(partsOf(e)[1]!, 'data.bin');
        const bytes = readFileSync(file);
        for (let i = 64; i < bytes.length; i += 97) bytes[i] = bytes[i]! ^ 0x5a;
        writeFileSync(file, bytes);
      },
      /CHECK TABLE|could not be verified|does not hold/,
    ],
    [
      'table metadata that does not parse',
      (e) => {
        const sql = readdirSync(path.join(e, 'data', 'store'), { recursive: true, encoding: 'utf8' }).find(
          (f) => f.endsWith('events.sql'),
        );
        writeFileSync(path.join(e, 'data', 'store', sql!), 'not a table');
      },
      /could not be opened/,
    ],
    [
      'a manifest from another engine version',
      (e) => {
        const m = JSON.parse(readFileSync(path.join(e, 'ready.json'), 'utf8')) as { engineVersion: string };
        m.engineVersion = '1.1.1.1';
        writeFileSync(path.join(e, 'ready.json'), JSON.stringify(m));
      },
      /written by ClickHouse 1\.1\.1\.1/,
    ],
    [
      'parts that differ from the manifest',
      (e) => {
        const m = JSON.parse(readFileSync(path.join(e, 'ready.json'), 'utf8')) as { stats: string[] };
        m.stats = m.stats.map((s) => s.replace(/"23040"|23040/, '23041'));
        writeFileSync(path.join(e, 'ready.json'), JSON.stringify(m));
      },
      /does not hold the parts/,
    ],
  ];

  it.each(damages)(
    '%s: prepares from scratch, gives the same outcomes and saves a good entry',
    async (_, damage, reason) => {
      const first = await run(small, SMALL_SQL, root);
      expect(['stored', 'hit']).toContain(first.engine.cache?.status);
      const entry = entryOf(root, small);
      damage(entry);
      const again = await run(small, SMALL_SQL, root);
      expect(again.engine.cache?.status).toBe('stored');
      if (reason) expect(again.engine.cache?.reason).toMatch(reason);
      expect(again.outcomes).toEqual(expected);
      const warm = await run(small, SMALL_SQL, root);
      expect(warm.engine.cache?.status).toBe('hit');
      expect(warm.outcomes).toEqual(expected);
    },
  );

  it('still checks with a cache folder it cannot write', async () => {
    const blocked = path.join(scratch, 'a-file');
    writeFileSync(blocked, 'not a folder');
    const r = await run(small, SMALL_SQL, path.join(blocked, 'cache'));
    expect(r.engine.cache?.status).toBe('unsaved');
    expect(r.outcomes).toEqual(expected);
  });
});

describe('the pool and the cache', () => {
  it('prepares once: the first worker saves, the other copies; warm, both copy', async () => {
    const root = path.join(scratch, 'pool');
    const cold = await createEnginePool({ queryCount: 100, workers: 2, limits, cacheDir: root });
    try {
      await cold.engine.prepare(small.schema, small.seed);
      expect(cold.cache().map((c) => c.status)).toEqual(['stored', 'hit']);
    } finally {
      await cold.engine.close();
    }
    const warm = await createEnginePool({ queryCount: 100, workers: 2, limits, cacheDir: root });
    try {
      await warm.engine.prepare(small.schema, small.seed);
      expect(warm.cache().map((c) => c.status)).toEqual(['hit', 'hit']);
      const outcomes = await Promise.all(SMALL_SQL.map((s) => warm.engine.explain(s)));
      expect(outcomes).toEqual((await run(small, SMALL_SQL, false)).outcomes);
    } finally {
      await warm.engine.close();
    }
  });

  it('shares one prepare through a temporary cache when the cache is off, and leaves no temporary folder', async () => {
    // os.tmpdir() follows TMPDIR, in this process and in the workers it forks.
    const tmp = path.join(scratch, 'tmpdir');
    mkdirSync(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const pool = await createEnginePool({ queryCount: 100, workers: 2, limits, cacheDir: false });
      try {
        await pool.engine.prepare(small.schema, small.seed);
        expect(pool.cache().map((c) => c.status)).toEqual(['stored', 'hit']);
        const during = readdirSync(tmp);
        expect(during.filter((n) => n.startsWith('dashboard-ci-pool-'))).toHaveLength(1);
        expect(during.filter((n) => n.startsWith('dashboard-ci-chdb-'))).toHaveLength(2);
      } finally {
        await pool.engine.close();
      }
      // (Workers started from src load tsx, which keeps its own cache there.)
      expect(readdirSync(tmp).filter((n) => n.startsWith('dashboard-ci-'))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('removes the data directory of a worker that was killed', async () => {
    const tmp = path.join(scratch, 'tmpdir-kill');
    mkdirSync(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const pool = await createEnginePool({ queryCount: 100, workers: 2, limits, cacheDir: false });
      try {
        await pool.engine.prepare(small.schema, small.seed);
        const live = () => readdirSync(tmp).filter((n) => n.startsWith('dashboard-ci-chdb-'));
        expect(live()).toHaveLength(2);
        process.kill(pool.pids()[0]!, 'SIGKILL');
        for (let i = 0; i < 100 && pool.pids().length > 1; i++) await new Promise((r) => setTimeout(r, 20));
        expect(live()).toHaveLength(1);
        expect((await pool.engine.explain(SMALL_SQL[0]!)).ok).toBe(true);
      } finally {
        await pool.engine.close();
      }
      expect(readdirSync(tmp).filter((n) => n.startsWith('dashboard-ci-'))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
