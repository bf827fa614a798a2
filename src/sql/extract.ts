// Every place a dashboard or alert rule keeps ClickHouse SQL, with the JSON path and file position
// of the string, so findings land on the right line.

import type { JsonPath } from '../core/types.js';
import {
  isObject,
  sharingInputs,
  toDatasourceRef,
  type DashboardModel,
  type DatasourceRef,
  type Json,
  type JsonObject,
  type PanelModel,
  type TargetModel,
  type VariableModel,
} from '../dashboards/model.js';
import { alertContextFor, contextFor, interpolate, type InterpolationOutput } from './interpolate.js';
import type { SqlOrigin, SqlPlugin } from './types.js';
import { wholeVariableRef } from './variables.js';
import { inputPlaceholder } from '../dashboards/inputs.js';

export const CLICKHOUSE_PLUGIN: SqlPlugin = 'grafana-clickhouse-datasource';
export const ALTINITY_PLUGIN: SqlPlugin = 'vertamedia-clickhouse-datasource';

export function isSqlPlugin(type: string | undefined): type is SqlPlugin {
  return type === CLICKHOUSE_PLUGIN || type === ALTINITY_PLUGIN;
}

/** An alert rule query as the YAML loader gives it (only what SQL extraction reads). */
export interface AlertQueryInput {
  refId?: string;
  datasourceUid?: string;
  model: Readonly<Record<string, unknown>>;
  relativeTimeRange?: { from?: number; to?: number };
  /** Position of the query. */
  line: number;
  column: number;
  /** Position of the SQL string itself, when the loader knows it (preferred over line/column). */
  rawSqlLine?: number;
  rawSqlColumn?: number;
}

export interface AlertRuleInput {
  uid?: string;
  title?: string;
  queries: readonly AlertQueryInput[];
}

export interface AlertGroupInput {
  file: string;
  name?: string;
  rules: readonly AlertRuleInput[];
}

/** One piece of SQL and where it lives. */
export interface QuerySource {
  origin: SqlOrigin;
  file: string;
  /** The raw text as stored (macros and variables not yet expanded). */
  text: string;
  /** JSON path of the string value in the dashboard (for SourceDoc.locateInString); [] for alerts. */
  path: JsonPath;
  datasourceType: SqlPlugin;
  /** 1-based position of the string value (alerts: of the query, as the YAML loader reports it). */
  line: number;
  column: number;
  refId?: string;
  dashboard?: DashboardModel;
  panel?: PanelModel;
  target?: TargetModel;
  variable?: VariableModel;
  alertRule?: { uid?: string; title?: string; group?: string };
  alertQuery?: AlertQueryInput;
  /**
   * A panel query saved hidden (`hide: true`) that no expression of its panel reads: the plugins do not
   * send it (grafana-clickhouse-datasource filterQuery, Altinity's query() filter), so Grafana never runs it.
   */
  hidden?: boolean;
}

/** Grafana's pseudo datasource that lets each query of a panel name its own. */
export const MIXED_DATASOURCE = '-- Mixed --';

export function isMixedDatasource(ref: DatasourceRef | undefined): boolean {
  return ref !== undefined && (ref.uid === MIXED_DATASOURCE || ref.name === MIXED_DATASOURCE);
}

function isExpressionRef(ref: DatasourceRef | undefined): boolean {
  return ref !== undefined && (ref.uid === '__expr__' || ref.type === '__expr__' || ref.name === '__expr__');
}

/**
 * The datasource a panel query runs on, as Grafana's query runner picks it: a panel with a datasource
 * of its own that is not -- Mixed -- runs every query on that one, and a query naming another has its
 * reference replaced ("the panel might have the incorrect datasource stored": PanelQueryRunner.run,
 * grafana/grafana public/app/features/query/state/PanelQueryRunner.ts @ 011e90db; scenes'
 * SceneQueryRunner does the same). A Mixed panel, or one naming none (schema migration 36 then takes
 * the queries' own), runs each query on its own; expressions keep theirs.
 */
export function queryDatasource(
  panel: PanelModel,
  target: Pick<TargetModel, 'raw'>,
): DatasourceRef | undefined {
  const own = toDatasourceRef(target.raw.datasource);
  const onPanel = panel.datasource;
  if (!onPanel || isMixedDatasource(onPanel) || isExpressionRef(own)) return own ?? onPanel;
  return onPanel;
}

/** Datasource uid or name → plugin type (from datasources/*.yaml). */
export type DatasourceTypes = ReadonlyMap<string, string>;

/** Datasource uid and name → plugin type, from the provisioning files. */
export function datasourceTypeMap(
  datasources: readonly { uid?: string | undefined; name?: string | undefined; type?: string | undefined }[],
): Map<string, string> {
  const types = new Map<string, string>();
  for (const ds of datasources) {
    if (!ds.type) continue;
    if (ds.uid) types.set(ds.uid, ds.type);
    if (ds.name) types.set(ds.name, ds.type);
  }
  return types;
}

export interface ExtractOptions {
  /** Plugin type of the default datasource, for panels and targets with no datasource at all. */
  defaultDatasourceType?: string;
}

/** Resolves a datasource reference to a plugin type: its `type`, a datasource variable, or the uid/name map. */
export function resolveDatasourceType(
  ref: DatasourceRef | undefined,
  dash: DashboardModel,
  datasourceTypes: DatasourceTypes,
  opts: ExtractOptions = {},
): string | undefined {
  if (!ref) return opts.defaultDatasourceType;
  if (ref.type && !ref.type.startsWith('$') && ref.type !== 'datasource') return ref.type;
  const id = ref.uid ?? ref.name;
  if (id === undefined || id === '') return ref.type === undefined ? opts.defaultDatasourceType : undefined;
  const trimmed = id.trim();
  // A dashboard exported for sharing names its datasources `${DS_X}`, declared in `__inputs`, with any
  // characters in X (`-`, spaces, `.`, `:`): an input first, before reading it as a template variable,
  // whose syntax would misread `${DS.X}` as a field path or `${DS:X}` as a format.
  const input = inputPlaceholder(trimmed);
  if (input !== undefined) {
    const inputs = sharingInputs(dash);
    if (inputs.has(input)) return inputs.get(input);
  }
  const name = wholeVariableRef(trimmed);
  if (name !== undefined) {
    const v = dash.variables.find((x) => x.name === name);
    if (!v) return sharingInputs(dash).get(name);
    if (v.type === 'datasource')
      return typeof v.raw.query === 'string' && v.raw.query !== '' ? v.raw.query : undefined;
    // Any other variable holds a datasource uid or name in its current value.
    const cur = isObject(v.raw.current) ? v.raw.current.value : undefined;
    return typeof cur === 'string' ? datasourceTypes.get(cur) : undefined;
  }
  return datasourceTypes.get(id);
}

/** A SQL string of a dashboard, located in its file. */
function dashboardSource(
  dash: DashboardModel,
  origin: SqlOrigin,
  datasourceType: SqlPlugin,
  path: JsonPath,
  text: string,
): QuerySource {
  const { line, column } = dash.doc.locate(path);
  return { origin, file: dash.file, text, path, datasourceType, line, column, dashboard: dash };
}

/** The SQL string of a target and its key: `rawSql` for the official plugin, `query` for Altinity's. */
function targetSql(raw: JsonObject, plugin: SqlPlugin): { key: string; text: string } | undefined {
  const key = plugin === CLICKHOUSE_PLUGIN ? 'rawSql' : 'query';
  const v = raw[key];
  return typeof v === 'string' && v.trim() !== '' ? { key, text: v } : undefined;
}

function nonEmpty(v: Json | undefined): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/** A query variable's SQL: `query` (string), `query.rawSql` / `query.query` (object), else `definition`. */
function variableSql(raw: JsonObject): { path: (string | number)[]; text: string } | undefined {
  const q = raw.query;
  if (nonEmpty(q)) return { path: ['query'], text: q };
  if (isObject(q)) {
    if (nonEmpty(q.rawSql)) return { path: ['query', 'rawSql'], text: q.rawSql };
    if (nonEmpty(q.query)) return { path: ['query', 'query'], text: q.query };
  }
  if (nonEmpty(raw.definition)) return { path: ['definition'], text: raw.definition };
  return undefined;
}

/** Expression queries (server-side expressions) of a panel. */
function isExpression(target: TargetModel): boolean {
  const ds = target.raw.datasource;
  const ref = isObject(ds) ? (ds.uid ?? ds.type) : ds;
  return ref === '__expr__' || ref === '-100' || ref === -100;
}

/**
 * refIds the panel's expressions read: math (`$A + $B`, `${A}`) and the input of reduce, resample,
 * threshold and classic conditions. A hidden query an expression reads still runs (the expression
 * needs its result); only its own response is dropped.
 */
function expressionInputs(panel: PanelModel): Set<string> {
  const out = new Set<string>();
  for (const t of panel.targets) {
    if (!isExpression(t)) continue;
    const e = t.raw.expression;
    if (typeof e === 'string') {
      out.add(e.trim());
      for (const m of e.matchAll(/\$\{?(\w+)\}?/g)) out.add(m[1]!);
    }
    const conditions = t.raw.conditions;
    if (Array.isArray(conditions)) {
      for (const c of conditions) {
        const params = isObject(c) && isObject(c.query) ? c.query.params : undefined;
        if (Array.isArray(params)) for (const p of params) if (typeof p === 'string') out.add(p);
      }
    }
  }
  return out;
}

/** Every ClickHouse SQL text of a dashboard: panel targets (collapsed rows included) and query variables. */
export function extractDashboardQueries(
  dash: DashboardModel,
  datasourceTypes: DatasourceTypes = new Map(),
  opts: ExtractOptions = {},
): QuerySource[] {
  const out: QuerySource[] = [];
  for (const panel of dash.panels) {
    let inputs: Set<string> | undefined;
    for (const target of panel.targets) {
      const type = resolveDatasourceType(queryDatasource(panel, target), dash, datasourceTypes, opts);
      if (!isSqlPlugin(type)) continue;
      const sql = targetSql(target.raw, type);
      if (!sql) continue;
      const src = dashboardSource(dash, 'panel', type, [...target.path, sql.key], sql.text);
      src.panel = panel;
      src.target = target;
      if (target.refId !== undefined) src.refId = target.refId;
      if (target.raw.hide === true) {
        inputs ??= expressionInputs(panel);
        if (target.refId === undefined || !inputs.has(target.refId)) src.hidden = true;
      }
      out.push(src);
    }
  }
  for (const variable of dash.variables) {
    if (variable.type !== 'query') continue;
    const type = resolveDatasourceType(variable.datasource, dash, datasourceTypes, opts);
    if (!isSqlPlugin(type)) continue;
    const sql = variableSql(variable.raw);
    if (!sql) continue;
    const src = dashboardSource(dash, 'variable', type, [...variable.path, ...sql.path], sql.text);
    src.variable = variable;
    out.push(src);
  }
  return out;
}

/**
 * The ClickHouse queries of alert rule groups. The plugin comes from the model's datasource type,
 * else from the datasource uid; expressions (`__expr__`) and other datasources are skipped.
 */
export function extractAlertQueries(
  groups: readonly AlertGroupInput[],
  datasourceTypes: DatasourceTypes = new Map(),
): QuerySource[] {
  const out: QuerySource[] = [];
  for (const group of groups) {
    for (const rule of group.rules) {
      for (const query of rule.queries) {
        if (query.datasourceUid === '__expr__') continue;
        const model = query.model as JsonObject;
        const ds = isObject(model.datasource) ? model.datasource : undefined;
        const modelType = ds && typeof ds.type === 'string' ? ds.type : undefined;
        const type = isSqlPlugin(modelType)
          ? modelType
          : query.datasourceUid !== undefined
            ? datasourceTypes.get(query.datasourceUid)
            : undefined;
        if (!isSqlPlugin(type)) continue;
        const sql = targetSql(model, type);
        if (!sql) continue;
        const alertRule: NonNullable<QuerySource['alertRule']> = {};
        if (rule.uid !== undefined) alertRule.uid = rule.uid;
        if (rule.title !== undefined) alertRule.title = rule.title;
        if (group.name !== undefined) alertRule.group = group.name;
        const src: QuerySource = {
          origin: 'alert',
          file: group.file,
          text: sql.text,
          path: [],
          datasourceType: type,
          line: query.rawSqlLine ?? query.line,
          column: query.rawSqlColumn ?? query.column,
          alertRule,
          alertQuery: query,
        };
        const refId = query.refId ?? (typeof model.refId === 'string' ? model.refId : undefined);
        if (refId !== undefined) src.refId = refId;
        out.push(src);
      }
    }
  }
  return out;
}

/**
 * Interpolates one extracted query with its own context (dashboard range and variables, panel
 * interval; or the alert's relative range). `now` fixes the clock so results are reproducible.
 */
export function interpolateSource(
  src: QuerySource,
  now: Date,
  /** The dashboard's variables with resolved values (resolveVariables); default as stored. */
  variables?: readonly JsonObject[],
): InterpolationOutput & { warnings: string[] } {
  let ctx;
  if (src.origin === 'alert' && src.alertQuery) ctx = alertContextFor(src.alertQuery, now);
  else if (src.dashboard) ctx = contextFor(src.dashboard, now, src.panel, src.target, variables);
  else throw new TypeError('interpolateSource: a dashboard query without its dashboard');
  const result = interpolate(src.text, ctx, { plugin: src.datasourceType, origin: src.origin });
  return Object.assign(result, { warnings: ctx.warnings ?? [] });
}
