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
