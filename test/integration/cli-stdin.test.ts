// `dashboard-ci check -`: one dashboard read from standard input, in any format (told by its content),
// shown as <stdin> in the report; beside other paths or alone; under the same size limit as a file.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/core/types.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/cli', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dci-stdin-'));
  await cp(FIXTURE, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* chunks(...parts: (string | Buffer)[]): AsyncIterable<Buffer | string> {
  for (const p of parts) yield p;
}

async function check(stdin: AsyncIterable<Buffer | string> | undefined, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['check', ...argv, '--quiet'], {
    cwd: dir,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    ...(stdin ? { stdin } : {}),
  });
  return { code, stdout, stderr };
}

// The fixture's broken dashboard as a dashboard.grafana.app/v1beta1 resource in YAML, as gcx writes it.
const BROKEN_YAML = `apiVersion: dashboard.grafana.app/v1beta1
kind: Dashboard
metadata:
  name: stdin-broken
spec:
  title: From stdin
  schemaVersion: 39
  time: { from: now-24h, to: now }
  panels:
    - id: 1
      type: stat
      title: Slow responses
      description: Responses slower than two seconds.
      gridPos: { x: 0, y: 0, w: 12, h: 8 }
      datasource: { type: grafana-clickhouse-datasource, uid: clickhouse }
      targets:
        - refId: A
          rawSql: >-
            SELECT count() FROM events
            WHERE $__timeFilter(timestamp) AND response_time > 2000
`;

describe('dashboard-ci check -', () => {
  it('checks a YAML resource from stdin, findings at <stdin> and the line of the broken identifier', async () => {
    // Split mid-line: a pipe delivers chunks anywhere.
    const run = await check(
      chunks(BROKEN_YAML.slice(0, 100), Buffer.from(BROKEN_YAML.slice(100))),
      '-',
      '--format',
      'json',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary).toMatchObject({ dashboards: 1, queries: 1, files: 1, errors: 1 });
    const invalid = report.findings.find((f) => f.rule === 'sql-invalid')!;
    expect(invalid).toMatchObject({
      file: '<stdin>',
      line: 20,
      column: 48,
      dashboardUid: 'stdin-broken',
      panelId: 1,
    });
    expect(invalid.message).toContain('UNKNOWN_IDENTIFIER');
    expect(report.queries.map((q) => q.file)).toEqual(['<stdin>']);
  });

  it('checks stdin beside the paths given, and only them', async () => {
    const run = await check(chunks(BROKEN_YAML), 'dashboards/good.json', '-', '--format', 'json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.summary).toMatchObject({ dashboards: 2, files: 2, queries: 2 });
    // dashboards/broken.json, in the config's paths, is not checked: the paths given replace them.
    expect(report.queries.map((q) => [q.file, q.status]).sort()).toEqual([
      ['<stdin>', 'invalid'],
      ['dashboards/good.json', 'ok'],
    ]);
  });

  it('a dashboard over the size limit on stdin is one file-too-large finding; reading stops at the limit', async () => {
    let served = 0;
    async function* endless(): AsyncIterable<Buffer> {
      // A pipe that never ends: the loader must stop reading, not wait for the end.
      for (;;) {
        served++;
        yield Buffer.alloc(1024 * 1024, 0x20);
      }
    }
    const run = await check(endless(), '-', '--no-explain', '--format', 'json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'file-too-large', file: '<stdin>', line: 1, severity: 'error' }),
    ]);
    expect(served).toBeLessThanOrEqual(11);
  });

  it('is a usage error without a standard input, or given twice: one line, exit 2', async () => {
    const none = await check(undefined, '-', '--no-explain');
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('dashboard-ci: - reads a dashboard from standard input, and there is none\n');
    const twice = await check(chunks('{}'), '-', '-', '--no-explain');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toBe('dashboard-ci: - (a dashboard from standard input) may be given once\n');
  });

  it('a JSON error on stdin is a finding naming <stdin> and its line', async () => {
    const run = await check(
      chunks('{\n  "uid": "x",\n  "title": "T"\n  "panels": []\n}'),
      '-',
      '--no-explain',
      '--format',
      'json',
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'json-syntax', file: '<stdin>', line: 4 }),
    ]);
  });
});
