import type { EngineErrorInfo, QueryCost } from '../core/types.js';

/** What one EXPLAIN pass says about one query. */
export type ExplainOutcome =
  | { ok: true; cost: QueryCost }
  | {
      ok: false;
      error: EngineErrorInfo;
      /** 0-based character offset in the SQL the engine saw, for syntax errors. */
      position?: number;
    };

export interface ExplainLimits {
  /** Seconds; the engine aborts a scalar subquery that runs longer. */
  maxExecutionTime: number;
  maxRowsToRead: number;
}

/**
 * The engine port: the embedded adapter (chdb) and the server adapter (@clickhouse/client)
 * both implement it and must give the same verdicts.
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
