// A query variable's own query, run the way Grafana runs it when a dashboard loads, but only on the
// test data in the sandboxed engine: through Engine.execute() (the same single-statement, AST and
// deny-list gates as EXPLAIN; read-only; bounded in rows read, time, memory and result rows), with
// `variable: true` so the read-only statements Grafana runs for variables (SHOW TABLES, SHOW
// DATABASES, DESCRIBE, EXISTS) pass there and nowhere else. Rows become options as each plugin's
// metricFindQuery makes them.

import type { Engine, ExecuteResult } from '../clickhouse/port.js';
import { ALTINITY_PLUGIN } from '../sql/extract.js';
import type { VariableOption, VariableQueryRunner } from '../sql/resolve-variables.js';

/**
 * Rows a variable query may return to dashboard-ci. Grafana takes them all; the first option after the
 * regex and the sort is all the check needs, and past this many the sort may miss the true first.
 */
export const VARIABLE_RESULT_ROWS = 1000;

/** Why a variable query gave no options: the engine's own reason, one line. */
export class VariableQueryError extends Error {}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/**
 * Options from a result, as the plugin makes them:
 * - grafana-clickhouse-datasource (CHDatasource.metricFindQuery, grafana/clickhouse-datasource
 *   src/data/CHDatasource.ts): one column gives text = value; with more, "assume the first field is an
 *   id field": value from the first column, text from the second.
 * - vertamedia-clickhouse-datasource (ResponseParser.parse, Altinity/clickhouse-grafana
 *   src/datasource/response_parser.ts @ 9ad2c8c4): exactly two columns `__text` and `__value` give
 *   text and value; otherwise the first column is the text (Grafana uses the text as the value).
 */
export function optionsFromResult(result: ExecuteResult, datasourceType: string): VariableOption[] {
  const names = result.columns.map((c) => c.name);
  if (names.length === 0) return [];
  if (datasourceType === ALTINITY_PLUGIN) {
    const t = names.indexOf('__text');
    const v = names.indexOf('__value');
    if (names.length === 2 && t >= 0 && v >= 0)
      return result.rows.map((r) => ({ text: cell(r[t]), value: cell(r[v]) }));
    return result.rows.map((r) => ({ text: cell(r[0]), value: cell(r[0]) }));
  }
  if (names.length === 1) return result.rows.map((r) => ({ text: cell(r[0]), value: cell(r[0]) }));
  return result.rows.map((r) => ({ text: cell(r[1]), value: cell(r[0]) }));
}

/**
 * A runner over the engine's execute(). The same SQL is run once per check (the head's and the base's
 * dashboards, and dashboards sharing a variable, read the same options). A query the engine refuses
 * or cannot run throws VariableQueryError with its reason: the variable keeps its stand-in.
 */
export function engineVariableRunner(engine: Engine): VariableQueryRunner {
  const memo = new Map<string, Promise<VariableOption[]>>();
  const run = async (sql: string, datasourceType: string): Promise<VariableOption[]> => {
    const outcome = await engine.execute(sql, { variable: true, maxResultRows: VARIABLE_RESULT_ROWS });
    if (!outcome.ok) {
      const why = outcome.reason ?? `${outcome.error.code} ${outcome.error.name}: ${outcome.error.message}`;
      throw new VariableQueryError(why);
    }
    return optionsFromResult(outcome.result, datasourceType);
  };
  return ({ sql, source }) => {
    const key = `${source.datasourceType}\u0000${sql}`;
    let p = memo.get(key);
    if (!p) {
      p = run(sql, source.datasourceType);
      memo.set(key, p);
    }
    return p;
  };
}
