// The change filter (check --base REF --filter changed|file) on real git repositories and the real
// embedded engine: what counts, what was already on the base, and when no engine is needed at all.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeContext, type BaseVerdict } from '../../src/check/change.js';
import { runCheck } from '../../src/check/run.js';
import type { CheckOptions } from '../../src/check/types.js';
import { loadConfig } from '../../src/config/load.js';
import type { ChangeFilter } from '../../src/config/types.js';
import { runCli } from '../../src/cli/run.js';
import { baseRepo, dashboardText, git, panel, SQL, write } from '../support/change-repo.js';

let root: string;
let n = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dci-change-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A base whose panel 2 is already broken and whose refresh is already below the floor. */
const BASE_PANELS = () => [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.broken, 8)];
const BASE = () => dashboardText(BASE_PANELS(), { refresh: '2s' });

function repo(files: Record<string, string> = { 'dashboards/ops.json': BASE() }) {
  const dir = join(root, `r${n++}`);
  const sha = baseRepo(dir, files);
  return { dir, sha };
}

interface Run {
  engineAsked: number;
  result: Awaited<ReturnType<typeof runCheck>>;
}

async function check(
  dir: string,
  base: string,
  filter: ChangeFilter,
  extra: Partial<CheckOptions> = {},
): Promise<Run> {
  const config = await loadConfig({ cwd: dir });
  let engineAsked = 0;
  const result = await runCheck({
    cwd: dir,
    paths: [],
    config,
    explain: true,
    base,
    filter,
    engineCacheDir: false,
    chdbPath: async () => {
      engineAsked++;
      return join(import.meta.dirname, '../../node_modules/chdb');
    },
    ...extra,
  });
  expect(result.usageErrors).toEqual([]);
  return { engineAsked, result };
}

const rules = (fs: readonly { rule: string }[] | undefined) => (fs ?? []).map((f) => f.rule).sort();

describe('filter changed', () => {
  it('a PR that only renames a panel: nothing counts, no engine, the old problems listed as on the base', async () => {
    const { dir, sha } = repo();
    const panels = BASE_PANELS();
    panels[1]!.title = 'Error ratio';
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const { engineAsked, result } = await check(dir, sha, 'changed');
    const r = result.report;
    expect(engineAsked).toBe(0);
    expect(r.engine).toBe('none');
    expect(r.findings).toEqual([]);
    expect(r.summary.errors).toBe(0);
    // The refresh below the floor was there before: listed, not counted.
    expect(rules(r.baseFindings)).toEqual(['refresh-floor']);
    expect(r.queries.map((q) => [q.panelId, q.change, q.status])).toEqual([
      [1, 'unchanged', 'skipped'],
      [2, 'unchanged', 'skipped'],
    ]);
    expect(r.queries[1]!.reason).toBe(`unchanged since ${sha}: not judged again`);
    expect(r.change).toMatchObject({
      filter: 'changed',
      baseSha: sha,
      changedFiles: ['dashboards/ops.json'],
      queries: { new: 0, changed: 0, unchanged: 2 },
      contextChanged: false,
    });
  });

  it('with a verdict of the base at hand, the unchanged broken query is listed as on the base, with its status', async () => {
    const { dir, sha } = repo();
    const config = await loadConfig({ cwd: dir });
    // The base's own verdict: everything judged (as the Action's run on the default branch does).
    const baseRun = await runCheck({ cwd: dir, paths: [], config, explain: true, engineCacheDir: false });
    expect(rules(baseRun.report.findings)).toEqual(['refresh-floor', 'sql-invalid']);
    const verdict: BaseVerdict = {
      commit: sha,
      context: await changeContext(dir, config, config.clickhouse.schema, config.clickhouse.seed),
      report: baseRun.report,
    };
    // The head moves the broken panel down (every line shifts) and renames it.
    const panels = BASE_PANELS();
    panels[1]!.title = 'Error ratio';
    panels.unshift(panel(3, 'Spacer', SQL.events, 16));
    panels[0]!.targets[0]!.rawSql = SQL.events + ' ';
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const { result } = await check(dir, sha, 'changed', { baseVerdict: verdict });
    const r = result.report;
    expect(rules(r.findings)).toEqual([]);
    const broken = r.queries.find((q) => q.panelId === 2)!;
    expect(broken).toMatchObject({ change: 'unchanged', status: 'invalid', verdictFrom: sha });
    expect(broken.error?.code).toBe(47);
    const old = r.baseFindings!.find((f) => f.rule === 'sql-invalid')!;
    // Relocated to where the query is now.
    expect(old.line).toBe(broken.line);
    expect(r.change!.verdictFrom).toBe(sha);
    // The new panel 3 (a copy of panel 1's SQL plus a space) was judged: ok.
    expect(r.queries.find((q) => q.panelId === 3)).toMatchObject({ change: 'new', status: 'ok' });

    // Moved to another folder as well (git mv): the verdict's paths are the base's, still found.
    mkdirSync(join(dir, 'dashboards/team'));
    git(dir, 'add', '.');
    git(dir, 'mv', 'dashboards/ops.json', 'dashboards/team/ops.json');
    const moved = (await check(dir, sha, 'changed', { baseVerdict: verdict })).result.report;
    expect(moved.change!.renamed).toEqual({ 'dashboards/team/ops.json': 'dashboards/ops.json' });
    expect(moved.queries.find((q) => q.panelId === 2)).toMatchObject({ status: 'invalid', verdictFrom: sha });
    expect(moved.baseFindings!.find((f) => f.rule === 'sql-invalid')!.file).toBe('dashboards/team/ops.json');
  });

  it('a verdict of another commit or context is not used', async () => {
    const { dir, sha } = repo();
    const config = await loadConfig({ cwd: dir });
    const baseRun = await runCheck({ cwd: dir, paths: [], config, explain: true, engineCacheDir: false });
    const context = await changeContext(dir, config, config.clickhouse.schema, config.clickhouse.seed);
    for (const verdict of [
      { commit: 'f'.repeat(40), context, report: baseRun.report },
      { commit: sha, context: 'other', report: baseRun.report },
    ]) {
      const { result } = await check(dir, sha, 'changed', { baseVerdict: verdict });
      expect(result.report.queries.every((q) => q.verdictFrom === undefined)).toBe(true);
      expect(rules(result.report.baseFindings)).toEqual(['refresh-floor']);
    }
  });

  it('a verdict cannot excuse what the change did: a forged one claiming the new error was on the base', async () => {
    const { dir, sha } = repo();
    const config = await loadConfig({ cwd: dir });
    const panels = BASE_PANELS();
    panels[0]!.targets[0]!.rawSql = SQL.events.replace('count()', 'countt()');
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const honest = await check(dir, sha, 'changed');
    const forged: BaseVerdict = {
      commit: sha,
      context: await changeContext(dir, config, config.clickhouse.schema, config.clickhouse.seed),
      // The head's own report, with the head's SQL and error, passed off as the base's.
      report: honest.result.report,
    };
    const { result } = await check(dir, sha, 'changed', { baseVerdict: forged });
    expect(result.report.findings.map((f) => [f.rule, f.panelId])).toEqual([['sql-invalid', 1]]);
    expect(result.report.queries.find((q) => q.panelId === 1)!.verdictFrom).toBeUndefined();
  });

  it('a PR that breaks a query: only that query is judged and its error counts', async () => {
    const { dir, sha } = repo();
    const panels = BASE_PANELS();
    panels[0]!.targets[0]!.rawSql = SQL.events.replace('count()', 'countt()');
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const { engineAsked, result } = await check(dir, sha, 'changed');
    const r = result.report;
    expect(engineAsked).toBe(1);
    expect(r.findings.map((f) => [f.rule, f.panelId])).toEqual([['sql-invalid', 1]]);
    expect(r.queries.map((q) => [q.panelId, q.change, q.status])).toEqual([
      [1, 'changed', 'invalid'],
      [2, 'unchanged', 'skipped'],
    ]);
    expect(rules(r.baseFindings)).toEqual(['refresh-floor']);
  });

  it('a cost regression counts, with the base rows and granules', async () => {
    const { dir, sha } = repo();
    const panels = BASE_PANELS();
    panels[0]!.targets[0]!.rawSql = SQL.unfiltered;
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const { result } = await check(dir, sha, 'changed');
    const q = result.report.queries.find((x) => x.panelId === 1)!;
    expect(q.change).toBe('changed');
    expect(q.baseRows).toBeGreaterThan(0);
    expect(q.cost!.rows).toBeGreaterThan(q.baseRows!);
    expect(q.regression).toBe(true);
    expect(q.baseGranules!.total).toBe(q.cost!.granules.total);
    expect(rules(result.report.findings)).toEqual(['sql-cost-regression']);
  });

  it('a renamed file (git mv) is compared with its old path: nothing new', async () => {
    const { dir, sha } = repo();
    mkdirSync(join(dir, 'dashboards/team'));
    git(dir, 'mv', 'dashboards/ops.json', 'dashboards/team/ops.json');
    const { engineAsked, result } = await check(dir, sha, 'changed');
    const r = result.report;
    expect(engineAsked).toBe(0);
    expect(r.findings).toEqual([]);
    expect(r.change!.renamed).toEqual({ 'dashboards/team/ops.json': 'dashboards/ops.json' });
    expect(r.change!.changedFiles).toEqual([]);
    expect(r.queries.every((q) => q.change === 'unchanged')).toBe(true);
    expect(rules(r.baseFindings)).toEqual(['refresh-floor']);
  });

  it('a panel moved (gridPos only) is not edited; a panel edited brings its new findings', async () => {
    const { dir, sha } = repo();
    const moved = BASE_PANELS();
    moved[0]!.gridPos = { h: 8, w: 12, x: 12, y: 0 };
    delete (moved[1] as { description?: string }).description;
    write(dir, 'dashboards/ops.json', dashboardText(moved, { refresh: '2s' }));
    const { result } = await check(dir, sha, 'changed');
    // The description removed from panel 2 is the change's; the refresh floor is the base's.
    expect(result.report.findings.map((f) => [f.rule, f.panelId])).toEqual([['panel-description', 2]]);
    expect(rules(result.report.baseFindings)).toEqual(['refresh-floor']);
  });

  it('a file already broken on the base stays the base’s; breaking another is the change’s', async () => {
    const { dir, sha } = repo({
      'dashboards/ops.json': BASE(),
      'dashboards/broken.json': '{ "uid": "b", \n',
    });
    write(dir, 'dashboards/other.json', '[1, 2');
    const { result } = await check(dir, sha, 'changed');
    expect(result.report.findings.map((f) => [f.file, f.rule])).toEqual([
      ['dashboards/other.json', 'json-syntax'],
    ]);
    expect(result.report.baseFindings!.map((f) => [f.file, f.rule])).toEqual([
      ['dashboards/broken.json', 'json-syntax'],
      ['dashboards/ops.json', 'refresh-floor'],
    ]);
  });

  it('a new dashboard file: everything in it counts', async () => {
    const { dir, sha } = repo();
    write(dir, 'dashboards/new.json', dashboardText([panel(7, 'Broken too', SQL.broken, 0)], { uid: 'new' }));
    const { result } = await check(dir, sha, 'changed');
    expect(result.report.findings.map((f) => [f.file, f.rule])).toEqual([
      ['dashboards/new.json', 'sql-invalid'],
    ]);
    expect(result.report.queries.find((q) => q.file === 'dashboards/new.json')!.change).toBe('new');
  });

  it('a changed schema judges every query again, and the old breakage counts', async () => {
    const { dir, sha } = repo();
    // Monthly partitions instead of daily: the same columns, other verdicts possible.
    const schema = readFileSync(join(dir, 'clickhouse/schema.sql'), 'utf8');
    write(dir, 'clickhouse/schema.sql', schema.replace('toDate(timestamp)', 'toYYYYMM(timestamp)'));
    const { engineAsked, result } = await check(dir, sha, 'changed');
    expect(engineAsked).toBe(1);
    expect(result.report.change!.contextChanged).toBe(true);
    expect(result.report.queries.map((q) => q.status)).toEqual(['ok', 'invalid']);
    expect(rules(result.report.findings)).toEqual(['sql-invalid']);
  });
});

describe('filter file', () => {
  it('counts every finding of a changed file, the old ones included', async () => {
    const { dir, sha } = repo();
    const panels = BASE_PANELS();
    panels[0]!.title = 'Events per hour';
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const { result } = await check(dir, sha, 'file');
    expect(rules(result.report.findings)).toEqual(['refresh-floor', 'sql-invalid']);
    expect(result.report.baseFindings).toEqual([]);
  });
});

describe('dashboard-ci check --base REF --filter', () => {
  const io = (dir: string) => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        cwd: dir,
        env: {},
        stdout: { write: (s: string) => (out.stdout += s) },
        stderr: { write: (s: string) => (out.stderr += s) },
      },
    };
  };

  it('--filter changed without --base is a usage error', async () => {
    const { dir } = repo();
    const { out, io: cli } = io(dir);
    expect(await runCli(['check', '--filter', 'changed'], cli)).toBe(2);
    expect(out.stderr).toBe(
      'dashboard-ci: --filter changed needs --base REF: the commit the change is judged against\n',
    );
  });

  it('a rename-only change exits 0 and says what was already there; --filter all exits 1', async () => {
    const { dir } = repo();
    const panels = BASE_PANELS();
    panels[1]!.title = 'Renamed';
    write(dir, 'dashboards/ops.json', dashboardText(panels, { refresh: '2s' }));
    const a = io(dir);
    expect(await runCli(['check', '--base', 'main', '--filter', 'changed', '--format', 'json'], a.io)).toBe(
      0,
    );
    expect(JSON.parse(a.out.stdout).baseFindings.map((f: { rule: string }) => f.rule)).toEqual([
      'refresh-floor',
    ]);
    expect(a.out.stderr).toContain('1 finding already on main, not counted (--filter all counts them)');
    expect(a.out.stderr).toContain(
      'dashboard-ci: against main: 0 changed, 0 new, 2 unchanged queries (not judged again)',
    );
    const b = io(dir);
    expect(await runCli(['check', '--base', 'main', '--filter', 'all', '--quiet'], b.io)).toBe(1);
  });

  it('an unknown base is one line and exit 2', async () => {
    const { dir } = repo();
    const { out, io: cli } = io(dir);
    expect(await runCli(['check', '--base', 'no-such-ref', '--filter', 'changed'], cli)).toBe(2);
    expect(out.stderr).toBe('dashboard-ci: --base no-such-ref: not a git revision here\n');
  });
});
