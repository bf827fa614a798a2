// Reading ClickHouse DDL and EXPLAIN AST output as far as schema pull and schema-drift need: which
// tables a query reads, the columns a CREATE TABLE defines, and the rewrites that let a server's
// CREATE statement load into the one-node test engine.

import { parseMacroArgs, regionAt } from '../sql/lexer.js';

/** A table or dictionary name as `db.name`, or `name` when the query names no database. */
export type QualifiedName = string;

function unquote(part: string): string {
  return part.replace(/^[`"]|[`"]$/g, '');
}

/** `db.t`, `` `my db`.`t-1` ``, `t` → its parts, quotes removed. */
export function splitName(name: string): { database?: string; name: string } {
  const m = /^(`[^`]+`|"[^"]+"|[^.]+)\.(.+)$/.exec(name.trim());
  if (!m) return { name: unquote(name.trim()) };
  return { database: unquote(m[1]!), name: unquote(m[2]!) };
}

const DICT_FUNCTION =
  /^Function (dictGet\w*|dictHas|dictIsIn|dictGetHierarchy|dictGetChildren|dictGetDescendants)\b/;

/**
 * Tables and dictionaries an `EXPLAIN AST` output reads: every `TableIdentifier` (CTE names too; the
 * caller keeps only names the server has) and the dictionary named by the first argument of dictGet
 * and friends when it is a literal.
 */
export function astReads(ast: string): QualifiedName[] {
  const out = new Set<string>();
  const lines = ast.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const t = /^TableIdentifier (\S+)/.exec(line);
    if (t) {
      out.add(t[1]!);
      continue;
    }
    if (DICT_FUNCTION.test(line)) {
      // Function dictGet → ExpressionList → first argument.
      const arg = lines[i + 2]?.trim() ?? '';
      const lit = /^Literal '((?:[^'\\]|\\.)*)'/.exec(arg);
      if (lit) out.add(lit[1]!);
    }
  }
  return [...out];
}

export interface ColumnDef {
  name: string;
  type: string;
}

const COLUMN_END = new Set([
  'DEFAULT',
  'MATERIALIZED',
  'ALIAS',
  'EPHEMERAL',
  'CODEC',
  'COMMENT',
  'TTL',
  'NULL',
  'NOT',
  'SETTINGS',
  'STATISTICS',
  'PRIMARY',
]);
const NOT_COLUMN = /^(INDEX|PROJECTION|CONSTRAINT|PRIMARY\s+KEY)\b/i;

/** The type text of a column definition: up to the first top-level DEFAULT / CODEC / COMMENT / ... */
function columnType(rest: string): string {
  let depth = 0;
  let i = 0;
  while (i < rest.length) {
    const region = regionAt(rest, i);
    if (region) {
      i = region.end;
      continue;
    }
    const c = rest[i]!;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && /[A-Za-z]/.test(c) && (i === 0 || /\s/.test(rest[i - 1]!))) {
      const word = /^[A-Za-z_]+/.exec(rest.slice(i))![0];
      if (COLUMN_END.has(word.toUpperCase())) return rest.slice(0, i).trim();
      i += word.length;
      continue;
    }
    i++;
  }
  return rest.trim();
}

/**
 * The object a CREATE statement makes and its columns (for TABLE and DICTIONARY with a column list;
 * none for a view without one). undefined when the text is not a CREATE of a table, view or dictionary.
 */
export function parseCreate(
  sql: string,
): { kind: 'table' | 'view' | 'dictionary'; name: QualifiedName; columns: ColumnDef[] } | undefined {
  const head =
    /^\s*(?:--[^\n]*\n\s*)*(?:CREATE|ATTACH)\s+(?:OR\s+REPLACE\s+)?(TEMPORARY\s+)?(TABLE|VIEW|MATERIALIZED\s+VIEW|LIVE\s+VIEW|DICTIONARY)\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:`[^`]+`|"[^"]+"|[\w$]+)(?:\.(?:`[^`]+`|"[^"]+"|[\w$]+))?)/i.exec(
      sql,
    );
  if (!head) return undefined;
  const kindWord = head[2]!.toUpperCase();
  const kind = kindWord === 'TABLE' ? 'table' : kindWord === 'DICTIONARY' ? 'dictionary' : 'view';
  const name = head[3]!;
  const columns: ColumnDef[] = [];
  let i = head.index + head[0].length;
  // Skip `ON CLUSTER x`, `UUID '...'` and `TO db.t` up to the column list, if any.
  const rest = sql.slice(i);
  const open = /^\s*(?:UUID\s+'[^']*'\s*)?(?:ON\s+CLUSTER\s+\S+\s*)?(?:TO\s+\S+\s*)?\(/i.exec(rest);
  if (open) {
    i += open[0].length - 1;
    const parsed = parseMacroArgs(sql, i);
    if (parsed) {
      for (const arg of parsed.args) {
        const text = arg.text.trim();
        if (text === '' || NOT_COLUMN.test(text)) continue;
        const m = /^(`[^`]+`|"[^"]+"|[\w$.]+)\s+([\s\S]+)$/.exec(text);
        if (!m) continue;
        columns.push({ name: unquote(m[1]!), type: columnType(m[2]!) });
      }
    }
  }
  return { kind, name, columns };
}

/** Types compared without whitespace: `Decimal(18,2)` and `Decimal(18, 2)` are one type. */
export function normalizeType(type: string): string {
  return type.replace(/\s+/g, '');
}

export interface Rewrite {
  sql: string;
  /** What was changed so that the statement loads into the one-node test engine, for a comment. */
  note?: string;
}

const ENGINE_LINE = /^ENGINE = (\w+)(\(.*\))?$/m;
const MERGE_TREE = /^(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Graphite)?MergeTree$/;
const KEPT_ENGINES = new Set([
  'View',
  'MaterializedView',
  'Memory',
  'Null',
  'Log',
  'TinyLog',
  'StripeLog',
  'Set',
  'Join',
  'Dictionary',
  'Merge',
]);

/** Arguments of an engine call, split at top-level commas. */
function engineArgs(call: string | undefined): string[] {
  if (!call) return [];
  const parsed = parseMacroArgs(call, 0);
  return parsed ? parsed.args.map((a) => a.text.trim()) : [];
}

/**
 * A server's `SHOW CREATE` text, made loadable by the one-node test engine, with the same columns,
 * partitioning and sorting keys (so EXPLAIN judges and costs the queries the same way):
 * - `Replicated*MergeTree('/path', '{replica}', args)` → `*MergeTree(args)` (no ZooKeeper here);
 * - `Distributed(cluster, db, local, ...)` → `Merge(db, '^local$')`: the same reads of the local
 *   table, without a cluster;
 * - a dictionary's `SOURCE(CLICKHOUSE(HOST … PORT … USER … PASSWORD …))` → the same table, locally;
 * - any other engine that reads outside the server (S3, Kafka, MySQL, URL, …) → `MergeTree ORDER BY tuple()`.
 * MergeTree-family tables, views, materialized views and local engines stay as they are.
 */
export function rewriteForTestEngine(create: string): Rewrite {
  const parsed = parseCreate(create);
  if (parsed?.kind === 'dictionary') {
    const m = /SOURCE\(CLICKHOUSE\(([^)]*)\)\)/i.exec(create);
    if (!m)
      return {
        sql: create,
        note: 'a dictionary whose source is not a ClickHouse table: load its data yourself',
      };
    const kept = m[1]!
      .replace(/\b(HOST|PORT|USER|PASSWORD|SECURE|QUERY)\s+('(?:[^'\\]|\\.)*'|\S+)\s*/gi, '')
      .trim();
    if (kept === m[1]!.trim()) return { sql: create };
    return {
      sql: create.replace(m[0], `SOURCE(CLICKHOUSE(${kept}))`),
      note: 'its ClickHouse source is read locally (host, port, user and password dropped)',
    };
  }
  const engine = ENGINE_LINE.exec(create);
  if (!engine) return { sql: create };
  const [line, name, call] = engine as unknown as [string, string, string | undefined];
  const replicated = /^Replicated(\w*MergeTree)$/.exec(name);
  if (replicated) {
    // The first two arguments are the ZooKeeper path and the replica name, when given.
    const args = engineArgs(call);
    const rest = args.length >= 2 && /^'/.test(args[0]!) ? args.slice(2) : args;
    const next = `ENGINE = ${replicated[1]}${rest.length ? `(${rest.join(', ')})` : ''}`;
    return { sql: create.replace(line, next), note: `${name} → ${replicated[1]} (one node, no replication)` };
  }
  if (name === 'Distributed') {
    const args = engineArgs(call);
    const db = args[1] ?? 'currentDatabase()';
    const table = unquote((args[2] ?? '').replace(/^'|'$/g, ''));
    const next = `ENGINE = Merge(${/^'/.test(db) || /\(/.test(db) ? db : `'${unquote(db)}'`}, '^${table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$')`;
    // A Distributed table has no keys of its own: drop what follows the ENGINE line (SETTINGS only).
    const at = create.indexOf(line);
    return {
      sql: create.slice(0, at) + next,
      note: `Distributed over cluster ${args[0] ?? '?'} → Merge over the local table ${table} (no cluster here)`,
    };
  }
  if (MERGE_TREE.test(name) || KEPT_ENGINES.has(name)) return { sql: create };
  const at = create.indexOf(line);
  return {
    sql: create.slice(0, at) + 'ENGINE = MergeTree\nORDER BY tuple()',
    note: `${name} reads outside the server → an empty MergeTree with the same columns`,
  };
}
