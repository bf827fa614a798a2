import type { EngineErrorInfo, QueryColumn } from '../core/types.js';
import {
  applyEstimate,
  buildQueryCost,
  hasRuntimeChoice,
  mergeTreeReads,
  parseEstimate,
  type StatsLookup,
} from './cost.js';
import { classifyAst, findRefusal, parseAstDump, type AstLine } from './ast.js';
import { mapClusters } from './clusters.js';
import { REFUSABLE_WORDS, deniedTableFunction } from './deny-list.js';
import {
  ClickHouseQueryError,
  EngineError,
  cleanMessage,
  rewritePosition,
  scrubMessage,
  syntaxErrorPosition,
} from './errors.js';
import {
  DEFAULT_RESULT_ROWS,
  MAX_RESULT_ROWS,
  type EngineFailure,
  type ExecuteOptions,
  type ExecuteOutcome,
  type ExplainFailureKind,
  type ExplainOutcome,
} from './port.js';
import { tokenize } from './tokens.js';

export type OutputFormat = 'TabSeparatedRaw' | 'JSONCompactEachRow' | 'JSONCompact';

/**
 * How the explain pipeline talks to an engine: one statement per call. Both adapters implement it, so
 * they run the very same steps and give the same verdicts. A ClickHouse error is thrown as
 * ClickHouseQueryError; anything else (a dead connection) propagates as is.
 */
export interface SqlRunner {
  run(sql: string, format: OutputFormat): Promise<string>;
  /** Server-side parameter binding: `{name:Type}` placeholders; values never enter the SQL text. */
  runBind(sql: string, params: Record<string, string>, format: OutputFormat): Promise<string>;
}

/** Table statistics for the row estimate; `refresh` is asked for when a plan names tables it lacks. */
export interface StatsSource extends StatsLookup {
  refresh?(unknown: readonly string[]): Promise<void>;
}

export interface ExplainPipeline {
  runner: SqlRunner;
  stats: StatsSource;
  /** chdb has no system log tables: report queries over them as `unsupported`, not invalid. */
  embedded: boolean;
  /**
   * Lower-cased words that send a text through ClickHouse's parser (see isPlainSelectText); default
   * DEFAULT_REFUSABLE. An engine adds the table functions it knows that no list names.
   */
  refusable?: ReadonlySet<string>;
  /** Values scrubbed from every message (a server password). */
  secrets?: readonly string[];
  /** clickhouse.clusters: clusters whose cluster()/clusterAllReplicas() read the local tables (clusters.ts). */
  clusters?: ReadonlySet<string>;
}

const AST_PREFIX = 'EXPLAIN AST ';
// header = 1: the output columns of each step, the top one's being the query's (issue 12), in the
// same call and at the same cost (bench/engine-floor.ts).
const PLAN_PREFIX = 'EXPLAIN json = 1, indexes = 1, header = 1\n';
const ESTIMATE_PREFIX = 'EXPLAIN ESTIMATE\n';
const SINGLE_STATEMENT_CHECK = 'SELECT formatQuerySingleLine({q:String})';

/** Codes ClickHouse raises when the bounds set on the session stop work done during planning. */
const BOUND_CODES = new Set([158, 159, 160, 241, 307, 394, 396]);
const SETTING_CONSTRAINT_VIOLATION = 452;
const READONLY = 164;
const ACCESS_DENIED = 497;

/** Words that make a text go through ClickHouse's parser before anything else (see isPlainSelectText). */
const SHAPE_WORDS = ['into', 'outfile', 'format', 'parallel', 'explain'];
export const DEFAULT_REFUSABLE: ReadonlySet<string> = new Set([...REFUSABLE_WORDS, ...SHAPE_WORDS]);

/**
 * Text that cannot be anything but one plain SELECT calling nothing the sandbox refuses, if it parses
 * at all: it starts with SELECT or WITH (no comment before it), holds no `;`, and no word that a second
 * statement, an output clause or a refused function needs, not even inside strings or comments (an
 * over-approximation: `SELECT file FROM logs` takes the slow path, correctly). A quoted identifier
 * with a backslash could spell any name through escapes, so such text takes the slow path too. Such
 * text goes straight to EXPLAIN: the text EXPLAIN parses is the caller's own, after a prefix that a
 * leading SELECT or WITH cannot continue. Anything else goes through ClickHouse's parser first.
 */
export function isPlainSelectText(sql: string, refusable: ReadonlySet<string> = DEFAULT_REFUSABLE): boolean {
  if (!/^\s*(SELECT|WITH)\b/i.test(sql) || sql.includes(';')) return false;
  if (sql.includes('\\') && (sql.includes('`') || sql.includes('"'))) return false;
  // A quoted name with a slash may be a path, which clickhouse-local would read as a table.
  if (/`[^`]*\/[^`]*`|"[^"]*\/[^"]*"/.test(sql)) return false;
  for (const m of sql.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    if (refusable.has(m[0].toLowerCase())) return false;
  }
  return true;
}

/** The first keyword of a statement, past comments and parentheses, for messages. */
export function leadingKeyword(sql: string): string {
  let s = sql;
  for (;;) {
    const next = s
      .replace(/^[\s(]+/, '')
      .replace(/^(--|#)[^\n]*(\n|$)/, '')
      .replace(/^\/\*[\s\S]*?\*\//, '');
    if (next === s) break;
    s = next;
  }
  return (/^[A-Za-z_]+/.exec(s)?.[0] ?? '').toUpperCase();
}

type Scrub = Pick<ExplainPipeline, 'secrets'>;

function failure(
  p: Scrub,
  kind: ExplainFailureKind,
  error: EngineErrorInfo,
  extra: { position?: number; reason?: string } = {},
): EngineFailure {
  const secrets = p.secrets ?? [];
  const out: EngineFailure = {
    ok: false,
    kind,
    error: { ...error, message: scrubMessage(error.message, secrets) },
  };
  if (extra.position !== undefined) out.position = extra.position;
  if (extra.reason !== undefined) out.reason = scrubMessage(extra.reason, secrets);
  return out;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A syntax or other error of a step whose text began with `prefix` before the caller's SQL. */
function errorOutcome(
  p: Scrub,
  info: EngineErrorInfo,
  sql: string,
  prefix: string | undefined,
  kind: ExplainFailureKind = 'invalid',
): EngineFailure {
  const position =
    info.code === 62 && prefix !== undefined
      ? syntaxErrorPosition(info.message, sql, byteLength(prefix))
      : undefined;
  const error = { ...info, message: rewritePosition(info.message, position) };
  const out: { position?: number } = {};
  if (position !== undefined) out.position = position;
  return failure(p, kind, error, out);
}

/** Codes of what a one-node test engine lacks: a table it does not have, a cluster, ClickHouse Keeper. */
const UNKNOWN_TABLE = 60;
const CANNOT_EXTRACT_TABLE_STRUCTURE = 636;
const CLUSTER_DOESNT_EXIST = 701;
const NO_ZOOKEEPER = 225;
const KEEPER_EXCEPTION = 999;
const LACKING_CODES = new Set([
  UNKNOWN_TABLE,
  CANNOT_EXTRACT_TABLE_STRUCTURE,
  CLUSTER_DOESNT_EXIST,
  NO_ZOOKEEPER,
  KEEPER_EXCEPTION,
]);

const SERVER_HINT = 'check it against a server (--clickhouse http://...)';

/**
 * Why the embedded engine cannot judge a query that failed with `info`, from ClickHouse's error code
 * and the parsed query (never from the message text), or undefined when the failure is the query's.
 */
export function lackingReason(code: number, ast: readonly AstLine[]): string | undefined {
  if (code === CLUSTER_DOESNT_EXIST) {
    return `it reads a cluster the test engine does not have (one node, no remote_servers): name the cluster in clickhouse.clusters to read the local tables instead, or ${SERVER_HINT}`;
  }
  if (code === NO_ZOOKEEPER || code === KEEPER_EXCEPTION) {
    return `it needs ClickHouse Keeper, which the test engine does not have; ${SERVER_HINT}`;
  }
  if (code === UNKNOWN_TABLE) {
    const system = ast.find((l) => l.kind === 'TableIdentifier' && /^system\./i.test(l.name));
    if (system) {
      return `${system.name} does not exist in the embedded engine (chdb keeps no system log tables and no ZooKeeper tables): this query cannot be judged by the embedded engine; ${SERVER_HINT}`;
    }
  }
  if (code === CANNOT_EXTRACT_TABLE_STRUCTURE) {
    const merge = ast.findIndex(
      (l) => l.kind === 'Function' && l.parent === 'TableExpression' && l.name.toLowerCase() === 'merge',
    );
    // merge(db, regexp): the database is the first argument under its ExpressionList.
    const db = merge >= 0 ? ast[merge + 2] : undefined;
    if (db && /^(system|'system')$/i.test(db.name)) {
      return `merge() over system tables the embedded engine does not have (chdb keeps no system log tables); ${SERVER_HINT}`;
    }
  }
  return undefined;
}

/** A query whose SETTINGS would lift a bound: not judged (the constraints kept the bound). */
function settingsOutcome(p: Scrub, info: EngineErrorInfo): EngineFailure | undefined {
  if (
    info.code !== SETTING_CONSTRAINT_VIOLATION &&
    !(info.code === READONLY && /\bsetting\b/i.test(info.message))
  )
    return undefined;
  return failure(p, 'unsupported', info, {
    reason: `its SETTINGS would change a bound the test engine keeps fixed (${info.code} ${info.name}: ${info.message}), so it is not judged here`,
  });
}

async function planErrorOutcome(
  p: ExplainPipeline,
  info: EngineErrorInfo,
  sql: string,
  target: string,
  ast: AstLine[] | undefined,
): Promise<EngineFailure> {
  const prefix = target === sql ? PLAN_PREFIX : undefined;
  if (BOUND_CODES.has(info.code)) return failure(p, 'bound-exceeded', info);
  const settings = settingsOutcome(p, info);
  if (settings) return settings;
  if (info.code === ACCESS_DENIED) {
    return failure(p, 'refused', info, {
      reason: `the sandboxed engine's grants refuse it (${info.message}), so it is not judged here (nothing of it ran)`,
    });
  }
  if (p.embedded && LACKING_CODES.has(info.code)) {
    // The plain path has no AST yet: read it now, only for the queries that failed so.
    let lines = ast;
    if (!lines) {
      try {
        lines = parseAstDump(await p.runner.run(AST_PREFIX + target, 'TabSeparatedRaw'));
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        lines = [];
      }
    }
    const reason = lackingReason(info.code, lines);
    if (reason) return failure(p, 'unsupported', info, { reason });
  }
  return errorOutcome(p, info, sql, prefix);
}

function notSelect(p: Scrub, keyword: string, detail: string): EngineFailure {
  return failure(p, 'not-select', {
    code: READONLY,
    name: 'READONLY',
    message: `${keyword || 'This'} ${detail}: only a single SELECT (or WITH ... SELECT) is checked, and it is only EXPLAINed, never run`,
  });
}

/**
 * formatQuerySingleLine's answer, which is one line by construction (newlines in literals are escaped):
 * anything else is not its answer, and nothing would be checked or planned on it.
 */
export function singleLine(output: string): string {
  const line = output.replace(/\n$/, '');
  if (/[\r\n]/.test(line)) {
    throw new EngineError('the engine answered the single-statement check with more than one line');
  }
  return line;
}

/**
 * ClickHouse's one parse of the caller's text, bound as a value (nothing of it is SQL in this call):
 * its single-line formatting, or why it is not one statement.
 */
async function formatSingleStatement(
  p: ExplainPipeline,
  sql: string,
): Promise<{ ok: true; target: string } | { ok: false; outcome: EngineFailure }> {
  try {
    return {
      ok: true,
      target: singleLine(await p.runner.runBind(SINGLE_STATEMENT_CHECK, { q: sql }, 'TabSeparatedRaw')),
    };
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const info = {
      ...e.info,
      message: e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, ''),
    };
    const multi = /Multi-statements are not allowed/.test(info.message);
    return {
      ok: false,
      outcome: errorOutcome(p, cleanInfo(info), sql, '', multi ? 'multi-statement' : 'invalid'),
    };
  }
}

/** A text that passed checkSelect: what to send after EXPLAIN's prefix. */
export type CheckedSelect =
  | {
      ok: true;
      /** The caller's own text (plain), or ClickHouse's single-line formatting of it. */
      target: string;
      /** EXPLAIN AST of `target`, when the slow path read it. */
      ast?: AstLine[];
    }
  | { ok: false; outcome: EngineFailure };

/** An outcome for a query this engine does not run at all (execute() on a server's own data). */
export function notRunOutcome(reason: string): EngineFailure {
  return failure({}, 'unsupported', { code: 0, name: 'NOT_RUN', message: reason }, { reason });
}

/** The refusal of a query by name (a function, a table function, a path), as an outcome. */
export function refusedOutcome(p: Scrub, what: string, reason: string): EngineFailure {
  const hint = /\bcluster\b/.test(reason)
    ? '; name the cluster in clickhouse.clusters to read the local tables instead'
    : '';
  return failure(
    p,
    'refused',
    { code: ACCESS_DENIED, name: 'ACCESS_DENIED', message: `${what} ${reason}` },
    {
      reason: `${what} ${reason}: the sandboxed test engine refuses it, so this query is not judged (nothing of it ran)${hint}`,
    },
  );
}

/**
 * Is `sql` one SELECT that calls nothing the sandbox refuses? Nothing of it runs here.
 *
 * Plain text (isPlainSelectText) is its own target. Any other text is parsed once by ClickHouse as a
 * bound value (`formatQuerySingleLine({q:String})`: comments, `;` and all, nothing of it is SQL in
 * that call), and from then on only ClickHouse's single-line formatting of that parse is used: it is
 * what EXPLAIN AST checks (one SELECT, no output clause, no refused function or table function) and
 * what EXPLAIN plans. The check and the plan are the same parse; no comment or prefix can make the
 * planned text another statement (issue 8: `-- x\n, 1 AS EXPLAIN, throwIf(...)` once ran for real).
 */
export async function checkSelect(
  p: ExplainPipeline,
  sql: string,
  opts: { parse?: boolean } = {},
): Promise<CheckedSelect> {
  if (!sql.trim()) {
    return {
      ok: false,
      outcome: failure(p, 'invalid', { code: 62, name: 'SYNTAX_ERROR', message: 'Empty query' }),
    };
  }
  if (!opts.parse && isPlainSelectText(sql, p.refusable)) return { ok: true, target: sql };
  const formatted = await formatSingleStatement(p, sql);
  if (!formatted.ok) return formatted;
  let target = formatted.target;
  let read = await readSelect(p, sql, target);
  if (!read.ok) return read;
  if (read.refusal && p.clusters?.size) {
    // A cluster the configuration maps to this node: read its local tables instead, and check that
    // text from the start (it is a new text: ClickHouse parses it again).
    const mapped = mapClusters(target, p.clusters);
    if (mapped) {
      target = mapped.text;
      read = await readSelect(p, sql, target);
      if (!read.ok) return read;
    }
  }
  if (read.refusal) return { ok: false, outcome: refusedOutcome(p, read.refusal.what, read.refusal.reason) };
  return { ok: true, target, ast: read.ast };
}

/** EXPLAIN AST of a canonical text, its shape, and what the sandbox refuses in it. */
async function readSelect(
  p: ExplainPipeline,
  sql: string,
  target: string,
): Promise<
  | { ok: true; ast: AstLine[]; refusal: ReturnType<typeof findRefusal> }
  | { ok: false; outcome: EngineFailure }
> {
  let dump: string;
  try {
    dump = await p.runner.run(AST_PREFIX + target, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    // The query's own SETTINGS apply to EXPLAIN AST of it too.
    return { ok: false, outcome: settingsOutcome(p, e.info) ?? errorOutcome(p, e.info, sql, undefined) };
  }
  const ast = parseAstDump(dump);
  const shape = classifyAst(ast);
  if (shape.kind === 'parallel') {
    return {
      ok: false,
      outcome: failure(p, 'multi-statement', {
        code: 62,
        name: 'SYNTAX_ERROR',
        message: 'Multi-statements are not allowed: PARALLEL WITH runs several statements',
      }),
    };
  }
  if (shape.kind === 'statement') {
    return { ok: false, outcome: notSelect(p, leadingKeyword(target), 'statement refused') };
  }
  if (shape.kind === 'output-clause') {
    return { ok: false, outcome: notSelect(p, 'SELECT', 'with an INTO OUTFILE or FORMAT clause refused') };
  }
  return { ok: true, ast, refusal: findRefusal(ast) };
}

/**
 * Validates and costs one query, in the order the hazards demand:
 * 1. checkSelect: one SELECT, nothing refused (ClickHouse's parser, unless the text is plain).
 * 2. EXPLAIN json = 1, indexes = 1 gives validity and, per MergeTree read, the parts and granules each
 *    index kept; rows come from the table's rows per granule. EXPLAIN ESTIMATE costs more than the plan
 *    itself (bench/engine-floor.ts), so it runs only when the plan leaves the read to execution time
 *    (an AggregatingProjection: count() answered from the primary key, or a projection).
 */
export async function explainQuery(p: ExplainPipeline, sql: string): Promise<ExplainOutcome> {
  const checked = await checkSelect(p, sql);
  if (!checked.ok) return checked.outcome;
  return explainPlan(p, sql, checked.target, checked.ast);
}

/** Step 2 on `target`: the caller's `sql` itself, or its canonical single-statement form. */
async function explainPlan(
  p: ExplainPipeline,
  sql: string,
  target: string,
  ast: AstLine[] | undefined,
): Promise<ExplainOutcome> {
  let planText: string;
  try {
    planText = await p.runner.run(PLAN_PREFIX + target, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return planErrorOutcome(p, e.info, sql, target, ast);
  }
  let plan: unknown;
  try {
    plan = JSON.parse(planText);
  } catch {
    throw new EngineError(`EXPLAIN json = 1 returned text that is not JSON: ${planText.slice(0, 120)}`);
  }
  const reads = mergeTreeReads(plan);
  const unknown = reads.map((r) => r.description).filter((d) => !p.stats.resolve(d));
  if (unknown.length > 0 && p.stats.refresh) await p.stats.refresh(unknown);
  const cost = buildQueryCost(reads, p.stats);
  const columns = planColumns(plan);
  if (reads.length === 0 || !hasRuntimeChoice(plan)) return { ok: true, cost, columns };
  try {
    const estimate = parseEstimate(await p.runner.run(ESTIMATE_PREFIX + target, 'TabSeparatedRaw'));
    return { ok: true, cost: applyEstimate(cost, estimate), columns };
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: true, cost, columns };
  }
}

/** The query's output columns: the Header of the plan's top step (EXPLAIN json = 1, header = 1). */
export function planColumns(plan: unknown): QueryColumn[] {
  const top = Array.isArray(plan)
    ? (plan[0] as { Plan?: { Header?: unknown } } | undefined)?.Plan
    : undefined;
  const header = top?.Header;
  if (!Array.isArray(header)) return [];
  return header.flatMap((h: unknown) => {
    const { Name, Type } = (h ?? {}) as { Name?: unknown; Type?: unknown };
    return typeof Name === 'string' && typeof Type === 'string' ? [{ name: Name, type: Type }] : [];
  });
}

function cleanInfo(info: EngineErrorInfo): EngineErrorInfo {
  return { ...info, message: cleanMessage(info.message) };
}

/**
 * DEFAULT_REFUSABLE plus what this engine registers beyond the reviewed lists: table functions in
 * neither list (refused by the AST step, so their names must send a text there) and aliases of denied
 * functions. Falls back to DEFAULT_REFUSABLE if the registry cannot be read.
 */
export async function engineRefusableWords(runner: SqlRunner): Promise<ReadonlySet<string>> {
  const words = new Set(DEFAULT_REFUSABLE);
  try {
    // The denied names are lower-case words of the reviewed lists: safe as literals.
    const denied = [...REFUSABLE_WORDS].map((w) => `'${w}'`).join(', ');
    const text = await runner.run(
      `SELECT lower(name), 1 FROM system.table_functions UNION ALL SELECT lower(name), 0 FROM system.functions WHERE alias_to != '' AND lower(alias_to) IN (${denied})`,
      'JSONCompactEachRow',
    );
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const [name, isTableFunction] = JSON.parse(line) as [string, number];
      if (!isTableFunction || deniedTableFunction(name) !== undefined) words.add(name);
    }
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
  }
  return words;
}

/** AST kinds of the read-only statements Grafana runs for template variables (issue 9). */
const VARIABLE_STATEMENTS: Readonly<Record<string, ReadonlySet<string>>> = {
  SHOW: new Set(['ShowTables']),
  DESCRIBE: new Set(['DescribeQuery']),
  DESC: new Set(['DescribeQuery']),
  EXISTS: new Set(['ExistsTableQuery', 'ExistsDatabaseQuery', 'ExistsDictionaryQuery', 'ExistsViewQuery']),
};

/** SHOW TABLES / SHOW DATABASES / DESCRIBE / EXISTS, read and checked like a SELECT; its canonical text. */
async function checkVariableStatement(
  p: ExplainPipeline,
  sql: string,
  keyword: string,
): Promise<{ ok: true; target: string } | { ok: false; outcome: EngineFailure }> {
  const formatted = await formatSingleStatement(p, sql);
  if (!formatted.ok) return formatted;
  const target = formatted.target;
  const tokens = tokenize(target);
  const words = tokens.filter((t) => t.type === 'word');
  // SHOW means SHOW TABLES or SHOW DATABASES only (not SHOW CREATE, SHOW GRANTS...).
  const shown = keyword !== 'SHOW' || ['TABLES', 'DATABASES'].includes(words[1]?.value ?? '');
  const outputClause = tokens.some(
    (t) => t.depth === 0 && t.type === 'word' && (t.value === 'INTO' || t.value === 'FORMAT'),
  );
  if (!shown || outputClause) {
    return {
      ok: false,
      outcome: notSelect(p, keyword, 'statement refused'),
    };
  }
  let dump: string;
  try {
    dump = await p.runner.run(AST_PREFIX + target, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: false, outcome: errorOutcome(p, e.info, sql, undefined) };
  }
  const ast = parseAstDump(dump);
  if (!ast[0] || ast[0].depth !== 0 || !VARIABLE_STATEMENTS[keyword]?.has(ast[0].kind)) {
    return { ok: false, outcome: notSelect(p, keyword, 'statement refused') };
  }
  const refusal = findRefusal(ast);
  if (refusal) return { ok: false, outcome: refusedOutcome(p, refusal.what, refusal.reason) };
  return { ok: true, target };
}

interface JsonCompactResult {
  meta?: { name?: unknown; type?: unknown }[];
  data?: unknown[][];
  statistics?: { elapsed?: unknown; rows_read?: unknown; bytes_read?: unknown };
}

/**
 * Runs one checked query for real, in the engine behind `p` (the caller's business to make that the
 * sandboxed test engine). A SELECT is read and checked like explain()'s, always through ClickHouse's
 * parser (never the plain-text shortcut), then run as `SELECT * FROM (<its formatting>) LIMIT n + 1`:
 * the wrapper stops the work once the rows asked for are there. The engine's bounds (rows read, time,
 * memory) hold as for EXPLAIN.
 */
export async function executeQuery(
  p: ExplainPipeline,
  sql: string,
  opts: ExecuteOptions = {},
): Promise<ExecuteOutcome> {
  const limit = Math.max(1, Math.min(MAX_RESULT_ROWS, Math.floor(opts.maxResultRows ?? DEFAULT_RESULT_ROWS)));
  const keyword = leadingKeyword(sql);
  let text: string;
  let ast: AstLine[] | undefined;
  if (opts.variable && VARIABLE_STATEMENTS[keyword]) {
    const checked = await checkVariableStatement(p, sql, keyword);
    if (!checked.ok) return checked.outcome;
    text = checked.target;
  } else {
    const checked = await checkSelect(p, sql, { parse: true });
    if (!checked.ok) return checked.outcome;
    ast = checked.ast;
    text = `SELECT * FROM (\n${checked.target}\n) LIMIT ${limit + 1}`;
  }
  let out: string;
  try {
    out = await p.runner.run(text, 'JSONCompact');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return await planErrorOutcome(p, e.info, sql, text, ast);
  }
  let parsed: JsonCompactResult;
  try {
    parsed = JSON.parse(out) as JsonCompactResult;
  } catch {
    throw new EngineError(`a query's JSONCompact result is not JSON: ${out.slice(0, 120)}`);
  }
  const columns = (parsed.meta ?? []).flatMap((m) =>
    typeof m.name === 'string' && typeof m.type === 'string' ? [{ name: m.name, type: m.type }] : [],
  );
  const data = Array.isArray(parsed.data) ? parsed.data : [];
  const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
  return {
    ok: true,
    result: {
      columns,
      rows: data.slice(0, limit),
      truncated: data.length > limit,
      rowsRead: num(parsed.statistics?.rows_read),
      bytesRead: num(parsed.statistics?.bytes_read),
      elapsedMs: num(parsed.statistics?.elapsed) * 1000,
    },
  };
}
