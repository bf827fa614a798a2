// no-data-on-seed: each panel query EXPLAIN accepted is run for real on the test data, in the sandboxed
// engine (execute(): the same single-SELECT and deny-list checks as EXPLAIN, then read-only and bounded
// in rows read, time, memory and result rows). An empty result is reported only where the test data
// shows it is the query's doing: the tables it reads have rows, and rows in its time range.
import type { QueryExecution, QueryRecord } from '../core/types.js';
import type { Engine, ExecuteOutcome } from '../clickhouse/port.js';
import type { PreparedQuery } from './prepare.js';
import { mapConcurrent } from './concurrency.js';
import { quoteIdentifier } from '../clickhouse/tokens.js';
import { regionAt } from '../sql/lexer.js';

/**
 * Result rows a run keeps: one is enough to tell empty from not, and the rows themselves are not
 * reported. The wrapper execute() puts around the query (LIMIT cap + 1) stops a plain read early; an
 * aggregation still reads what it aggregates, so readRows is the real cost of such a panel.
 */
export const EXECUTE_RESULT_ROWS = 1;

/**
 * SQL functions whose value is the wall clock: a query filtering on them reads a window that moves with
 * today's date, not the dashboard's range, so an empty result on fixed seed dates says nothing.
 */
const WALL_CLOCK =
  /\b(now|now64|nowInBlock|today|yesterday|current_?timestamp|current_?date|UTC_timestamp)\s*\(/i;

export interface NoDataCandidate {
  q: PreparedQuery;
  rec: QueryRecord;
}

export interface NoDataFinding {
  q: PreparedQuery;
  message: string;
}

/**
 * Does the test data have what `q` asks for, apart from its own filters? Each MergeTree table it reads
 * (EXPLAIN's reads) must have a row, and each condition its time-filter macros expanded to must hold for
 * a row of one of those tables. Undefined when that cannot be told: no MergeTree read (a Memory table,
 * numbers()), the range read some other way ($__fromTime, ${__from}), or a wall-clock function.
 */
async function rangeHasData(
  q: PreparedQuery,
  rec: QueryRecord,
  probe: (sql: string) => Promise<boolean | undefined>,
): Promise<string | undefined> {
  const tables = (rec.cost?.tables ?? []).map(
    (t) => `${quoteIdentifier(t.database)}.${quoteIdentifier(t.table)}`,
  );
  if (tables.length === 0 || q.timeRange?.other || WALL_CLOCK.test(q.sql)) return undefined;
  const names = [...new Set(rec.cost!.tables.map((t) => t.table))];
  for (const table of new Set(tables)) {
    if ((await probe(`SELECT 1 FROM ${table} LIMIT 1`)) !== true) return undefined;
  }
  const filters = q.timeRange?.filters ?? [];
  for (const filter of new Set(filters)) {
    let held = false;
    for (const table of new Set(tables)) {
      // A condition on another table's column fails here (unknown identifier): no evidence either way.
      if ((await probe(`SELECT 1 FROM ${table} WHERE ${filter} LIMIT 1`)) === true) {
        held = true;
        break;
      }
    }
    if (!held) return undefined;
  }
  const list = names.join(', ');
  return filters.length > 0
    ? `${list} ${names.length === 1 ? 'has' : 'have'} rows in the query's time range`
    : `${list} ${names.length === 1 ? 'has' : 'have'} rows`;
}

/**
 * `sql` without its comments and with each run of blanks outside quotes made one space: texts with the
 * same key are the same statement to ClickHouse's lexer.
 */
export function statementKey(sql: string): string {
  let out = '';
  let blank = false;
  for (let i = 0; i < sql.length;) {
    const region = regionAt(sql, i);
    const comment = region?.kind === 'line-comment' || region?.kind === 'block-comment';
    if (comment || /\s/.test(sql[i]!)) {
      blank = true;
      i = comment ? region!.end : i + 1;
      continue;
    }
    if (blank && out) out += ' ';
    blank = false;
    const end = region ? region.end : i + 1;
    out += sql.slice(i, end);
    i = end;
  }
  return out;
}

function execution(o: ExecuteOutcome): QueryExecution | undefined {
  if (!o.ok) return undefined;
  const r = o.result;
  return {
    rows: r.rows.length,
    truncated: r.truncated,
    readRows: r.rowsRead,
    elapsedMs: Math.round(r.elapsedMs * 1000) / 1000,
  };
}

/**
 * Runs the panel queries EXPLAIN accepted on the test data, records what each run read and took, and
 * returns a finding for each empty result where the data has rows. Probes of the data (one per table,
 * and per table and time-filter condition) are shared by every query of the run.
 */
export async function checkNoData(
  engine: Engine,
  concurrency: number,
  candidates: readonly NoDataCandidate[],
): Promise<NoDataFinding[]> {
  // A query that reads a stand-in (a variable whose value no query gave) returns what the stand-in
  // selects, not what the dashboard shows: its emptiness says nothing.
  const run = candidates.filter(
    ({ q, rec }) => q.source.origin === 'panel' && rec.cost !== undefined && !rec.standIns?.length,
  );
  // A copied panel runs once, and so does one that differs only in comments or spacing: on read-only
  // data within one run the result is a function of the statement (wall-clock queries aside, which are
  // never judged; see rangeHasData). The text that runs is always one of the queries' own.
  const byKey = new Map<string, string>();
  for (const { rec } of run) {
    const key = statementKey(rec.sql);
    if (!byKey.has(key)) byKey.set(key, rec.sql);
  }
  const keys = [...byKey.keys()];
  const ran = await mapConcurrent(keys, concurrency, (key) =>
    engine.execute(byKey.get(key)!, { maxResultRows: EXECUTE_RESULT_ROWS }),
  );
  const outcomes = new Map(keys.map((key, i) => [key, ran[i]!]));
  const probes = new Map<string, Promise<boolean | undefined>>();
  const probe = (sql: string): Promise<boolean | undefined> => {
    let p = probes.get(sql);
    if (!p) {
      p = engine
        .execute(sql, { maxResultRows: 1 })
        .then((o) => (o.ok ? o.result.rows.length > 0 : undefined));
      probes.set(sql, p);
    }
    return p;
  };
  const findings: NoDataFinding[] = [];
  for (const { q, rec } of run) {
    const executed = execution(outcomes.get(statementKey(rec.sql))!);
    // A run stopped at a bound or failing at run time (throwIf, a bad cast) is not this rule's to judge.
    if (!executed) continue;
    rec.executed = executed;
    if (executed.rows > 0) continue;
    const data = await rangeHasData(q, rec, probe);
    if (data === undefined) continue;
    findings.push({
      q,
      message: `returns no rows on the test data, though ${data}: a filter matches nothing there (a misspelled value?), and Grafana would show "No data". If the seed is not representative, add an exception for this query (panel and refId) with a reason, or set clickhouse.execute: false`,
    });
  }
  return findings;
}
