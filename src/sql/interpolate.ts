// Raw panel / variable / alert text → concrete SQL, in Grafana's order:
// frontend conditional macros → template variables (frontend; not for alerts) → backend macros.

import {
  isObject,
  type DashboardModel,
  type Json,
  type JsonObject,
  type PanelModel,
  type TargetModel,
} from '../dashboards/model.js';
import { composeMaps, type OffsetMap } from './lexer.js';
import {
  adHocFilterSql,
  adHocFilters,
  expandAdHocFilters,
  expandAltinityMacros,
  expandAltinityWholeQuery,
  expandClickHouseMacros,
  expandConditionalAll,
  expandConditionalTest,
  variableNameRules,
  type StageResult,
} from './macros.js';
import { calculateIntervalMs, intervalToMs, parseTimeExpression } from './time.js';
import type {
  InterpolationContext,
  InterpolationProblem,
  InterpolationResult,
  SqlOrigin,
  SqlPlugin,
  TimeRangeUse,
} from './types.js';
import { interpolateVariables, repeatedVariables, variableIndex } from './variables.js';

export interface InterpolateOptions {
  plugin: SqlPlugin;
  origin: SqlOrigin;
  /** The target's own fields (Altinity's $table, $dateTimeCol...); overrides ctx.target. */
  target?: JsonObject;
}

/** An InterpolationResult whose offset map is always there. */
export interface InterpolationOutput extends InterpolationResult {
  mapOffset(offset: number): number;
  /**
   * Other SQL Grafana may send for the same text, with what it stands for: the query is valid when
   * ClickHouse takes any of them (a plugin version that formats variables differently).
   */
  alternatives?: { sql: string; mapOffset(offset: number): number; note: string }[];
}

const NO_VARIABLES: readonly JsonObject[] = [];

/** Grafana's defaults when a dashboard or panel says nothing. */
export const DEFAULT_TIME_RANGE = { from: 'now-6h', to: 'now' } as const;
export const DEFAULT_MAX_DATA_POINTS = 1000;
/** Alert queries: Grafana's defaults for a new rule query. */
export const DEFAULT_ALERT_RANGE_SECONDS = { from: 600, to: 0 } as const;
export const DEFAULT_ALERT_INTERVAL_MS = 1000;
export const DEFAULT_ALERT_MAX_DATA_POINTS = 43200;

/**
 * Interpolates `text` for one query. Problems carry offsets into `text`; `mapOffset` maps an
 * offset in the returned SQL (e.g. a ClickHouse syntax-error position) back into `text`.
 */
export function interpolate(
  text: string,
  ctx: InterpolationContext,
  opts: InterpolateOptions,
): InterpolationOutput {
  const altinity = opts.plugin === 'vertamedia-clickhouse-datasource';
  const out = pipeline(text, ctx, opts, altinity ? 'altinity' : 'clickhouse');
  if (altinity && opts.origin !== 'alert') {
    // The Altinity plugin changed how it formats variables in 3.4 (July 2025); a dashboard written for
    // the plugin before that runs with it wherever it was not upgraded. Both are what Grafana may run.
    const legacy = pipeline(text, ctx, opts, 'altinity-legacy');
    if (legacy.sql !== out.sql && !legacy.problems.some((p) => p.blocking))
      out.alternatives = [{ sql: legacy.sql, mapOffset: legacy.mapOffset, note: ALTINITY_LEGACY_NOTE }];
  }
  return out;
}

/** What an alternative of an Altinity query stands for, for the verdict that uses it. */
export const ALTINITY_LEGACY_NOTE =
  'as the Altinity plugin before 3.4 formats variables (one value as is, several as a quoted list)';

function pipeline(
  text: string,
  ctx: InterpolationContext,
  opts: InterpolateOptions,
  formatter: 'clickhouse' | 'altinity' | 'altinity-legacy',
): InterpolationOutput {
  const maps: OffsetMap[] = [];
  const problems: InterpolationProblem[] = [];
  let current = text;
  const timeRange: TimeRangeUse = { filters: [], other: false };
  const apply = (stage: StageResult): void => {
    const back = composeMaps(maps);
    for (const p of stage.problems) problems.push({ ...p, offset: back(p.offset) });
    maps.push(stage.map);
    current = stage.text;
    if (stage.timeRange) {
      timeRange.filters.push(...stage.timeRange.filters);
      timeRange.other ||= stage.timeRange.other;
    }
  };

  const altinity = opts.plugin === 'vertamedia-clickhouse-datasource';
  const frontend = opts.origin !== 'alert';
  const index = variableIndex(frontend ? ctx.variables : NO_VARIABLES);

  if (frontend) {
    apply(altinity ? expandConditionalTest(current, index) : expandConditionalAll(current, index));
  }
  // Grafana's global ${__from} / ${__to} (any format) read the range outside any macro.
  if (GLOBAL_RANGE_VARIABLE.test(current)) timeRange.other = true;
  const variableStage = interpolateVariables(current, ctx, {
    ...variableNameRules(opts.plugin),
    formatter,
    origin: opts.origin,
    noVariables: !frontend,
    // Altinity's metricFindQuery: `$__searchFilter` is the typed text plus '%', just '%' on load
    // (src/datasource/datasource.ts, Altinity/clickhouse-grafana @ ea008971 via base-14).
    ...(altinity ? { searchFilter: '%' } : {}),
  });
  apply(variableStage);
  if (frontend && !altinity) apply(expandAdHocFilters(current, index));
  if (altinity) {
    apply(expandAltinityWholeQuery(current, opts.target ?? ctx.target ?? {}));
    apply(
      expandAltinityMacros(current, {
        fromMs: ctx.fromMs,
        toMs: ctx.toMs,
        intervalMs: ctx.intervalMs,
        maxDataPoints: ctx.maxDataPoints ?? DEFAULT_MAX_DATA_POINTS,
        target: opts.target ?? ctx.target ?? {},
        adhoc: adHocFilterSql(adHocFilters(index)),
      }),
    );
  } else {
    apply(
      expandClickHouseMacros(
        current,
        { fromMs: ctx.fromMs, toMs: ctx.toMs, intervalMs: ctx.intervalMs },
        opts.origin,
      ),
    );
  }
  problems.sort((a, b) => a.offset - b.offset);
  const out: InterpolationOutput = { sql: current, problems, mapOffset: composeMaps(maps) };
  if (variableStage.unresolved) out.unresolved = variableStage.unresolved;
  if (timeRange.filters.length > 0 || timeRange.other) out.timeRange = timeRange;
  return out;
}

/** `$__from`, `${__to:date}`, `[[__from]]`: Grafana's global range variables. */
const GLOBAL_RANGE_VARIABLE = /(?:\$\{?|\[\[)__(?:from|to)\b/;

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Reads a time range (`time.from` / `time.to` style) against `nowMs`; falls back to Grafana's default. */
export function resolveTimeRange(
  from: unknown,
  to: unknown,
  nowMs: number,
  fiscalYearStartMonth = 0,
): { fromMs: number; toMs: number; warnings: string[] } {
  const warnings: string[] = [];
  let fromMs = parseTimeExpression(from ?? DEFAULT_TIME_RANGE.from, nowMs, false, fiscalYearStartMonth);
  let toMs = parseTimeExpression(to ?? DEFAULT_TIME_RANGE.to, nowMs, true, fiscalYearStartMonth);
  if (fromMs === undefined) {
    warnings.push(
      `time.from ${JSON.stringify(from)} is not a time Grafana reads; using ${DEFAULT_TIME_RANGE.from}`,
    );
    fromMs = parseTimeExpression(DEFAULT_TIME_RANGE.from, nowMs, false)!;
  }
  if (toMs === undefined) {
    warnings.push(
      `time.to ${JSON.stringify(to)} is not a time Grafana reads; using ${DEFAULT_TIME_RANGE.to}`,
    );
    toMs = nowMs;
  }
  if (fromMs > toMs) warnings.push('time.from is after time.to');
  return { fromMs, toMs, warnings };
}

function panelTimeOverride(
  panel: PanelModel | undefined,
  range: { fromMs: number; toMs: number },
  nowMs: number,
  fiscal: number,
  warnings: string[],
): { fromMs: number; toMs: number } {
  if (!panel) return range;
  let { fromMs, toMs } = range;
  const timeFrom = str(panel.raw.timeFrom)?.trim();
  if (timeFrom) {
    // Relative time override ("2h", "now/d"): the panel's own range ending now.
    const expr = timeFrom.startsWith('now') ? timeFrom : `now-${timeFrom}`;
    const f = parseTimeExpression(expr, nowMs, false, fiscal);
    if (f === undefined) warnings.push(`panel timeFrom "${timeFrom}" is not a time Grafana reads; ignored`);
    else {
      fromMs = f;
      toMs = timeFrom.startsWith('now/') ? (parseTimeExpression(expr, nowMs, true, fiscal) ?? nowMs) : nowMs;
    }
  }
  const shift = str(panel.raw.timeShift)?.trim();
  if (shift) {
    const math = shift.startsWith('-') || shift.startsWith('+') ? shift : `-${shift}`;
    const f = parseTimeExpression(`now${math}`, fromMs, false, fiscal);
    const t = parseTimeExpression(`now${math}`, toMs, true, fiscal);
    if (f === undefined || t === undefined)
      warnings.push(`panel timeShift "${shift}" is not a time Grafana reads; ignored`);
    else {
      fromMs = f;
      toMs = t;
    }
  }
  return { fromMs, toMs };
}

/** The variables a panel is repeated by: its own `repeat`, and its row's (a repeated row repeats its panels). */
function repeatsOf(panel: PanelModel | undefined): string[] {
  const out: string[] = [];
  for (const p of [panel, panel?.row]) {
    const name = str(p?.raw.repeat);
    if (name) out.push(name);
  }
  return out;
}

/**
 * The context of one query of a dashboard: its default time range against a fixed `now`, the panel's
 * time overrides, interval (range / maxDataPoints on Grafana's nice ladder, floored by the panel's
 * min interval) and the variables (one value of a variable the panel or its row repeats by).
 */
export function contextFor(
  dash: DashboardModel | undefined,
  now: Date,
  panel?: PanelModel,
  target?: TargetModel,
  /** The variables with the values resolution gave them (resolveVariables); default templating.list as stored. */
  resolvedVariables?: readonly JsonObject[],
): InterpolationContext {
  const nowMs = now.getTime();
  // No dashboard: Grafana's default range and no variables (alert queries want alertContextFor).
  const raw: JsonObject = dash?.raw ?? {};
  const time = isObject(raw.time) ? raw.time : {};
  const fiscal = typeof raw.fiscalYearStartMonth === 'number' ? raw.fiscalYearStartMonth : 0;
  const base = resolveTimeRange(time.from, time.to, nowMs, fiscal);
  const warnings = base.warnings;
  const { fromMs, toMs } = panelTimeOverride(panel, base, nowMs, fiscal, warnings);
  const variables = repeatedVariables(
    resolvedVariables ??
      (isObject(raw.templating) && Array.isArray(raw.templating.list)
        ? (raw.templating.list as JsonObject[])
        : NO_VARIABLES),
    repeatsOf(panel),
  );
  const ctx: InterpolationContext = { fromMs, toMs, intervalMs: 0, variables, warnings };
  const dashboard: { uid?: string; title?: string } = {};
  if (dash?.uid !== undefined) dashboard.uid = dash.uid;
  if (dash?.title !== undefined) dashboard.title = dash.title;
  ctx.dashboard = dashboard;
  const tz = str(raw.timezone);
  if (tz !== undefined) ctx.timezone = tz;
  const maxDataPoints =
    panel && typeof panel.raw.maxDataPoints === 'number' && panel.raw.maxDataPoints > 0
      ? panel.raw.maxDataPoints
      : DEFAULT_MAX_DATA_POINTS;
  ctx.maxDataPoints = maxDataPoints;
  let lowLimit = 1;
  const minInterval = panel ? str(panel.raw.interval)?.trim() : undefined;
  if (minInterval) {
    // The min interval may itself be a variable (`$period`): resolve it like Grafana does.
    const text = minInterval.includes('$')
      ? interpolateVariables(
          minInterval,
          { ...ctx, intervalMs: 1000 },
          {
            formatter: 'glob',
            reserved: new Set(),
            deferDunder: false,
            origin: 'panel',
          },
        ).text
      : minInterval;
    const ms = intervalToMs(text);
    if (ms === undefined)
      warnings.push(`panel interval "${minInterval}" is not an interval Grafana reads; ignored`);
    else lowLimit = ms;
  }
  ctx.intervalMs = calculateIntervalMs(toMs - fromMs, maxDataPoints, lowLimit);
  if (target) ctx.target = target.raw;
  return ctx;
}

/** What an alert query needs from its rule: the model and the relative range. */
export interface AlertQueryLike {
  model: Readonly<Record<string, unknown>>;
  relativeTimeRange?: { from?: number; to?: number };
}

/** The context of an alert rule query: now minus its relative range; the model's intervalMs / maxDataPoints. */
export function alertContextFor(query: AlertQueryLike, now: Date): InterpolationContext {
  const nowMs = now.getTime();
  const rel = query.relativeTimeRange ?? {};
  const fromS = typeof rel.from === 'number' ? rel.from : DEFAULT_ALERT_RANGE_SECONDS.from;
  const toS = typeof rel.to === 'number' ? rel.to : DEFAULT_ALERT_RANGE_SECONDS.to;
  const model = query.model;
  const intervalMs =
    typeof model.intervalMs === 'number' && model.intervalMs > 0
      ? model.intervalMs
      : DEFAULT_ALERT_INTERVAL_MS;
  const maxDataPoints =
    typeof model.maxDataPoints === 'number' && model.maxDataPoints > 0
      ? model.maxDataPoints
      : DEFAULT_ALERT_MAX_DATA_POINTS;
  return {
    fromMs: nowMs - fromS * 1000,
    toMs: nowMs - toS * 1000,
    intervalMs,
    maxDataPoints,
    variables: NO_VARIABLES,
    target: model as JsonObject,
  };
}
