// The engine floor: the raw EXPLAINs the embedded adapter sends for each query, straight on a chdb
// Session with no other work. The check benchmark compares the full check against it.
//
//   npx tsx bench/engine-floor.ts [queries=10000] [rows=5000000]
//
// runs the floor, each EXPLAIN kind on its own, and the engine pool (one process, then two)
// on a synthetic 60-day table, and prints milliseconds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { STATISTICS_QUERY, planningStatements } from '../src/clickhouse/embedded.js';
import { isPlainSelectText } from '../src/clickhouse/explain.js';
import { localTimeZone, writeSandboxConfig } from '../src/clickhouse/sandbox.js';
import { createEnginePool } from '../src/clickhouse/pool.js';
import type { ExplainLimits } from '../src/clickhouse/port.js';

interface FloorSession {
  query(q: string, format?: string): string;
  queryBind(q: string, args: object, format?: string): string;
  close(): void;
}

const DEFAULT_LIMITS: ExplainLimits = { maxExecutionTime: 5, maxRowsToRead: 100_000_000 };

async function openSession(
  schema: readonly string[],
  seed: readonly string[],
  limits: ExplainLimits,
  loadChdb: () => Promise<unknown> = () => import('chdb'),
): Promise<FloorSession> {
  const mod = (await loadChdb()) as {
    Session: new (path: string, opts: { connectionArgs: string[] }) => FloorSession;
  };
  // The adapter's own sandbox (sandbox.ts): a preparing session, then a read-only one on its data.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-ci-floor-'));
  const sandbox = { limits, timezone: localTimeZone(), maxThreads: os.availableParallelism() };
  const data = path.join(dir, 'data');
  const config = path.join(dir, 'config');
  const prepare = new mod.Session(data, { connectionArgs: writeSandboxConfig(config, 'prepare', sandbox) });
  prepare.query('SYSTEM STOP MERGES');
  for (const s of [...schema, ...seed]) prepare.query(s);
  prepare.close();
  const session = new mod.Session(data, { connectionArgs: writeSandboxConfig(config, 'query', sandbox) });
  session.query('SYSTEM STOP MERGES');
  // The adapter's own settings (createEmbeddedEngine's lock), so the floor is the same engine.
  const statistics = Number(session.query(STATISTICS_QUERY, 'TSVRaw').trim()) !== 0;
  for (const s of planningStatements({ statistics })) session.query(s);
  return {
    query: (q, f) => session.query(q, f),
    queryBind: (q, a, f) => session.queryBind(q, a, f),
    close: () => {
      session.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The adapter's plan step: validity, pruning and (header = 1) the output columns, in one call. */
const PLAN = 'EXPLAIN json = 1, indexes = 1, header = 1\n';

/** The calls the adapter makes for one query, in its order, errors included (a failed EXPLAIN is work too). */
function floorCalls(session: FloorSession, sql: string): void {
  const attempt = (fn: () => unknown): boolean => {
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  };
  if (isPlainSelectText(sql)) {
    attempt(() => session.query(`${PLAN}${sql}`, 'TSVRaw'));
    return;
  }
  let canonical = '';
  if (
    !attempt(
      () => (canonical = session.queryBind('SELECT formatQuerySingleLine({q:String})', { q: sql }, 'TSVRaw')),
    )
  )
    return;
  const target = canonical.trim();
  if (!attempt(() => session.query(`EXPLAIN AST ${target}`, 'TSVRaw'))) return;
  attempt(() => session.query(`${PLAN}${target}`, 'TSVRaw'));
}

/**
 * Total milliseconds of the raw EXPLAINs the embedded adapter runs for `sqls`, on a session prepared
 * with `schema` and `seed` (not timed): EXPLAIN json = 1, indexes = 1 for text that can only be a plain
 * SELECT; for other text, formatQuerySingleLine and EXPLAIN AST of its result before it.
 * (EXPLAIN ESTIMATE, which the adapter adds for plans with an AggregatingProjection, is left out.)
 */
export async function measureExplainFloor(
  sqls: readonly string[],
  schema: readonly string[],
  seed: readonly string[],
  opts: { limits?: ExplainLimits; loadChdb?: () => Promise<unknown> } = {},
): Promise<number> {
  const session = await openSession(schema, seed, opts.limits ?? DEFAULT_LIMITS, opts.loadChdb);
  try {
    const t0 = performance.now();
    for (const sql of sqls) floorCalls(session, sql);
    return performance.now() - t0;
  } finally {
    session.close();
  }
}

// ---- the runnable measurement -------------------------------------------------------------------

const SCHEMA = [
  `CREATE TABLE frontend_events (
    timestamp DateTime('UTC'), user_id UInt32, event_type LowCardinality(String), session_id String,
    model LowCardinality(String), tokens UInt32, response_ms UInt32, is_error UInt8,
    INDEX idx_model model TYPE set(10) GRANULARITY 1
  ) ENGINE = MergeTree PARTITION BY toDate(timestamp) ORDER BY (event_type, timestamp)`,
];

function seedFor(rows: number): string[] {
  return [
    `INSERT INTO frontend_events SELECT
      toDateTime('2024-01-01 00:00:00', 'UTC') + intDiv(number * 86400 * 60, ${rows}),
      number % 50000, ['chat','view','click','login','error'][number % 5 + 1], toString(number % 200000),
      ['gpt','claude','llama'][number % 3 + 1], number % 1000, number % 3000, number % 50 = 0
    FROM numbers(${rows})`,
  ];
}

function queriesFor(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = String(1 + (i % 28)).padStart(2, '0');
    const shapes = [
      `SELECT toStartOfHour(timestamp) AS t, count() FROM frontend_events WHERE timestamp >= '2024-02-${d} 00:00:00' AND timestamp < '2024-02-${d} 12:00:00' AND event_type = 'chat' GROUP BY t ORDER BY t`,
      `SELECT model, avg(response_ms), quantile(0.95)(response_ms) FROM frontend_events WHERE timestamp >= toDateTime('2024-01-${d} 00:00:00', 'UTC') AND user_id = ${i} GROUP BY model`,
      `SELECT uniqExact(user_id) FROM frontend_events WHERE event_type IN ('chat','view') AND timestamp > toDateTime('2024-02-${d} 00:00:00', 'UTC') - INTERVAL ${i % 30} DAY`,
      `WITH s AS (SELECT session_id, count() AS c FROM frontend_events WHERE timestamp >= '2024-01-${d} 00:00:00' GROUP BY session_id) SELECT avg(c) FROM s`,
      `SELECT event_type, sum(tokens) FROM frontend_events GROUP BY event_type ORDER BY 2 DESC LIMIT ${1 + (i % 10)}`,
    ];
    // A distinct text per query: the adapter and the pool EXPLAIN each text once per run.
    out.push(`${shapes[i % shapes.length]!} /* q${i} */`);
  }
  return out;
}

function perKind(
  session: FloorSession,
  sqls: readonly string[],
  name: string,
  fn: (sql: string) => unknown,
): void {
  const times: number[] = [];
  for (const sql of sqls) {
    const t = performance.now();
    try {
      fn(sql);
    } catch {
      // An error costs time too.
    }
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  const median = times[times.length >> 1] ?? 0;
  console.log(
    `  ${name.padEnd(34)} ${(total / sqls.length).toFixed(3)} ms mean  ${median.toFixed(3)} ms median  (${sqls.length} queries)`,
  );
  void session;
}

/** A /proc figure in bytes (Linux); 0 elsewhere. */
function procKb(file: string, field: string): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Peak resident set of a process, and its proportional share now (libchdb's pages are shared). */
function memoryOf(pid: number): string {
  const peak = procKb(`/proc/${pid}/status`, 'VmHWM');
  const pss = procKb(`/proc/${pid}/smaps_rollup`, 'Pss');
  return `${Math.round(peak / 1e6)} MB peak RSS (${Math.round(pss / 1e6)} MB PSS at the end)`;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const rows = Number(process.argv[3] ?? 5_000_000);
  const sqls = queriesFor(n);
  const seed = seedFor(rows);
  console.log(
    `${n} queries, ${rows.toLocaleString('en-US')} rows over 60 days, ${os.availableParallelism()} cores`,
  );

  // Each EXPLAIN kind alone, on a sample.
  const sample = sqls.slice(0, Math.min(1000, n));
  let t = performance.now();
  const session = await openSession(SCHEMA, seed, DEFAULT_LIMITS);
  console.log(`prepare (schema + seed, in-process): ${(performance.now() - t).toFixed(0)} ms`);
  console.log('per EXPLAIN kind:');
  perKind(session, sample, 'formatQuerySingleLine (bound)', (s) =>
    session.queryBind('SELECT formatQuerySingleLine({q:String})', { q: s }, 'TSVRaw'),
  );
  perKind(session, sample, 'EXPLAIN AST', (s) => session.query(`EXPLAIN AST ${s}`, 'TSVRaw'));
  // With and without the output columns (header = 1), one after the other on each query.
  const pair = { without: [] as number[], with: [] as number[] };
  for (const s of sample) {
    for (const [key, prefix] of [
      ['without', 'EXPLAIN json = 1, indexes = 1\n'],
      ['with', PLAN],
    ] as const) {
      const t0 = performance.now();
      JSON.parse(session.query(`${prefix}${s}`, 'TSVRaw'));
      pair[key].push(performance.now() - t0);
    }
  }
  for (const [key, times] of Object.entries(pair)) {
    const sorted = [...times].sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(
      `  ${`EXPLAIN json = 1, indexes = 1${key === 'with' ? ', header = 1' : ''}`.padEnd(45)} ${mean.toFixed(3)} ms mean  ${sorted[sorted.length >> 1]!.toFixed(3)} ms median  (${times.length} queries, interleaved)`,
    );
  }
  perKind(session, sample, 'EXPLAIN ESTIMATE', (s) => session.query(`EXPLAIN ESTIMATE ${s}`, 'JSONEachRow'));
  perKind(session, sample, 'json + ESTIMATE', (s) => {
    session.query(`EXPLAIN json = 1, indexes = 1\n${s}`, 'TSVRaw');
    session.query(`EXPLAIN ESTIMATE ${s}`, 'JSONEachRow');
  });
  perKind(session, sample, 'the adapter floor (floorCalls)', (s) => floorCalls(session, s));
  t = performance.now();
  for (const sql of sqls) floorCalls(session, sql);
  const floor = performance.now() - t;
  session.close();
  console.log(`floor, ${n} queries: ${floor.toFixed(0)} ms (${(floor / n).toFixed(3)} ms a query)`);

  for (const workers of [1, 2]) {
    t = performance.now();
    const { engine, size, pids } = await createEnginePool({ queryCount: n, workers, limits: DEFAULT_LIMITS });
    await engine.prepare(SCHEMA, seed);
    const prepared = performance.now() - t;
    const t1 = performance.now();
    const results = new Array(n);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        results[i] = await engine.explain(sqls[i]!);
      }
    };
    await Promise.all(Array.from({ length: size * 2 }, lane));
    const ran = performance.now() - t1;
    const memory = pids().map(memoryOf);
    await engine.close();
    const bad = results.filter((r) => !r.ok).length;
    console.log(
      `${size === 1 ? 'one engine process' : `pool of ${size} processes`}: prepare ${prepared.toFixed(0)} ms, ${n} explains ${ran.toFixed(0)} ms (${(ran / n).toFixed(3)} ms a query), total ${(prepared + ran).toFixed(0)} ms, ${bad} not ok; ${memory.join(' + ')}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
