import type { QueryRecord } from '../core/types.js';
import type { DashboardModel } from '../dashboards/model.js';
import type { AlertGroupFile } from '../dashboards/provisioning-files.js';
import {
  extractAlertQueries,
  extractDashboardQueries,
  interpolateSource,
  type ExtractOptions,
  type QuerySource,
} from '../sql/extract.js';
import type { InterpolationProblem, TimeRangeUse } from '../sql/types.js';
import type { JsonObject } from '../dashboards/model.js';
import {
  resolveVariables,
  type UnresolvedVariable,
  type VariableQueryRunner,
  type VariableResolution,
} from '../sql/resolve-variables.js';

/** `sql`, then `-- $name: <raw query>` for each variable stood in for and those they read, sorted. */
function compareText(
  sql: string,
  names: readonly string[],
  queries: VariableResolution['queries'] | undefined,
): string {
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of queries?.get(n)?.deps ?? []) visit(d);
  };
  names.forEach(visit);
  const lines = [...seen].sort().map((n) => `-- $${n}: ${JSON.stringify(queries?.get(n)?.text ?? '')}`);
  return `${sql}\n${lines.join('\n')}`;
}

/** A query found in a file, interpolated, ready for the engine. */
export interface PreparedQuery {
  source: QuerySource;
  dashboard?: DashboardModel;
  sql: string;
  /** Maps an offset in `sql` back to an offset in the raw text (for syntax error positions). */
  mapOffset?: (offset: number) => number;
  /** What could not be expanded; each is a finding (unknown variables are the linter's). */
  problems: InterpolationProblem[];
  /** True when a problem left text ClickHouse cannot parse: the query is not sent to EXPLAIN. */
  blocked: boolean;
  /** Problems with the context itself (an unreadable time range), each one line. */
  warnings: string[];
  /** Query variables without a value that a stand-in replaced here, or that blocked the query. */
  unresolved?: string[];
  /**
   * What the change filter compares across versions when stand-ins replaced variables: the SQL, then
   * the raw query of every variable the stand-ins stand for (and of the variables those read), so a
   * changed variable query changes the queries that read it although their stand-in SQL is the same.
   * Undefined when no stand-in was used (then `sql` is compared).
   */
  compareSql?: string;
  /** Other SQL Grafana may send for the same text (interpolate's alternatives), tried when `sql` is refused. */
  alternatives?: { sql: string; mapOffset(offset: number): number; note: string }[];
  /** How `sql` reads the time range (interpolation's record), for no-data-on-seed. */
  timeRange?: TimeRangeUse;
}

const CLICKHOUSE_TYPES = new Set(['grafana-clickhouse-datasource', 'vertamedia-clickhouse-datasource']);

export interface PrepareOptions {
  /**
   * Runs a query variable's SQL on the test data (read-only, bounded), so a variable without a stored
   * value gets the first value Grafana would give it. Without it such variables get a stand-in.
   */
  runVariableQuery?: VariableQueryRunner;
  /** Plugin type of the provisioned default datasource (`isDefault: true`): what panels naming none use. */
  defaultDatasourceType?: string;
}

/** What resolution left without a value, per dashboard (file + uid). */
export type UnresolvedByDashboard = Map<DashboardModel, UnresolvedVariable[]>;

/**
 * Every ClickHouse query of the dashboards and alert rules, interpolated to concrete SQL. Query
 * variables without a stored value are resolved first (dependency order), with the runner if given.
 */
export async function prepareQueries(
  dashboards: readonly DashboardModel[],
  alertGroups: readonly AlertGroupFile[],
  datasourceTypes: Map<string, string>,
  now: Date,
  opts: PrepareOptions = {},
  unresolvedOut?: UnresolvedByDashboard,
): Promise<PreparedQuery[]> {
  const out: PreparedQuery[] = [];
  const add = (
    source: QuerySource,
    variables?: readonly JsonObject[],
    queries?: VariableResolution['queries'],
  ): void => {
    if (!CLICKHOUSE_TYPES.has(source.datasourceType)) return;
    const result = interpolateSource(source, now, variables);
    const q: PreparedQuery = {
      source,
      sql: result.sql,
      mapOffset: result.mapOffset,
      problems: result.problems,
      blocked: result.problems.some((p) => p.blocking === true),
      warnings: result.warnings,
    };
    if (result.unresolved) {
      q.unresolved = result.unresolved;
      q.compareSql = compareText(result.sql, result.unresolved, queries);
    }
    if (result.alternatives) q.alternatives = result.alternatives;
    if (result.timeRange) q.timeRange = result.timeRange;
    if (source.dashboard) q.dashboard = source.dashboard;
    out.push(q);
  };
  for (const dash of dashboards) {
    const extract: ExtractOptions = {};
    if (opts.defaultDatasourceType !== undefined) extract.defaultDatasourceType = opts.defaultDatasourceType;
    const resolution = await resolveVariables(dash, now, datasourceTypes, opts.runVariableQuery, extract);
    if (resolution.unresolved.length > 0) unresolvedOut?.set(dash, resolution.unresolved);
    for (const source of extractDashboardQueries(dash, datasourceTypes, extract))
      add(source, resolution.variables, resolution.queries);
  }
  for (const source of extractAlertQueries(alertGroups, datasourceTypes)) add(source);
  return out;
}

export function toRecord(q: PreparedQuery): QueryRecord {
  const s = q.source;
  const r: QueryRecord = {
    file: s.file,
    line: s.line,
    column: s.column,
    origin: s.origin,
    datasourceType: s.datasourceType,
    sql: q.sql,
    status: 'ok',
  };
  if (q.dashboard?.uid !== undefined) r.dashboardUid = q.dashboard.uid;
  if (s.panel?.id !== undefined) r.panelId = s.panel.id;
  if (s.panel?.title !== undefined) r.panelTitle = s.panel.title;
  if (s.alertRule?.title !== undefined) r.panelTitle = s.alertRule.title;
  if (s.variable?.name !== undefined) r.panelTitle = `$${s.variable.name}`;
  if (s.refId !== undefined) r.refId = s.refId;
  if (q.unresolved?.length) r.standIns = [...q.unresolved];
  return r;
}

/**
 * Identity of a query across two versions of a file (cost diff, change filter): file, origin, panel id
 * and refId. A panel's title is not part of it (renaming a panel does not make its queries new);
 * variables and alert rules, which have no panel id, are told apart by their name.
 */
export function queryKey(
  r: Pick<QueryRecord, 'file' | 'origin' | 'panelId' | 'refId' | 'panelTitle'>,
): string {
  const name = r.origin === 'panel' ? '' : (r.panelTitle ?? '');
  return [r.file, r.origin, r.panelId ?? '', name, r.refId ?? ''].join('\u0000');
}
