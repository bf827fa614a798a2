import { createRequire } from 'node:module';
import { LiveStats } from './cost.js';
import {
  ClickHouseQueryError,
  EngineError,
  EnginePrepareError,
  EngineUnavailableError,
  parseEngineError,
} from './errors.js';
import { explainQuery, type OutputFormat, type SqlRunner } from './explain.js';
import type { Engine, ExplainLimits, ExplainOutcome } from './port.js';

/** The part of chdb's Session this adapter uses (chdb 3.4 index.d.ts). */
export interface ChdbSession {
  query(query: string, format?: string): string;
  queryBind(query: string, args: object, format?: string): string;
  close(): void;
}

export interface ChdbModule {
  Session: new (path?: string) => ChdbSession;
}

export interface EmbeddedEngineOptions {
  /** Where chdb comes from: the Action loads it from its tool cache. Default `import('chdb')`. */
  loadChdb?: () => Promise<unknown>;
  limits: ExplainLimits;
  /** For tests of the unsupported-platform message; default process.platform. */
  platform?: string;
}

export const DEFAULT_MAX_MEMORY_USAGE = 1024 ** 3;

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
  const wrap = (fn: () => string): Promise<string> => {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      const info = parseEngineError(text);
      return Promise.reject(info ? new ClickHouseQueryError(info) : new EngineError(firstLine(e)));
    }
  };
  return {
    run: (sql: string, format: OutputFormat) => wrap(() => session.query(sql, format)),
    runBind: (sql: string, params: Record<string, string>, format: OutputFormat) =>
      wrap(() => session.queryBind(sql, params, format)),
  };
}

/** The SET statements that bound every later EXPLAIN; readonly = 1 must come last (it forbids SET). */
export function limitStatements(limits: ExplainLimits): string[] {
  const int = (n: number): number => Math.max(0, Math.floor(n));
  return [
    `SET max_execution_time = ${Math.max(0, limits.maxExecutionTime)}`,
    `SET timeout_overflow_mode = 'throw'`,
    `SET max_rows_to_read = ${int(limits.maxRowsToRead)}`,
    `SET read_overflow_mode = 'throw'`,
    `SET max_memory_usage = ${int(limits.maxMemoryUsage ?? DEFAULT_MAX_MEMORY_USAGE)}`,
    // Planning is the work here, and threads only cost their start-up: single-threaded EXPLAINs of
    // aggregations measured up to 1.7x faster (bench/engine-floor.ts); a pool process uses one core.
    'SET max_threads = 1',
    'SET readonly = 1',
  ];
}

const SINGLE_STATEMENT_CHECK = 'SELECT formatQuerySingleLine({q:String})';

function head(statement: string): string {
  const oneLine = statement.replace(/\s+/g, ' ').trim();
  return oneLine.length > 70 ? `${oneLine.slice(0, 67)}...` : oneLine;
}

/**
 * Refuses a schema/seed entry that holds more than one statement, with ClickHouse's parser. Inline
 * INSERT data (VALUES, FORMAT CSV...) is not parsed by formatQuerySingleLine, and chdb would run a
 * statement hidden after a `;` in it: such data must hold no `;`.
 */
export async function checkSingleStatement(
  runner: SqlRunner,
  statement: string,
  list: 'schema' | 'seed',
  index: number,
): Promise<void> {
  const where = `${list} statement ${index + 1} (${head(statement)})`;
  let canonical: string;
  try {
    canonical = (await runner.runBind(SINGLE_STATEMENT_CHECK, { q: statement }, 'TabSeparatedRaw')).trim();
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const multi = /Multi-statements are not allowed/.test(e.info.message);
    const message = e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, '');
    throw new EnginePrepareError(
      multi
        ? `${where} holds more than one statement; give one statement per entry`
        : `${where} is not valid SQL: ${e.info.code} ${e.info.name}: ${message}`,
      list,
      index,
      { ...e.info, message },
    );
  }
  if (/^INSERT\b/i.test(canonical) && /\bFORMAT \S+$/.test(canonical)) {
    if (statement.replace(/[\s;]+$/, '').includes(';')) {
      throw new EnginePrepareError(
        `${where} has inline data holding ';', which cannot be proven to be one statement; use INSERT ... SELECT`,
        list,
        index,
      );
    }
  }
}

/** Applies schema then seed through `runner`, one statement at a time, each checked first. */
export async function applyStatements(
  runner: SqlRunner,
  schema: readonly string[],
  seed: readonly string[],
  run: (statement: string) => Promise<unknown> = (s) => runner.run(s, 'TabSeparatedRaw'),
): Promise<void> {
  const lists: ['schema' | 'seed', readonly string[]][] = [
    ['schema', schema],
    ['seed', seed],
  ];
  for (const [list, statements] of lists) {
    for (const [index, statement] of statements.entries()) {
      if (!statement.trim()) continue;
      await checkSingleStatement(runner, statement, list, index);
      try {
        await run(statement);
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        const { code, name, message } = e.info;
        throw new EnginePrepareError(
          `${list} statement ${index + 1} (${head(statement)}) failed: ${code} ${name}: ${message}`,
          list,
          index,
          e.info,
        );
      }
    }
  }
}

/**
 * The embedded engine: one chdb Session (a temporary data directory) per engine, and at most one
 * per process (chdb binds one data directory per process). Never use it inside worker_threads:
 * chdb segfaults the process at exit there; createEnginePool forks processes instead.
 */
export async function createEmbeddedEngine(opts: EmbeddedEngineOptions): Promise<Engine> {
  const mod = await loadModule(opts);
  let session: ChdbSession;
  try {
    session = new mod.Session();
  } catch (e) {
    throw new EngineError(`the embedded ClickHouse engine could not start: ${firstLine(e)}`);
  }
  const runner = sessionRunner(session);
  const stats = new LiveStats((sql) => runner.run(sql, 'JSONCompactEachRow'));
  let version = '';
  try {
    version = (await runner.run('SELECT version()', 'TabSeparatedRaw')).trim();
  } catch {
    // The description is cosmetic; the first real statement reports a broken engine.
  }
  let state: 'new' | 'preparing' | 'ready' | 'closed' = 'new';
  let preparing: Promise<void> | undefined;

  const prepare = async (schema: readonly string[], seed: readonly string[]): Promise<void> => {
    if (state !== 'new')
      throw new EngineError('the embedded engine was already prepared (it is read-only now)');
    state = 'preparing';
    // Background merges would change part counts while queries are costed: with merges stopped the
    // parts are a function of the seed alone, so every run (and every pool worker) sees the same.
    await runner.run('SYSTEM STOP MERGES', 'TabSeparatedRaw');
    await applyStatements(runner, schema, seed);
    await stats.reload();
    for (const statement of limitStatements(opts.limits)) await runner.run(statement, 'TabSeparatedRaw');
    state = 'ready';
  };

  const startPrepare = (schema: readonly string[], seed: readonly string[]): Promise<void> => {
    preparing = prepare(schema, seed);
    return preparing;
  };

  return {
    description: `embedded ClickHouse${version ? ` ${version}` : ''} (chdb)`,
    prepare: startPrepare,
    async explain(sql: string): Promise<ExplainOutcome> {
      if (state === 'closed') throw new EngineError('the embedded engine is closed');
      // An engine nobody prepared must still be bounded and read-only before the first EXPLAIN.
      if (state === 'new') await startPrepare([], []);
      else if (state === 'preparing') await preparing;
      return explainQuery({ runner, stats, embedded: true }, sql);
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      session.close();
    },
  };
}
