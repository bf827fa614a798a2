// Query variables without a stored value, resolved the way Grafana resolves them when a dashboard loads:
// in dependency order (a variable whose query reads $other waits for $other), each variable's own query
// run on the test data, its rows filtered by the variable's regex and sorted, then the first option
// taken (All when the variable includes All). Running a query is the caller's: `run` is passed in (the
// engine's read-only, bounded execution); without it nothing runs and each such variable stays
// unresolved, for a stand-in (variables.ts variableStandIn) and one `variable-unresolved` info.

import { isObject, type DashboardModel, type JsonObject } from '../dashboards/model.js';
import {
  extractDashboardQueries,
  interpolateSource,
  type DatasourceTypes,
  type ExtractOptions,
  type QuerySource,
} from './extract.js';
import { ALL_VARIABLE_TEXT, ALL_VARIABLE_VALUE, findVariableRefs, variableIndex } from './variables.js';

/** One option of a query variable, as a datasource's metricFindQuery returns it. */
export interface VariableOption {
  text: string;
  value: string;
}

/**
 * Runs a query variable's interpolated SQL on the test data and returns its options (first column, or
 * the `__text` / `__value` columns). Read-only and bounded by the implementation; undefined when the
 * query could not run.
 */
export type VariableQueryRunner = (query: {
  sql: string;
  variable: string;
  source: QuerySource;
}) => Promise<VariableOption[] | undefined>;

export type UnresolvedReason =
  /** No runner: dashboard-ci does not run variable queries in this configuration. */
  | 'not-run'
  /** Its query is for a datasource dashboard-ci does not query (Prometheus, ...). */
  | 'other-datasource'
  /** The query ran and gave no option (after the regex). */
  | 'no-rows'
  /** The query could not run (an error, or its SQL could not be interpolated). */
  | 'failed'
  /** It reads another variable that has no value. */
  | 'depends'
  /** Its query reads itself, directly or through others. */
  | 'cycle';

export interface UnresolvedVariable {
  name: string;
  reason: UnresolvedReason;
  /** For `depends`: the variable it waits for; `failed`: what went wrong; `no-rows`: what the regex dropped. */
  detail?: string;
}

export interface VariableResolution {
  /** templating.list with `current` and `options` filled for every variable resolution gave a value. */
  variables: JsonObject[];
  /** Names in the order they were resolved (dependencies first). */
  order: string[];
  unresolved: UnresolvedVariable[];
  /**
   * The raw query text of each variable that waited for its query, and the variables it reads: what a
   * stand-in stands for, so two versions of a dashboard can be compared without running anything.
   */
  queries: Map<string, { text: string; deps: string[] }>;
}

/** `/pattern/flags` as Grafana stores a variable's regex (stringToJsRegex); a bare pattern too. */
export function variableRegex(text: string): RegExp | undefined {
  if (text.trim() === '') return undefined;
  const m = /^\/(.*)\/([gimsuy]*)$/s.exec(text);
  try {
    return m ? new RegExp(m[1]!, m[2]!.replace('g', '')) : new RegExp(text);
  } catch {
    return undefined;
  }
}

/**
 * Grafana's option filtering (metricNamesToVariableValues): with a regex, options whose text does not
 * match are dropped; named groups `text` / `value`, else the first group, give the option; duplicates
 * by value are dropped.
 */
export function filterOptions(options: readonly VariableOption[], regex: string): VariableOption[] {
  const re = variableRegex(regex);
  const out: VariableOption[] = [];
  const seen = new Set<string>();
  for (const o of options) {
    let { text, value } = o;
    if (re) {
      const m = re.exec(text) ?? re.exec(value);
      if (!m) continue;
      const groups = m.groups ?? {};
      if (groups.value !== undefined || groups.text !== undefined) {
        value = groups.value ?? groups.text!;
        text = groups.text ?? groups.value!;
      } else if (m[1] !== undefined) {
        value = m[1];
        text = m[1];
      }
    }
    if (seen.has(value)) continue;
    seen.add(value);
    out.push({ text, value });
  }
  return out;
}

/** Grafana's variable `sort`: 1/2 alphabetical, 3/4 numerical, 5/6 alphabetical case-insensitive. */
export function sortOptions(options: VariableOption[], sort: number): VariableOption[] {
  const num = (o: VariableOption): number => {
    const m = /.*?(\d+).*/.exec(o.text);
    return m ? Number(m[1]) : -1;
  };
  const by: Record<number, (a: VariableOption, b: VariableOption) => number> = {
    1: (a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0),
    3: (a, b) => num(a) - num(b),
    5: (a, b) => a.text.toLowerCase().localeCompare(b.text.toLowerCase()),
  };
  const asc = by[sort % 2 === 1 ? sort : sort - 1];
  if (!asc) return options;
  const sorted = [...options].sort(asc);
  return sort % 2 === 0 ? sorted.reverse() : sorted;
}

/** Names of the dashboard variables a query variable's text refers to. */
function dependencies(source: QuerySource, names: ReadonlySet<string>, self: string): string[] {
  const deps = new Set<string>();
  for (const ref of findVariableRefs(source.text))
    if (names.has(ref.name) && ref.name !== self) deps.add(ref.name);
  return [...deps];
}

/**
 * Resolves the dashboard's query variables that have no stored value. Variables are visited in
 * dependency order; a variable is run only once every variable it reads has a value. Returns the
 * list to interpolate with and what stayed unresolved, with why.
 */
export async function resolveVariables(
  dash: DashboardModel,
  now: Date,
  datasourceTypes: DatasourceTypes,
  run?: VariableQueryRunner,
  extract: ExtractOptions = {},
): Promise<VariableResolution> {
  const stored =
    isObject(dash.raw.templating) && Array.isArray(dash.raw.templating.list)
      ? (dash.raw.templating.list as JsonObject[])
      : [];
  const variables = stored.map((v) => (isObject(v) ? { ...v } : v)) as JsonObject[];
  const sources = new Map<string, QuerySource>();
  for (const s of extractDashboardQueries(dash, datasourceTypes, extract)) {
    if (s.origin === 'variable' && s.variable?.name !== undefined) sources.set(s.variable.name, s);
  }
  const names = new Set(variables.flatMap((v) => (typeof v.name === 'string' ? [v.name] : [])));
  // The variables whose value only running their query gives: the same test interpolation uses for a stand-in.
  const byName = variableIndex(variables).byName;
  const pending = new Map<string, JsonObject>();
  for (const v of variables) {
    if (typeof v.name !== 'string' || byName.get(v.name)?.raw !== v || !byName.get(v.name)!.unresolved)
      continue;
    pending.set(v.name, v);
  }
  const order: string[] = [];
  const unresolved: UnresolvedVariable[] = [];
  const failed = new Set<string>();
  const deps = new Map<string, string[]>();
  for (const name of pending.keys()) {
    const src = sources.get(name);
    deps.set(name, src ? dependencies(src, names, name).filter((d) => pending.has(d)) : []);
  }
  const queries = new Map<string, { text: string; deps: string[] }>();
  for (const name of pending.keys()) {
    const src = sources.get(name);
    if (src) queries.set(name, { text: src.text, deps: deps.get(name)! });
  }
  const done = new Set<string>();
  // Kahn's order, stable in list order: each round takes the first variable whose dependencies are done.
  while (done.size < pending.size) {
    const next = [...pending.keys()].find((n) => !done.has(n) && deps.get(n)!.every((d) => done.has(d)));
    if (next === undefined) {
      for (const n of pending.keys()) if (!done.has(n)) unresolved.push({ name: n, reason: 'cycle' });
      break;
    }
    done.add(next);
    order.push(next);
    const blocker = deps.get(next)!.find((d) => failed.has(d));
    if (blocker !== undefined) {
      failed.add(next);
      unresolved.push({ name: next, reason: 'depends', detail: blocker });
      continue;
    }
    const src = sources.get(next);
    if (!run || !src) {
      failed.add(next);
      unresolved.push({ name: next, reason: src ? 'not-run' : 'other-datasource' });
      continue;
    }
    // A fresh array each time: variableIndex memoises on the array, and values change as we go.
    const result = interpolateSource(src, now, [...variables]);
    if (result.problems.some((p) => p.blocking)) {
      failed.add(next);
      unresolved.push({
        name: next,
        reason: 'failed',
        detail: result.problems.find((p) => p.blocking)!.message,
      });
      continue;
    }
    let options: VariableOption[] | undefined;
    try {
      options = await run({ sql: result.sql, variable: next, source: src });
    } catch (err) {
      failed.add(next);
      unresolved.push({ name: next, reason: 'failed', detail: (err as Error).message });
      continue;
    }
    const raw = pending.get(next)!;
    const filtered = sortOptions(
      filterOptions(options ?? [], typeof raw.regex === 'string' ? raw.regex : ''),
      typeof raw.sort === 'number' ? raw.sort : 0,
    );
    if (filtered.length === 0) {
      failed.add(next);
      const regex = typeof raw.regex === 'string' ? raw.regex.trim() : '';
      const u: UnresolvedVariable = { name: next, reason: options === undefined ? 'failed' : 'no-rows' };
      if (options?.length && regex !== '') u.detail = `its regex ${regex} kept none of ${options.length}`;
      unresolved.push(u);
      continue;
    }
    // Grafana selects the first option when the stored one is not among them; with All, All comes first.
    const all = raw.includeAll === true;
    const first = filtered[0]!;
    const multi = raw.multi === true;
    const value = all ? ALL_VARIABLE_VALUE : first.value;
    const text = all ? ALL_VARIABLE_TEXT : first.text;
    raw.current = multi ? { text: [text], value: [value] } : { text, value };
    raw.options = filtered.map((o) => ({ text: o.text, value: o.value, selected: false }));
  }
  // A fresh array: variableIndex memoises on the array, and the stored list keeps its own index.
  const list = [...variables];
  variableIndex(list);
  return { variables: list, order, unresolved, queries };
}
