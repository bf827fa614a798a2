// The report model every stage writes into and every edge renders from (DESIGN.md "Contracts").

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** A path into a JSON document: object keys and array indexes, root first. */
export type JsonPath = readonly (string | number)[];

/** 1-based line and column, as editors and GitHub annotations count them. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A mechanical fix, in ESLint's shape: replace the characters [range[0], range[1]) of the file's text
 * (UTF-16 offsets, as JavaScript strings count) with `text`. A rule that can repair what it reports
 * declares one; the PR review turns it into a GitHub suggested change on the lines it spans.
 */
export interface Fix {
  range: [number, number];
  text: string;
}

export interface Finding {
  /** kebab-case rule id, e.g. `unique-panel-ids`, `sql-invalid`, `sql-cost`. */
  rule: string;
  severity: Severity;
  message: string;
  /** Path relative to the working directory, forward slashes. */
  file: string;
  line: number;
  column: number;
  dashboardUid?: string;
  panelId?: number;
  refId?: string;
  fix?: Fix;
}

export type QueryStatus = 'ok' | 'invalid' | 'over-budget' | 'skipped';

export interface EngineErrorInfo {
  code: number;
  name: string;
  message: string;
}

export interface IndexPruning {
  /** MinMax, Partition, PrimaryKey, Skip (ClickHouse's own names, normalised). */
  type: string;
  keys: string[];
  condition?: string;
  initialParts: number;
  selectedParts: number;
  initialGranules: number;
  selectedGranules: number;
}

export interface TableCost {
  database: string;
  table: string;
  rows: number;
  marks: number;
  parts: number;
  granules: { selected: number; total: number };
  indexes: IndexPruning[];
  /** True when the partition key (or its MinMax index) dropped at least one part. */
  partitionPruned: boolean;
  /** True when the primary key dropped at least one granule. */
  primaryKeyPruned: boolean;
}

/** One output column of a query, as ClickHouse names and types it. */
export interface QueryColumn {
  name: string;
  /** ClickHouse's type: `DateTime`, `Nullable(Float64)`, `LowCardinality(String)`... */
  type: string;
}

export interface QueryCost {
  rows: number;
  marks: number;
  parts: number;
  granules: { selected: number; total: number };
  tables: TableCost[];
  /** rows × fraction read at production scale, when config gives production row counts. */
  projectedRows?: number;
}

/** How a query compares with the base (--base): no counterpart there, different SQL, or the same SQL. */
export type QueryChange = 'new' | 'changed' | 'unchanged';

export interface QueryRecord {
  file: string;
  line: number;
  column: number;
  dashboardUid?: string;
  panelId?: number;
  panelTitle?: string;
  refId?: string;
  /** Where the SQL lives: a panel target, a template variable, an alert rule query. */
  origin: 'panel' | 'variable' | 'alert';
  datasourceType: string;
  /** Interpolated SQL (what EXPLAIN saw), or the raw text when it could not be interpolated. */
  sql: string;
  status: QueryStatus;
  /** Why a query was skipped (no engine, a log table the embedded engine lacks, Redis statically checked...). */
  reason?: string;
  error?: EngineErrorInfo;
  cost?: QueryCost;
  /** The query's output columns, from the same EXPLAIN that costs it (`header = 1`). */
  columns?: QueryColumn[];
  /** Rows per refresh × refreshes per hour, from the dashboard's refresh. */
  rowsPerHour?: number;
  /** Cost diff against --base: the base version's rows, and the relative change. */
  baseRows?: number;
  costChange?: number;
  regression?: boolean;
  /** Granules the base version read (the before of before → after). */
  baseGranules?: { selected: number; total: number };
  /** The base version's result columns, when the engine reports them. */
  baseColumns?: QueryColumn[];
  /** Against --base: whether this query is new, its SQL changed, or it is the same as on the base. */
  change?: QueryChange;
  /** Unchanged and not judged again: its status and cost come from the base's verdict of this commit. */
  verdictFrom?: string;
  /**
   * Query variables without a value that a stand-in replaced in `sql` (or that kept it from being
   * judged): their queries were not run (no engine was needed), or gave nothing on the test data.
   */
  standIns?: string[];
  /** The query run for real on the test data (clickhouse.execute, no-data-on-seed), beside the estimate. */
  executed?: QueryExecution;
}

/** What one run of a query on the test data gave (the sandboxed engine's own statistics). */
export interface QueryExecution {
  /** Result rows, counted up to the cap (EXECUTE_RESULT_ROWS); `truncated` says there were more. */
  rows: number;
  truncated: boolean;
  /** Rows the engine read to answer (ClickHouse's rows_read), against the estimate's `cost.rows`. */
  readRows: number;
  elapsedMs: number;
}

export interface DashboardLoad {
  file: string;
  dashboardUid?: string;
  title?: string;
  refresh?: string;
  refreshesPerHour: number;
  rowsPerRefresh: number;
  rowsPerHour: number;
}

export interface ReportSummary {
  dashboards: number;
  panels: number;
  queries: number;
  errors: number;
  warnings: number;
  infos: number;
  files: number;
}

export interface Report {
  summary: ReportSummary;
  findings: Finding[];
  queries: QueryRecord[];
  load: DashboardLoad[];
  /** Engine used for EXPLAIN: `embedded (chdb x.y)`, a server URL without credentials, or `none`. */
  engine?: string;
  /**
   * Findings that were already on the base (filter `changed` or `file`): listed, never counted in the
   * summary or the exit code.
   */
  baseFindings?: Finding[];
  /** What the check was compared with, when it had a base. */
  change?: ChangeSummary;
}

export interface ChangeSummary {
  filter: 'changed' | 'file' | 'all';
  /** The base as given (a ref or a sha). */
  base: string;
  /** The commit it resolved to. */
  baseSha?: string;
  /** Files whose text differs from the base (renames counted once, at the new path). */
  changedFiles: string[];
  /** Renamed files, new path → base path (git's rename detection). */
  renamed?: Record<string, string>;
  /** Queries by how they compare with the base. */
  queries: { new: number; changed: number; unchanged: number };
  /** True when the schema, seed, or the engine or budget settings differ: every query was judged again. */
  contextChanged: boolean;
  /** Unchanged queries whose verdict came from a previous run's verdict of the base, at this commit. */
  verdictFrom?: string;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    a.rule.localeCompare(b.rule)
  );
}

export function summarize(
  findings: readonly Finding[],
  counts: { dashboards: number; panels: number; queries: number; files: number },
): ReportSummary {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { ...counts, errors, warnings, infos };
}

/** An error the user can act on: printed as one line, never with a stack (exit 2 at the edge). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
