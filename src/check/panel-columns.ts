import type { Finding, JsonPath, QueryColumn, QueryRecord, Severity } from '../core/types.js';
import { locationOf, withLocation } from '../lint/location.js';
import { isObject, type DashboardModel, type Json, type PanelModel } from '../dashboards/model.js';

/**
 * What a ClickHouse column becomes in a Grafana data frame, as the plugins convert it:
 * grafana-clickhouse-datasource maps Date/DateTime/DateTime64 to time, (U)Int/Float/Decimal to number,
 * Bool to boolean, String/FixedString/Enum/UUID/IP to string, Array/Map/Tuple to JSON
 * (pkg/converters/converters.go); Altinity's table format reads the same types from the result's meta
 * (src/datasource/sql-series/sql_series.ts `_toFieldType`). `unknown` is a type dashboard-ci does not
 * map (Variant, Dynamic, Nothing, 128/256-bit integers, …): it counts as whatever a requirement asks.
 */
export type ColumnKind = 'time' | 'number' | 'boolean' | 'string' | 'other' | 'unknown';

/** Strips the wrappers that do not change what Grafana receives. */
function unwrap(type: string): string {
  let t = type.trim();
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/s.exec(t);
    if (m) {
      t = m[1]!.trim();
      continue;
    }
    const agg = /^SimpleAggregateFunction\([^,()]+(?:\([^)]*\))?\s*,\s*(.*)\)$/s.exec(t);
    if (agg) {
      t = agg[1]!.trim();
      continue;
    }
    return t;
  }
}

export function columnKind(type: string): ColumnKind {
  const t = unwrap(type);
  if (/^(?:Date|Date32|DateTime|DateTime64)(?:\(.*\))?$/s.test(t)) return 'time';
  if (/^(?:U?Int(?:8|16|32|64)|Float(?:32|64)|BFloat16|Decimal(?:32|64|128|256)?(?:\(.*\))?)$/.test(t))
    return 'number';
  if (t === 'Bool' || t === 'Boolean') return 'boolean';
  if (/^(?:String|FixedString\(\d+\)|Enum(?:8|16)?\(.*\)|UUID|IPv4|IPv6)$/s.test(t)) return 'string';
  if (/^(?:Array|Map|Tuple|Nested)\(/.test(t)) return 'other';
  return 'unknown';
}

/** The two ClickHouse plugins, and the result formats each one's queries can ask for. */
export type ResultFormat = 'time-series' | 'table' | 'other';

/**
 * The format a target asks its plugin for. grafana-clickhouse-datasource: `format` 0 time series,
 * 1 table, 2 logs, 3 traces, 4 multi (src/data/utils.ts mapQueryTypeToGrafanaFormat, sqlds
 * FormatQueryOption); none written is left to the plugin (`undefined`). Altinity: `format` is a string,
 * `time_series` by default (src/datasource/sql_query.ts), `table`, `logs`, `traces`, `flamegraph`.
 */
export function resultFormat(datasourceType: string, target: Record<string, Json>): ResultFormat | undefined {
  const f = target.format;
  if (datasourceType === 'vertamedia-clickhouse-datasource') {
    if (f === undefined || f === 'time_series') return 'time-series';
    return f === 'table' ? 'table' : 'other';
  }
  if (f === undefined || f === null) return undefined;
  if (f === 0 || f === 'time_series') return 'time-series';
  if (f === 1 || f === 'table') return 'table';
  return 'other';
}

/**
 * True when the plugin rebuilds the frame rather than handing the columns over as typed: Altinity's
 * time series makes a time field of the first column whatever its type and names series after GROUP
 * BY values (src/datasource/sql-series/toTimeSeries.ts); logs and traces formats are rebuilt by both
 * plugins. Nothing is said about such a query's shape.
 */
export function rebuiltByPlugin(q: { datasourceType: string; format: ResultFormat | undefined }): boolean {
  return (
    q.format === 'other' ||
    (q.datasourceType === 'vertamedia-clickhouse-datasource' && q.format === 'time-series')
  );
}

/** One query of a panel, with the columns EXPLAIN gave it. */
export interface PanelQuery {
  refId?: string;
  datasourceType: string;
  format: ResultFormat | undefined;
  columns: readonly QueryColumn[];
  record: QueryRecord;
}

/** A panel whose every query Grafana runs is a ClickHouse query with known columns. */
export interface KnownPanel {
  dashboard: DashboardModel;
  panel: PanelModel;
  queries: PanelQuery[];
}

/** What the SQL checker knows about a panel target once EXPLAIN ran. */
export interface TargetResult {
  record: QueryRecord;
  datasourceType: string;
  hidden: boolean;
}

/**
 * The panels whose result shape is known: every target is a ClickHouse query EXPLAIN gave columns
 * for (hidden ones, which Grafana does not run, left out). A panel with a target of another
 * datasource, an expression, a query that was skipped or refused, or no query at all is not known:
 * no rule judges its shape.
 */
export function knownPanels(
  dashboards: readonly DashboardModel[],
  byTarget: ReadonlyMap<object, TargetResult>,
): KnownPanel[] {
  const out: KnownPanel[] = [];
  for (const dashboard of dashboards) {
    for (const panel of dashboard.panels) {
      if (panel.type === 'row' || panel.targets.length === 0) continue;
      const queries: PanelQuery[] = [];
      let known = true;
      for (const target of panel.targets) {
        const r = byTarget.get(target);
        if (!r) {
          known = false;
          break;
        }
        if (r.hidden) continue;
        if (!r.record.columns) {
          known = false;
          break;
        }
        const q: PanelQuery = {
          datasourceType: r.datasourceType,
          format: resultFormat(r.datasourceType, target.raw),
          columns: r.record.columns,
          record: r.record,
        };
        if (target.refId !== undefined) q.refId = target.refId;
        queries.push(q);
      }
      if (known && queries.length > 0) out.push({ dashboard, panel, queries });
    }
  }
  return out;
}

/** The panel's transformations that are on (Grafana skips `disabled: true`), as written with their index. */
export function activeTransformations(panel: PanelModel): { index: number; id: string; options: Json }[] {
  const list = panel.raw.transformations;
  if (!Array.isArray(list)) return [];
  const out: { index: number; id: string; options: Json }[] = [];
  list.forEach((t, index) => {
    if (!isObject(t) || typeof t.id !== 'string' || t.disabled === true) return;
    out.push({ index, id: t.id, options: t.options ?? null });
  });
  return out;
}

/**
 * Grafana's stringToJsRegex (packages/grafana-data/src/text/string.ts): `/pattern/flags` is a
 * regular expression as written; anything else must match the whole name. Undefined when it does
 * not compile here (then nothing is said about it).
 */
export function grafanaRegex(text: string): RegExp | undefined {
  try {
    if (text.startsWith('/')) {
      const m = /^\/(.*)\/([gimsuy]*)$/s.exec(text);
      if (!m) return undefined;
      return new RegExp(m[1]!, m[2]!.replace('g', ''));
    }
    return new RegExp(`^${text}$`);
  } catch {
    return undefined;
  }
}

/** `name Type, name Type` for a message (bounded: a query can return hundreds of columns). */
export function describeColumns(columns: readonly QueryColumn[], max = 8): string {
  const shown = columns.slice(0, max).map((c) => `${c.name} ${c.type}`);
  if (columns.length > max) shown.push(`… ${columns.length - max} more`);
  return shown.join(', ');
}

/** A finding on a panel, at `path` in its file (default the panel itself). */
export function panelFinding(
  kp: Pick<KnownPanel, 'dashboard' | 'panel'>,
  rule: string,
  severity: Severity,
  message: string,
  path: JsonPath = kp.panel.path,
): Finding {
  const at = kp.dashboard.doc.locate(path);
  const f: Finding = {
    rule,
    severity,
    message: withLocation(locationOf(kp.dashboard, { panel: kp.panel }), message),
    file: kp.dashboard.file,
    line: at.line,
    column: at.column,
  };
  if (kp.dashboard.uid !== undefined) f.dashboardUid = kp.dashboard.uid;
  if (kp.panel.id !== undefined) f.panelId = kp.panel.id;
  return f;
}
