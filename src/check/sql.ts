import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  UsageError,
  type DashboardLoad,
  type Finding,
  type QueryColumn,
  type QueryCost,
  type QueryRecord,
  type Severity,
} from '../core/types.js';
import type { DashboardModel } from '../dashboards/model.js';
import type { AlertGroupFile, ProvisionedDatasource } from '../dashboards/provisioning-files.js';
import { withLocation, type LocationParts } from '../lint/location.js';
import { prepareQueries, queryKey, toRecord, type PreparedQuery } from './prepare.js';
import { datasourceTypeMap } from '../sql/extract.js';
import { splitStatements } from '../sql/statements.js';
import type { Engine, ExplainOutcome } from '../clickhouse/port.js';
import { openEngine } from './engine.js';
import { formatChange, formatCount } from '../core/format.js';
import { EngineError, EnginePrepareError, EngineUnavailableError } from '../clickhouse/errors.js';
import { evaluateBudget, projectRows, resolveBudget } from '../clickhouse/budget.js';
import { parseDuration } from '../lint/durations.js';
import { readBaseVersions, type BaseCosts } from './base.js';
import type { CheckOptions } from './types.js';

export interface SqlCheckInput {
  options: CheckOptions;
  dashboards: DashboardModel[];
  alertGroups: AlertGroupFile[];
  datasources: ProvisionedDatasource[];
}

export interface SqlCheckResult {
  findings: Finding[];
  queries: QueryRecord[];
  load: DashboardLoad[];
  engine: string;
}

function locationParts(q: PreparedQuery): LocationParts {
  const s = q.source;
  const parts: LocationParts = {};
  if (q.dashboard) {
    parts.dashboard = {};
    if (q.dashboard.uid !== undefined) parts.dashboard.uid = q.dashboard.uid;
    if (q.dashboard.title !== undefined) parts.dashboard.title = q.dashboard.title;
  }
  if (s.alertRule) parts.alertRule = s.alertRule;
  if (s.panel) {
    parts.panel = {};
    if (s.panel.id !== undefined) parts.panel.id = s.panel.id;
    if (s.panel.title !== undefined) parts.panel.title = s.panel.title;
  }
  if (s.variable?.name !== undefined) parts.variable = s.variable.name;
  if (s.refId !== undefined) parts.refId = s.refId;
  return parts;
}

/** Position in the file of an offset in the raw query text (dashboards: exact; YAML: the query's line). */
function positionOf(q: PreparedQuery, rawOffset: number | undefined): { line: number; column: number } {
  const s = q.source;
  if (rawOffset !== undefined && q.dashboard && s.path)
    return q.dashboard.doc.locateInString(s.path, rawOffset);
  return { line: s.line, column: s.column };
}

function finding(
  q: PreparedQuery,
  rule: string,
  severity: Severity,
  message: string,
  rawOffset?: number,
): Finding {
  const pos = positionOf(q, rawOffset);
  const f: Finding = {
    rule,
    severity,
    message: withLocation(locationParts(q), message),
    file: q.source.file,
    line: pos.line,
    column: pos.column,
  };
  if (q.dashboard?.uid !== undefined) f.dashboardUid = q.dashboard.uid;
  if (q.source.panel?.id !== undefined) f.panelId = q.source.panel.id;
  if (q.source.refId !== undefined) f.refId = q.source.refId;
  return f;
}

interface Statement {
  sql: string;
  file: string;
  line: number;
}

async function readStatements(
  cwd: string,
  files: readonly string[],
  explicit: boolean,
): Promise<Statement[]> {
  const statements: Statement[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(path.resolve(cwd, file), 'utf8');
    } catch (err) {
      if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UsageError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    for (const s of splitStatements(text)) {
      const line = text.slice(0, s.offset + (s.sql.length - s.sql.trimStart().length)).split('\n').length;
      statements.push({ sql: s.sql, file, line });
    }
  }
  return statements;
}

/** Engine set-up failures are the user's to fix (a bad schema line, no chdb here, a wrong password): one line, exit 2. */
function setupError(err: unknown, schema: Statement[], seed: Statement[]): unknown {
  if (err instanceof EnginePrepareError) {
    const at = (err.list === 'schema' ? schema : seed)[err.index];
    const what = err.info ? `${err.info.code} ${err.info.name}: ${err.info.message}` : err.message;
    return new UsageError(at ? `${at.file}:${at.line}: ${err.list} statement failed: ${what}` : err.message);
  }
  if (err instanceof EngineUnavailableError || err instanceof EngineError) return new UsageError(err.message);
  return err;
}

/** Runs EXPLAIN for each query in order, with bounded concurrency (a pool spreads them over processes). */
async function explainAll(
  engine: Engine,
  sqls: readonly string[],
  concurrency: number,
  onDone?: (done: number) => void,
): Promise<ExplainOutcome[]> {
  const results: ExplainOutcome[] = new Array(sqls.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < sqls.length) {
      const i = next++;
      results[i] = await engine.explain(sqls[i]!);
      onDone?.(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results;
}

export async function checkQueries(input: SqlCheckInput): Promise<SqlCheckResult> {
  const { options, dashboards, alertGroups } = input;
  const { config, cwd } = options;
  const now = options.now ?? (config.now ? new Date(config.now) : new Date());
  const types = datasourceTypeMap(input.datasources);
  const prepared = prepareQueries(dashboards, alertGroups, types, now);

  const findings: Finding[] = [];
  const queries: QueryRecord[] = [];
  const runnable: { q: PreparedQuery; rec: QueryRecord }[] = [];
  const contextWarnings = new Set<string>();
  for (const q of prepared) {
    const rec = toRecord(q);
    for (const w of q.warnings) {
      const key = `${q.source.file}\u0000${w}`;
      if (contextWarnings.has(key)) continue;
      contextWarnings.add(key);
      findings.push(finding(q, 'sql-interpolation', 'warning', w));
    }
    queries.push(rec);
    for (const p of q.problems) {
      // Dashboards' unknown variables are the linter's (undefined-variable); alert rules are not linted.
      if (p.kind === 'unknown-variable' && q.source.origin !== 'alert') continue;
      findings.push(finding(q, 'sql-interpolation', p.blocking ? 'error' : 'warning', p.message, p.offset));
    }
    if (q.blocked) {
      rec.status = 'skipped';
      rec.reason = 'could not be interpolated';
      continue;
    }
    // The change filter: SQL the same as on the base is not judged again (check/change.ts).
    if (options.judgeQuery && !options.judgeQuery(rec)) {
      rec.status = 'skipped';
      rec.reason = `unchanged since ${options.base ?? 'the base'}: not judged again`;
      continue;
    }
    runnable.push({ q, rec });
  }

  // Base versions (cost diff) are interpolated the same way and explained by the same engine; only
  // those whose SQL differs from the head's need EXPLAIN (the same SQL costs the same).
  const all: BaseCosts | undefined = options.baseQueries
    ? { queries: options.baseQueries }
    : options.base
      ? await readBaseVersions(options.base, cwd, dashboards, types, now)
      : undefined;
  const headByKey = new Map(runnable.map(({ rec }) => [queryKey(rec), rec]));
  const headSql = new Map([...headByKey].map(([key, rec]) => [key, rec.sql]));
  const sameSql = new Set(all?.queries.filter((b) => headSql.get(b.key) === b.sql).map((b) => b.key));
  const base: BaseCosts | undefined = all && {
    queries: all.queries.filter((b) => headSql.has(b.key) && !sameSql.has(b.key)),
  };

  if (!runnable.length && !base?.queries.length) {
    return { findings, queries, load: dashboardLoad(dashboards, queries), engine: 'none' };
  }

  const engineSpec = options.clickhouse ?? config.clickhouse.engine;
  const explicitSchema = options.schema !== undefined || options.seed !== undefined;
  const schema = await readStatements(
    cwd,
    options.schema ?? config.clickhouse.schema,
    options.schema !== undefined,
  );
  const seed = await readStatements(cwd, options.seed ?? config.clickhouse.seed, options.seed !== undefined);
  const total = runnable.length + (base?.queries.length ?? 0);
  // A server is prepared only when asked (explicit --schema/--seed, or prepareServer), into a scratch database.
  const prepareServer = explicitSchema || Boolean(options.prepareServer);
  let engine: Awaited<ReturnType<typeof openEngine>>;
  options.onStage?.('engine');
  try {
    engine = await openEngine({
      spec: engineSpec,
      config,
      cwd,
      cacheDir: options.engineCacheDir,
      auth: options.clickhouseAuth,
      chdbPath: options.chdbPath,
      queryCount: total,
      schema: schema.map((st) => st.sql),
      seed: seed.map((st) => st.sql),
      prepareServer,
    });
  } catch (err) {
    throw setupError(err, schema, seed);
  }
  try {
    options.onStage?.('explain');
    options.onProgress?.({ done: 0, total });
    const sqls = [...runnable.map((r) => r.q.sql), ...(base?.queries.map((b) => b.sql) ?? [])];
    const outcomes = await explainAll(engine.engine, sqls, engine.concurrency, (done) =>
      options.onProgress?.({ done, total }),
    );
    runnable.forEach(({ q, rec }, i) => judge(q, rec, outcomes[i]!, options, findings));
    if (base) {
      const baseCost = new Map<string, QueryCost>();
      base.queries.forEach((b, i) => {
        const o = outcomes[runnable.length + i]!;
        if (!o.ok) return;
        baseCost.set(b.key, o.cost);
        // The engine adds result columns to its outcome when it reports them (queries[].columns).
        const columns = (o as { columns?: QueryColumn[] }).columns;
        const rec = headByKey.get(b.key);
        if (columns && rec) rec.baseColumns = columns;
      });
      for (const { rec, q } of runnable) {
        const key = queryKey(rec);
        const was = sameSql.has(key) ? rec.cost : baseCost.get(key);
        if (was === undefined || !rec.cost) continue;
        const before = was.rows;
        rec.baseRows = before;
        rec.baseGranules = { ...was.granules };
        rec.costChange = before === 0 ? (rec.cost.rows === 0 ? 0 : 1) : (rec.cost.rows - before) / before;
        rec.regression = rec.costChange > config.budgets.regressionThreshold;
        if (rec.regression) {
          findings.push(
            finding(
              q,
              'sql-cost-regression',
              'warning',
              `reads ${formatCount(rec.cost.rows)} rows, ${formatChange(rec.costChange)} against ${options.base} (${formatCount(before)} rows); threshold +${Math.round(config.budgets.regressionThreshold * 100)}%`,
            ),
          );
        }
      }
    }
    return { findings, queries, load: dashboardLoad(dashboards, queries), engine: engine.engine.description };
  } finally {
    await engine.engine.close();
  }
}

function judge(
  q: PreparedQuery,
  rec: QueryRecord,
  outcome: ExplainOutcome,
  options: CheckOptions,
  findings: Finding[],
) {
  const config = options.config;
  if (!outcome.ok) {
    const e = outcome.error;
    rec.error = { code: e.code, name: e.name, message: e.message };
    if (outcome.kind === 'unsupported') {
      rec.status = 'skipped';
      rec.reason = outcome.reason ?? e.message;
      findings.push(finding(q, 'sql-engine-unsupported', 'info', rec.reason));
      return;
    }
    if (outcome.kind === 'bound-exceeded') {
      // Planning itself (a scalar subquery) ran into max_execution_time / max_rows_to_read: too costly.
      rec.status = 'over-budget';
      findings.push(
        finding(
          q,
          'sql-cost',
          'error',
          `EXPLAIN was stopped at the engine's bound: ${e.code} ${e.name}: ${e.message}`,
        ),
      );
      return;
    }
    rec.status = 'invalid';
    const rule =
      outcome.kind === 'multi-statement'
        ? 'sql-multi-statement'
        : outcome.kind === 'not-select'
          ? 'sql-not-select'
          : 'sql-invalid';
    const rawOffset =
      typeof outcome.position === 'number' && q.mapOffset
        ? q.mapOffset(outcome.position)
        : namedOffset(q.source.text, e.message);
    const text =
      rule === 'sql-invalid' ? `ClickHouse rejected the query: ${e.code} ${e.name}: ${e.message}` : e.message;
    findings.push(finding(q, rule, 'error', text, rawOffset));
    return;
  }
  rec.cost = outcome.cost;
  const budget = resolveBudget(config.budgets, q.dashboard?.uid, q.source.panel?.id);
  const violations = evaluateBudget(outcome.cost, budget, config.budgets.productionRows);
  const projected = projectRows(outcome.cost, config.budgets.productionRows);
  if (projected !== undefined) rec.cost.projectedRows = projected;
  if (violations.length) {
    rec.status = 'over-budget';
    for (const v of violations) findings.push(finding(q, 'sql-cost', config.budgets.severity, v.message));
  }
}

/**
 * ClickHouse names the unknown identifier, table or function in backticks but gives no position:
 * point at its first whole-word occurrence in the panel's own text.
 */
export function namedOffset(raw: string, message: string): number | undefined {
  const name = /`([^`]+)`/.exec(message)?.[1];
  if (!name) return undefined;
  const bare = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : name;
  const re = new RegExp(`(?<![\\w.$])${bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\w)`, 'g');
  const hits = [...raw.matchAll(re)];
  return hits[0]?.index;
}

/** Rows per refresh × refreshes per hour, per dashboard and per query. */
function dashboardLoad(dashboards: readonly DashboardModel[], queries: QueryRecord[]): DashboardLoad[] {
  // Panel queries by dashboard, in one pass (a check can hold thousands of each).
  const key = (file: string, uid: string | undefined) => `${file}\u0000${uid ?? ''}`;
  const byDashboard = new Map<string, QueryRecord[]>();
  for (const q of queries) {
    if (q.origin !== 'panel' || !q.cost) continue;
    const k = key(q.file, q.dashboardUid);
    const list = byDashboard.get(k);
    if (list) list.push(q);
    else byDashboard.set(k, [q]);
  }
  return dashboards.map((d) => {
    const ms = d.refresh ? parseDuration(d.refresh) : undefined;
    const perHour = ms && ms > 0 ? 3_600_000 / ms : 0;
    let rows = 0;
    for (const q of byDashboard.get(key(d.file, d.uid)) ?? []) {
      q.rowsPerHour = Math.round(q.cost!.rows * perHour);
      rows += q.cost!.rows;
    }
    const load: DashboardLoad = {
      file: d.file,
      refreshesPerHour: perHour,
      rowsPerRefresh: rows,
      rowsPerHour: Math.round(rows * perHour),
    };
    if (d.uid !== undefined) load.dashboardUid = d.uid;
    if (d.title !== undefined) load.title = d.title;
    if (d.refresh !== undefined) load.refresh = d.refresh;
    return load;
  });
}
