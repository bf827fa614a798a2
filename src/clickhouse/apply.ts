// Applying schema.sql and seed.sql: each statement is read by ClickHouse's parser (as a bound value,
// so nothing of it runs while it is read), judged by schema-policy.ts on that reading, and only then
// run, one at a time. What runs is the formatter's text of what was judged, except where inline data
// follows the statement (VALUES, FORMAT CSV...), which the formatter does not carry: then the
// original text runs, proven to be one statement.
import { parseAstDump } from './ast.js';
import { ClickHouseQueryError, EnginePrepareError, scrubMessage } from './errors.js';
import { singleLine, type SqlRunner } from './explain.js';
import { judgeStatement, type PolicyMode } from './schema-policy.js';

const SINGLE_STATEMENT_CHECK = 'SELECT formatQuerySingleLine({q:String})';

export type StatementList = 'schema' | 'seed';

/** Engine messages quote data (a value that failed to parse): bounded, control characters out. */
function bounded(message: string): string {
  return scrubMessage(message, []);
}

function head(statement: string): string {
  const oneLine = statement.replace(/\s+/g, ' ').trim();
  return oneLine.length > 70 ? `${oneLine.slice(0, 67)}...` : oneLine;
}

/**
 * Reads and judges one schema/seed statement; returns the text to run. Throws EnginePrepareError
 * naming the statement when it is not one statement, not valid SQL, or refused by the policy.
 */
export async function checkStatement(
  runner: SqlRunner,
  statement: string,
  list: StatementList,
  index: number,
  mode: PolicyMode,
  clusters: ReadonlySet<string> = new Set(),
): Promise<string> {
  const where = `${list} statement ${index + 1} (${head(statement)})`;
  let canonical: string;
  try {
    canonical = singleLine(
      await runner.runBind(SINGLE_STATEMENT_CHECK, { q: statement }, 'TabSeparatedRaw'),
    ).trim();
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const multi = /Multi-statements are not allowed/.test(e.info.message);
    const message = bounded(
      e.info.message.replace(/[.:\s]*In scope SELECT formatQuerySingleLine\([\s\S]*$/, ''),
    );
    throw new EnginePrepareError(
      multi
        ? `${where} holds more than one statement; give one statement per entry`
        : `${where} is not valid SQL: ${e.info.code} ${e.info.name}: ${message}`,
      list,
      index,
      { ...e.info, message },
    );
  }
  let dump: string;
  try {
    dump = await runner.run(`EXPLAIN AST ${canonical}`, 'TabSeparatedRaw');
  } catch (e) {
    if (!(e instanceof ClickHouseQueryError)) throw e;
    const info = { ...e.info, message: bounded(e.info.message) };
    throw new EnginePrepareError(
      `${where} could not be read back: ${info.code} ${info.name}: ${info.message}`,
      list,
      index,
      info,
    );
  }
  const verdict = judgeStatement(canonical, parseAstDump(dump), mode, { clusters });
  if (!verdict.ok) {
    throw new EnginePrepareError(
      `${where} refused (${verdict.kind}): ${verdict.reason}`,
      list,
      index,
      undefined,
      {
        kind: verdict.kind,
        reason: verdict.reason,
      },
    );
  }
  if (verdict.rewrite !== undefined) return verdict.rewrite;
  if (!verdict.inlineData) return canonical;
  // Inline data is not parsed by formatQuerySingleLine, and chdb would run a statement hidden after a
  // `;` in it: such data must hold no `;`.
  if (statement.replace(/[\s;]+$/, '').includes(';')) {
    throw new EnginePrepareError(
      `${where} has inline data holding ';', which cannot be proven to be one statement; use INSERT ... SELECT`,
      list,
      index,
    );
  }
  return statement;
}

/** Applies schema then seed through `runner`, one statement at a time, each read and judged first. */
export async function applyStatements(
  runner: SqlRunner,
  schema: readonly string[],
  seed: readonly string[],
  opts: { mode: PolicyMode; run?: (statement: string) => Promise<unknown>; clusters?: ReadonlySet<string> },
): Promise<void> {
  const run = opts.run ?? ((s: string) => runner.run(s, 'TabSeparatedRaw'));
  const lists: [StatementList, readonly string[]][] = [
    ['schema', schema],
    ['seed', seed],
  ];
  for (const [list, statements] of lists) {
    for (const [index, statement] of statements.entries()) {
      if (!statement.trim()) continue;
      const text = await checkStatement(runner, statement, list, index, opts.mode, opts.clusters);
      try {
        await run(text);
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        const info = { ...e.info, message: bounded(e.info.message) };
        throw new EnginePrepareError(
          `${list} statement ${index + 1} (${head(statement)}) failed: ${info.code} ${info.name}: ${info.message}`,
          list,
          index,
          info,
        );
      }
    }
  }
}

/**
 * Reads and judges every statement without running any: a run whose data comes from the prepared-data
 * cache still refuses the files a fresh run would refuse (a cache entry is data, not a verdict).
 */
export async function checkStatements(
  runner: SqlRunner,
  schema: readonly string[],
  seed: readonly string[],
  mode: PolicyMode,
  clusters?: ReadonlySet<string>,
): Promise<void> {
  const lists: [StatementList, readonly string[]][] = [
    ['schema', schema],
    ['seed', seed],
  ];
  for (const [list, statements] of lists) {
    for (const [index, statement] of statements.entries()) {
      if (statement.trim()) await checkStatement(runner, statement, list, index, mode, clusters);
    }
  }
}
