// Reading ClickHouse's `EXPLAIN AST` text: one node per line, one space of indentation per level,
// `Kind [name] [(alias a)] [(children n)]`. ClickHouse's parser is the authority on what a query
// calls; this only reads its answer.
//
// Names are printed as parsed (escapes decoded), and a quoted identifier may hold a newline, so a
// hostile name can add lines that look like nodes. Every check below is written so that such lines
// can only make a query refused, never accepted: a denied name is looked for on every line, wherever
// it stands, and a table function is anything under a TableExpression.
import { deniedFunction, deniedTableFunction } from './deny-list.js';

export interface AstLine {
  depth: number;
  /** First word: Function, TableIdentifier, SelectWithUnionQuery, Identifier, Literal... */
  kind: string;
  /** What follows the kind, without `(alias ...)` and `(children n)`. */
  name: string;
  /** The kind of the nearest line above with a smaller depth. */
  parent: string | undefined;
}

const TRAILER = /(?: \(alias [^()]*\))?(?: \(children \d+\))?$/;

export function parseAstDump(text: string): AstLine[] {
  const out: AstLine[] = [];
  const stack: { depth: number; kind: string }[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    const depth = raw.length - raw.trimStart().length;
    const body = raw.trim();
    const space = body.indexOf(' ');
    const kind = space < 0 ? body : body.slice(0, space);
    const name = space < 0 ? '' : body.slice(space + 1).replace(TRAILER, '');
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= depth) stack.pop();
    out.push({ depth, kind, name, parent: stack[stack.length - 1]?.kind });
    stack.push({ depth, kind });
  }
  return out;
}

export type AstShape =
  | { kind: 'select' }
  | { kind: 'parallel' }
  | { kind: 'statement'; node: string }
  | { kind: 'output-clause'; node: string };

/**
 * Only a SelectWithUnionQuery whose direct children are the select list (ExpressionList) and SETTINGS
 * (Set) may go on: an Identifier or Literal child there is a FORMAT or INTO OUTFILE clause (INTO
 * OUTFILE writes its file even under EXPLAIN and readonly: measured).
 */
export function classifyAst(lines: readonly AstLine[]): AstShape {
  const top = lines[0];
  if (!top) return { kind: 'statement', node: '' };
  if (top.kind === 'ParallelWithQuery') return { kind: 'parallel' };
  if (top.kind !== 'SelectWithUnionQuery' || top.depth !== 0) return { kind: 'statement', node: top.kind };
  for (const line of lines.slice(1)) {
    if (line.depth !== 1) continue;
    if (line.kind !== 'ExpressionList' && line.kind !== 'Set')
      return { kind: 'output-clause', node: line.kind };
  }
  return { kind: 'select' };
}

/** Why the sandbox refuses a parsed statement: the name it calls and what that would do. */
export interface Refusal {
  /** `file()`, `url()` (table function), `` `/etc/passwd` `` (a table named by a path)... */
  what: string;
  reason: string;
}

export interface RefusalOptions {
  /** Seed statements read only generators besides their own tables. */
  seed?: boolean;
  /** Table functions the caller handles itself (e.g. clusters mapped to the local node). */
  tableFunctionsAllowed?: ReadonlySet<string>;
}

/** Nodes whose Function child is a table function: FROM f(), INSERT INTO FUNCTION f(), CREATE TABLE t AS f(). */
const TABLE_FUNCTION_PARENTS: ReadonlySet<string> = new Set([
  'TableExpression',
  'InsertQuery',
  'CreateQuery',
]);

/**
 * The first thing in the dump the sandbox refuses: a denied function anywhere, a table function that
 * is not allowed, or a table named by a path (clickhouse-local resolves unknown table names as files).
 */
export function findRefusal(lines: readonly AstLine[], opts: RefusalOptions = {}): Refusal | undefined {
  for (const line of lines) {
    if (line.kind === 'Function') {
      const fn = /^\S+/.exec(line.name)?.[0] ?? '';
      if (TABLE_FUNCTION_PARENTS.has(line.parent ?? '')) {
        if (opts.tableFunctionsAllowed?.has(fn.toLowerCase())) continue;
        const table = deniedTableFunction(fn, { seed: opts.seed === true });
        if (table) return { what: `${table.name}() (table function)`, reason: table.reason };
      }
      const denied = deniedFunction(fn);
      if (denied) return { what: `${denied.name}()`, reason: denied.reason };
    } else if (line.kind === 'TableIdentifier' && /[/*?{]/.test(line.name)) {
      return { what: `\`${line.name}\``, reason: 'names a file, which the engine would read as a table' };
    }
  }
  return undefined;
}

/** Does the statement carry a SETTINGS clause anywhere (a `Set` node)? */
export function hasSettings(lines: readonly AstLine[]): boolean {
  return lines.some((l) => l.kind === 'Set');
}
