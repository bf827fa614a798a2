import type { EngineErrorInfo } from '../core/types.js';
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
import type { ExplainFailureKind, ExplainOutcome } from './port.js';

export type OutputFormat = 'TabSeparatedRaw' | 'JSONCompactEachRow';

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
const PLAN_PREFIX = 'EXPLAIN json = 1, indexes = 1\n';
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
): ExplainOutcome {
  const secrets = p.secrets ?? [];
  const out: ExplainOutcome = {
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
): ExplainOutcome {
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

async function planErrorOutcome(
  p: ExplainPipeline,
  info: EngineErrorInfo,
  sql: string,
  target: string,
  ast: AstLine[] | undefined,
): Promise<ExplainOutcome> {
  const prefix = target === sql ? PLAN_PREFIX : undefined;
  if (BOUND_CODES.has(info.code)) return failure(p, 'bound-exceeded', info);
  if (
    info.code === SETTING_CONSTRAINT_VIOLATION ||
    (info.code === READONLY && /\bsetting\b/i.test(info.message))
  ) {
    return failure(p, 'unsupported', info, {
      reason: `its SETTINGS would change a bound the test engine keeps fixed (${info.code} ${info.name}: ${info.message}), so it is not judged here`,
    });
  }
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

function notSelect(p: Scrub, keyword: string, detail: string): ExplainOutcome {
  return failure(p, 'not-select', {
    code: READONLY,
    name: 'READONLY',
    message: `${keyword || 'This'} ${detail}: only a single SELECT (or WITH ... SELECT) is checked, and it is only EXPLAINed, never run`,
  });
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
  | { ok: false; outcome: ExplainOutcome };

/** The refusal of a query by name (a function, a table function, a path), as an outcome. */
export function refusedOutcome(p: Scrub, what: string, reason: string): ExplainOutcome {
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
export async function checkSelect(p: ExplainPipeline, sql: string): Promise<CheckedSelect> {
  if (!sql.trim()) {
    return {
      ok: false,
      outcome: failure(p, 'invalid', { code: 62, name: 'SYNTAX_ERROR', message: 'Empty query' }),
    };
  }
  if (isPlainSelectText(sql, p.refusable)) return { ok: true, target: sql };
  let target: string;
  try {
    const canonical = await p.runner.runBind(SINGLE_STATEMENT_CHECK, { q: sql }, 'TabSeparatedRaw');
    target = canonical.replace(/\n$/, '');
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
  | { ok: false; outcome: ExplainOutcome }
> {
  let dump: string;
  try {
    dump = await p.runner.run(AST_PREFIX + target, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: false, outcome: errorOutcome(p, e.info, sql, undefined) };
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
  if (reads.length === 0 || !hasRuntimeChoice(plan)) return { ok: true, cost };
  try {
    const estimate = parseEstimate(await p.runner.run(ESTIMATE_PREFIX + target, 'TabSeparatedRaw'));
    return { ok: true, cost: applyEstimate(cost, estimate) };
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return { ok: true, cost };
  }
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
