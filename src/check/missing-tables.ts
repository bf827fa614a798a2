// A table the test schema lacks makes every query that reads it fail with 60 UNKNOWN_TABLE (or 81
// UNKNOWN_DATABASE): one cause, said once per table with every query that reads it, instead of one
// error per query.

import type { EngineErrorInfo, Finding } from '../core/types.js';

export const UNKNOWN_TABLE = 60;
export const UNKNOWN_DATABASE = 81;

/**
 * The table (or database) ClickHouse says is missing, as written in the query, or undefined when the
 * error is another one. `sql` is the query sent, to find `db.table` when only the database is named.
 */
export function missingTableOf(error: EngineErrorInfo, sql: string): string | undefined {
  if (error.code === UNKNOWN_TABLE) {
    const m =
      /Unknown table expression identifier '([^']+)'/.exec(error.message) ??
      /Table (\S+?) does(?: not|n't) exist/.exec(error.message);
    return m ? unquote(m[1]!) : undefined;
  }
  if (error.code === UNKNOWN_DATABASE) {
    const m = /Database (`[^`]+`|\S+) does(?: not|n't) exist/.exec(error.message);
    if (!m) return undefined;
    const db = unquote(m[1]!);
    const escaped = db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const t = new RegExp(`[\`"]?\\b${escaped}\\b[\`"]?\\.([\`"][^\`"]+[\`"]|\\w+)`).exec(sql);
    return t ? `${db}.${unquote(t[1]!)}` : db;
  }
  return undefined;
}

function unquote(name: string): string {
  return name
    .split('.')
    .map((p) => p.replace(/^[`"]|[`"]$/g, ''))
    .join('.');
}

/** Grouping key: a name without a database is in the session's default database. */
function tableKey(name: string): string {
  return (name.includes('.') ? name : `default.${name}`).toLowerCase();
}

/** A finding without what it says: where it goes. */
export type FindingPlace = Omit<Finding, 'rule' | 'severity' | 'message'>;

export interface MissingTableRead {
  /** "dashboard X, panel 3 "Title", query A" — where the query lives. */
  where: string;
  finding: FindingPlace;
}

/** Collects the reads of each missing table, then reports each table once. */
export class MissingTables {
  private readonly tables = new Map<string, { name: string; reads: MissingTableRead[] }>();

  add(table: string, read: MissingTableRead): void {
    const key = tableKey(table);
    let entry = this.tables.get(key);
    if (!entry) this.tables.set(key, (entry = { name: table, reads: [] }));
    entry.reads.push(read);
  }

  get size(): number {
    return this.tables.size;
  }

  /**
   * One `table-not-in-schema` finding per table, at its first read, naming every query that reads it
   * (the first ten, then how many more). `server` names the server when the check ran against one
   * without preparing a schema: then the table is missing there, not from a test schema.
   */
  findings(schemaFiles: readonly string[], server?: string): Finding[] {
    const out: Finding[] = [];
    for (const { name, reads } of this.tables.values()) {
      const first = reads[0]!;
      const shown = reads.slice(0, 10).map((r) => r.where);
      const more = reads.length > shown.length ? `, and ${reads.length - shown.length} more` : '';
      const where = server
        ? `does not exist on ${server}`
        : `is not in the test schema${schemaFiles.length ? ` (${schemaFiles.join(', ')})` : ' (no schema file given)'}`;
      const fix = server
        ? 'check the name'
        : `add its CREATE statement there (\`dashboard-ci schema pull --clickhouse URL --tables ${name}\` writes it from a server), or check the name`;
      out.push({
        rule: 'table-not-in-schema',
        severity: 'error',
        message: `table ${name} ${where}: read by ${reads.length} ${reads.length === 1 ? 'query' : 'queries'} (${shown.join('; ')}${more}); ${fix}`,
        ...first.finding,
      });
    }
    return out;
  }
}
