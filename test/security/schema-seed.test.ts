// Issue 8 item 2: schema.sql and seed.sql are data definitions, not scripts. A hostile statement is
// refused before it runs, with one line naming the file, the line and the statement kind (exit 2);
// nothing is written, no connection is opened. The same rules hold when the tool applies the files
// on a server (a scratch database there).
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startClickHouseHttp, type ClickHouseHttpDouble } from '../support/clickhouse-http.js';
import { ROOT, leaks, makeCanary, startListener, tree, type Canary, type Listener } from './support.js';

let canary: Canary;
let listener: Listener;
let work: string;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  // --quiet: on a loaded machine the engine takes over 2 s to start and progress lines would join the
  // one line of the refusal on stderr.
  const code = await runCli([...argv, '--quiet'], {
    cwd: work,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

function fill(sql: string): string {
  return sql
    .replaceAll('{F}', canary.path)
    .replaceAll('{O}', canary.out)
    .replaceAll('{P}', String(listener.port));
}

beforeAll(async () => {
  canary = makeCanary();
  listener = await startListener();
});
afterAll(async () => {
  await listener?.close();
  canary?.close();
});
beforeEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  work = await mkdtemp(path.join(os.tmpdir(), 'dci-schema-'));
  await cp(path.join(ROOT, 'test/fixtures/cli'), work, { recursive: true });
});

/** [the hostile statement, the kind the line names, which file it goes in]. */
const HOSTILE: [string, string, 'schema' | 'seed'][] = [
  ["INSERT INTO FUNCTION file('{O}/evil.js', 'CSV', 'a String') SELECT 'x'", 'INSERT INTO FUNCTION', 'seed'],
  ["CREATE TABLE leak (a String) ENGINE = URL('http://127.0.0.1:{P}/', CSV)", 'CREATE TABLE', 'schema'],
  [
    "INSERT INTO events (user_id) SELECT * FROM url('http://127.0.0.1:{P}/', CSV, 'a String')",
    'INSERT',
    'seed',
  ],
  ["CREATE TABLE leak2 (a String DEFAULT file('{F}')) ENGINE = Memory", 'CREATE TABLE', 'schema'],
  [
    "CREATE TABLE leak3 (a UInt8) ENGINE = MergeTree ORDER BY a SETTINGS disk = disk(type = 'local', path = '{O}/')",
    'CREATE TABLE',
    'schema',
  ],
  [
    "CREATE DICTIONARY d (a UInt8) PRIMARY KEY a SOURCE(HTTP(URL 'http://127.0.0.1:{P}/' FORMAT 'CSV')) LAYOUT(FLAT()) LIFETIME(0)",
    'CREATE DICTIONARY',
    'schema',
  ],
  [
    "CREATE DICTIONARY d2 (a UInt8) PRIMARY KEY a SOURCE(CLICKHOUSE(HOST '127.0.0.1' PORT {P} TABLE 'events')) LAYOUT(FLAT()) LIFETIME(0)",
    'CREATE DICTIONARY',
    'schema',
  ],
  [
    "CREATE TABLE leak4 ENGINE = Memory AS SELECT * FROM remote('127.0.0.1:{P}', system.one)",
    'CREATE TABLE',
    'schema',
  ],
  ["CREATE VIEW v AS SELECT file('/proc/self/environ') AS e", 'CREATE VIEW', 'schema'],
  ['SYSTEM RELOAD CONFIG', 'SYSTEM RELOAD', 'seed'],
  ["CREATE DATABASE fs ENGINE = Filesystem('{O}')", 'CREATE DATABASE', 'schema'],
  ["SELECT * FROM url('http://127.0.0.1:{P}/', CSV, 'a String')", 'SELECT', 'seed'],
];

describe('hostile schema and seed statements (embedded engine)', () => {
  it.each(HOSTILE)(
    'refuses %s',
    async (statement, kind, list) => {
      const file = `clickhouse/${list}.sql`;
      const original = (await import('node:fs')).readFileSync(path.join(work, file), 'utf8');
      // After the file's own statements, on a line of its own: the message names that line.
      const line = original.split('\n').length + 1;
      await writeFile(path.join(work, file), `${original}\n${fill(statement)};\n`);
      const before = tree(canary.dir);
      const run = await cli('check', '--format', 'json');
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^dashboard-ci: ${file.replace('.', '\\.')}:${line}: ${list} statement refused \\(${kind.replace(/[.()]/g, '\\$&')}\\): `,
        ),
      );
      expect(leaks(run.stderr, canary)).toEqual([]);
      expect(listener.connections()).toBe(0);
      expect(existsSync(canary.out)).toBe(false);
      expect(tree(canary.dir)).toEqual(before);
    },
    60_000,
  );

  it('refuses VALUES data that holds an expression: the engine reads literals only', async () => {
    await writeFile(
      path.join(work, 'clickhouse/seed.sql'),
      `INSERT INTO events (user_id) VALUES (file('${canary.path}'));\n`,
    );
    const run = await cli('check', '--format', 'json');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^dashboard-ci: clickhouse\/seed\.sql:1: seed statement failed: 344 SUPPORT_IS_DISABLED: Interpreting expressions is disabled/,
    );
    expect(leaks(run.stderr, canary)).toEqual([]);
  }, 60_000);
});

describe('the same rules on a server the tool applies the files to', () => {
  let double: ClickHouseHttpDouble;
  beforeAll(async () => {
    double = await startClickHouseHttp({ users: [{ name: 'ci', password: 'ci-secret' }] });
  });
  afterAll(async () => {
    await double?.close();
  });

  it('refuses the statement before it is sent to run', async () => {
    const evil = `INSERT INTO FUNCTION file('${canary.out}/server.js', 'CSV', 'a String') SELECT 'x'`;
    await writeFile(path.join(work, 'clickhouse/seed.sql'), `${evil};\n`);
    const url = double.url.replace('http://', 'http://ci:ci-secret@');
    const run = await cli(
      'check',
      '--format',
      'json',
      '--clickhouse',
      url,
      '--schema',
      'clickhouse/schema.sql',
      '--seed',
      'clickhouse/seed.sql',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^dashboard-ci: clickhouse\/seed\.sql:1: seed statement refused \(INSERT INTO FUNCTION\): /,
    );
    expect(run.stderr).not.toContain('ci-secret');
    // The double saw the statement only to read it (a bound value, then EXPLAIN AST: parsing only),
    // never as a query to run.
    const log = await double.requests();
    const seen = log.filter((r) => r.query.includes('INSERT INTO FUNCTION'));
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect(r.query).toMatch(/^EXPLAIN AST INSERT INTO FUNCTION/);
    expect(existsSync(canary.out)).toBe(false);
  }, 60_000);
});

describe('the prepared-data cache', () => {
  it('is data, not a verdict: an entry for a hostile schema is still refused', async () => {
    const { cacheKey, chdbPackageVersion, saveEntry } = await import('../../src/clickhouse/cache.js');
    const { createEmbeddedEngine } = await import('../../src/clickhouse/embedded.js');
    const { EnginePrepareError } = await import('../../src/clickhouse/errors.js');
    const root = await mkdtemp(path.join(os.tmpdir(), 'dci-poisoned-'));
    try {
      const hostile = `CREATE VIEW v AS SELECT file('${canary.path}') AS e`;
      // An entry as a run without the schema rules would have left it (made here on a bare session).
      const chdb = (await import('chdb')) as unknown as {
        Session: new (p: string) => { query(q: string, f?: string): string; close(): void };
      };
      const data = path.join(root, 'made');
      const bare = new chdb.Session(data);
      bare.query(hostile);
      const version = bare.query('SELECT version()', 'TSVRaw').trim();
      bare.close();
      const key = cacheKey({ schema: [hostile], seed: [], chdbVersion: chdbPackageVersion() });
      saveEntry(root, key, data, { engineVersion: version, stats: [] });
      const engine = await createEmbeddedEngine({
        limits: { maxExecutionTime: 2, maxRowsToRead: 1000 },
        cacheDir: root,
      });
      const err = await engine.prepare([hostile], []).catch((e: unknown) => e);
      // The entry was opened (not re-made): the refusal comes from reading the statements anyway.
      expect(engine.cache).toMatchObject({ status: 'hit' });
      await engine.close();
      expect(err).toBeInstanceOf(EnginePrepareError);
      expect((err as InstanceType<typeof EnginePrepareError>).refusal).toMatchObject({ kind: 'CREATE VIEW' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
