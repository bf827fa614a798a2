import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  UsageError,
  type DashboardLoad,
  type Finding,
  type Fix,
  type QueryCost,
  type QueryRecord,
  type Severity,
} from '../core/types.js';
import type { DashboardModel, JsonObject } from '../dashboards/model.js';
import type { UnresolvedVariable, VariableQueryRunner } from '../sql/resolve-variables.js';
import { engineVariableRunner } from './variable-runner.js';
import type { AlertGroupFile, ProvisionedDatasource } from '../dashboards/provisioning-files.js';
import { locationPrefix, withLocation, type LocationParts } from '../lint/location.js';
import { MissingTables, missingTableOf, type FindingPlace } from './missing-tables.js';
import { createServerSource } from '../schema/source.js';
import { schemaDrift } from '../schema/drift.js';
import {
  prepareQueries,
  queryKey,
  toRecord,
  type PrepareOptions,
  type PreparedQuery,
  type UnresolvedByDashboard,
} from './prepare.js';
import { datasourceTypeMap } from '../sql/extract.js';
import { splitStatements } from '../sql/statements.js';
import { timeFilterInsertion, timePartitionColumn } from '../sql/time-filter-fix.js';
import type { Engine, ExplainOutcome } from '../clickhouse/port.js';
import { leadingKeyword } from '../clickhouse/explain.js';
import { openEngine } from './engine.js';
import { mapConcurrent } from './concurrency.js';
import { checkNoData } from './no-data.js';
import { resolveNow } from '../core/clock.js';
import { formatChange, formatCount } from '../core/format.js';
import { EngineError, EnginePrepareError, EngineUnavailableError } from '../clickhouse/errors.js';
import { evaluateBudget, projectRows, resolveBudget } from '../clickhouse/budget.js';
import { parseDuration } from '../lint/durations.js';
import { readBaseVersions, type BaseCosts } from './base.js';
import type { CheckOptions } from './types.js';
import { knownPanels, resultFormat, type TargetResult } from './panel-columns.js';
import {
  alertDataShape,
  panelDataShape,
  RULE as DATA_SHAPE,
  type AlertQueryResult,
} from './rules/panel-data-shape.js';
import { fieldReference } from './rules/field-reference.js';

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

/** Where a query's findings go: file, position (of `rawOffset` in its text, else of the text) and ids. */
function findingPlace(q: PreparedQuery, rawOffset?: number): FindingPlace {
  const pos = positionOf(q, rawOffset);
  const f: FindingPlace = { file: q.source.file, line: pos.line, column: pos.column };
  if (q.dashboard?.uid !== undefined) f.dashboardUid = q.dashboard.uid;
  if (q.source.panel?.id !== undefined) f.panelId = q.source.panel.id;
  if (q.source.refId !== undefined) f.refId = q.source.refId;
  return f;
}

function finding(
  q: PreparedQuery,
  rule: string,
  severity: Severity,
  message: string,
  rawOffset?: number,
): Finding {
  return { rule, severity, message: withLocation(locationParts(q), message), ...findingPlace(q, rawOffset) };
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
      // The statement's line is its first keyword's, past leading blank lines and comments.
      const lead = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(s.sql)![0].length;
      const line = text.slice(0, s.offset + lead).split('\n').length;
      statements.push({ sql: s.sql, file, line });
    }
  }
  return statements;
}

/** Engine set-up failures are the user's to fix (a bad schema line, no chdb here, a wrong password): one line, exit 2. */
function setupError(err: unknown, schema: Statement[], seed: Statement[]): unknown {
  if (err instanceof EnginePrepareError) {
    const at = (err.list === 'schema' ? schema : seed)[err.index];
    if (!at) return new UsageError(err.message);
    // Refused by the schema/seed rules (schema-policy.ts): nothing of it ran.
    if (err.refusal) {
      return new UsageError(
        `${at.file}:${at.line}: ${err.list} statement refused (${err.refusal.kind}): ${err.refusal.reason}`,
      );
    }
    const what = err.info ? `${err.info.code} ${err.info.name}: ${err.info.message}` : err.message;
    return new UsageError(`${at.file}:${at.line}: ${err.list} statement failed: ${what}`);
  }
  if (err instanceof EngineUnavailableError || err instanceof EngineError) return new UsageError(err.message);
  return err;
}

/** Runs EXPLAIN for each query in order, with bounded concurrency (a pool spreads them over processes). */
function explainAll(
  engine: Engine,
  sqls: readonly string[],
  concurrency: number,
  onDone?: (done: number) => void,
): Promise<ExplainOutcome[]> {
  return mapConcurrent(sqls, concurrency, (sql) => engine.explain(sql), onDone);
}

/** What an unresolved variable's query may still give once the engine runs it. */
const RUNNABLE_REASONS: ReadonlySet<UnresolvedVariable['reason']> = new Set(['not-run', 'depends']);

/** Whether the check judges a query, decided on its stand-in SQL before any engine runs. */
interface Decision {
  /** The change filter's verdict (true without one). */
  judge: boolean;
  /** The change filter's comparison, kept for the record expanded later. */
  change?: QueryRecord['change'];
  /** It goes to the engine: judged, not hidden, and runnable now or once its variables have values. */
  candidate: boolean;
}

/** Blocked only by table-naming variables that running their queries may give a value. */
function waitsForVariables(q: PreparedQuery, unresolved: UnresolvedByDashboard): boolean {
  if (!q.blocked || !q.dashboard) return false;
  const runnable = new Set(
    (unresolved.get(q.dashboard) ?? []).filter((u) => RUNNABLE_REASONS.has(u.reason)).map((u) => u.name),
  );
  return q.problems
    .filter((p) => p.blocking)
    .every((p) => p.kind === 'unresolved-variable' && p.variable !== undefined && runnable.has(p.variable));
}

function decide(q: PreparedQuery, options: CheckOptions, unresolved: UnresolvedByDashboard): Decision {
  const d: Decision = { judge: true, candidate: false };
  if (options.judgeQuery) {
    // The base was expanded with stand-ins too: compare like with like (check/change.ts).
    const probe = toRecord(q);
    probe.sql = q.compareSql ?? q.sql;
    d.judge = options.judgeQuery(probe);
    if (probe.change !== undefined) d.change = probe.change;
  }
  d.candidate = d.judge && !q.source.hidden && (!q.blocked || waitsForVariables(q, unresolved));
  return d;
}

/**
 * The queries of the dashboards that have a query to judge and a variable whose query may give it a
 * value, expanded again with the runner (Grafana's order: variables first, dependencies first). Other
 * queries keep their stand-ins; `unresolved` is updated to what running left without a value.
 */
async function resolveWithEngine(
  prepared: PreparedQuery[],
  decisions: readonly Decision[],
  unresolved: UnresolvedByDashboard,
  prepare: (dashboards: DashboardModel[], out: UnresolvedByDashboard) => Promise<PreparedQuery[]>,
): Promise<PreparedQuery[]> {
  const wanted = new Set<DashboardModel>();
  prepared.forEach((q, i) => {
    const d = q.dashboard;
    if (d && decisions[i]!.candidate && unresolved.get(d)?.some((u) => RUNNABLE_REASONS.has(u.reason)))
      wanted.add(d);
  });
  if (wanted.size === 0) return prepared;
  const after: UnresolvedByDashboard = new Map();
  const again = await prepare([...wanted], after);
  // The same sources in the same order: values change, never which queries a dashboard has.
  const queue = new Map<DashboardModel, PreparedQuery[]>();
  for (const q of again) {
    const list = queue.get(q.dashboard!);
    if (list) list.push(q);
    else queue.set(q.dashboard!, [q]);
  }
  const out = prepared.map((q) => {
    if (!q.dashboard || !wanted.has(q.dashboard)) return q;
    const next = queue.get(q.dashboard)?.shift();
    return next && next.source.path.join('.') === q.source.path.join('.') ? next : q;
  });
  for (const d of wanted) {
    const left = after.get(d);
    if (left) unresolved.set(d, left);
    else unresolved.delete(d);
  }
  return out;
}

export async function checkQueries(input: SqlCheckInput): Promise<SqlCheckResult> {
  const { options, dashboards, alertGroups } = input;
  const { config, cwd } = options;
  const now = resolveNow({
    now: options.now,
    configNow: config.now,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const types = datasourceTypeMap(input.datasources);
  const defaultType = input.datasources.find((d) => d.isDefault === true)?.type;
  const prepareOptions: PrepareOptions =
    defaultType !== undefined ? { defaultDatasourceType: defaultType } : {};
  // First with stand-ins for variables without a stored value: which queries are judged is decided
  // before any engine runs (no engine when no SQL changed). Their queries run only once an engine is
  // started for the check anyway.
  const unresolvedVariables: UnresolvedByDashboard = new Map();
  let prepared = await prepareQueries(
    dashboards,
    alertGroups,
    types,
    now,
    prepareOptions,
    unresolvedVariables,
  );
  const decisions = prepared.map((q) => decide(q, options, unresolvedVariables));
  const candidates = decisions.filter((d) => d.candidate).length;

  let engine: Awaited<ReturnType<typeof openEngine>> | undefined;
  const engineSpec = options.clickhouse ?? config.clickhouse.engine;
  let schema: Statement[] = [];
  let seed: Statement[] = [];
  // A server checked as it is (no scratch schema): a missing table is missing there, not from a schema file.
  let serverUnprepared = false;
  if (candidates > 0) {
    const explicitSchema = options.schema !== undefined || options.seed !== undefined;
    schema = await readStatements(
      cwd,
      options.schema ?? config.clickhouse.schema,
      options.schema !== undefined,
    );
    seed = await readStatements(cwd, options.seed ?? config.clickhouse.seed, options.seed !== undefined);
    // A server is prepared only when asked (explicit --schema/--seed, or prepareServer), into a scratch database.
    const prepareServer = explicitSchema || Boolean(options.prepareServer);
    serverUnprepared = engineSpec !== 'embedded' && !prepareServer;
    options.onStage?.('engine');
    try {
      engine = await openEngine({
        spec: engineSpec,
        config,
        cwd,
        cacheDir: options.engineCacheDir,
        auth: options.clickhouseAuth,
        chdbPath: options.chdbPath,
        queryCount: candidates,
        schema: schema.map((st) => st.sql),
        seed: seed.map((st) => st.sql),
        prepareServer,
      });
    } catch (err) {
      throw setupError(err, schema, seed);
    }
  }
  try {
    let runner: VariableQueryRunner | undefined;
    if (engine) {
      const run = engineVariableRunner(engine.engine);
      const before = prepared;
      prepared = await resolveWithEngine(prepared, decisions, unresolvedVariables, (list, out) =>
        prepareQueries(list, [], types, now, { ...prepareOptions, runVariableQuery: run }, out),
      );
      if (prepared.some((q, i) => q !== before[i])) runner = run;
    }
    const findings: Finding[] = [];
    const queries: QueryRecord[] = [];
    const runnable: { q: PreparedQuery; rec: QueryRecord }[] = [];
    const contextWarnings = new Set<string>();
    // Each panel target's record, for the rules that judge a panel's queries together (result shape).
    const byTarget = new Map<object, TargetResult>();
    prepared.forEach((q, i) => {
      const rec = toRecord(q);
      if (q.source.target)
        byTarget.set(q.source.target, {
          record: rec,
          datasourceType: q.source.datasourceType,
          hidden: q.source.hidden === true,
        });
      const decision = decisions[i]!;
      if (decision.change !== undefined) rec.change = decision.change;
      for (const w of q.warnings) {
        const key = `${q.source.file}\u0000${w}`;
        if (contextWarnings.has(key)) continue;
        contextWarnings.add(key);
        findings.push(finding(q, 'sql-interpolation', 'warning', w));
      }
      queries.push(rec);
      if (q.source.hidden) {
        // Not run by Grafana, so nothing about it can fail in Grafana.
        rec.status = 'skipped';
        rec.reason = 'hidden (hide: true): Grafana does not send a hidden query to the datasource';
        return;
      }
      for (const p of q.problems) {
        // Dashboards' unknown variables are the linter's (undefined-variable); alert rules are not linted.
        if (p.kind === 'unknown-variable' && q.source.origin !== 'alert') continue;
        // Said once per variable (variable-unresolved), not once per query that reads it.
        if (p.kind === 'unresolved-variable') continue;
        // A macro dashboard-ci does not reproduce is its own limit, not the dashboard's fault: an info.
        const severity = p.kind === 'unsupported-macro' ? 'info' : p.blocking ? 'error' : 'warning';
        findings.push(finding(q, 'sql-interpolation', severity, p.message, p.offset));
      }
      if (q.blocked) {
        rec.status = 'skipped';
        const why = q.problems.find(
          (p) => p.kind === 'unsupported-macro' || p.kind === 'unresolved-variable',
        );
        rec.reason = why ? why.message : 'could not be interpolated';
        return;
      }
      // The change filter: SQL the same as on the base is not judged again (check/change.ts).
      if (!decision.judge) {
        rec.status = 'skipped';
        rec.reason = `unchanged since ${options.base ?? 'the base'}: not judged again`;
        return;
      }
      runnable.push({ q, rec });
    });

    findings.push(...unresolvedFindings(unresolvedVariables, prepared, engine !== undefined));

    // Base versions (cost diff) are interpolated the same way (variables resolved by the same runner)
    // and explained by the same engine; only those whose SQL differs from the head's need EXPLAIN.
    const baseOptions: PrepareOptions = runner
      ? { ...prepareOptions, runVariableQuery: runner }
      : prepareOptions;
    const all: BaseCosts | undefined = !runnable.length
      ? undefined
      : options.baseQueries
        ? { queries: await options.baseQueries(runner) }
        : options.base
          ? await readBaseVersions(options.base, cwd, dashboards, types, now, baseOptions)
          : undefined;
    const headByKey = new Map(runnable.map(({ rec }) => [queryKey(rec), rec]));
    const headSql = new Map([...headByKey].map(([key, rec]) => [key, rec.sql]));
    const sameSql = new Set(all?.queries.filter((b) => headSql.get(b.key) === b.sql).map((b) => b.key));
    const base: BaseCosts | undefined = all && {
      queries: all.queries.filter((b) => headSql.has(b.key) && !sameSql.has(b.key)),
    };

    if (!engine || (!runnable.length && !base?.queries.length)) {
      return {
        findings,
        queries,
        load: dashboardLoad(dashboards, queries),
        engine: engine ? engine.engine.description : 'none',
      };
    }
    const opened = engine;
    const total = runnable.length + (base?.queries.length ?? 0);
    if (engineSpec !== 'embedded' && schema.length > 0) {
      findings.push(...(await driftAgainst(engineSpec, options, schema)));
    }
    options.onStage?.('explain');
    options.onProgress?.({ done: 0, total });
    const sqls = [...runnable.map((r) => r.q.sql), ...(base?.queries.map((b) => b.sql) ?? [])];
    const outcomes = await explainAll(opened.engine, sqls, opened.concurrency, (done) =>
      options.onProgress?.({ done, total }),
    );
    await tryAlternatives(opened.engine, opened.concurrency, runnable, outcomes, findings);
    const missing = new MissingTables();
    runnable.forEach(({ q, rec }, i) => {
      const outcome = outcomes[i]!;
      const table =
        !outcome.ok && outcome.kind === 'invalid' ? missingTableOf(outcome.error, q.sql) : undefined;
      // The engine's own system tables are the engine's to judge (a schema file cannot add them).
      if (table === undefined || outcome.ok || /^(system|information_schema)\./i.test(table))
        return judge(q, rec, outcome, options, findings);
      // Said once per table below; the query itself is skipped with the reason.
      rec.status = 'skipped';
      rec.error = { ...outcome.error };
      rec.reason = `reads ${table}, which ${serverUnprepared ? 'does not exist on the server' : 'is not in the test schema'}`;
      missing.add(table, {
        where: locationPrefix(locationParts(q)) || q.source.file,
        finding: findingPlace(q),
      });
    });
    findings.push(
      ...missing.findings(
        schema.length
          ? [...new Set(schema.map((st) => st.file))]
          : [...(options.schema ?? config.clickhouse.schema)],
        serverUnprepared ? opened.engine.description : undefined,
      ),
    );
    const known = knownPanels(dashboards, byTarget);
    findings.push(...panelDataShape(known), ...fieldReference(known));
    findings.push(...alertShapeFindings(alertGroups, runnable));
    // no-data-on-seed: only on data the tool loaded itself (a seed), where the engine may run queries.
    const seeded = seed.some((st) => st.sql.trim());
    if (config.clickhouse.execute && seeded && !serverUnprepared) {
      options.onStage?.('execute');
      for (const f of await checkNoData(opened.engine, opened.concurrency, runnable)) {
        findings.push(finding(f.q, 'no-data-on-seed', 'warning', f.message));
      }
    }
    if (base) {
      const baseCost = new Map<string, QueryCost>();
      base.queries.forEach((b, i) => {
        const o = outcomes[runnable.length + i]!;
        if (!o.ok) return;
        baseCost.set(b.key, o.cost);
        const rec = headByKey.get(b.key);
        if (rec) rec.baseColumns = o.columns;
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
    return { findings, queries, load: dashboardLoad(dashboards, queries), engine: opened.engine.description };
  } finally {
    await engine?.engine.close();
  }
}

/**
 * A query ClickHouse refuses may still be valid in another form Grafana sends for the same text (an
 * Altinity plugin version that formats variables differently): the first alternative ClickHouse takes
 * becomes the verdict, with an info that says the query depends on that form.
 */
async function tryAlternatives(
  engine: Engine,
  concurrency: number,
  runnable: readonly { q: PreparedQuery; rec: QueryRecord }[],
  outcomes: ExplainOutcome[],
  findings: Finding[],
): Promise<void> {
  const retry = runnable.flatMap(({ q }, i) => {
    const o = outcomes[i]!;
    return !o.ok && o.kind === 'invalid' && q.alternatives?.length ? [i] : [];
  });
  if (retry.length === 0) return;
  const tried = await explainAll(
    engine,
    retry.map((i) => runnable[i]!.q.alternatives![0]!.sql),
    concurrency,
  );
  retry.forEach((i, k) => {
    const outcome = tried[k]!;
    const before = outcomes[i]!;
    if (!outcome.ok || before.ok) return;
    const { q, rec } = runnable[i]!;
    const alt = q.alternatives![0]!;
    findings.push(
      finding(
        q,
        'sql-interpolation',
        'info',
        `valid ${alt.note}; the form the current plugin sends is refused: ${before.error.code} ${before.error.name}: ${before.error.message}`,
      ),
    );
    q.sql = alt.sql;
    q.mapOffset = alt.mapOffset;
    rec.sql = alt.sql;
    outcomes[i] = outcome;
  });
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
    if (outcome.kind === 'unsupported' || outcome.kind === 'refused') {
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
    if (e.code === DEPRECATED_FUNCTION) {
      // Depends on the server's settings, not only on the SQL: the servers that allow it run the query.
      rec.status = 'skipped';
      rec.reason = `${e.name}: not judged further: ${e.message}`;
      const hint =
        q.source.datasourceType === 'vertamedia-clickhouse-datasource'
          ? "; for the Altinity plugin's macros, turn on 'Use window functions' (useWindowFuncForMacros)"
          : '';
      findings.push(
        finding(
          q,
          'sql-invalid',
          'warning',
          `ClickHouse ${e.code} ${e.name}: ${e.message}. A server without allow_deprecated_error_prone_window_functions = 1 refuses this query${hint}`,
        ),
      );
      return;
    }
    if (outcome.kind === 'not-select' && readOnlyVariableStatement(q)) {
      // ClickHouse parsed it (EXPLAIN AST); EXPLAIN itself cannot plan a SHOW, so there is no cost.
      rec.status = 'ok';
      delete rec.error;
      rec.reason = `a read-only ${leadingKeyword(q.sql)} statement, which Grafana runs for the variable's values: parsed by ClickHouse, no cost`;
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
  rec.columns = outcome.columns;
  const budget = resolveBudget(config.budgets, q.dashboard?.uid, q.source.panel?.id);
  const violations = evaluateBudget(outcome.cost, budget, config.budgets.productionRows);
  const projected = projectRows(outcome.cost, config.budgets.productionRows);
  if (projected !== undefined) rec.cost.projectedRows = projected;
  if (violations.length) {
    rec.status = 'over-budget';
    const fix = timeFilterFix(q, outcome.cost);
    for (const v of violations) {
      const f = finding(q, 'sql-cost', config.budgets.severity, v.message);
      // The one fix of the query, on each finding it answers (one object: applied once).
      if (fix && (v.table === undefined || v.table === fix.table)) f.fix = fix.fix;
      findings.push(f);
    }
  }
}

/** panel-data-shape for alert rules: each finding at the alert query it is about. */
function alertShapeFindings(
  groups: readonly AlertGroupFile[],
  runnable: readonly { q: PreparedQuery; rec: QueryRecord }[],
): Finding[] {
  const byQuery = new Map<object, PreparedQuery>();
  const results: AlertQueryResult[] = [];
  for (const { q, rec } of runnable) {
    const query = q.source.alertQuery;
    if (q.source.origin !== 'alert' || !query || !rec.columns) continue;
    byQuery.set(query, q);
    const r: AlertQueryResult = {
      query,
      datasourceType: q.source.datasourceType,
      format: resultFormat(q.source.datasourceType, query.model as JsonObject),
      columns: rec.columns,
    };
    if (q.source.refId !== undefined) r.refId = q.source.refId;
    results.push(r);
  }
  return alertDataShape(groups, results).map(({ result, message }) =>
    finding(byQuery.get(result.query)!, DATA_SHAPE, 'error', message),
  );
}

/**
 * `$__timeFilter(col)` for a panel query of the official plugin that reads one table partitioned by
 * time and pruned nothing of it (src/sql/time-filter-fix.ts says when the insertion is unambiguous).
 */
function timeFilterFix(q: PreparedQuery, cost: QueryCost): { fix: Fix; table: string } | undefined {
  const s = q.source;
  if (s.origin !== 'panel' || !q.dashboard || s.path.length === 0) return undefined;
  if (s.datasourceType !== 'grafana-clickhouse-datasource') return undefined;
  // The query builder writes rawSql again from its own options: an edit there would not last.
  if (s.target?.raw.editorType === 'builder') return undefined;
  if (cost.tables.length !== 1) return undefined;
  const t = cost.tables[0]!;
  if (t.partitionPruned) return undefined;
  const partition = t.indexes.find((i) => i.type === 'Partition');
  const column = partition && timePartitionColumn(partition.keys);
  if (!column) return undefined;
  const ins = timeFilterInsertion(s.text, t, column);
  if (!ins) return undefined;
  const doc = q.dashboard.doc;
  const fix = doc.insertInString(s.path, ins.at, ins.text) ?? doc.insertInString(s.path, ins.at, ins.flat);
  return fix && { fix, table: t.database ? `${t.database}.${t.table}` : t.table };
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

/** Why a variable has no value, for its one `variable-unresolved` info. */
function unresolvedWhy(u: UnresolvedVariable, engineRan: boolean): string {
  switch (u.reason) {
    case 'not-run':
      // Its query runs on the test engine only when the check starts one for a query to judge.
      return engineRan
        ? 'it has no stored value, and no query that reads it was judged, so its query was not run'
        : 'it has no stored value, and Grafana would run its query when the dashboard loads; dashboard-ci runs it on the test data only when it starts the engine for a query to judge, and no query needed the engine';
    case 'other-datasource':
      return 'it has no stored value, and its query is for a datasource dashboard-ci does not query';
    case 'no-rows':
      return `it has no stored value, and its query, run on the test data, gave no value${u.detail ? ` (${u.detail})` : ''}`;
    case 'depends':
      return `it reads $${u.detail ?? '?'}, which has no value`;
    case 'cycle':
      return 'its query reads itself through other variables';
    default:
      return `it has no stored value, and its query could not run on the test data: ${u.detail ?? 'unknown error'}`;
  }
}

/**
 * One info per query variable left without a value: why, and what happened to the queries that read
 * it (a NULL or empty stand-in where a value goes; skipped where it names a table).
 */
function unresolvedFindings(
  byDashboard: UnresolvedByDashboard,
  prepared: readonly PreparedQuery[],
  engineRan: boolean,
): Finding[] {
  const out: Finding[] = [];
  for (const [dash, list] of byDashboard) {
    for (const u of list) {
      const readers = prepared.filter(
        (q) => q.dashboard === dash && !q.source.hidden && q.unresolved?.includes(u.name),
      );
      const skipped = readers.filter((q) =>
        q.problems.some((p) => p.kind === 'unresolved-variable' && p.variable === u.name),
      ).length;
      // Another datasource's variable matters here only when a ClickHouse query reads it.
      if (u.reason === 'other-datasource' && readers.length === 0) continue;
      // At the variable's query when it has one the check reads (the change filter then ties the info
      // to that query: it counts when the query changed), else at the variable.
      const own = prepared.find(
        (q) => q.dashboard === dash && q.source.origin === 'variable' && q.source.variable?.name === u.name,
      );
      const variable = dash.variables.find((v) => v.name === u.name);
      const at = own
        ? { line: own.source.line, column: own.source.column }
        : dash.doc.locate(variable ? variable.path : dash.root);
      let effect = 'no query that is checked reads it';
      if (readers.length > 0) {
        // Only queries that still go to EXPLAIN read the stand-in; others are skipped for some reason.
        const standIns = readers.filter((q) => !q.blocked).length;
        const parts: string[] = [];
        if (standIns > 0)
          parts.push(
            `${standIns} ${standIns === 1 ? 'query reads' : 'queries read'} a stand-in (NULL, or '' inside quotes)`,
          );
        if (skipped > 0)
          parts.push(
            `${skipped} ${skipped === 1 ? 'query names' : 'queries name'} a table with it and ${skipped === 1 ? 'is' : 'are'} skipped`,
          );
        effect =
          parts.length > 0 ? parts.join('; ') : 'the queries that read it are skipped for another reason';
      }
      const f: Finding = {
        rule: 'variable-unresolved',
        severity: 'info',
        message: withLocation(
          {
            dashboard: {
              ...(dash.uid !== undefined ? { uid: dash.uid } : {}),
              ...(dash.title !== undefined ? { title: dash.title } : {}),
            },
            variable: u.name,
          },
          `query variable $${u.name} has no value: ${unresolvedWhy(u, engineRan)}. ${effect[0]!.toUpperCase()}${effect.slice(1)}`,
        ),
        file: dash.file,
        line: at.line,
        column: at.column,
      };
      if (dash.uid !== undefined) f.dashboardUid = dash.uid;
      out.push(f);
    }
  }
  return out;
}

/** runningDifference, neighbor, ...: refused since ClickHouse 24.x unless a setting allows them. */
const DEPRECATED_FUNCTION = 721;

/** Read-only statements Grafana runs for a query variable's values (SHOW TABLES, DESCRIBE, EXISTS). */
const VARIABLE_STATEMENTS = new Set(['SHOW', 'DESCRIBE', 'DESC', 'EXISTS']);

/** A query variable's SHOW / DESCRIBE / EXISTS: valid there, though no panel may use one. */
function readOnlyVariableStatement(q: PreparedQuery): boolean {
  return (
    q.source.origin === 'variable' &&
    VARIABLE_STATEMENTS.has(leadingKeyword(q.sql)) &&
    !/\b(INTO\s+OUTFILE|FORMAT)\b/i.test(q.sql)
  );
}

/** schema-drift: the schema files against the server the check is pointed at (read-only queries only). */
async function driftAgainst(
  url: string,
  options: CheckOptions,
  schema: readonly Statement[],
): Promise<Finding[]> {
  const user = options.clickhouseAuth?.user ?? options.config.clickhouse.user;
  const source = createServerSource({
    url,
    ...(user ? { username: user } : {}),
    ...(options.clickhouseAuth?.password ? { password: options.clickhouseAuth.password } : {}),
  });
  try {
    return await schemaDrift(source, schema);
  } finally {
    await source.close();
  }
}
