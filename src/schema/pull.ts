// `dashboard-ci schema pull`: the CREATE statements of the tables the dashboards read, from a real
// server, in dependency order (a view after what it reads, a dictionary after its source table, a
// Distributed table after its local one), made loadable by the one-node test engine. Credentials are
// never written: the server hides passwords in SHOW CREATE ([HIDDEN]) and the rewrite drops them.

import { ClickHouseQueryError, redact } from '../clickhouse/errors.js';
import { UsageError } from '../core/types.js';
import { astReads, rewriteForTestEngine, splitName } from './ddl.js';
import type { SchemaSource } from './source.js';

export interface PullOptions {
  source: SchemaSource;
  /** Tables named by the user (`db.t` or `t`); read with the tables the queries read. */
  tables?: readonly string[];
  /** The interpolated SQL of the dashboards' queries: the tables they read are pulled. */
  queries?: readonly string[];
  /** Values that must never reach the file (the password): replaced should the server echo one. */
  secrets?: readonly string[];
}

export interface PulledObject {
  database: string;
  name: string;
  engine: string;
  /** The statement written (after the rewrite for the test engine). */
  sql: string;
  note?: string;
}

export interface PullResult {
  objects: PulledObject[];
  /** Names the queries or --tables gave that the server does not have (CTE names, typos). */
  notFound: string[];
  /** Queries the server could not parse: their tables are not known. */
  unparsed: number;
  /** The statement text for schema.sql. */
  text: string;
}

interface TableRow {
  database: string;
  name: string;
  engine: string;
  engine_full: string;
  as_select: string;
  loading_dependencies_database: string[];
  loading_dependencies_table: string[];
  create_table_query: string;
}

const key = (db: string, name: string): string => `${db}\u0000${name}`;

function quoteName(s: string): string {
  return /^[A-Za-z_][\w]*$/.test(s) ? s : '`' + s.replace(/`/g, '``') + '`';
}

/**
 * Reads what each query reads, as the server's own parser sees it (EXPLAIN AST: parsed, not run).
 * Text that could hold a second statement is never sent (the panel SQL is the pull request's).
 */
async function readsOf(source: SchemaSource, sql: string): Promise<string[] | undefined> {
  if (sql.replace(/;\s*$/, '').includes(';')) return undefined;
  try {
    return astReads(await source.text(`EXPLAIN AST ${sql}`));
  } catch (e) {
    if (e instanceof ClickHouseQueryError) return undefined;
    throw e;
  }
}

export async function pullSchema(opts: PullOptions): Promise<PullResult> {
  const { source } = opts;
  const currentDb = (await source.rows<{ db: string }>('SELECT currentDatabase() AS db'))[0]?.db ?? 'default';
  const wanted: string[] = [...(opts.tables ?? [])];
  let unparsed = 0;
  for (const sql of opts.queries ?? []) {
    const reads = await readsOf(source, sql);
    if (reads === undefined) unparsed++;
    else wanted.push(...reads);
  }

  const found = new Map<string, TableRow>();
  const notFound: string[] = [];
  const lookup = async (database: string, name: string): Promise<TableRow | undefined> => {
    const k = key(database, name);
    if (found.has(k)) return found.get(k);
    const rows = await source.rows<TableRow>(
      'SELECT database, name, engine, engine_full, as_select, loading_dependencies_database, ' +
        'loading_dependencies_table, create_table_query FROM system.tables ' +
        'WHERE database = {db:String} AND name = {name:String}',
      { db: database, name },
    );
    const row = rows[0];
    if (row) found.set(k, row);
    return row;
  };

  // Depth-first over dependencies: what an object reads is written before it.
  const order: TableRow[] = [];
  const visiting = new Set<string>();
  const visit = async (database: string, name: string, asked: string | undefined): Promise<void> => {
    const k = key(database, name);
    if (visiting.has(k)) return;
    const row = await lookup(database, name);
    if (!row) {
      if (asked !== undefined) notFound.push(asked);
      return;
    }
    visiting.add(k);
    for (const dep of await dependenciesOf(source, row, currentDb))
      await visit(dep.database, dep.name, undefined);
    if (!order.includes(row)) order.push(row);
  };
  for (const w of new Set(wanted)) {
    // Grafana's and ClickHouse's own databases are not the dashboards' tables to pull.
    const { database, name } = splitName(w);
    if (database !== undefined && /^(system|information_schema|INFORMATION_SCHEMA)$/.test(database)) continue;
    await visit(database ?? currentDb, name, w);
  }
  if (order.length === 0 && wanted.length > 0 && notFound.length === wanted.length) {
    throw new UsageError(
      `none of the tables was found on ${source.description}: ${[...new Set(notFound)].join(', ')}`,
    );
  }

  const objects: PulledObject[] = [];
  for (const row of order) {
    const kind = row.engine === 'Dictionary' ? 'DICTIONARY' : 'TABLE';
    const shown = (
      await source.text(`SHOW CREATE ${kind} ${quoteName(row.database)}.${quoteName(row.name)}`)
    ).trim();
    const rewrite = rewriteForTestEngine(shown);
    const obj: PulledObject = {
      database: row.database,
      name: row.name,
      engine: row.engine,
      sql: rewrite.sql,
    };
    if (rewrite.note) obj.note = rewrite.note;
    objects.push(obj);
  }
  const text = redact(render(objects, source.description), opts.secrets ?? []);
  return { objects, notFound: [...new Set(notFound)], unparsed, text };
}

/** What an object reads: a view's query, a dictionary's source, a Distributed table's local table, an MV's target. */
async function dependenciesOf(
  source: SchemaSource,
  row: TableRow,
  currentDb: string,
): Promise<{ database: string; name: string }[]> {
  const out: { database: string; name: string }[] = [];
  const dbs = row.loading_dependencies_database ?? [];
  (row.loading_dependencies_table ?? []).forEach((t, i) =>
    out.push({ database: dbs[i] ?? row.database, name: t }),
  );
  if ((row.engine === 'View' || row.engine === 'MaterializedView') && row.as_select) {
    for (const r of (await readsOf(source, row.as_select)) ?? []) {
      const { database, name } = splitName(r);
      out.push({ database: database ?? row.database, name });
    }
  }
  if (row.engine === 'MaterializedView') {
    const to = /\bTO\s+((?:`[^`]+`|[\w$]+)(?:\.(?:`[^`]+`|[\w$]+))?)/.exec(row.create_table_query);
    if (to) {
      const { database, name } = splitName(to[1]!);
      out.push({ database: database ?? row.database, name });
    }
  }
  if (row.engine === 'Distributed') {
    const m = /^Distributed\(([^,]+),\s*([^,]+),\s*([^,)]+)/.exec(row.engine_full);
    if (m) {
      const db = m[2]!.trim().replace(/^'|'$/g, '');
      const database = db === 'currentDatabase()' || db === '' ? currentDb : splitName(db).name;
      out.push({ database, name: splitName(m[3]!.trim().replace(/^'|'$/g, '')).name });
    }
  }
  return out;
}

function render(objects: readonly PulledObject[], server: string): string {
  const lines: string[] = [
    `-- Written by \`dashboard-ci schema pull\` from ${server}: the tables the dashboards read, in`,
    '-- dependency order, as SHOW CREATE gives them, made loadable by the one-node test engine.',
    '',
  ];
  const databases = [...new Set(objects.map((o) => o.database))].filter((d) => d !== 'default');
  for (const d of databases) lines.push(`CREATE DATABASE IF NOT EXISTS ${quoteName(d)};`, '');
  for (const o of objects) {
    if (o.note) lines.push(`-- ${o.database}.${o.name}: ${o.note}`);
    lines.push(`${o.sql.trim()};`, '');
  }
  return lines.join('\n');
}
