import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { cli, json } from '../support/cli.js';
import type { Report } from '../../src/core/types.js';
import { splitStatements } from '../../src/sql/statements.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/cli', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dci-cli-'));
  await cp(FIXTURE, dir, { recursive: true });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard-ci check', () => {
  it('reports ClickHouse’s code at the line of the broken query and exits 1', async () => {
    const run = await cli(dir, 'check', '--format', 'json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = json(run);
    expect(report.summary).toMatchObject({ dashboards: 2, panels: 2, queries: 2, errors: 1 });
    const invalid = report.findings.filter((f) => f.rule === 'sql-invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({
      file: 'dashboards/broken.json',
      line: 23,
      dashboardUid: 'cli-broken',
      panelId: 1,
      refId: 'A',
      severity: 'error',
    });
    expect(invalid[0]!.message).toContain('UNKNOWN_IDENTIFIER');
    // ClickHouse names the identifier but gives no position: the finding points at it in the file.
    const line23 = (await readFile(path.join(dir, 'dashboards/broken.json'), 'utf8')).split('\n')[22]!;
    expect(invalid[0]!.column).toBe(line23.indexOf('response_time') + 1);
    const broken = report.queries.find((q) => q.dashboardUid === 'cli-broken')!;
    expect(broken.status).toBe('invalid');
    expect(broken.error).toMatchObject({ code: 47, name: 'UNKNOWN_IDENTIFIER' });
    expect(broken.sql).toMatch(/timestamp >= toDateTime\(\d+\) AND timestamp <= toDateTime\(\d+\)/);
    const good = report.queries.find((q) => q.dashboardUid === 'cli-good')!;
    expect(good.status).toBe('ok');
    expect(good.cost!.rows).toBeGreaterThan(0);
    expect(good.cost!.granules.selected).toBeLessThanOrEqual(good.cost!.granules.total);
    // Load: rows per refresh × refreshes per hour (refresh 1m = 60 an hour); the invalid query adds none.
    expect(good.rowsPerHour).toBe(good.cost!.rows * 60);
    expect(report.load).toEqual([
      {
        file: 'dashboards/broken.json',
        dashboardUid: 'cli-broken',
        title: 'CLI broken',
        refresh: '1m',
        refreshesPerHour: 60,
        rowsPerRefresh: 0,
        rowsPerHour: 0,
      },
      {
        file: 'dashboards/good.json',
        dashboardUid: 'cli-good',
        title: 'CLI good',
        refresh: '1m',
        refreshesPerHour: 60,
        rowsPerRefresh: good.cost!.rows,
        rowsPerHour: good.cost!.rows * 60,
      },
    ]);
  });

  it('exits 0 on a clean set and 0 with --fail-on never', async () => {
    expect((await cli(dir, 'check', 'dashboards/good.json')).code).toBe(0);
    expect((await cli(dir, 'check', '--fail-on', 'never')).code).toBe(0);
  });

  it('lints without the engine with --no-explain', async () => {
    const run = await cli(dir, 'check', '--no-explain', '--format', 'json');
    expect(run.code).toBe(0);
    const report = json(run);
    expect(report.queries).toEqual([]);
    expect(report.engine).toBe('none');
  });

  it('prints findings grouped by file with line:column and a summary line', async () => {
    const run = await cli(dir, 'check');
    expect(run.stdout).toContain('dashboards/broken.json\n');
    expect(run.stdout).toMatch(/ {2}23:\d+ +error +.*UNKNOWN_IDENTIFIER/);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^2 dashboards, 2 panels, 2 queries \(1 ok\): 1 error, 0 warnings$/,
    );
    expect(run.stdout).not.toContain('\x1b[');
  });

  it('writes the report with --output and sarif format', async () => {
    const run = await cli(dir, 'check', '--format', 'sarif', '--output', 'out.sarif');
    expect(run.code).toBe(1);
    const sarif = JSON.parse(await readFile(path.join(dir, 'out.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'sql-invalid')).toBe(true);
  });
});

describe('dashboard-ci check --base (cost diff)', () => {
  function git(...args: string[]) {
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'pipe' });
  }

  it('flags a query that reads more than at the base commit', async () => {
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'base');
    const file = path.join(dir, 'dashboards/good.json');
    const text = await readFile(file, 'utf8');
    // The pull request drops the time filter: every partition is read.
    await writeFile(file, text.replace('WHERE $__timeFilter(timestamp)', 'WHERE 1 = 1'));
    const run = await cli(dir, 'check', 'dashboards/good.json', '--base', 'HEAD', '--format', 'json');
    const report = json(run);
    const q = report.queries[0]!;
    expect(q.baseRows).toBeGreaterThan(0);
    expect(q.cost!.rows).toBeGreaterThan(q.baseRows!);
    expect(q.costChange).toBeCloseTo((q.cost!.rows - q.baseRows!) / q.baseRows!, 6);
    expect(q.regression).toBe(true);
    expect(report.findings.map((f) => [f.rule, f.severity])).toContainEqual([
      'sql-cost-regression',
      'warning',
    ]);
    expect(run.code).toBe(0);

    await writeFile(file, text);
    const same = json(await cli(dir, 'check', 'dashboards/good.json', '--base', 'HEAD', '--format', 'json'));
    expect(same.queries[0]).toMatchObject({ costChange: 0, regression: false });
    expect(same.findings.some((f) => f.rule === 'sql-cost-regression')).toBe(false);
  });

  it('a base that is not a revision is one line and exit 2', async () => {
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'base');
    const run = await cli(dir, 'check', '--base', 'no-such-ref');
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^dashboard-ci: --base no-such-ref: not a git revision/);
  });
});

describe('bad input: one clear line, the other files still checked', () => {
  it('a missing path exits 2 but still checks the others', async () => {
    const run = await cli(dir, 'check', 'nope.json', 'dashboards/good.json', '--format', 'json');
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^dashboard-ci: nope\.json: no such file/),
    ]);
    expect(json(run).summary.dashboards).toBe(1);
  });

  it('an empty folder exits 2 with one line', async () => {
    await mkdir(path.join(dir, 'empty'));
    const run = await cli(dir, 'check', 'empty');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^dashboard-ci: empty: .*no dashboard/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a file that is not JSON, an array and a 50 MB file are findings (the array no dashboard: info); the rest is checked', async () => {
    await writeFile(path.join(dir, 'dashboards/notjson.json'), '{\n  "title": "x",\n  oops\n}\n');
    await writeFile(path.join(dir, 'dashboards/array.json'), '[1, 2, 3]\n');
    await writeFile(path.join(dir, 'dashboards/huge.json'), '{"a":"' + 'x'.repeat(50 * 1024 * 1024) + '"}');
    const run = await cli(dir, 'check', '--format', 'json');
    expect(run.stderr).toBe('');
    const report = json(run);
    const byFile = (file: string) =>
      report.findings.filter((f) => f.file === file).map((f) => [f.rule, f.line]);
    expect(byFile('dashboards/notjson.json')).toEqual([['json-syntax', 3]]);
    expect(byFile('dashboards/array.json')).toEqual([['not-a-dashboard', 1]]);
    expect(byFile('dashboards/huge.json')).toEqual([['file-too-large', 1]]);
    expect(report.queries.map((q) => q.dashboardUid).sort()).toEqual(['cli-broken', 'cli-good']);
    expect(run.stdout).not.toMatch(/\n\s+at /);
  });

  it('a config with an unknown key exits 2 naming the file and the key', async () => {
    await writeFile(path.join(dir, 'dashboard-ci.yml'), 'paths: [dashboards]\nbudget: {}\n');
    const run = await cli(dir, 'check');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/dashboard-ci\.yml.*budget/);
  });

  it('a bad flag value exits 2 with one line', async () => {
    const run = await cli(dir, 'check', '--format', 'xml');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/format/);
    const bad = await cli(dir, 'check', '--clickhouse', 'ftp://x');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--clickhouse must be/);
  });
});

describe('dashboard-ci check --clickhouse http://… (server mode)', () => {
  it('gives the same verdicts as the embedded engine, over real HTTP with auth', async () => {
    const { startClickHouseHttp } = await import('../support/clickhouse-http.js');
    const read = async (f: string) =>
      splitStatements(await readFile(path.join(dir, f), 'utf8')).map((s) => s.sql);
    // A server that already holds the tables: the check runs against its default database.
    const server = await startClickHouseHttp({
      users: [{ name: 'ci', password: 's3cret-pw' }],
      schema: await read('clickhouse/schema.sql'),
      seed: await read('clickhouse/seed.sql'),
    });
    try {
      const embedded = json(await cli(dir, 'check', '--format', 'json'));
      let stdout = '';
      let stderr = '';
      const code = await runCli(['check', '--clickhouse', server.url, '--format', 'json', '--quiet'], {
        cwd: dir,
        env: { CLICKHOUSE_USER: 'ci', CLICKHOUSE_PASSWORD: 's3cret-pw' },
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
      });
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const remote = JSON.parse(stdout) as Report;
      const verdict = (r: Report) =>
        r.queries.map((q) => [q.dashboardUid, q.status, q.error?.code, q.cost?.granules, q.cost?.parts]);
      expect(verdict(remote)).toEqual(verdict(embedded));
      expect(remote.findings.map((f) => [f.rule, f.line, f.column])).toEqual(
        embedded.findings.map((f) => [f.rule, f.line, f.column]),
      );
      expect(remote.engine).not.toContain('s3cret-pw');

      // A wrong password is one line, exit 2, and the password is not echoed.
      let err = '';
      const denied = await runCli(['check', '--clickhouse', server.url, '--quiet'], {
        cwd: dir,
        env: { CLICKHOUSE_USER: 'ci', CLICKHOUSE_PASSWORD: 'wrong-pw-value' },
        stdout: { write: () => true },
        stderr: { write: (s: string) => (err += s) },
      });
      expect(denied).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/516|AUTHENTICATION_FAILED|password/i);
      expect(err).not.toContain('wrong-pw-value');
    } finally {
      await server.close();
    }
  });
});

describe('dashboard-ci check: the command line itself', () => {
  it('--progress names each stage on stderr, one line each, and leaves stdout to the report', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['check', '--format', 'json', '--progress'], {
      cwd: dir,
      env: {},
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toHaveProperty('summary');
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      'dashboard-ci: loading files',
      'dashboard-ci: linting',
      'dashboard-ci: starting the ClickHouse engine (schema and seed)',
      'dashboard-ci: EXPLAIN 0/2',
      'dashboard-ci: EXPLAIN 2/2',
      'dashboard-ci: running the panel queries on the test data',
      'dashboard-ci: reporting',
    ]);
  });

  it('validates --output before any work: a missing folder or a folder as the file is exit 2', async () => {
    const missing = await cli(dir, 'check', '--output', 'no/such/folder/report.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      'dashboard-ci: --output no/such/folder/report.json: the folder no/such/folder does not exist',
    ]);
    expect(missing.stdout).toBe('');
    const folder = await cli(dir, 'check', '--output', 'dashboards');
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe('dashboard-ci: --output dashboards: is a folder, not a file\n');
  });

  it('--help gives examples, the environment and the exit codes', async () => {
    const run = await cli(dir, 'help', 'check');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Examples:\n {2}\$ dashboard-ci check/);
    expect(run.stdout).toContain('CLICKHOUSE_PASSWORD');
    expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}clean\n {2}1 .*\n {2}2 /);
    const provision = await cli(dir, 'provision', '--help');
    expect(provision.code).toBe(0);
    expect(provision.stdout).toContain('GRAFANA_TOKEN');
  });
});
