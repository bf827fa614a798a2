import type { EngineErrorInfo } from '../core/types.js';
import {
  applyEstimate,
  buildQueryCost,
  hasRuntimeChoice,
  mergeTreeReads,
  parseEstimate,
  type StatsLookup,
} from './cost.js';
import {
  ClickHouseQueryError,
  EngineError,
  cleanMessage,
  rewritePosition,
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
}

const AST_PREFIX = 'EXPLAIN AST ';
const PLAN_PREFIX = 'EXPLAIN json = 1, indexes = 1\n';
const ESTIMATE_PREFIX = 'EXPLAIN ESTIMATE\n';
const SINGLE_STATEMENT_CHECK = 'SELECT formatQuerySingleLine({q:String})';

/** Codes ClickHouse raises when the bounds set on the session stop work done during planning. */
const BOUND_CODES = new Set([158, 159, 160, 241, 307, 394, 396]);

export type AstShape =
  | { kind: 'select' }
  | { kind: 'parallel' }
  | { kind: 'statement'; node: string }
  | { kind: 'output-clause'; node: string };

/**
 * Reads `EXPLAIN AST` output. Only a SelectWithUnionQuery whose direct children are the select list
 * (ExpressionList) and SETTINGS (Set) may go on: an Identifier or Literal child there is a FORMAT or
 * INTO OUTFILE clause (INTO OUTFILE writes its file even under EXPLAIN and readonly = 1: measured).
 */
export function classifyAst(ast: string): AstShape {
  const lines = ast.split('\n');
  const top = (lines[0] ?? '').trim();
  if (top.startsWith('ParallelWithQuery')) return { kind: 'parallel' };
  if (!/^SelectWithUnionQuery\b/.test(top)) return { kind: 'statement', node: top.split(' ')[0] ?? top };
  for (const line of lines.slice(1)) {
    if (!/^ \S/.test(line)) continue;
    const node = line.trim().split(' ')[0] ?? '';
    if (node !== 'ExpressionList' && node !== 'Set') return { kind: 'output-clause', node };
  }
  return { kind: 'select' };
}

/**
 * Text that cannot be anything but one plain SELECT, if it parses at all: it starts with SELECT or
 * WITH, holds no `;` (no second statement), and none of the words a second statement or an output
 * clause needs (PARALLEL WITH, INTO OUTFILE, FORMAT), not even inside strings or comments. Such text
 * skips the AST step; anything else, `format(...)` calls included, goes through ClickHouse's parser.
 */
export function isPlainSelectText(sql: string): boolean {
  return (
    /^\s*(SELECT|WITH)\b/i.test(sql) && !sql.includes(';') && !/\b(INTO|OUTFILE|FORMAT|PARALLEL)\b/i.test(sql)
  );
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

function failure(
  kind: ExplainFailureKind,
  error: EngineErrorInfo,
  extra: { position?: number; reason?: string } = {},
): ExplainOutcome {
  const out: ExplainOutcome = { ok: false, kind, error };
  if (extra.position !== undefined) out.position = extra.position;
  if (extra.reason !== undefined) out.reason = extra.reason;
  return out;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** A syntax or other error of a step whose text began with `prefix` before the caller's SQL. */
function errorOutcome(
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
  return failure(kind, error, out);
}

const SYSTEM_LOG_RE = /\bsystem\.([A-Za-z_]*_log)\b/;

function planErrorOutcome(
  p: ExplainPipeline,
  info: EngineErrorInfo,
  sql: string,
  prefix?: string,
): ExplainOutcome {
  if (BOUND_CODES.has(info.code)) return failure('bound-exceeded', info);
  const log = SYSTEM_LOG_RE.exec(info.message);
  if (p.embedded && info.code === 60 && log) {
    return failure('unsupported', info, {
      reason: `system.${log[1]} does not exist in the embedded engine (chdb keeps no system log tables): this query cannot be judged by the embedded engine; use server mode (--clickhouse http://...)`,
    });
  }
  return errorOutcome(info, sql, prefix);
}

function notSelect(keyword: string, detail: string): ExplainOutcome {
  return failure('not-select', {
    code: 164,
    name: 'READONLY',
    message: `${keyword || 'This'} ${detail}: only a single SELECT (or WITH ... SELECT) is checked, and it is only EXPLAINed, never run`,
  });
}

/**
 * Validates and costs one query, in the order the hazards demand:
 * 0. Text that can only be one plain SELECT (isPlainSelectText) goes straight to step 3.
 * 1. Text holding `;` goes through ClickHouse's own single-statement check (formatQuerySingleLine with
 *    the SQL bound as a parameter, so nothing of it runs); the canonical single statement it returns is
 *    what the later steps send. Without `;` the text cannot hold a second statement but for PARALLEL
 *    WITH, which step 2 catches.
 * 2. EXPLAIN AST (parse only) refuses anything that is not one plain SELECT.
 * 3. EXPLAIN json = 1, indexes = 1 gives validity and, per MergeTree read, the parts and granules each
 *    index kept; rows come from the table's rows per granule. EXPLAIN ESTIMATE costs more than the plan
 *    itself (bench/engine-floor.ts), so it runs only when the plan leaves the read to execution time
 *    (an AggregatingProjection: count() answered from the primary key, or a projection).
 */
export async function explainQuery(p: ExplainPipeline, sql: string): Promise<ExplainOutcome> {
  if (!sql.trim()) return failure('invalid', { code: 62, name: 'SYNTAX_ERROR', message: 'Empty query' });
  if (isPlainSelectText(sql)) return explainPlan(p, sql, sql);

  let target = sql;
  if (sql.includes(';')) {
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
      return errorOutcome(cleanInfo(info), sql, '', multi ? 'multi-statement' : 'invalid');
    }
  }

  let ast: string;
  try {
    ast = await p.runner.run(AST_PREFIX + target, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return errorOutcome(e.info, sql, target === sql ? AST_PREFIX : undefined);
  }
  const shape = classifyAst(ast);
  if (shape.kind === 'parallel') {
    return failure('multi-statement', {
      code: 62,
      name: 'SYNTAX_ERROR',
      message: 'Multi-statements are not allowed: PARALLEL WITH runs several statements',
    });
  }
  if (shape.kind === 'statement') return notSelect(leadingKeyword(target), 'statement refused');
  if (shape.kind === 'output-clause')
    return notSelect('SELECT', 'with an INTO OUTFILE or FORMAT clause refused');
  return explainPlan(p, sql, target);
}

/** Step 3 on `target`: the caller's `sql` itself, or its canonical single-statement form. */
async function explainPlan(p: ExplainPipeline, sql: string, target: string): Promise<ExplainOutcome> {
  let planText: string;
  try {
    planText = await p.runner.run(PLAN_PREFIX + target, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    return planErrorOutcome(p, e.info, sql, target === sql ? PLAN_PREFIX : undefined);
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
