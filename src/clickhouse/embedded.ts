import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { applyStatements, checkStatements } from './apply.js';
import {
  cacheKey,
  chdbPackageVersion,
  makePrivateDir,
  materializeEntry,
  readManifest,
  removeDir,
  saveEntry,
  type CacheManifest,
  type CacheReport,
} from './cache.js';
import { LiveStats, STATS_QUERY, STATS_QUERY_WITHOUT_PROJECTIONS } from './cost.js';
import { ClickHouseQueryError, EngineError, EngineUnavailableError, parseEngineError } from './errors.js';
import {
  engineRefusableWords,
  executeQuery,
  explainQuery,
  type ExplainPipeline,
  type OutputFormat,
  type SqlRunner,
} from './explain.js';
import type { Engine, ExecuteOptions, ExecuteOutcome, ExplainLimits, ExplainOutcome } from './port.js';
import { localTimeZone, writeSandboxConfig, type SandboxPhase } from './sandbox.js';
import { quoteIdentifier } from './tokens.js';

export { DEFAULT_MAX_MEMORY_USAGE } from './port.js';

/** The part of chdb's Session this adapter uses (chdb 3.4 index.d.ts). */
export interface ChdbSession {
  query(query: string, format?: string): string;
  queryBind(query: string, args: object, format?: string): string;
  close(): void;
}

export interface ChdbModule {
  Session: new (path?: string, opts?: { connectionArgs?: readonly string[] }) => ChdbSession;
}

/**
 * Engine configuration given at connect (chdb's connectionArgs; server settings, not SETs). Parts load
 * on 64 threads by default, which then idle in the global pool for the life of the process: with 2, a
 * worker on the product seed (182 parts) holds about 40 threads instead of 87 and 12 MB less memory,
 * and opens no slower. (max_thread_pool_free_size, which would drop the idle threads too, was measured
 * to cost 9 % per EXPLAIN: threads are then created for every query.)
 */
export const CONNECTION_ARGS = ['--max_active_parts_loading_thread_pool_size=2'] as const;

export interface EmbeddedEngineOptions {
  /** Where chdb comes from: the Action loads it from its tool cache. Default `import('chdb')`. */
  loadChdb?: () => Promise<unknown>;
  limits: ExplainLimits;
  /** For tests of the unsupported-platform message; default process.platform. */
  platform?: string;
  /**
   * Root folder of the prepared-data cache (cache.ts): a run whose schema and seed were prepared before
   * opens a private copy of that data instead of loading the seed again. false or undefined: no cache.
   */
  cacheDir?: string | false;
  /**
   * chdb's package version, part of the cache key. Default: the version of the chdb this module
   * resolves; with a custom loadChdb, unknown (the engine's own version is still checked on open).
   */
  chdbVersion?: string;
  /** The engine's time zone (its process has no TZ variable); default the runner's own. */
  timezone?: string;
  /** The most threads a query's SETTINGS may ask for; default the cores of this machine. */
  maxThreads?: number;
  /**
   * Where the engine's private directories go; default os.tmpdir(). A pool worker is told its
   * parent's (its own environment is empty, so it has no TMPDIR).
   */
  tmpDir?: string;
  /** clickhouse.clusters: clusters whose cluster() table functions read the local tables (clusters.ts). */
  clusters?: readonly string[];
}

/** The embedded engine, with what its prepared-data cache did (undefined until prepare() ends). */
export interface EmbeddedEngine extends Engine {
  readonly cache: CacheReport | undefined;
  /** The private data directory of the open session (removed by close()). */
  readonly dataDir: string | undefined;
  /** The private directory of its configuration (sandbox.ts; removed by close()). */
  readonly configDir: string | undefined;
}

const SERVER_HINT = 'use a ClickHouse server instead: --clickhouse http://host:8123';

/** A loader for chdb installed in `dir` (the package folder, e.g. a tool-cache path `.../node_modules/chdb`). */
export function chdbLoaderFromPath(dir: string): () => Promise<unknown> {
  return () => Promise.resolve(createRequire(import.meta.url)(dir));
}

function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

function platformName(platform: string): string {
  const libc = platform === 'linux' && isMusl() ? ' (musl)' : '';
  return `${platform}-${process.arch}${libc}`;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return (text.split('\n').find((l) => l.trim()) ?? text).trim();
}

async function loadModule(opts: EmbeddedEngineOptions): Promise<ChdbModule> {
  const platform = opts.platform ?? process.platform;
  if (platform === 'win32') {
    throw new EngineUnavailableError(
      `the embedded ClickHouse engine (chdb) does not run on Windows; ${SERVER_HINT}, or run under WSL2`,
    );
  }
  let mod: unknown;
  try {
    mod = await (opts.loadChdb ?? (() => import('chdb')))();
  } catch (e) {
    throw new EngineUnavailableError(
      `the embedded ClickHouse engine (chdb) could not be loaded on ${platformName(platform)}: ${firstLine(e)}; ${SERVER_HINT}`,
    );
  }
  const candidate = (mod as { Session?: unknown; default?: { Session?: unknown } } | null) ?? {};
  const Session = candidate.Session ?? candidate.default?.Session;
  if (typeof Session !== 'function') {
    throw new EngineUnavailableError(`the loaded chdb module has no Session class; ${SERVER_HINT}`);
  }
  return { Session: Session as ChdbModule['Session'] };
}

/** Runs one statement on the session; chdb's errors carry ClickHouse's text, parsed here. */
export function sessionRunner(session: ChdbSession): SqlRunner {
  /**
   * A query that fails after it wrote part of its result (a bound hit while rows stream out) leaves
   * that output in the session, and chdb hands it out with the next call's (measured, chdb 3.4.0):
   * the next call would read rows of the failed query as its own output, or as the text of the
   * statement it returns. A marker query after every failure takes whatever was left.
   */
  const drain = (): void => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const marker = `dci_drain_${randomBytes(6).toString('hex')}`;
      try {
        if (session.query(`SELECT '${marker}'`, 'TabSeparatedRaw') === `${marker}\n`) return;
      } catch {
        // Try again: a failure leaves nothing new behind a query that printed nothing.
      }
    }
    throw new EngineError(
      'the embedded engine keeps the output of a failed query; it cannot be used further',
    );
  };
  const wrap = (fn: () => string): Promise<string> => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const info = parseEngineError(text);
      try {
        drain();
      } catch (d) {
        return Promise.reject(d as Error);
      }
      return Promise.reject(info ? new ClickHouseQueryError(info) : new EngineError(firstLine(e)));
    }
  };
  return {
    run: (sql: string, format: OutputFormat) => wrap(() => session.query(sql, format)),
    runBind: (sql: string, params: Record<string, string>, format: OutputFormat) =>
      wrap(() => session.queryBind(sql, params, format)),
  };
}

/**
 * Settings that make an EXPLAIN cheaper without changing what it reports, applied before the limits.
 * On the product seed (bench/engine-floor.ts) they cut the planning of a typical panel query from
 * about 2.9 to 2.2 ms:
 * - output_format_parallel_formatting: a Formatter thread per query for a few hundred bytes of plan.
 * - optimize_move_to_prewhere, query_plan_optimize_prewhere: choosing PREWHERE columns comes after
 *   the index analysis and only shapes how rows are read; EXPLAIN reads no rows of the query.
 * - use_statistics, use_statistics_for_part_pruning (only when no column declares statistics): the
 *   per-part statistics lookup finds nothing and costs ~0.25 ms a query over 182 parts.
 * Each is best effort: an engine that does not know one goes on without it.
 */
export function planningStatements(opts: { statistics: boolean }): string[] {
  return [
    'SET output_format_parallel_formatting = 0',
    'SET optimize_move_to_prewhere = 0',
    'SET query_plan_optimize_prewhere = 0',
    ...(opts.statistics ? [] : ['SET use_statistics = 0', 'SET use_statistics_for_part_pruning = 0']),
  ];
}

/** Does any user table declare column statistics (then the planner must keep using them)? */
export const STATISTICS_QUERY =
  "SELECT count() FROM system.columns WHERE statistics != '' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema')";

/** MergeTree tables of the prepared data, for CHECK TABLE. */
const MERGE_TREE_TABLES = `SELECT database, name FROM system.tables WHERE engine LIKE '%MergeTree' AND database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY database, name`;

/** STATS_QUERY's rows, sorted: what a copy of the data must show to be the data that was saved. */
async function statsFingerprint(runner: SqlRunner): Promise<string[]> {
  for (const sql of [STATS_QUERY, STATS_QUERY_WITHOUT_PROJECTIONS]) {
    try {
      const text = await runner.run(sql, 'JSONCompactEachRow');
      return text
        .split('\n')
        .filter((l) => l.trim())
        .sort();
    } catch (e) {
      if (!(e instanceof ClickHouseQueryError)) throw e;
    }
  }
  return [];
}

/**
 * The embedded engine: one chdb Session on a private data directory per engine, and at most one open
 * per process (chdb binds one data directory per process; after close() another may open). Never use
 * it inside worker_threads: chdb segfaults the process at exit there; createEnginePool forks processes.
 *
 * With `cacheDir`, prepare() first looks for the schema and seed already prepared (cache.ts): a hit
 * opens a private copy of that data, and trusts it only when the engine version, the parts, rows and
 * marks of every table (STATS_QUERY) and CHECK TABLE all agree with what was saved; anything else
 * (a corrupt, partial or foreign entry) is dropped and the statements are applied from scratch, then
 * saved again. Either way the engine then sees the very same parts, so costs do not depend on the cache.
 */
export async function createEmbeddedEngine(opts: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const mod = await loadModule(opts);
  const cacheRoot = opts.cacheDir || undefined;
  const chdbVersion = opts.chdbVersion ?? (opts.loadChdb ? undefined : chdbPackageVersion());
  let session: ChdbSession | undefined;
  let dataDir: string | undefined;
  const current = (): ChdbSession => {
    if (!session) throw new EngineError('the embedded engine has no open session');
    return session;
  };
  const clusters: ReadonlySet<string> = new Set(opts.clusters ?? []);
  const runner = sessionRunner({
    query: (q, f) => current().query(q, f),
    queryBind: (q, a, f) => current().queryBind(q, a, f),
    close: () => undefined,
  });
  const stats = new LiveStats((sql) => runner.run(sql, 'JSONCompactEachRow'));
  let version = '';
  let cache: CacheReport | undefined;
  let state: 'new' | 'preparing' | 'ready' | 'closed' = 'new';
  let preparing: Promise<void> | undefined;

  // The engine's configuration (sandbox.ts) lives in a private folder of its own, beside no data.
  let configDir: string | undefined;
  const sandbox = {
    limits: opts.limits,
    timezone: opts.timezone ?? localTimeZone(),
    maxThreads: opts.maxThreads ?? os.availableParallelism(),
  };
  /** Opens `dir` as `phase`; the sandbox configuration is never left out. */
  const open = (dir: string, phase: SandboxPhase): void => {
    let args: string[];
    try {
      configDir ??= mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'dashboard-ci-engine-'));
      args = writeSandboxConfig(configDir, phase, sandbox);
    } catch (e) {
      removeDir(dir);
      throw new EngineError(
        `the embedded ClickHouse engine could not write its configuration: ${firstLine(e)}`,
      );
    }
    try {
      try {
        session = new mod.Session(dir, { connectionArgs: [...args, ...CONNECTION_ARGS] });
      } catch {
        // A build that refuses the tuning arguments still runs without them (never without the sandbox).
        session = new mod.Session(dir, { connectionArgs: args });
      }
      dataDir = dir;
    } catch (e) {
      removeDir(dir);
      throw new EngineError(`the embedded ClickHouse engine could not start: ${firstLine(e)}`);
    }
  };
  /** Closes the session and keeps its data: the preparing session hands the data to the checking one. */
  const closeSession = (): void => {
    const s = session;
    session = undefined;
    try {
      s?.close();
    } catch {
      // chdb's close never throws.
    }
  };
  const dispose = (): void => {
    const d = dataDir;
    closeSession();
    dataDir = undefined;
    if (d) removeDir(d);
    if (configDir) removeDir(configDir);
    configDir = undefined;
  };
  const privateDir = (): string => {
    try {
      return makePrivateDir(opts.tmpDir);
    } catch (e) {
      throw new EngineError(`the embedded ClickHouse engine has no temporary directory: ${firstLine(e)}`);
    }
  };
  const readVersion = async (): Promise<void> => {
    try {
      version = (await runner.run('SELECT version()', 'TabSeparatedRaw')).trim();
    } catch {
      // The description is cosmetic; the first real statement reports a broken engine.
    }
  };

  /** Opens a private copy of a cached entry; undefined when it is trusted, else why not (nothing open). */
  const openCached = async (
    root: string,
    key: string,
    manifest: CacheManifest,
  ): Promise<string | undefined> => {
    const dir = privateDir();
    let files: number;
    try {
      files = materializeEntry(root, key, dir);
    } catch (e) {
      removeDir(dir);
      return `could not be read (${firstLine(e)})`;
    }
    if (files !== manifest.files) {
      removeDir(dir);
      return `is incomplete (${files} of ${manifest.files} files)`;
    }
    try {
      open(dir, 'query');
    } catch (e) {
      return `could not be opened (${firstLine(e)})`;
    }
    const reject = (reason: string): string => {
      dispose();
      return reason;
    };
    try {
      // Before anything else: background merges would change the parts the costs are made of.
      await runner.run('SYSTEM STOP MERGES', 'TabSeparatedRaw');
      await readVersion();
      if (version !== manifest.engineVersion) {
        return reject(
          `was written by ClickHouse ${manifest.engineVersion || '?'}, this is ${version || '?'}`,
        );
      }
      if ((await statsFingerprint(runner)).join('\n') !== manifest.stats.join('\n')) {
        return reject('does not hold the parts it recorded');
      }
      const rows = (await runner.run(MERGE_TREE_TABLES, 'JSONCompactEachRow')).split('\n').filter(Boolean);
      for (const row of rows) {
        const [database, name] = JSON.parse(row) as [string, string];
        const table = `${quoteIdentifier(database)}.${quoteIdentifier(name)}`;
        const ok = await runner.run(
          `CHECK TABLE ${table} SETTINGS check_query_single_value_result = 1`,
          'TabSeparatedRaw',
        );
        if (ok.trim() !== '1') return reject(`failed CHECK TABLE ${table}`);
      }
      await stats.reload();
      return undefined;
    } catch (e) {
      return reject(`could not be verified (${firstLine(e)})`);
    }
  };

  const save = async (
    root: string,
    key: string,
    rejected: { reason: string; nonce: string } | undefined,
  ): Promise<CacheReport> => {
    try {
      const manifest = { engineVersion: version, stats: await statsFingerprint(runner) };
      saveEntry(root, key, dataDir!, manifest, rejected?.nonce);
      return {
        status: 'stored',
        key,
        ...(rejected ? { reason: `the entry it replaced ${rejected.reason}` } : {}),
      };
    } catch (e) {
      return { status: 'unsaved', key, reason: firstLine(e) };
    }
  };

  /** Words that send a query through the AST step: the lists' and the engine's unreviewed table functions. */
  let refusable: ReadonlySet<string> | undefined;

  /**
   * Settings that only make planning cheaper (the bounds are the profile's, sandbox.ts), and what this
   * engine registers that the deny lists do not name.
   */
  const lock = async (): Promise<void> => {
    let statistics = true;
    try {
      statistics = Number((await runner.run(STATISTICS_QUERY, 'TabSeparatedRaw')).trim()) !== 0;
    } catch (e) {
      if (!(e instanceof ClickHouseQueryError)) throw e;
    }
    for (const statement of planningStatements({ statistics })) {
      try {
        await runner.run(statement, 'TabSeparatedRaw');
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
      }
    }
    refusable = await engineRefusableWords(runner);
  };

  const prepare = async (schema: readonly string[], seed: readonly string[]): Promise<void> => {
    if (state !== 'new')
      throw new EngineError('the embedded engine was already prepared (it is read-only now)');
    state = 'preparing';
    // Nothing to load, nothing worth caching (an engine explained before anyone prepared it).
    const worthCaching = cacheRoot !== undefined && [...schema, ...seed].some((s) => s.trim());
    const key = worthCaching ? cacheKey({ schema, seed, chdbVersion, clusters: [...clusters] }) : undefined;
    let rejected: { reason: string; nonce: string } | undefined;
    if (cacheRoot && key) {
      const manifest = readManifest(cacheRoot, key);
      if (manifest) {
        const reason = await openCached(cacheRoot, key, manifest);
        if (reason === undefined) {
          cache = { status: 'hit', key };
          try {
            await checkStatements(runner, schema, seed, 'embedded', clusters);
          } catch (e) {
            dispose();
            throw e;
          }
          await lock();
          state = 'ready';
          return;
        }
        // Replaced once the statements are applied again (saveEntry), not removed now: a failure that
        // is this process's own (a session still open elsewhere) then costs nobody the entry.
        rejected = { reason, nonce: manifest.nonce };
      }
    }
    open(privateDir(), 'prepare');
    // Background merges would change part counts while queries are costed: with merges stopped the
    // parts are a function of the seed alone, so every run (and every pool worker) sees the same.
    await runner.run('SYSTEM STOP MERGES', 'TabSeparatedRaw');
    await readVersion();
    await applyStatements(runner, schema, seed, { mode: 'embedded', clusters });
    // A seed's INSERT ... SELECT leaves hundreds of MB in the allocator's arenas (591 -> 272 MB RSS
    // on the product seed): hand them back before the long run of EXPLAINs.
    await runner.run('SYSTEM JEMALLOC PURGE', 'TabSeparatedRaw').catch(() => undefined);
    cache = cacheRoot && key ? await save(cacheRoot, key, rejected) : { status: 'off' };
    // The session that wrote the data had the grants to write it; queries get a new session on the
    // same data whose user can only read (sandbox.ts), as a cache hit does.
    const data = dataDir!;
    closeSession();
    open(data, 'query');
    await runner.run('SYSTEM STOP MERGES', 'TabSeparatedRaw');
    await stats.reload();
    await lock();
    state = 'ready';
  };

  const startPrepare = (schema: readonly string[], seed: readonly string[]): Promise<void> => {
    preparing = prepare(schema, seed);
    return preparing;
  };

  /** The pipeline of a prepared engine; an engine nobody prepared is made read-only and bounded first. */
  const ready = async (): Promise<ExplainPipeline> => {
    if (state === 'closed') throw new EngineError('the embedded engine is closed');
    if (state === 'new') await startPrepare([], []);
    else if (state === 'preparing') await preparing;
    return { runner, stats, embedded: true, clusters, ...(refusable ? { refusable } : {}) };
  };

  return {
    get description() {
      return `embedded ClickHouse${version ? ` ${version}` : ''} (chdb)`;
    },
    get cache() {
      return cache;
    },
    get dataDir() {
      return dataDir;
    },
    get configDir() {
      return configDir;
    },
    prepare: startPrepare,
    async explain(sql: string): Promise<ExplainOutcome> {
      return explainQuery(await ready(), sql);
    },
    async execute(sql: string, options?: ExecuteOptions): Promise<ExecuteOutcome> {
      return executeQuery(await ready(), sql, options);
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      dispose();
    },
  };
}
