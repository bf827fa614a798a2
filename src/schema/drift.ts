// `schema-drift`: the checked-in test schema against the server `check --clickhouse URL` points at.
// A table the schema defines but the server lacks, or whose columns differ (a column on one side only,
// another type), means EXPLAIN on the test schema judges queries against tables that are not the real
// ones. Types are compared as the server spells them (toTypeName(defaultValueOfTypeName(...)) turns
// INT into Int32), whitespace aside.

import { ClickHouseQueryError } from '../clickhouse/errors.js';
import type { Finding } from '../core/types.js';
import { normalizeType, parseCreate, splitName } from './ddl.js';
import type { SchemaSource } from './source.js';

export interface SchemaStatement {
  sql: string;
  file: string;
  line: number;
}

interface ServerColumn {
  name: string;
  type: string;
}

/**
 * One warning per table of the schema files that differs from the server. A server that refuses the
 * comparison (a user allowed to EXPLAIN but not to read system.columns) is one warning, not a failure.
 */
export async function schemaDrift(
  source: SchemaSource,
  statements: readonly SchemaStatement[],
): Promise<Finding[]> {
  try {
    return await compare(source, statements);
  } catch (err) {
    if (!(err instanceof ClickHouseQueryError)) throw err;
    const first = statements[0];
    return [
      {
        rule: 'schema-drift',
        severity: 'warning',
        message: `the schema files could not be compared with ${source.description}: ${err.message}`,
        file: first?.file ?? '',
        line: first?.line ?? 1,
        column: 1,
      },
    ];
  }
}

async function compare(source: SchemaSource, statements: readonly SchemaStatement[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  const currentDb = (await source.rows<{ db: string }>('SELECT currentDatabase() AS db'))[0]?.db ?? 'default';
  const canonical = new Map<string, string>();
  const canon = async (type: string): Promise<string> => {
    let c = canonical.get(type);
    if (c === undefined) {
      try {
        const rows = await source.rows<{ t: string }>(
          'SELECT toTypeName(defaultValueOfTypeName({type:String})) AS t',
          {
            type,
          },
        );
        c = rows[0]?.t ?? type;
      } catch (e) {
        if (!(e instanceof ClickHouseQueryError)) throw e;
        c = type;
      }
      canonical.set(type, c);
    }
    return normalizeType(c);
  };

  for (const st of statements) {
    const parsed = parseCreate(st.sql);
    if (!parsed || parsed.kind === 'view') continue;
    const { database, name } = splitName(parsed.name);
    const db = database ?? currentDb;
    const label = `${db}.${name}`;
    const at = { file: st.file, line: st.line, column: 1 };
    const exists = await source.rows<{ n: number }>(
      'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}',
      { db, name },
    );
    if (Number(exists[0]?.n ?? 0) === 0) {
      findings.push({
        rule: 'schema-drift',
        severity: 'warning',
        message: `${parsed.kind} ${label} is in the test schema but not on ${source.description}`,
        ...at,
      });
      continue;
    }
    const server = await source.rows<ServerColumn>(
      'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {name:String} ORDER BY position',
      { db, name },
    );
    const remote = new Map(server.map((c) => [c.name, c.type]));
    const local = new Map(parsed.columns.map((c) => [c.name, c.type]));
    // `n Nested(a T, b U)` is stored as the columns n.a Array(T), n.b Array(U): compared by name only.
    for (const [col, type] of [...local]) {
      if (!/^Nested\s*\(/i.test(type)) continue;
      local.delete(col);
      for (const r of remote.keys()) if (r.startsWith(`${col}.`)) remote.delete(r);
    }
    const diffs: string[] = [];
    for (const [col, type] of local) {
      const theirs = remote.get(col);
      if (theirs === undefined) diffs.push(`column ${col} is not on the server`);
      else if ((await canon(type)) !== normalizeType(theirs))
        diffs.push(`column ${col} is ${type} here, ${theirs} on the server`);
    }
    for (const [col, type] of remote) {
      if (!local.has(col)) diffs.push(`column ${col} (${type}) is on the server only`);
    }
    if (diffs.length === 0) continue;
    const shown = diffs.slice(0, 8);
    const more = diffs.length > shown.length ? `; and ${diffs.length - shown.length} more` : '';
    findings.push({
      rule: 'schema-drift',
      severity: 'warning',
      message: `${parsed.kind} ${label} differs from ${source.description}: ${shown.join('; ')}${more}`,
      ...at,
    });
  }
  return findings;
}
