import { describe, expect, it } from 'vitest';
import { NO_CACHE, type CacheService } from '../../../src/action/cache.js';
import type { GitResult } from '../../../src/action/changed-files.js';
import {
  GitHubApiError,
  type GitHubApi,
  type IssueComment,
  type PullFile,
} from '../../../src/action/github-api.js';
import { runAction, type ActionEdges } from '../../../src/action/run.js';
import { readSettings } from '../../../src/action/inputs.js';
import { parseVerdict, serializeVerdict } from '../../../src/action/cache.js';
import type { CheckOptions } from '../../../src/check/types.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { Config } from '../../../src/config/types.js';
import { UsageError, type Report } from '../../../src/core/types.js';
import type { ProvisionOptions, ProvisionResult } from '../../../src/grafana/types.js';
import { COMMENT_MARKER } from '../../../src/report/markdown.js';
import { makeReport, query, sampleReport } from './sample-report.js';

const BASE = 'b'.repeat(40);
const HEAD = 'c'.repeat(40);

interface Fake {
  edges: ActionEdges;
  timeline: string[];
  stdout: string[];
  annotations: { level: string; message: string; props?: unknown }[];
  outputs: Record<string, string>;
  summary: string[];
  files: Map<string, string>;
  checks: CheckOptions[];
  provisions: ProvisionOptions[];
  comments: IssueComment[];
  apiCalls: string[];
}

function fake(opts: {
  event: string;
  payload: Record<string, unknown>;
  ref?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  changed?: string[];
  report?: Report;
  provision?: Partial<ProvisionResult>;
  commentStatus?: number;
  config?: Config;
  cache?: CacheService;
  /** The PR's files as the API lists them (with their patch), for review comments. */
  prFiles?: PullFile[];
  /** Files of the workspace (fs.readText), beside the event payload. */
  workspace?: Record<string, string>;
  /** The check asks for the engine (as runCheck does when a query must be judged). */
  useEngine?: boolean;
  /** Folders of the runner and what they hold (fs.list). */
  dirs?: Record<string, string[]>;
  /** What git prints for a command (its arguments joined by spaces). */
  gitAnswers?: Record<string, string>;
}): Fake {
  const f: Fake = {
    timeline: [],
    stdout: [],
    annotations: [],
    outputs: {},
    summary: [],
    files: new Map(),
    checks: [],
    provisions: [],
    comments: [],
    apiCalls: [],
    edges: undefined as unknown as ActionEdges,
  };
  const inputs = { 'github-token': 'ghs_token', ...opts.inputs };
  const api: GitHubApi = {
    async authenticatedLogin() {
      f.apiCalls.push('GET /user');
      return undefined;
    },
    async listIssueComments() {
      f.apiCalls.push('GET comments');
      return f.comments;
    },
    async createIssueComment(_o, _r, _i, body) {
      f.apiCalls.push('POST comment');
      if (opts.commentStatus)
        throw new GitHubApiError(opts.commentStatus, 'Resource not accessible by integration');
      const c = { id: 1, body, user: { login: 'github-actions[bot]' } };
      f.comments.push(c);
      return c;
    },
    async updateIssueComment(_o, _r, id, body) {
      f.apiCalls.push(`PATCH ${id}`);
      const c = f.comments.find((x) => x.id === id)!;
      c.body = body;
      return c;
    },
    async listPullFiles() {
      f.apiCalls.push('GET files');
      return opts.prFiles ?? (opts.changed ?? []).map((filename) => ({ filename, status: 'modified' }));
    },
    async listReviewComments() {
      f.apiCalls.push('GET review comments');
      return [];
    },
    async createReview(_o, _r, _p, review) {
      f.apiCalls.push(`POST review ${review.comments.map((c) => `${c.path}:${c.line}`).join(',')}`);
      return { id: 1 };
    },
    async updateReviewComment() {
      throw new Error('not expected');
    },
    async deleteReviewComment() {
      f.apiCalls.push('DELETE review comment');
    },
  };
  const ok = (stdout = ''): GitResult => ({ code: 0, stdout, stderr: '' });
  f.edges = {
    env: {
      GITHUB_EVENT_NAME: opts.event,
      GITHUB_EVENT_PATH: '/event.json',
      GITHUB_REPOSITORY: 'acme/dash',
      GITHUB_REF: opts.ref ?? 'refs/heads/main',
      GITHUB_SHA: HEAD,
      GITHUB_RUN_ID: '99',
      GITHUB_WORKSPACE: '/ws',
      RUNNER_TEMP: '/tmp/runner',
      ...opts.env,
    },
    inputs: {
      getInput: (name) => {
        f.timeline.push(`read:${name}`);
        return inputs[name as keyof typeof inputs] ?? '';
      },
      setSecret: (v) => void f.timeline.push(`mask:${v}`),
    },
    stdout: {
      write: (t) => {
        f.timeline.push('stdout');
        f.stdout.push(t);
      },
    },
    annotate: (level, message, props) => void f.annotations.push({ level, message, props }),
    setOutput: (name, value) => void (f.outputs[name] = value),
    appendSummary: async (md) => void f.summary.push(md),
    github: () => api,
    git: {
      async run(args) {
        const answer = opts.gitAnswers?.[args.join(' ')];
        if (answer !== undefined) return ok(answer);
        // The PR's changed files (`--relative ... base...head`); any other diff: the checkout is the head.
        if (args[0] === 'diff') return ok(args.includes('--relative') ? (opts.changed ?? []).join('\0') : '');
        if (args[0] === 'log') return ok('Add dashboards\n');
        return ok();
      },
    },
    fs: {
      readText: (p) => {
        if (p === '/event.json') return JSON.stringify(opts.payload);
        const text = opts.workspace?.[p];
        if (text === undefined) throw new Error(`ENOENT: ${p}`);
        return text;
      },
      writeText: async (p, t) => void f.files.set(p, t),
      mkdirp: async () => undefined,
      remove: async () => undefined,
      list: (p) => opts.dirs?.[p] ?? [],
    },
    cache: opts.cache ?? NO_CACHE,
    loadConfig: async () => opts.config ?? defaultConfig(),
    runCheck: async (o) => {
      f.timeline.push('check');
      f.checks.push(o);
      if (opts.useEngine) await o.chdbPath?.();
      return { report: opts.report ?? sampleReport(), usageErrors: [] };
    },
    provision: async (o) => {
      f.timeline.push('provision');
      f.provisions.push(o);
      o.log?.('dashboard "::set-output name=x::y" updated');
      return {
        dryRun: o.dryRun,
        items: [{ kind: 'dashboard', uid: 'exec', action: 'update', result: 'updated' }],
        failures: 0,
        requests: 4,
        writes: 1,
        ...opts.provision,
      };
    },
    renderProvisionText: (r) => `provisioned ${r.items.length}`,
    renderText: (r) => r.findings.map((x) => `${x.file}:${x.line} ${x.message}`).join('\n') + '\n',
    chdbPath: () => async () => '/nonexistent/chdb',
    rules: [],
    newToken: () => 'TOKEN',
    toolVersion: '0.1.0',
  };
  return f;
}

const prPayload = {
  number: 7,
  pull_request: {
    number: 7,
    base: { sha: BASE, ref: 'main' },
    head: { sha: HEAD, repo: { full_name: 'acme/dash' } },
  },
};
const pushPayload = { repository: { default_branch: 'main' }, head_commit: { message: 'Add dashboards' } };

describe('runAction on pull_request', () => {
  it('checks only the changed files, with the cost diff against the base, and never reads a Grafana input', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      ref: 'refs/pull/7/merge',
      inputs: { 'grafana-token': 'glsa_SECRET', 'grafana-url': 'https://g' },
      env: { GRAFANA_TOKEN: 'glsa_ENV' },
      changed: ['dashboards/executive_overview.json', 'alerts/rules.yaml', 'README.md'],
    });
    const outcome = await runAction(f.edges);
    // Only the deploy plan's own read-only input (empty here): never the write token, the URL or a user.
    expect(f.timeline.filter((t) => t.includes('grafana') || t.includes('glsa'))).toEqual([
      'read:grafana-plan-token',
    ]);
    expect(f.provisions).toHaveLength(0);
    expect(f.checks).toHaveLength(1);
    expect(f.checks[0]).toMatchObject({
      cwd: '/ws',
      paths: ['dashboards/executive_overview.json', 'alerts/rules.yaml'],
      base: BASE,
      explain: true,
    });
    expect(outcome).toMatchObject({ failed: true, message: 'dashboard-ci found 1 error' });
    expect(f.outputs).toMatchObject({
      errors: '1',
      warnings: '1',
      provisioned: '0',
      report: '/tmp/runner/dashboard-ci/report.json',
      sarif: '/tmp/runner/dashboard-ci/dashboard-ci.sarif',
      'changed-dashboards': '["dashboards/executive_overview.json"]',
    });
    expect(JSON.parse(f.files.get('/tmp/runner/dashboard-ci/report.json')!).summary.errors).toBe(1);
    expect(JSON.parse(f.files.get('/tmp/runner/dashboard-ci/dashboard-ci.sarif')!).version).toBe('2.1.0');
  });

  it('masks the token before the first log line', async () => {
    const f = fake({ event: 'pull_request', payload: prPayload, changed: ['dashboards/a.json'] });
    await runAction(f.edges);
    expect(f.timeline.indexOf('mask:ghs_token')).toBeLessThan(f.timeline.indexOf('stdout'));
  });

  it('one comment: created the first time, updated after', async () => {
    const f = fake({ event: 'pull_request', payload: prPayload, changed: ['dashboards/a.json'] });
    await runAction(f.edges);
    await runAction(f.edges);
    expect(f.apiCalls.filter((c) => c.startsWith('POST') || c.startsWith('PATCH'))).toEqual([
      'POST comment',
      'PATCH 1',
    ]);
    expect(f.comments[0]!.body!.startsWith(COMMENT_MARKER)).toBe(true);
    expect(f.comments[0]!.body).toContain('Checked the 1 dashboard this pull request changes.');
    expect(f.comments[0]!.body).toContain(
      'Judged against `main`: only findings about what changed count; those already there are listed, never counted.',
    );
    expect(f.comments[0]!.body).toContain('[workflow run](https://github.com/acme/dash/actions/runs/99)');
  });

  it('a 403 on the comment falls back to one notice and the summary; the verdict still decides', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      commentStatus: 403,
    });
    const outcome = await runAction(f.edges);
    expect(outcome.failed).toBe(true);
    const notices = f.annotations.filter(
      (a) => a.level === 'notice' && a.message.includes('could not write the PR comment'),
    );
    expect(notices).toHaveLength(1);
    expect(f.summary.join('')).toContain('could not write the PR comment');
    expect(f.summary.join('')).toContain('| Panel | Query | Status |');
  });

  it('annotates errors first and counts what does not fit in the summary', async () => {
    const report = sampleReport();
    for (let i = 0; i < 12; i++) report.findings.push({ ...report.findings[0]!, line: 200 + i });
    report.summary.errors += 12;
    const f = fake({ event: 'pull_request', payload: prPayload, changed: ['dashboards/a.json'], report });
    await runAction(f.edges);
    const levels = f.annotations.map((a) => a.level);
    expect(levels.slice(0, 10)).toEqual(Array(10).fill('error'));
    expect(levels.filter((l) => l === 'error')).toHaveLength(10);
    expect(f.summary.join('')).toMatch(/3 errors not annotated/);
  });

  it('untrusted text reaches stdout only inside stop-commands windows', async () => {
    const report = makeReport([], [query({ panelTitle: 'x\n::set-output name=x::y' })]);
    report.findings.push({
      rule: 'r',
      severity: 'warning',
      message: 'title "\n::add-mask::ghs_token"',
      file: 'dashboards/a.json',
      line: 1,
      column: 1,
    });
    const f = fake({ event: 'pull_request', payload: prPayload, changed: ['dashboards/a.json'], report });
    await runAction(f.edges);
    let open: string | undefined;
    for (const line of f.stdout.join('').split('\n')) {
      if (open) {
        if (line === `::${open}::`) open = undefined;
        continue;
      }
      const m = /^::stop-commands::(.+)$/.exec(line);
      if (m) {
        open = m[1];
        continue;
      }
      expect(line.startsWith('::')).toBe(false);
    }
    expect(open).toBeUndefined();
    expect(f.stdout.join('')).toContain('::add-mask::ghs_token');
  });

  it('nothing relevant changed: no check, no new comment, outputs still set', async () => {
    const f = fake({ event: 'pull_request', payload: prPayload, changed: ['README.md'] });
    const outcome = await runAction(f.edges);
    expect(f.checks).toHaveLength(0);
    expect(f.apiCalls).not.toContain('POST comment');
    expect(outcome.failed).toBe(false);
    expect(f.outputs).toMatchObject({ errors: '0', warnings: '0', 'changed-dashboards': '[]' });
    expect(f.files.has('/tmp/runner/dashboard-ci/dashboard-ci.sarif')).toBe(true);
  });

  it('config or schema changed: checks everything', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['clickhouse/schema.sql', 'dashboards/a.json'],
    });
    await runAction(f.edges);
    expect(f.checks[0]!.paths).toEqual([]);
    expect(f.comments[0]!.body).toContain('Checked everything: clickhouse/schema.sql changed.');
  });

  it('fail-on never and warning', async () => {
    const never = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      inputs: { 'fail-on': 'never' },
    });
    expect((await runAction(never.edges)).failed).toBe(false);
    const warnOnly = makeReport(
      [{ rule: 'r', severity: 'warning', message: 'm', file: 'dashboards/a.json', line: 1, column: 1 }],
      [query()],
    );
    const w = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      inputs: { 'fail-on': 'warning' },
      report: warnOnly,
    });
    expect(await runAction(w.edges)).toMatchObject({
      failed: true,
      message: expect.stringContaining('fail-on: warning'),
    });
    const e = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      report: warnOnly,
    });
    expect((await runAction(e.edges)).failed).toBe(false);
  });

  it('server mode passes the URL and credentials to the check, never into the comment', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      inputs: { 'clickhouse-url': 'http://ch:8123', 'clickhouse-user': 'ro', 'clickhouse-password': 'chpw' },
    });
    await runAction(f.edges);
    expect(f.checks[0]).toMatchObject({
      clickhouse: 'http://ch:8123',
      clickhouseAuth: { user: 'ro', password: 'chpw' },
    });
    expect(f.timeline.indexOf('mask:chpw')).toBeLessThan(f.timeline.indexOf('stdout'));
    expect(f.comments[0]!.body).not.toContain('chpw');
  });

  it('mode provision on a pull_request is a usage error, before any Grafana input is read', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      inputs: { mode: 'provision', 'grafana-token': 'glsa' },
    });
    await expect(runAction(f.edges)).rejects.toBeInstanceOf(UsageError);
    expect(f.timeline.filter((t) => t.includes('grafana'))).toEqual([]);
  });
});

describe('runAction on push and dispatch', () => {
  it('push to the default branch: check, then provision with the masked token and the commit', async () => {
    const clean = makeReport([], [query()]);
    const f = fake({
      event: 'push',
      payload: pushPayload,
      report: clean,
      inputs: { 'grafana-token': 'glsa_SECRET', 'grafana-url': 'https://grafana.example' },
    });
    const outcome = await runAction(f.edges);
    expect(outcome.failed).toBe(false);
    expect(f.timeline.filter((t) => t === 'check' || t === 'provision')).toEqual(['check', 'provision']);
    expect(f.timeline.indexOf('mask:glsa_SECRET')).toBeLessThan(f.timeline.indexOf('stdout'));
    expect(f.provisions[0]).toMatchObject({
      grafanaUrl: 'https://grafana.example',
      auth: { token: 'glsa_SECRET' },
      dryRun: false,
      prune: false,
      commit: { sha: HEAD, subject: 'Add dashboards' },
    });
    expect(f.checks[0]!.paths).toEqual([]);
    expect(f.outputs.provisioned).toBe('1');
    expect(f.summary.join('')).toContain('## ✅ Provisioning');
    // Provisioning's progress (untrusted) stays inside one window.
    const out = f.stdout.join('');
    expect(out).toMatch(
      /::stop-commands::TOKEN\n(?:.*\n)*dashboard "::set-output name=x::y" updated\n(?:.*\n)*::TOKEN::\n/,
    );
    expect(f.apiCalls).toEqual([]);
  });

  it('push to the default branch: a failing check means no provisioning', async () => {
    const f = fake({
      event: 'push',
      payload: pushPayload,
      inputs: { 'grafana-token': 't', 'grafana-url': 'https://g' },
    });
    const outcome = await runAction(f.edges);
    expect(outcome.failed).toBe(true);
    expect(f.provisions).toHaveLength(0);
    expect(f.outputs.provisioned).toBe('0');
    expect(f.summary.join('')).toContain('Provisioning skipped');
  });

  it('workflow_dispatch: provision only, with dry-run and a path subset', async () => {
    const f = fake({
      event: 'workflow_dispatch',
      payload: pushPayload,
      inputs: {
        'grafana-token': 't',
        'grafana-url': 'https://g',
        'dry-run': 'true',
        paths: 'dashboards/a.json',
      },
      provision: { items: [{ kind: 'dashboard', uid: 'a', action: 'update', result: 'planned' }], writes: 0 },
    });
    const outcome = await runAction(f.edges);
    expect(outcome.failed).toBe(false);
    expect(f.checks).toHaveLength(0);
    expect(f.provisions[0]).toMatchObject({ dryRun: true, paths: ['dashboards/a.json'] });
    expect(f.outputs.provisioned).toBe('0');
  });

  it('provisioning failures fail the run and are annotated', async () => {
    const f = fake({
      event: 'workflow_dispatch',
      payload: pushPayload,
      inputs: { 'grafana-token': 't', 'grafana-url': 'https://g' },
      provision: {
        failures: 1,
        items: [
          {
            kind: 'dashboard',
            uid: 'a',
            file: 'dashboards/a.json',
            action: 'update',
            result: 'failed',
            error: { status: 412, message: 'version-mismatch' },
          },
        ],
      },
    });
    expect(await runAction(f.edges)).toMatchObject({ failed: true, message: 'provisioning: 1 failure' });
    expect(f.annotations[0]).toMatchObject({
      level: 'error',
      message: 'dashboard a: 412 version-mismatch',
      props: { file: 'dashboards/a.json' },
    });
  });

  it('provisioning needs a Grafana URL and a token', async () => {
    const noToken = fake({
      event: 'workflow_dispatch',
      payload: pushPayload,
      inputs: { 'grafana-url': 'https://g' },
    });
    await expect(runAction(noToken.edges)).rejects.toThrow(/'grafana-token'/);
    expect(noToken.stdout).toEqual([]);
    const noUrl = fake({
      event: 'workflow_dispatch',
      payload: pushPayload,
      inputs: { 'grafana-token': 't' },
    });
    await expect(runAction(noUrl.edges)).rejects.toThrow(/'grafana-url'/);
  });
});

describe('environments and release refs', () => {
  const withEnvironments = (): Config => {
    const c = defaultConfig();
    c.environments = {
      production: {
        url: 'https://grafana.prod.example',
        orgId: 3,
        credentials: { token: 'PROD_GRAFANA_TOKEN' },
        datasourceUids: { 'ch-main': 'ch-prod-eu' },
        refs: ['refs/tags/v*'],
      },
    };
    return c;
  };
  const tagPayload = { repository: { default_branch: 'main' } };

  it('a tag push provisions the environment that names the tag, with its URL, org, token and datasource uids', async () => {
    const f = fake({
      event: 'push',
      payload: tagPayload,
      ref: 'refs/tags/v1.4.0',
      report: makeReport([], [query()]),
      inputs: { environment: 'production' },
      env: { PROD_GRAFANA_TOKEN: 'glsa_prod_secret' },
      config: withEnvironments(),
    });
    expect(await runAction(f.edges)).toMatchObject({ failed: false });
    expect(f.provisions).toHaveLength(1);
    expect(f.provisions[0]).toMatchObject({
      grafanaUrl: 'https://grafana.prod.example',
      auth: { token: 'glsa_prod_secret' },
      environment: 'production',
      datasourceUids: { 'ch-main': 'ch-prod-eu' },
    });
    expect(f.provisions[0]!.config.grafana.orgId).toBe(3);
    // The token was masked before the first line was written.
    expect(f.timeline.indexOf('mask:glsa_prod_secret')).toBeLessThan(f.timeline.indexOf('stdout'));
  });

  it('a tag push checks only when no release ref names it; release-refs makes a branch a release ref', async () => {
    const notRelease = fake({ event: 'push', payload: tagPayload, ref: 'refs/tags/v1.4.0' });
    await runAction(notRelease.edges);
    expect(notRelease.provisions).toHaveLength(0);
    const branch = fake({
      event: 'push',
      payload: tagPayload,
      ref: 'refs/heads/release/2026.1',
      report: makeReport([], [query()]),
      inputs: { 'release-refs': 'release/*', 'grafana-url': 'https://g.example', 'grafana-token': 'glsa_x' },
    });
    await runAction(branch.edges);
    expect(branch.provisions).toHaveLength(1);
  });

  it('an environment the config does not define is a usage error naming the defined ones', async () => {
    const f = fake({
      event: 'push',
      payload: tagPayload,
      inputs: { environment: 'qa' },
      config: withEnvironments(),
    });
    await expect(runAction(f.edges)).rejects.toThrow(
      `Input 'environment' names "qa", which dashboard-ci.yml does not define (defined: production)`,
    );
  });
});

function fakeCache(hits: Record<string, () => void> = {}) {
  const calls: string[] = [];
  const cache: CacheService = {
    available: async () => true,
    async restore(paths, key) {
      calls.push(`restore ${key} ${paths.join(',')}`);
      const hit = hits[key];
      if (!hit) return undefined;
      hit();
      return key;
    },
    async save(paths, key) {
      calls.push(`save ${key} ${paths.join(',')}`);
      return true;
    },
  };
  return { cache, calls };
}

const BEFORE = 'd'.repeat(40);

describe('judging the change (filter) and the caches', () => {
  it('a PR is judged against its base; filter from the input, else dashboard-ci.yml, else changed', async () => {
    const a = fake({ event: 'pull_request', payload: prPayload, changed: ['dashboards/a.json'] });
    await runAction(a.edges);
    expect(a.checks[0]).toMatchObject({ base: BASE, filter: 'changed', explain: true });
    expect(a.checks[0]!.explainUnchanged).toBeUndefined();
    const config = { ...defaultConfig(), filter: 'file' as const };
    const b = fake({ event: 'pull_request', payload: prPayload, changed: ['dashboards/a.json'], config });
    await runAction(b.edges);
    expect(b.checks[0]!.filter).toBe('file');
    const c = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      config,
      inputs: { filter: 'all', explain: 'false' },
    });
    await runAction(c.edges);
    expect(c.checks[0]).toMatchObject({ filter: 'all', explain: false });
    expect(() =>
      readSettings({ getInput: (n) => (n === 'filter' ? 'sometimes' : ''), setSecret: () => undefined }),
    ).toThrow(`Input 'filter' must be one of changed, file, all; got "sometimes"`);
  });

  it('base-ref names a commit: the change is judged against it, and its verdict looked up by sha', async () => {
    const MAIN = 'e'.repeat(40);
    const { cache, calls } = fakeCache();
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      cache,
      inputs: { 'base-ref': 'main' },
      gitAnswers: { 'rev-parse --verify --quiet --end-of-options main^{commit}': `${MAIN}\n` },
    });
    await runAction(f.edges);
    expect(f.checks[0]!.base).toBe(MAIN);
    expect(calls).toEqual([`restore dashboard-ci-verdict-v1-${MAIN} /tmp/runner/dashboard-ci-verdict`]);
    expect(f.comments[0]!.body).toContain('Judged against `main`');
  });

  it('a PR restores the verdict of its base from the Actions cache and hands it to the check', async () => {
    const verdictFile = '/tmp/runner/dashboard-ci-verdict/verdict.json';
    const workspace: Record<string, string> = {};
    const { cache, calls } = fakeCache({
      [`dashboard-ci-verdict-v1-${BASE}`]: () =>
        void (workspace[verdictFile] = serializeVerdict({
          commit: BASE,
          context: 'ctx',
          report: sampleReport(),
        })),
    });
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      cache,
      workspace,
    });
    await runAction(f.edges);
    expect(calls).toEqual([`restore dashboard-ci-verdict-v1-${BASE} /tmp/runner/dashboard-ci-verdict`]);
    expect(f.checks[0]!.baseVerdict).toMatchObject({ commit: BASE, context: 'ctx' });
    expect(f.stdout.join('')).toContain('The verdict of bbbbbbb restored from the Actions cache');
  });

  it('a push to the default branch is judged against `before`, judged in full without a verdict, and saves its own', async () => {
    const { cache, calls } = fakeCache();
    const f = fake({
      event: 'push',
      payload: { ...pushPayload, before: BEFORE },
      report: makeReport([], [query()]),
      cache,
      inputs: { 'grafana-token': 't', 'grafana-url': 'https://g' },
    });
    await runAction(f.edges);
    expect(f.checks[0]).toMatchObject({ base: BEFORE, filter: 'changed', explainUnchanged: true });
    expect(calls).toEqual([
      `restore dashboard-ci-verdict-v1-${BEFORE} /tmp/runner/dashboard-ci-verdict`,
      `save dashboard-ci-verdict-v1-${HEAD} /tmp/runner/dashboard-ci-verdict`,
    ]);
    const saved = parseVerdict(f.files.get('/tmp/runner/dashboard-ci-verdict/verdict.json')!, HEAD)!;
    expect(saved.report.queries).toHaveLength(1);
  });

  it('without a cache service a push judges only what changed: a verdict could not be kept', async () => {
    const f = fake({
      event: 'push',
      payload: { ...pushPayload, before: BEFORE },
      report: makeReport([], [query()]),
      inputs: { 'grafana-token': 't', 'grafana-url': 'https://g' },
    });
    await runAction(f.edges);
    expect(f.checks[0]).toMatchObject({ base: BEFORE, filter: 'changed' });
    expect(f.checks[0]!.explainUnchanged).toBeUndefined();
  });

  it('a push whose `before` is all zeros (a new branch) has no base: every finding counts', async () => {
    const f = fake({
      event: 'push',
      payload: { ...pushPayload, before: '0'.repeat(40) },
      report: makeReport([], [query()]),
      inputs: { 'grafana-token': 't', 'grafana-url': 'https://g' },
    });
    await runAction(f.edges);
    expect(f.checks[0]!.base).toBeUndefined();
    expect(f.checks[0]!.filter).toBeUndefined();
  });

  it('the engine’s prepared data: restored when the engine is needed, saved after a miss; nothing without the engine', async () => {
    const env = { RUNNER_TOOL_CACHE: '/tc', RUNNER_OS: 'Linux', RUNNER_ARCH: 'X64' };
    const used = fakeCache();
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      cache: used.cache,
      env,
      useEngine: true,
    });
    await runAction(f.edges);
    expect(f.checks[0]!.engineCacheDir).toBe('/tc/dashboard-ci-data/3.4.0');
    const data = used.calls.filter((c) => c.includes('dashboard-ci-data-'));
    expect(data).toEqual([
      expect.stringMatching(
        /^restore dashboard-ci-data-3\.4\.0-Linux-X64-[0-9a-f]{24} \/tc\/dashboard-ci-data\/3\.4\.0$/,
      ),
      expect.stringMatching(
        /^save dashboard-ci-data-3\.4\.0-Linux-X64-[0-9a-f]{24} \/tc\/dashboard-ci-data\/3\.4\.0$/,
      ),
    ]);
    // A runner that already has prepared data neither restores nor saves it.
    const warm = fakeCache();
    const w = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      cache: warm.cache,
      env,
      useEngine: true,
      dirs: { '/tc/dashboard-ci-data/3.4.0': ['1a2b3c'] },
    });
    await runAction(w.edges);
    expect(warm.calls.filter((c) => c.includes('dashboard-ci-data-'))).toEqual([]);
    const idle = fakeCache();
    const g = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      cache: idle.cache,
      env,
    });
    await runAction(g.edges);
    expect(idle.calls.filter((c) => c.includes('dashboard-ci-data-'))).toEqual([]);
  });
});

describe('the deploy plan on a pull request', () => {
  const planInputs = { 'grafana-plan-token': 'glsa_PLAN', 'grafana-url': 'https://grafana.example' };

  it('plans with the read-only token only, never the write token, and shows it in the comment', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/a.json'],
      inputs: { ...planInputs, 'grafana-token': 'glsa_WRITE' },
      env: { GRAFANA_TOKEN: 'glsa_WRITE_ENV' },
      provision: {
        grafanaUrl: 'https://grafana.example',
        items: [
          {
            kind: 'dashboard',
            uid: 'exec',
            title: 'Exec',
            action: 'update',
            result: 'planned',
            diff: ['~ refresh'],
          },
        ],
      },
    });
    await runAction(f.edges);
    expect(f.timeline).toContain('mask:glsa_PLAN');
    expect(f.timeline).not.toContain('read:grafana-token');
    expect(f.provisions).toHaveLength(1);
    expect(f.provisions[0]).toMatchObject({
      dryRun: true,
      auth: { token: 'glsa_PLAN' },
      grafanaUrl: 'https://grafana.example',
    });
    expect(f.provisions[0]!.env.GRAFANA_TOKEN).toBeUndefined();
    const body = f.comments[0]!.body!;
    expect(body).toContain('### 🚀 Deploy plan: what merging would change in Grafana');
    expect(body).toContain('| dashboard | exec | Exec | ~ update |');
  });

  it('a pull request from a fork never reads the plan token', async () => {
    const fork = {
      ...prPayload,
      pull_request: { ...prPayload.pull_request, head: { sha: HEAD, repo: { full_name: 'mallory/dash' } } },
    };
    const f = fake({
      event: 'pull_request',
      payload: fork,
      changed: ['dashboards/a.json'],
      inputs: planInputs,
    });
    await runAction(f.edges);
    expect(f.timeline.filter((t) => t.includes('grafana'))).toEqual([]);
    expect(f.provisions).toEqual([]);
    expect(f.comments[0]!.body).not.toContain('Deploy plan');
  });
});

describe('inline review comments', () => {
  const patch = ['@@ -84,2 +84,6 @@', ' a', '+b', '+c', '+d', '+e', ' f'].join('\n');

  it('comment the findings on the PR’s added lines, in one review', async () => {
    const f = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/executive_overview.json'],
      prFiles: [{ filename: 'dashboards/executive_overview.json', status: 'modified', patch }],
    });
    await runAction(f.edges);
    // The sample's error is on line 88 (added); its warning on another file (not in the PR).
    expect(f.apiCalls.filter((c) => c.startsWith('POST review'))).toEqual([
      'POST review dashboards/executive_overview.json:88',
    ]);
  });

  it('none with review-comments: false, and none when the comment was refused (a fork)', async () => {
    const off = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/executive_overview.json'],
      prFiles: [{ filename: 'dashboards/executive_overview.json', status: 'modified', patch }],
      inputs: { 'review-comments': 'false' },
    });
    await runAction(off.edges);
    expect(off.apiCalls.some((c) => c.includes('review'))).toBe(false);
    const refused = fake({
      event: 'pull_request',
      payload: prPayload,
      changed: ['dashboards/executive_overview.json'],
      prFiles: [{ filename: 'dashboards/executive_overview.json', status: 'modified', patch }],
      commentStatus: 403,
    });
    await runAction(refused.edges);
    expect(refused.apiCalls.some((c) => c.includes('review'))).toBe(false);
  });
});
