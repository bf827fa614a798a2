import type { EngineErrorInfo, QueryColumn, QueryCost } from '../core/types.js';

/**
 * Why an EXPLAIN pass did not produce a cost. Every kind carries ClickHouse's code, name and message
 * in `error`, so a caller that only knows `ok: false` still has something to print.
 * - `invalid`: ClickHouse rejected the query (47 UNKNOWN_IDENTIFIER, 60 UNKNOWN_TABLE, 62 SYNTAX_ERROR...).
 * - `multi-statement`: more than one statement (`;` or PARALLEL WITH); nothing was run. Rule `sql-multi-statement`.
 * - `not-select`: DROP / INSERT / ALTER / SET / SYSTEM..., or a SELECT with INTO OUTFILE / FORMAT; nothing
 *   was run. Rule `sql-not-select`.
 * - `unsupported`: what this engine lacks or keeps fixed: a system log table chdb does not have, a
 *   cluster, ClickHouse Keeper (told apart by error code and the parsed query), SETTINGS that would lift
 *   a bound, or execute() where the data is not the tool's own. `reason` says what and what to do
 *   instead. Report as info (rule `sql-engine-unsupported`), never as invalid.
 * - `bound-exceeded`: work done while planning (scalar subqueries) hit max_execution_time,
 *   max_rows_to_read or the memory bound, and was stopped.
 * - `refused`: the query calls something the sandbox refuses (a function or table function that reads
 *   files, opens connections, starts processes or queries other servers; a table named by a path):
 *   nothing of it ran, and `reason` names what and why. Report as info (rule `sql-engine-unsupported`):
 *   such a query may well work on a server, it is only not judged here.
 */
export type ExplainFailureKind =
  'invalid' | 'multi-statement' | 'not-select' | 'unsupported' | 'bound-exceeded' | 'refused';

/** Why a query was not costed (or not run): ClickHouse's code, name and message, and the kind. */
export interface EngineFailure {
  ok: false;
  kind: ExplainFailureKind;
  error: EngineErrorInfo;
  /** 0-based character offset in the SQL given to explain() / execute(), for syntax errors. */
  position?: number;
  /** For `unsupported` and `refused`: one line saying why and what to do instead. */
  reason?: string;
}

/** What one EXPLAIN pass says about one query. */
export type ExplainOutcome =
  | {
      ok: true;
      cost: QueryCost;
      /** The query's output columns (EXPLAIN header = 1, same call). */
      columns: QueryColumn[];
    }
  | EngineFailure;

/** Default and most rows execute() returns. */
export const DEFAULT_RESULT_ROWS = 100;
export const MAX_RESULT_ROWS = 10_000;

export interface ExecuteOptions {
  /** Rows to return at most, 1..MAX_RESULT_ROWS (default DEFAULT_RESULT_ROWS); `truncated` says there were more. */
  maxResultRows?: number;
  /**
   * The query of a template variable: besides one SELECT, exactly the read-only statements Grafana
   * runs for variables are accepted: SHOW TABLES, SHOW DATABASES, DESCRIBE, EXISTS.
   */
  variable?: boolean;
}

/** One query run for real on the test data. */
export interface ExecuteResult {
  columns: QueryColumn[];
  /** The first rows, as ClickHouse's JSONCompact writes them (JSON numbers, strings, arrays...). */
  rows: unknown[][];
  /** The query had more rows than `rows` holds. */
  truncated: boolean;
  /** What the engine read to answer (ClickHouse's statistics). */
  rowsRead: number;
  bytesRead: number;
  elapsedMs: number;
}

export type ExecuteOutcome = { ok: true; result: ExecuteResult } | EngineFailure;

/** Bytes one EXPLAIN may allocate unless the limits say otherwise. */
export const DEFAULT_MAX_MEMORY_USAGE = 1024 ** 3;

export interface ExplainLimits {
  /** Seconds; the engine aborts a scalar subquery that runs longer. */
  maxExecutionTime: number;
  maxRowsToRead: number;
  /** Bytes one EXPLAIN may allocate (a scalar subquery can build large arrays); default 1 GiB. */
  maxMemoryUsage?: number;
}

/**
 * The engine port: the embedded adapter (chdb), the server adapter (@clickhouse/client) and the pool of
 * embedded child processes all implement it and give the same verdicts.
 */
export interface Engine {
  /** Human-readable description without credentials, for the report. */
  readonly description: string;
  /** Applies DDL and data statements (one at a time), then locks the session read-only. */
  prepare(schema: readonly string[], seed: readonly string[]): Promise<void>;
  /** Validates and costs one single SELECT. Never runs it; never EXPLAIN ANALYZE. */
  explain(sql: string): Promise<ExplainOutcome>;
  /**
   * Runs one SELECT (or, with `variable`, SHOW TABLES / SHOW DATABASES / DESCRIBE / EXISTS) for real,
   * after the same checks as explain(), read-only and bounded in rows read, time, memory and result
   * rows. Only where the data is the tool's own: the sandboxed embedded engine, or the scratch
   * database the server engine prepared (elsewhere the outcome is `unsupported`).
   */
  execute(sql: string, opts?: ExecuteOptions): Promise<ExecuteOutcome>;
  close(): Promise<void>;
}
