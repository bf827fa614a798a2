import type { JsonObject } from '../dashboards/model.js';

/** The two ClickHouse datasource plugins whose SQL dashboard-ci interpolates. */
export type SqlPlugin = 'grafana-clickhouse-datasource' | 'vertamedia-clickhouse-datasource';

/** Where the SQL lives: a panel target, a template variable, an alert rule query. */
export type SqlOrigin = 'panel' | 'variable' | 'alert';

/** Everything interpolation needs to turn a panel's text into concrete SQL. */
export interface InterpolationContext {
  /** Query time range in epoch milliseconds (from the dashboard's default time range). */
  fromMs: number;
  toMs: number;
  /** Panel interval in milliseconds ($__interval). */
  intervalMs: number;
  /** The dashboard's template variables, as stored in templating.list. */
  variables: readonly JsonObject[];
  dashboard?: { uid?: string; title?: string };
  /** Altinity plugin target fields ($table, $dateTimeCol...). */
  target?: JsonObject;
  /** Max data points of the request (Altinity's interval fallback); default 1000. */
  maxDataPoints?: number;
  /** Dashboard time zone as Grafana stores it (`utc`, `browser`, an IANA name); dates are computed in UTC. */
  timezone?: string;
  /** Things about the context itself that could not be read (a bad `time.from`), each one line. */
  warnings?: string[];
}

export type InterpolationProblemKind =
  /** `$foo` / `${foo}` / `[[foo]]` names no variable, built-in or macro. */
  | 'unknown-variable'
  /** `$__foo` is no macro of the plugin. */
  | 'unknown-macro'
  /** A macro called with the wrong number of arguments. */
  | 'macro-arguments'
  /** A macro whose arguments or context are wrong (bad duration, no table in context...). */
  | 'macro-error'
  /** A macro dashboard-ci does not reproduce (Altinity whole-query macros). */
  | 'unsupported-macro'
  /**
   * A query variable with no value (none stored, none resolved) where no stand-in can take its place
   * (it names a table or database): the query cannot be judged.
   */
  | 'unresolved-variable';

/** Something that could not be expanded: a finding at its offset in the source text. */
export interface InterpolationProblem {
  /** 0-based offset into the raw (un-interpolated) text. */
  offset: number;
  message: string;
  /** The variable the problem is about (`unresolved-variable`). */
  variable?: string;
  kind?: InterpolationProblemKind;
  /**
   * True when the text left in the SQL is not SQL ClickHouse can parse (a macro left as is),
   * so EXPLAIN would only repeat the problem as a syntax error.
   */
  blocking?: boolean;
}

export interface InterpolationResult {
  sql: string;
  problems: InterpolationProblem[];
  /** Variables without a value that a stand-in replaced (or that blocked the query), by name. */
  unresolved?: string[];
  /** Maps a 0-based offset in `sql` back to the raw text (start of the replaced token inside a replacement). */
  mapOffset?(offset: number): number;
  /** How the SQL reads the time range, when it does (no-data-on-seed asks the test data about that range). */
  timeRange?: TimeRangeUse;
}

/**
 * Where the interpolated SQL uses the query's time range: the conditions time-filter macros expanded
 * to ($__timeFilter(c) → `c >= toDateTime(…) AND c <= toDateTime(…)`), and whether it reads the range
 * some other way ($__fromTime, ${__from}, Altinity's $from...), which no condition of its own captures.
 */
export interface TimeRangeUse {
  filters: string[];
  other: boolean;
}
