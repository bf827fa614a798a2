import type { EngineErrorInfo, QueryCost } from '../core/types.js';

/**
 * Why an EXPLAIN pass did not produce a cost. Every kind carries ClickHouse's code, name and message
 * in `error`, so a caller that only knows `ok: false` still has something to print.
 * - `invalid`: ClickHouse rejected the query (47 UNKNOWN_IDENTIFIER, 60 UNKNOWN_TABLE, 62 SYNTAX_ERROR...).
 * - `multi-statement`: more than one statement (`;` or PARALLEL WITH); nothing was run. Rule `sql-multi-statement`.
 * - `not-select`: DROP / INSERT / ALTER / SET / SYSTEM..., or a SELECT with INTO OUTFILE / FORMAT; nothing
 *   was run. Rule `sql-not-select`.
 * - `unsupported`: the query reads a table this engine cannot have (system log tables in chdb): it cannot be
 *   judged here, and `reason` says to use the server mode. Report as info, never as invalid.
 * - `bound-exceeded`: work done while planning (scalar subqueries) hit max_execution_time,
 *   max_rows_to_read or the memory bound, and was stopped.
 * - `refused`: the query calls something the sandbox refuses (a function or table function that reads
 *   files, opens connections, starts processes or queries other servers; a table named by a path):
 *   nothing of it ran, and `reason` names what and why. Report as info (rule `sql-engine-unsupported`):
 *   such a query may well work on a server, it is only not judged here.
 */
export type ExplainFailureKind =
  'invalid' | 'multi-statement' | 'not-select' | 'unsupported' | 'bound-exceeded' | 'refused';

/** What one EXPLAIN pass says about one query. */
export type ExplainOutcome =
  | { ok: true; cost: QueryCost }
  | {
      ok: false;
      kind: ExplainFailureKind;
      error: EngineErrorInfo;
      /** 0-based character offset in the SQL given to explain(), for syntax errors. */
      position?: number;
      /** For `unsupported` and `refused`: one line saying why and what to do instead. */
      reason?: string;
    };

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
  close(): Promise<void>;
}
