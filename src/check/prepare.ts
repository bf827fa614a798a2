import type { QueryRecord } from '../core/types.js';
import type { DashboardModel } from '../dashboards/model.js';
import type { AlertGroupFile } from '../dashboards/provisioning-files.js';
import {
  extractAlertQueries,
  extractDashboardQueries,
  interpolateSource,
  type QuerySource,
} from '../sql/extract.js';
import type { InterpolationProblem } from '../sql/types.js';

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
}

const CLICKHOUSE_TYPES = new Set(['grafana-clickhouse-datasource', 'vertamedia-clickhouse-datasource']);

/** Every ClickHouse query of the dashboards and alert rules, interpolated to concrete SQL. */
export function prepareQueries(
  dashboards: readonly DashboardModel[],
  alertGroups: readonly AlertGroupFile[],
  datasourceTypes: Map<string, string>,
  now: Date,
): PreparedQuery[] {
  const sources: QuerySource[] = [];
  for (const dash of dashboards) sources.push(...extractDashboardQueries(dash, datasourceTypes));
  sources.push(...extractAlertQueries(alertGroups, datasourceTypes));
  return sources
    .filter((source) => CLICKHOUSE_TYPES.has(source.datasourceType))
    .map((source) => {
      const result = interpolateSource(source, now);
      const q: PreparedQuery = {
        source,
        sql: result.sql,
        mapOffset: result.mapOffset,
        problems: result.problems,
        blocked: result.problems.some((p) => p.blocking === true),
        warnings: result.warnings,
      };
      if (source.dashboard) q.dashboard = source.dashboard;
      return q;
    });
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
