// schema.sql and seed.sql are data definitions, not scripts. Each statement is judged on ClickHouse's
// own reading of it: the single-line text formatQuerySingleLine gives back (keywords upper-cased,
// no comments, one statement: what is judged here is what runs) and its EXPLAIN AST (every function
// it calls). Allowed: CREATE DATABASE, CREATE TABLE with a MergeTree-family, Memory, Log-family or
// Null engine (projections, skip indexes, codecs, TTLs), views, materialized views, dictionaries
// over a ClickHouse table of the engine, INSERT ... SELECT from the tables and generators, INSERT
// with inline data in a text format, ALTER TABLE of columns, indexes, projections, TTL, sorting key
// and comments, OPTIMIZE, and
// (embedded only) SET, USE and DROP, harmless in a private engine. Anything else is refused before
// it runs.
import { findRefusal, type AstLine } from './ast.js';
import { tokenize, type Token } from './tokens.js';

export type PolicyMode = 'embedded' | 'server';

export type StatementVerdict =
  | {
      ok: true;
      /** What the statement is, for messages: `CREATE TABLE`, `INSERT`... */
      kind: string;
      /** Inline data (VALUES, FORMAT CSV...) follows the statement: run the original text, not the canonical one. */
      inlineData: boolean;
      /** The text to run instead of the canonical one (a Distributed table over a mapped cluster). */
      rewrite?: string;
    }
  | { ok: false; kind: string; reason: string };

/** Engines a test table may have: data stays in the engine's own directory. */
export const ALLOWED_TABLE_ENGINES: ReadonlySet<string> = new Set([
  'MergeTree',
  'ReplacingMergeTree',
  'SummingMergeTree',
  'AggregatingMergeTree',
  'CollapsingMergeTree',
  'VersionedCollapsingMergeTree',
  'GraphiteMergeTree',
  'CoalescingMergeTree',
  'Memory',
  'Log',
  'TinyLog',
  'StripeLog',
  'Null',
]);

const ALLOWED_DATABASE_ENGINES: ReadonlySet<string> = new Set(['Atomic', 'Ordinary', 'Memory']);

/** Text formats inline INSERT data may use: no schema files, templates or binary protocols. */
export const INLINE_FORMATS: ReadonlySet<string> = new Set([
  'values',
  'csv',
  'csvwithnames',
  'csvwithnamesandtypes',
  'tsv',
  'tabseparated',
  'tsvwithnames',
  'tabseparatedwithnames',
  'tsvwithnamesandtypes',
  'tabseparatedwithnamesandtypes',
  'jsoneachrow',
  'jsoncompacteachrow',
  'jsonlines',
  'ndjson',
]);

/** Keys of SOURCE(CLICKHOUSE(...)) that keep a dictionary on a table of this engine. */
const LOCAL_DICTIONARY_KEYS: ReadonlySet<string> = new Set(['DB', 'TABLE', 'UPDATE_FIELD', 'UPDATE_LAG']);

/**
 * Settings a schema or seed statement may not name: they put data on other disks or hosts, or point
 * a format at a file (`disk = disk(type = 'local', path = ...)` creates directories anywhere: measured).
 */
const PATH_LIKE_SETTING =
  /(^|_)(disk|disks|volume|path|paths|file|files|storage|policy|url|uri|endpoint|schema|template|keeper|zookeeper|s3|azure|hdfs|bridge|library|host|hosts|proxy|credentials?)(_|$)/i;

function refuse(kind: string, reason: string): StatementVerdict {
  return { ok: false, kind, reason };
}

function settingsNames(tokens: readonly Token[]): string[] {
  const names: string[] = [];
  tokens.forEach((t, i) => {
    if (t.type !== 'word' || t.value !== 'SETTINGS') return;
    // name = value, name = value ... at the depth of the keyword
    for (let j = i + 1; j + 1 < tokens.length;) {
      const name = tokens[j]!;
      const eq = tokens[j + 1]!;
      if (name.depth !== t.depth || (name.type !== 'word' && name.type !== 'quoted') || eq.value !== '=')
        break;
      names.push(name.raw);
      // skip the value: everything up to a comma at this depth
      let k = j + 2;
      while (k < tokens.length && !(tokens[k]!.depth === t.depth && tokens[k]!.value === ',')) {
        if (tokens[k]!.depth < t.depth) break;
        if (tokens[k]!.depth === t.depth && tokens[k]!.type === 'word' && k > j + 2) break;
        k++;
      }
      if (tokens[k]?.value !== ',') break;
      j = k + 1;
    }
  });
  return names;
}

function badSetting(tokens: readonly Token[]): string | undefined {
  return settingsNames(tokens).find((n) => PATH_LIKE_SETTING.test(n));
}

/** Index of the first depth-0 word `value` at or after `from`. */
function findWord(tokens: readonly Token[], value: string, from = 0): number {
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.depth === 0 && t.type === 'word' && t.value === value) return i;
  }
  return -1;
}

/** The engine name after `ENGINE =` at depth 0, as written (case kept), or undefined. */
function engineName(tokens: readonly Token[]): string | undefined {
  const at = findWord(tokens, 'ENGINE');
  if (at < 0 || tokens[at + 1]?.value !== '=') return undefined;
  const t = tokens[at + 2];
  if (!t) return '';
  return t.raw;
}

/** The object a statement creates or writes: `name` or `db.name` as tokens after `from`. */
function objectName(tokens: readonly Token[], from: number): { name: string; qualified: boolean } {
  const a = tokens[from];
  if (!a || (a.type !== 'word' && a.type !== 'quoted')) return { name: '', qualified: false };
  if (tokens[from + 1]?.value === '.' && tokens[from + 2]) {
    return { name: `${a.value}.${tokens[from + 2]!.value}`, qualified: true };
  }
  return { name: a.value, qualified: false };
}

function skipIfNotExists(tokens: readonly Token[], i: number): number {
  if (tokens[i]?.value === 'IF' && tokens[i + 1]?.value === 'NOT' && tokens[i + 2]?.value === 'EXISTS')
    return i + 3;
  if (tokens[i]?.value === 'IF' && tokens[i + 1]?.value === 'EXISTS') return i + 2;
  return i;
}

function engineVerdict(kind: string, engine: string): StatementVerdict | undefined {
  if (ALLOWED_TABLE_ENGINES.has(engine)) return undefined;
  if (/^Replicated.*MergeTree$/.test(engine)) {
    const plain = engine.slice('Replicated'.length);
    return refuse(
      kind,
      `ENGINE = ${engine} needs ClickHouse Keeper; the test engine is one node: use ENGINE = ${plain} (without the replication path and replica arguments)`,
    );
  }
  if (/^Shared.*MergeTree$/.test(engine)) {
    return refuse(
      kind,
      `ENGINE = ${engine} is ClickHouse Cloud's; use ENGINE = ${engine.slice('Shared'.length)}`,
    );
  }
  return refuse(
    kind,
    `ENGINE = ${engine} is not one a test table may have (MergeTree family, Memory, Log family, Null): it keeps or reads data outside the engine`,
  );
}

/**
 * Judges one schema or seed statement: `canonical` is formatQuerySingleLine's text of it, `ast` the
 * lines of EXPLAIN AST of that text.
 */
export function judgeStatement(
  canonical: string,
  ast: readonly AstLine[],
  mode: PolicyMode,
  opts: { clusters?: ReadonlySet<string> } = {},
): StatementVerdict {
  const tokens = tokenize(canonical);
  const w = (i: number): string => (tokens[i]?.type === 'word' ? tokens[i]!.value : '');
  let kind = [w(0), w(1)].filter(Boolean).join(' ') || 'statement';

  if (findWord(tokens, 'ON') >= 0 && tokens[findWord(tokens, 'ON') + 1]?.value === 'CLUSTER') {
    return refuse(
      kind,
      'ON CLUSTER runs the statement on other servers; the test engine is one node: drop it',
    );
  }
  const setting = badSetting(tokens);

  const astRefusal = (seed: boolean): StatementVerdict | undefined => {
    const r = findRefusal(ast, { seed });
    return r ? refuse(kind, `${r.what} ${r.reason}`) : undefined;
  };
  const settingRefusal = (): StatementVerdict | undefined =>
    setting
      ? refuse(kind, `the setting ${setting} points data or a format at disks, files or hosts`)
      : undefined;
  const serverTarget = (name: { name: string; qualified: boolean }): StatementVerdict | undefined =>
    mode === 'server' && name.qualified
      ? refuse(
          kind,
          `${name.name} names a database: on a server the tool applies the files into its own scratch database, so objects must be unqualified`,
        )
      : undefined;

  switch (w(0)) {
    case 'CREATE': {
      let i = 1;
      if (w(1) === 'OR' && w(2) === 'REPLACE') i = 3;
      const what = w(i);
      if (what === 'DATABASE') {
        kind = 'CREATE DATABASE';
        if (mode === 'server')
          return refuse(kind, 'on a server the tool applies the files into its own scratch database');
        const engine = engineName(tokens);
        if (engine !== undefined && !ALLOWED_DATABASE_ENGINES.has(engine)) {
          return refuse(kind, `ENGINE = ${engine} is not a database engine of plain tables (Atomic, Memory)`);
        }
        return settingRefusal() ?? { ok: true, kind, inlineData: false };
      }
      if (what === 'TABLE') {
        kind = 'CREATE TABLE';
        const target = objectName(tokens, skipIfNotExists(tokens, i + 1));
        const engine = engineName(tokens);
        const selectAt = findWord(tokens, 'SELECT');
        if (engine === 'Distributed' && mode === 'embedded') {
          return (
            serverTarget(target) ??
            settingRefusal() ??
            distributedVerdict(kind, canonical, tokens, opts.clusters ?? new Set())
          );
        }
        return (
          serverTarget(target) ??
          (engine !== undefined ? engineVerdict(kind, engine) : undefined) ??
          settingRefusal() ??
          astRefusal(selectAt >= 0 || engine === undefined) ?? { ok: true, kind, inlineData: false }
        );
      }
      if (what === 'TEMPORARY')
        return refuse('CREATE TEMPORARY TABLE', 'temporary tables do not outlive the session');
      if (what === 'VIEW' || (what === 'MATERIALIZED' && w(i + 1) === 'VIEW')) {
        kind = what === 'VIEW' ? 'CREATE VIEW' : 'CREATE MATERIALIZED VIEW';
        const target = objectName(tokens, skipIfNotExists(tokens, what === 'VIEW' ? i + 1 : i + 2));
        if (findWord(tokens, 'REFRESH') >= 0) {
          return refuse(
            'CREATE MATERIALIZED VIEW ... REFRESH',
            'a refreshable view runs queries on a schedule',
          );
        }
        const engine = engineName(tokens);
        return (
          serverTarget(target) ??
          (engine !== undefined ? engineVerdict(kind, engine) : undefined) ??
          settingRefusal() ??
          astRefusal(false) ?? { ok: true, kind, inlineData: false }
        );
      }
      if (what === 'DICTIONARY') {
        kind = 'CREATE DICTIONARY';
        const target = objectName(tokens, skipIfNotExists(tokens, i + 1));
        return (
          serverTarget(target) ??
          dictionaryVerdict(kind, tokens) ??
          astRefusal(false) ?? {
            ok: true,
            kind,
            inlineData: false,
          }
        );
      }
      return refuse(`CREATE ${what}`.trim(), 'only databases, tables, views and dictionaries may be created');
    }
    case 'INSERT': {
      kind = 'INSERT';
      if (w(1) !== 'INTO') return refuse(kind, 'expected INSERT INTO <table>');
      let i = 2;
      if (w(i) === 'FUNCTION')
        return refuse('INSERT INTO FUNCTION', 'writes through a table function (files, URLs, other servers)');
      if (w(i) === 'TABLE') i++;
      const target = objectName(tokens, i);
      if (/[/*?{]/.test(target.name)) return refuse(kind, `\`${target.name}\` names a file`);
      const formatAt = findWord(tokens, 'FORMAT');
      const selectAt =
        findWord(tokens, 'SELECT') >= 0 ? findWord(tokens, 'SELECT') : findWord(tokens, 'WITH');
      const inlineData = formatAt >= 0 && (selectAt < 0 || formatAt < selectAt);
      if (inlineData) {
        const format = tokens[formatAt + 1]?.raw ?? '';
        if (!INLINE_FORMATS.has(format.toLowerCase())) {
          return refuse(
            kind,
            `FORMAT ${format} is not a plain text format (Values, CSV, TSV, JSONEachRow...)`,
          );
        }
      } else if (selectAt < 0) {
        return refuse(kind, 'expected INSERT ... SELECT or INSERT ... VALUES');
      }
      return serverTarget(target) ?? settingRefusal() ?? astRefusal(true) ?? { ok: true, kind, inlineData };
    }
    case 'ALTER': {
      kind = 'ALTER TABLE';
      if (w(1) !== 'TABLE')
        return refuse(`ALTER ${w(1)}`, 'only ALTER TABLE ... changes of columns, indexes and projections');
      const target = objectName(tokens, 2);
      const verdict = alterVerdict(kind, tokens);
      return (
        verdict ??
        serverTarget(target) ??
        settingRefusal() ??
        astRefusal(true) ?? { ok: true, kind, inlineData: false }
      );
    }
    case 'OPTIMIZE':
      kind = 'OPTIMIZE TABLE';
      return serverTarget(objectName(tokens, 2)) ?? { ok: true, kind, inlineData: false };
    case 'DROP':
      kind = `DROP ${w(1)}`;
      if (mode === 'server')
        return refuse(kind, 'the tool drops nothing on a server but its own scratch database');
      if (!['TABLE', 'VIEW', 'DICTIONARY'].includes(w(1)))
        return refuse(kind, 'only tables, views and dictionaries of the test schema may be dropped');
      return { ok: true, kind, inlineData: false };
    case 'SET':
      kind = 'SET';
      if (mode === 'server') return refuse(kind, "settings of the scratch session are the tool's");
      return settingRefusalFor(tokens) ?? { ok: true, kind, inlineData: false };
    case 'USE':
      kind = 'USE';
      if (mode === 'server')
        return refuse(kind, 'on a server the tool applies the files into its own scratch database');
      return { ok: true, kind, inlineData: false };
    default:
      return refuse(
        kind,
        'not a data definition (CREATE, INSERT, ALTER TABLE of columns/indexes/projections, OPTIMIZE)',
      );
  }
}

function settingRefusalFor(tokens: readonly Token[]): StatementVerdict | undefined {
  // SET a = 1, b = 2: the same shape as a SETTINGS clause after the keyword.
  const names: string[] = [];
  for (let j = 1; j + 1 < tokens.length;) {
    const name = tokens[j]!;
    if ((name.type !== 'word' && name.type !== 'quoted') || tokens[j + 1]!.value !== '=') break;
    names.push(name.raw);
    let k = j + 2;
    while (k < tokens.length && !(tokens[k]!.depth === 0 && tokens[k]!.value === ',')) k++;
    j = k + 1;
  }
  const bad = names.find((n) => PATH_LIKE_SETTING.test(n));
  return bad
    ? refuse('SET', `the setting ${bad} points data or a format at disks, files or hosts`)
    : undefined;
}

function dictionaryVerdict(kind: string, tokens: readonly Token[]): StatementVerdict | undefined {
  const sourceAt = findWord(tokens, 'SOURCE');
  if (sourceAt < 0) return refuse(kind, 'a dictionary needs SOURCE(CLICKHOUSE(TABLE ...))');
  const type = tokens[sourceAt + 2];
  if (!type || type.type !== 'word' || type.value !== 'CLICKHOUSE') {
    return refuse(
      kind,
      `SOURCE(${type?.raw ?? ''}) reads outside the engine: a test dictionary reads a table of the schema, SOURCE(CLICKHOUSE(TABLE '...'))`,
    );
  }
  // Keys at the depth inside CLICKHOUSE(...): DB 'x' TABLE 'y'.
  const inner = type.depth + 1;
  for (let i = sourceAt + 4; i < tokens.length && tokens[i]!.depth >= inner; i++) {
    const t = tokens[i]!;
    if (t.depth === inner && t.type === 'word' && !LOCAL_DICTIONARY_KEYS.has(t.value)) {
      return refuse(
        kind,
        `SOURCE(CLICKHOUSE(${t.value} ...)) reaches beyond a table of the engine (only DB and TABLE are allowed)`,
      );
    }
  }
  const layoutAt = findWord(tokens, 'LAYOUT');
  if (layoutAt >= 0) {
    for (let i = layoutAt + 2; i < tokens.length && tokens[i]!.depth > 0; i++) {
      if (tokens[i]!.type === 'word' && tokens[i]!.value === 'PATH') {
        return refuse(kind, 'a LAYOUT with a PATH writes files outside the engine');
      }
    }
  }
  return undefined;
}

// Changes of a table's definition, as schema migrations write them (PMM's add columns after the
// CREATE): none reads or writes outside the table. Not here: MODIFY SETTING (a table setting can name
// a disk with a path), partition moves and attaches, mutations (UPDATE, DELETE), FETCH, FREEZE.
const ALTER_COMMANDS: ReadonlySet<string> = new Set([
  'ADD COLUMN',
  'ADD INDEX',
  'ADD PROJECTION',
  'CLEAR COLUMN',
  'CLEAR INDEX',
  'CLEAR PROJECTION',
  'COMMENT COLUMN',
  'DROP COLUMN',
  'DROP INDEX',
  'DROP PROJECTION',
  'MATERIALIZE COLUMN',
  'MATERIALIZE INDEX',
  'MATERIALIZE PROJECTION',
  'MATERIALIZE TTL',
  'MODIFY COLUMN',
  'MODIFY COMMENT',
  'MODIFY ORDER',
  'MODIFY TTL',
  'REMOVE TTL',
  'RENAME COLUMN',
]);

function alterVerdict(kind: string, tokens: readonly Token[]): StatementVerdict | undefined {
  // ALTER TABLE [db.]t (ADD PROJECTION ...), (MATERIALIZE PROJECTION p) [SETTINGS ...]: commands are
  // separated by commas at depth 0, each in parentheses (chdb's formatter) or bare.
  let i = tokens[3]?.value === '.' ? 5 : 3;
  const segments: Token[][] = [[]];
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.depth === 0 && t.type === 'word' && t.value === 'SETTINGS') break;
    if (t.depth === 0 && t.value === ',') segments.push([]);
    else if (!(t.depth === 0 && (t.value === '(' || t.value === ')'))) segments[segments.length - 1]!.push(t);
  }
  for (const segment of segments) {
    const command = segment
      .slice(0, 2)
      .map((t) => t.value)
      .join(' ');
    if (!ALTER_COMMANDS.has(command)) {
      return refuse(
        `ALTER TABLE ... ${command}`.trim(),
        'only changes of columns, indexes, projections, TTL, sorting key and comments',
      );
    }
  }
  return undefined;
}

/**
 * `ENGINE = Distributed(cluster, db, table[, key])` over a cluster clickhouse.clusters maps to the
 * local node becomes `ENGINE = Merge(db, '^table$')`: the same columns, read from the local table,
 * with no connection (the engine has no remote_servers, and no grant to create a Distributed table).
 */
function distributedVerdict(
  kind: string,
  canonical: string,
  tokens: readonly Token[],
  clusters: ReadonlySet<string>,
): StatementVerdict {
  const at = findWord(tokens, 'ENGINE');
  const open = at + 3;
  const args: Token[][] = [[]];
  let close = -1;
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.depth === 0 && t.value === ')') {
      close = i;
      break;
    }
    if (t.depth === 1 && t.value === ',') args.push([]);
    else args[args.length - 1]!.push(t);
  }
  const single = (a: Token[] | undefined): Token | undefined => (a && a.length === 1 ? a[0] : undefined);
  const [cluster, db, table] = [single(args[0]), single(args[1]), single(args[2])];
  const name = cluster?.type === 'word' ? cluster.raw : cluster?.value;
  if (tokens[open]?.value !== '(' || close < 0 || !name || !db || !table) {
    return refuse(kind, 'ENGINE = Distributed needs (cluster, database, table) written as names');
  }
  if (!clusters.has(name)) {
    return refuse(
      kind,
      `ENGINE = Distributed reads cluster ${name}, which the test engine does not have: name it in clickhouse.clusters to read the local table instead`,
    );
  }
  const database = db.type === 'string' ? `'${db.value}'` : canonical.slice(db.start, db.end);
  const local = table.type === 'word' ? table.raw : table.value;
  if (/['\\]/.test(local)) return refuse(kind, 'ENGINE = Distributed over a table name with quotes');
  const regexp = `^${local.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`)}$`;
  const rewrite = `${canonical.slice(0, tokens[at]!.start)}ENGINE = Merge(${database}, '${regexp}')${canonical.slice(tokens[close]!.end)}`;
  return { ok: true, kind, inlineData: false, rewrite };
}
