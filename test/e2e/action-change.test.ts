// End to end, the verdict of a change: dist/index.js run as the runner runs it against the GitHub
// REST double, the Actions cache double and the Grafana double, on repositories whose pull requests
// rename a panel (on a base that already has a broken query), make a query costlier, or deploy.

import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheDouble } from '../support/cache-double.js';
import { panel, pullRequestRepo, SQL, type PullRequestRepo } from '../support/change-repo.js';
import { GitHubDouble } from '../support/github-double.js';
import { GrafanaDouble } from '../support/grafana-double.js';
import {
  buildIfMissing,
  commandsOutsideWindows,
  filesUnder,
  GRAFANA_TOKEN,
  runDist,
  toolCacheWithChdb,
  type RunOptions,
} from './harness.js';

let tmp: string;
let filled: string;
const github = new GitHubDouble({
  ghs_rw: { kind: 'installation' },
  ghs_ro: { kind: 'installation', readOnly: true },
});
const cache = new CacheDouble({
  'rt-main': { ref: 'refs/heads/main' },
  'rt-pr': { ref: 'refs/pull/21/merge' },
});

type Repo = PullRequestRepo;

function scenario(name: string, base: object[], head: object[]): Repo {
  return pullRequestRepo(join(tmp, name), base, head);
}

let runs = 0;
function pr(repo: Repo, number: number, over: Partial<RunOptions> = {}) {
  return runDist({
    dir: join(tmp, `run-${runs++}`),
    githubUrl: github.url,
    token: 'ghs_rw',
    workspace: repo.workspace,
    toolCache: filled,
    pr: { number, base: repo.base, head: repo.head },
    ...over,
  });
}

beforeAll(async () => {
  await buildIfMissing();
  tmp = mkdtempSync(join(tmpdir(), 'dci-e2e-change-'));
  filled = toolCacheWithChdb(join(tmp, 'toolcache'));
  await github.start();
  await cache.start();
}, 120_000);

afterAll(async () => {
  await github.stop();
  await cache.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a pull request that only renames a panel, on a base with a broken query', () => {
  let repo: Repo;
  const sharedTemp = () => join(tmp, 'runner-temp');
  beforeAll(() => {
    const base = [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.broken, 8)];
    const head = [panel(1, 'Events per hour', SQL.events, 0), panel(2, 'Error rate', SQL.broken, 8)];
    repo = scenario('rename', base, head);
    mkdirSync(sharedTemp(), { recursive: true });
  });

  it('passes, leaves one comment, and installs no engine into an empty tool cache', async () => {
    const empty = join(tmp, 'toolcache-empty');
    const before = github.writes().length;
    const r = await pr(repo, 20, { toolCache: empty });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(
      github
        .writes()
        .slice(before)
        .map((w) => `${w.method} ${w.path}`),
    ).toEqual(['POST /repos/acme/dash/issues/20/comments']);
    expect(filesUnder(empty)).toEqual([]);
    expect(r.stdout).not.toContain('chdb 3.4.0');
    expect(r.stdout).toContain(
      'No query to judge (the SQL is the same as on the base): the engine was not needed.',
    );
    const body = github.commentsOf('acme', 'dash', 20)[0]!.body;
    expect(body).toContain('## ✅ dashboard-ci: no problems in this change');
    expect(body).toContain('_2 unchanged queries (the same SQL as on main): not judged again._');
    expect(r.outputs.errors).toBe('0');
    expect(commandsOutsideWindows(r.stdout).filter((c) => c.startsWith('::error'))).toEqual([]);
  });

  it('with the verdict of main in the Actions cache (left by the push), its broken query is listed as already on main', async () => {
    // The push to main that made the base: checked in full, its verdict (and the engine's data) saved.
    const push = await runDist({
      dir: join(tmp, `run-${runs++}`),
      githubUrl: github.url,
      token: 'ghs_rw',
      workspace: repo.origin,
      toolCache: filled,
      runnerTemp: sharedTemp(),
      event: 'push',
      push: { after: repo.base, before: '0'.repeat(40) },
      inputs: { mode: 'check' },
      env: cache.env('rt-main', 'v2'),
    });
    expect(push.stderr).toBe('');
    expect(push.code).toBe(1);
    const keys = cache.list().map((e) => e.key);
    expect(keys).toContain(`dashboard-ci-verdict-v1-${repo.base}`);
    expect(keys.some((k) => k.startsWith('dashboard-ci-data-3.4.0-Linux-X64-'))).toBe(true);

    const empty = join(tmp, 'toolcache-empty-2');
    const r = await pr(repo, 21, {
      toolCache: empty,
      runnerTemp: sharedTemp(),
      env: cache.env('rt-pr', 'v2'),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(filesUnder(empty)).toEqual([]);
    // Only the verdict was fetched: neither the engine nor its data.
    const asked = cache.requests.filter((q) => q.token === 'rt-pr').map((q) => q.path);
    expect(asked.filter((p) => p.includes('twirp'))).toEqual([
      '/twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL',
    ]);
    const body = github.commentsOf('acme', 'dash', 21)[0]!.body;
    expect(body).toContain('## ✅ dashboard-ci: no problems in this change');
    expect(body).toMatch(
      /<details><summary>Already on main \(1\): listed, not counted<\/summary>[\s\S]*`sql-invalid`/,
    );
    expect(body).toContain(`main's verdict (${repo.base.slice(0, 7)}): 1 ok, 1 invalid._`);
  });
});

describe('a push to the default branch', () => {
  it('is judged against the push’s before: the merged rename passes, the old error is listed; with the cache, every query judged and the verdict saved', async () => {
    const repo = scenario(
      'push',
      [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.broken, 8)],
      [panel(1, 'Events per hour', SQL.events, 0), panel(2, 'Error rate', SQL.broken, 8)],
    );
    const r = await runDist({
      dir: join(tmp, `run-${runs++}`),
      githubUrl: github.url,
      token: 'ghs_rw',
      workspace: repo.workspace,
      toolCache: filled,
      event: 'push',
      push: { after: repo.head, before: repo.base },
      inputs: { mode: 'check' },
      env: cache.env('rt-main', 'v1'),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.errors).toBe('0');
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    expect(report.change).toMatchObject({ filter: 'changed', baseSha: repo.base });
    // No verdict of `before` at hand: every query judged, so this commit's verdict would be complete.
    expect(report.queries.map((q: { status: string }) => q.status)).toEqual(['ok', 'invalid']);
    expect(report.baseFindings.map((f: { rule: string }) => f.rule)).toEqual(['sql-invalid']);
    expect(r.summary).toContain('Already on');
    expect(cache.list().map((e) => e.key)).toContain(`dashboard-ci-verdict-v1-${repo.head}`);
  });
});

describe('a pull request that makes a query costlier', () => {
  it('shows before → after, the regression first', async () => {
    const repo = scenario(
      'regression',
      [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.errorRate, 8)],
      [panel(1, 'Events', SQL.unfiltered, 0), panel(2, 'Error rate', SQL.errorRate, 8)],
    );
    const r = await pr(repo, 30);
    expect(r.stderr).toBe('');
    // A regression is a warning: the job passes at fail-on error.
    expect(r.code).toBe(0);
    const body = github.commentsOf('acme', 'dash', 30)[0]!.body;
    expect(body.split('\n').filter((l) => l.startsWith('### '))[0]).toBe('### 🔺 Events (#1) · query A');
    expect(body).toMatch(/\*\*Rows read:\*\* [\d.,kM]+ → [\d.,kM]+ \(\*\*\+\d+%\*\* 🔺 regression\)/);
    expect(body).toContain('_1 unchanged query (the same SQL as on main): not judged again._');
    expect(r.outputs.warnings).toBe('1');
  });
});

describe('the deploy plan on a pull request', () => {
  const PLAN_TOKEN = 'glsa_plan_read_only_0123456789';
  let grafana: GrafanaDouble;
  let repo: Repo;
  beforeAll(async () => {
    // This Grafana knows only the plan token: the write token would be a 401.
    grafana = await GrafanaDouble.start({ token: PLAN_TOKEN, version: '11.4.0' });
    repo = scenario(
      'plan',
      [panel(1, 'Events', SQL.events, 0)],
      [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.errorRate, 8)],
    );
  });
  afterAll(() => grafana.close());

  it('appears when a plan token is given: what merging creates, read with that token only', async () => {
    const r = await pr(repo, 40, {
      inputs: { 'grafana-plan-token': PLAN_TOKEN, 'grafana-url': grafana.url },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(grafana.requests.length).toBeGreaterThan(0);
    expect(grafana.requests.filter((q) => q.status === 401)).toEqual([]);
    expect(grafana.writes()).toEqual([]);
    const body = github.commentsOf('acme', 'dash', 40)[0]!.body;
    expect(body).toContain('### 🚀 Deploy plan: what merging would change in Grafana');
    expect(body).toContain('(Grafana 11.4.0)');
    expect(body).toMatch(/\| dashboard \| ops \| Ops \| \+ create \|/);
    // Masked before anything else, never printed again; the write token never read.
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.includes(PLAN_TOKEN))).toEqual([`::add-mask::${PLAN_TOKEN}`]);
    expect(r.stdout).not.toContain(GRAFANA_TOKEN);
  });

  it('never on a fork: the plan token is not even read', async () => {
    const before = grafana.requests.length;
    const r = await pr(repo, 41, {
      token: 'ghs_ro',
      pr: { number: 41, base: repo.base, head: repo.head, headRepo: 'mallory/dash' },
      inputs: { 'grafana-plan-token': PLAN_TOKEN, 'grafana-url': grafana.url },
    });
    expect(r.code).toBe(0);
    expect(grafana.requests.length).toBe(before);
    expect(r.stdout).not.toContain(PLAN_TOKEN);
    expect(r.summary).not.toContain('Deploy plan');
  });
});
