// A query variable's own query is the one text of a pull request that dashboard-ci runs for real, not
// only plans: Grafana runs it when a dashboard loads, and its first row becomes the value panels read
// (issue 9 item 3). It goes through Engine.execute() with the same gates as EXPLAIN: one statement
// (ClickHouse's own parse, the text bound as a value), its AST checked against the deny lists, and
// only SELECT or SHOW TABLES / SHOW DATABASES / DESCRIBE / EXISTS. This test records every statement
// the engine's session receives and everything it answers: a hostile variable query is parsed
// (EXPLAIN AST) and refused, never executed, leaks nothing, opens no socket and writes no file; the
// variable keeps its stand-in. With the gate removed, the hostile text would reach the session as a
// statement of its own (or its answer would carry the canary) and this test fails.

import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedEngine, type ChdbModule, type EmbeddedEngine } from '../../src/clickhouse/embedded.js';
import { engineVariableRunner } from '../../src/check/variable-runner.js';
import { prepareQueries, type UnresolvedByDashboard } from '../../src/check/prepare.js';
import { buildDashboard, type JsonObject } from '../../src/dashboards/model.js';
import { SourceDoc } from '../../src/dashboards/source.js';
import { leaks, makeCanary, startListener, type Canary, type Listener } from './support.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const DS = { type: 'grafana-clickhouse-datasource', uid: 'ch' };
const TYPES = new Map([['ch', 'grafana-clickhouse-datasource']]);

/** Hostile variable queries; {F} the canary file, {D} its folder, {O} a path that must stay absent, {P} the listener. */
const HOSTILE: Record<string, string> = {
  file_table: "SELECT * FROM file('{F}', 'LineAsString')",
  file_scalar: "SELECT file('/proc/self/environ')",
  file_in_describe: "DESCRIBE (SELECT file('{F}'))",
  path_table: 'SELECT * FROM `{F}`',
  filesystem: "SELECT name FROM filesystem('{D}')",
  url: "SELECT * FROM url('http://127.0.0.1:{P}/', 'CSV', 'a String')",
  remote: "SELECT * FROM remote('127.0.0.1:{P}', system.one)",
  second_statement: 'SHOW TABLES; DROP TABLE default.t',
  show_create: 'SHOW CREATE TABLE default.t',
  outfile: "EXISTS TABLE default.t INTO OUTFILE '{O}'",
  show_format: 'SHOW TABLES FORMAT JSON',
  insert: "INSERT INTO FUNCTION file('{O}', 'CSV', 'a String') VALUES ('x')",
};

let canary: Canary;
let listener: Listener;
let engine: EmbeddedEngine;
/** Every statement text the session ran (query), and every answer it gave (query and queryBind). */
const statements: string[] = [];
const answers: string[] = [];

/** chdb's own Session, wrapped to record what reaches the engine. */
async function recordingChdb(): Promise<ChdbModule> {
  const mod = (await import('chdb')) as unknown as Partial<ChdbModule> & { default?: ChdbModule };
  const Base = (mod.Session ?? mod.default!.Session) as ChdbModule['Session'];
  class Recording {
    private readonly s: InstanceType<ChdbModule['Session']>;
    constructor(path?: string, opts?: { connectionArgs?: readonly string[] }) {
      this.s = new Base(path, opts);
    }
    query(q: string, f?: string): string {
      statements.push(q);
      const out = this.s.query(q, f);
      answers.push(out);
      return out;
    }
    queryBind(q: string, args: object, f?: string): string {
      const out = this.s.queryBind(q, args, f);
      answers.push(out);
      return out;
    }
    close(): void {
      this.s.close();
    }
  }
  return { Session: Recording as unknown as ChdbModule['Session'] };
}

function fill(sql: string): string {
  return sql
    .replaceAll('{F}', canary.path)
    .replaceAll('{D}', canary.dir)
    .replaceAll('{O}', canary.out)
    .replaceAll('{P}', String(listener.port));
}

beforeAll(async () => {
  canary = makeCanary();
  listener = await startListener();
  engine = await createEmbeddedEngine({
    loadChdb: recordingChdb,
    limits: { maxExecutionTime: 2, maxRowsToRead: 1_000_000 },
  });
  await engine.prepare(
    ['CREATE TABLE default.t (x String) ENGINE = MergeTree ORDER BY x'],
    ["INSERT INTO default.t VALUES ('a'), ('b')"],
  );
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await listener?.close();
  canary?.close();
});

describe('a hostile query variable', () => {
  it('is refused before anything of it runs; the panels reading it keep a stand-in', async () => {
    const names = Object.keys(HOSTILE);
    const raw: JsonObject = {
      uid: 'hostile-vars',
      title: 'Hostile variables',
      time: { from: 'now-1h', to: 'now' },
      templating: {
        list: [
          // A harmless one beside them: the runner does run what the gates accept.
          { name: 'tables', type: 'query', datasource: DS, query: 'SHOW TABLES', current: {}, options: [] },
          ...names.map((name) => ({
            name,
            type: 'query',
            datasource: DS,
            query: fill(HOSTILE[name]!),
            current: {},
            options: [],
          })),
        ],
      },
      panels: [
        {
          id: 1,
          type: 'table',
          datasource: DS,
          targets: [
            { refId: 'A', rawSql: 'SELECT count() FROM ${tables}' },
            ...names.map((name, i) => ({
              refId: `H${i}`,
              rawSql: `SELECT count() FROM t WHERE x = '\${${name}}'`,
            })),
          ],
        },
      ],
    };
    const doc = SourceDoc.parse('hostile.json', JSON.stringify(raw, null, 2));
    const dash = buildDashboard('hostile.json', doc, doc.value as JsonObject);
    const unresolved: UnresolvedByDashboard = new Map();
    const before = statements.length;
    const prepared = await prepareQueries(
      [dash],
      [],
      TYPES,
      NOW,
      { runVariableQuery: engineVariableRunner(engine) },
      unresolved,
    );
    const sent = statements.slice(before);

    // The harmless variable ran (so the recording sees executions), and resolved.
    expect(sent).toContain('SHOW TABLES');
    expect(prepared.find((q) => q.source.refId === 'A')!.sql).toBe('SELECT count() FROM t');

    // Every hostile one: failed (refused, not a SELECT, or more than one statement), with the reason.
    const left = unresolved.get(dash) ?? [];
    expect(left.map((u) => u.name).sort()).toEqual([...names].sort());
    for (const u of left) {
      expect(u.reason, u.name).toBe('failed');
      expect(u.detail, u.name).toMatch(
        /refuses it|statement refused|Multi-statements are not allowed|INTO OUTFILE or FORMAT/,
      );
    }
    for (const [i] of names.entries()) {
      expect(prepared.find((q) => q.source.refId === `H${i}`)!.sql).toBe(
        "SELECT count() FROM t WHERE x = ''",
      );
    }

    // Nothing of a hostile text reached the session except as EXPLAIN AST (parsing, which runs nothing).
    const marks = [canary.path, canary.dir, canary.out, '/proc/self/environ', `127.0.0.1:${listener.port}`];
    const hostileSent = sent.filter((s) => marks.some((m) => s.includes(m)) || /\bDROP\b|\bINSERT\b/.test(s));
    expect(hostileSent.length).toBeGreaterThan(0);
    for (const s of hostileSent) expect(s.startsWith('EXPLAIN AST '), s).toBe(true);
    // And nothing the engine answered carries the canaries; no socket, no file.
    expect(leaks(answers.join('\n'), canary)).toEqual([]);
    expect(listener.connections()).toBe(0);
    expect(existsSync(canary.out)).toBe(false);
    // The table a second statement would drop is still there.
    const rows = await engine.execute('SELECT count() FROM default.t');
    expect(rows.ok && rows.result.rows).toEqual([[2]]);
  });

  it('cannot make a panel run a variable statement: SHOW is a variable query only', async () => {
    const outcome = await engine.execute('SHOW TABLES');
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.kind).toBe('not-select');
    const explained = await engine.explain('SHOW TABLES');
    expect(!explained.ok && explained.kind).toBe('not-select');
  });
});
