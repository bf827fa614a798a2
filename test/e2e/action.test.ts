// End to end: dist/index.js run as the runner runs it (a node process with the GITHUB_* and INPUT_*
// environment of a pull_request event) on a git repository of dashboards whose PR breaks a query,
// against the GitHub REST API double and the real embedded engine (chdb from a tool cache laid out
// the way src/action/chdb.ts expects, so nothing is installed from the network).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/report/markdown.js';
import { GitHubDouble } from '../support/github-double.js';
import { GrafanaDouble } from '../support/grafana-double.js';
import { git, HOSTILE_TITLE, makeRepo } from './action-fixture.js';
import {
  buildIfMissing,
  commandsOutsideWindows,
  GRAFANA_TOKEN,
  NODE24,
  runDist,
  toolCacheWithChdb,
  type RunResult,
} from './harness.js';

let tmp: string;
let repo: ReturnType<typeof makeRepo>;
let toolCache: string;
const double = new GitHubDouble({
  ghs_rw: { kind: 'installation' },
  ghs_ro: { kind: 'installation', readOnly: true },
});

interface RunOptions {
  name: string;
  token: string;
  /** pull_request (default) with this PR number. */
  pr?: number;
  /** push to main / workflow_dispatch, on the base commit (a clean tree), instead. */
  event?: 'push' | 'workflow_dispatch';
  node?: string;
  inputs?: Record<string, string>;
}

function runAction(opts: RunOptions): Promise<RunResult> {
  const event = opts.event ?? 'pull_request';
  return runDist({
    dir: join(tmp, `runner-${opts.name}`),
    githubUrl: double.url,
    token: opts.token,
    workspace: event === 'pull_request' ? repo.workspace : repo.origin,
    toolCache,
    event,
    ...(event === 'pull_request'
      ? { pr: { number: opts.pr!, base: repo.base, head: repo.head, headRef: 'break-a-query' } }
      : {}),
    ...(event === 'push' ? { push: { after: repo.base, before: '0'.repeat(40) } } : {}),
    ...(opts.node ? { node: opts.node } : {}),
    ...(opts.inputs ? { inputs: opts.inputs } : {}),
  });
}

/** GitHub's view of a PR's file: its unified diff (3 lines of context) from the base to the head. */
function pullFile(origin: string, base: string, head: string, file: string) {
  const diff = git(origin, 'diff', base, head, '--', file);
  return { filename: file, status: 'modified', patch: diff.slice(diff.indexOf('@@')) };
}

function sarifValidator() {
  const require = createRequire(import.meta.url);
  const schema = structuredClone(
    require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
  ) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  const ajv = new Ajv({ strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

beforeAll(async () => {
  await buildIfMissing();
  tmp = mkdtempSync(join(tmpdir(), 'dci-e2e-action-'));
  repo = makeRepo(tmp);
  toolCache = toolCacheWithChdb(join(tmp, 'toolcache'));
  await double.start();
  const files = ['dashboards/overview.json', 'README.md'].map((f) =>
    pullFile(repo.origin, repo.base, repo.head, f),
  );
  double.setPullFiles('acme', 'dash', 7, files);
  double.setPullFiles('acme', 'dash', 8, files);
  // A person quoting the marker: must never be edited.
  double.addComment('acme', 'dash', 7, `${COMMENT_MARKER}\nI pasted the bot's comment here`, 'alice');
}, 120_000);

afterAll(async () => {
  await double.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('dist/index.js on a pull_request', () => {
  let first: RunResult;

  it('first run: checks the changed dashboard, fails on the broken query, creates one comment and one review', async () => {
    first = await runAction({ pr: 7, token: 'ghs_rw', name: 'first' });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    // One comment, one review of inline comments, nothing else written; the person's comment untouched.
    expect(double.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/acme/dash/issues/7/comments',
      'POST /repos/acme/dash/pulls/7/reviews',
    ]);
    const comments = double.commentsOf('acme', 'dash', 7);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toBe(`${COMMENT_MARKER}\nI pasted the bot's comment here`);
    const mine = comments[1]!;
    expect(mine.user.login).toBe('github-actions[bot]');
    expect(mine.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(mine.body.length).toBeLessThanOrEqual(65_536);
    expect(mine.body).toContain('## ❌ dashboard-ci: 2 errors');
    expect(mine.body).toContain('UNKNOWN_IDENTIFIER');
    expect(mine.body).toContain('is_eror');
    expect(mine.body).toContain('Checked the 1 dashboard this pull request changes.');
    // The first section is the query the PR broke.
    const sections = mine.body.split('\n').filter((l) => l.startsWith('### '));
    expect(sections[0]).toBe('### ❌ Error rate (#2) · query A');
  });

  it('inline review comments on the changed lines: the broken query, where the PR changed it', () => {
    const inline = double.reviewCommentsOf('acme', 'dash', 7);
    const dashboard = readFileSync(join(repo.workspace, 'dashboards/overview.json'), 'utf8').split('\n');
    expect(inline.length).toBe(2);
    expect(dashboard[inline[0]!.line! - 1]).toContain('is_eror');
    expect(inline[0]!.body).toContain('`sql-invalid`');
    expect(double.reviews[0]!.commit_id).toBe(repo.head);
  });

  it('the chdb engine came from the tool cache (no npm install)', () => {
    expect(first.stdout).toContain('chdb 3.4.0: from the tool cache');
    expect(first.stdout).not.toContain('installing it with npm');
  });

  it('annotations on stdout, on the line of the broken query, errors first', () => {
    const commands = commandsOutsideWindows(first.stdout);
    const annotations = commands.filter((c) => /^::(error|warning|notice) /.test(c));
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations[0]).toMatch(
      /^::error title=dashboard-ci%3A sql-invalid,file=dashboards\/overview\.json,line=\d+,col=\d+::/,
    );
    const dashboard = readFileSync(join(repo.workspace, 'dashboards/overview.json'), 'utf8').split('\n');
    const line = Number(/line=(\d+)/.exec(annotations[0]!)![1]);
    expect(dashboard[line - 1]).toContain('is_eror');
    const levels = annotations.map((a) => /^::(\w+)/.exec(a)![1]);
    expect(levels[0]).toBe('error');
    const firstOther = levels.findIndex((l) => l !== 'error');
    if (firstOther >= 0) expect(levels.slice(firstOther)).not.toContain('error');
  });

  it('untrusted text never issues a workflow command; the Grafana token is never read', () => {
    const commands = commandsOutsideWindows(first.stdout);
    const allowed = /^::(error|warning|notice|debug|group|endgroup)[ :]|^::add-mask::ghs_rw$/;
    expect(commands.filter((c) => !allowed.test(c))).toEqual([]);
    expect(commands.some((c) => c.startsWith('::set-output'))).toBe(false);
    // The hostile title is in the log and in an annotation, never at the start of a line.
    expect(first.stdout).toContain('::set-output name=pwned::yes');
    // (The finding's location prefix already folds the title's newlines; core escapes the `%`.)
    expect(first.stdout).toMatch(
      /^::error .*Sessions ::set-output name=pwned::yes ::add-mask::ghs_rw %250A/m,
    );
    expect(first.outputs.pwned).toBeUndefined();
    expect(first.stdout).not.toContain(GRAFANA_TOKEN);
    expect(first.stdout).not.toContain('127.0.0.1:9/grafana');
    expect(commands.filter((c) => c.startsWith('::add-mask::'))).toEqual(['::add-mask::ghs_rw']);
    expect(HOSTILE_TITLE).toContain('::add-mask::');
  });

  it('outputs set; the JSON report and a valid SARIF file exist; the summary has the tables', () => {
    const o = first.outputs;
    expect(o.errors).toBe('2');
    expect(o['changed-dashboards']).toBe('["dashboards/overview.json"]');
    expect(o.provisioned).toBe('0');
    expect(o.report).toBe(join(first.runnerTemp, 'dashboard-ci/report.json'));
    const report = JSON.parse(readFileSync(o.report!, 'utf8'));
    expect(report.summary.errors).toBe(2);
    expect(report.queries.find((q: { panelId: number }) => q.panelId === 2).error.code).toBe(47);
    const sarif = JSON.parse(readFileSync(o.sarif!, 'utf8'));
    const validate = sarifValidator();
    expect(validate(sarif)).toBe(true);
    expect(sarif.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'sql-invalid')).toBe(true);
    expect(first.summary).toContain('<!-- dashboard-ci:summary -->');
    expect(first.summary).toContain('### ❌ Error rate (#2) · query A');
    expect(first.summary).toContain('UNKNOWN_IDENTIFIER');
  });

  it('second run: one PATCH of the same comment; the review comments still wanted are left as they are', async () => {
    const before = double.writes().length;
    const second = await runAction({ pr: 7, token: 'ghs_rw', name: 'second' });
    expect(second.code).toBe(1);
    const writes = double.writes().slice(before);
    const id = double.commentsOf('acme', 'dash', 7)[1]!.id;
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      `PATCH /repos/acme/dash/issues/comments/${id}`,
    ]);
    expect(double.commentsOf('acme', 'dash', 7)).toHaveLength(2);
  });

  it('read-only token (fork PR): no write, one notice, summary and annotations still there, job still fails', async () => {
    const before = double.writes().length;
    const ro = await runAction({ pr: 8, token: 'ghs_ro', name: 'fork' });
    expect(ro.code).toBe(1);
    expect(double.writes().length).toBe(before);
    expect(double.commentsOf('acme', 'dash', 8)).toHaveLength(0);
    const refused = double.requests.filter(
      (r) => r.path === '/repos/acme/dash/issues/8/comments' && r.method === 'POST',
    );
    expect(refused.map((r) => r.status)).toEqual([403]);
    const notices = commandsOutsideWindows(ro.stdout).filter((c) => c.startsWith('::notice'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(
      'could not write the PR comment (403: Resource not accessible by integration)',
    );
    expect(
      commandsOutsideWindows(ro.stdout).some((c) => /^::error .*file=dashboards\/overview\.json/.test(c)),
    ).toBe(true);
    expect(ro.summary).toContain('could not write the PR comment');
    expect(ro.outputs.errors).toBe('2');
  });

  it.runIf(existsSync(NODE24))(
    'runs under Node 24 (the node@24 package), as runs.using: node24 does',
    async () => {
      const version = execFileSync(NODE24, ['--version'], { encoding: 'utf8' }).trim();
      expect(version).toMatch(/^v24\./);
      const before = double.writes().length;
      const r = await runAction({ pr: 7, token: 'ghs_rw', node: NODE24, name: 'node24' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(
        double
          .writes()
          .slice(before)
          .map((w) => w.method),
      ).toEqual(['PATCH']);
      expect(r.outputs.errors).toBe('2');
    },
  );
});

describe('dist/index.js on push to main and on workflow_dispatch', () => {
  let grafana: GrafanaDouble;
  const TOKEN = 'glsa_e2e_push_token_0123456789';

  beforeAll(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version: '11.4.0' });
  });
  afterAll(() => grafana.close());

  const grafanaInputs = () => ({ 'grafana-url': grafana.url, 'grafana-token': TOKEN });

  it('dispatch with dry-run: the plan, no Grafana write, no check', async () => {
    const r = await runAction({
      name: 'dispatch-dry',
      token: 'ghs_rw',
      event: 'workflow_dispatch',
      inputs: { ...grafanaInputs(), 'dry-run': 'true' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(grafana.requests.length).toBeGreaterThan(0);
    expect(r.outputs.provisioned).toBe('0');
    expect(r.outputs.report).toBeUndefined();
    expect(r.summary).toContain('Provisioning (dry run: no writes)');
  });

  it('push: the check passes, then everything is provisioned; the token is masked before the first line', async () => {
    const r = await runAction({ name: 'push-1', token: 'ghs_rw', event: 'push', inputs: grafanaInputs() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.errors).toBe('0');
    expect(Number(r.outputs.provisioned)).toBeGreaterThanOrEqual(2);
    expect(grafana.writes().length).toBeGreaterThan(0);
    expect(grafana.org().dashboards.has('e2e-overview')).toBe(true);
    const lines = r.stdout.split('\n');
    expect(lines.indexOf(`::add-mask::${TOKEN}`)).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf(`::add-mask::${TOKEN}`)).toBeLessThan(
      lines.findIndex((l) => !l.startsWith('::add-mask::')),
    );
    expect(r.stdout.split(TOKEN).length - 1).toBe(1); // only inside its own add-mask command
    expect(r.summary).toContain('## ✅ Provisioning');
    commandsOutsideWindows(r.stdout);
  });

  it('push again: nothing changed, zero writes', async () => {
    grafana.clearLog();
    const r = await runAction({ name: 'push-2', token: 'ghs_rw', event: 'push', inputs: grafanaInputs() });
    expect(r.code).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(r.outputs.provisioned).toBe('0');
  });

  it('push with a failing check: Grafana is never called', async () => {
    grafana.clearLog();
    const r = await runAction({
      name: 'push-fail',
      token: 'ghs_rw',
      event: 'push',
      inputs: {
        ...grafanaInputs(),
        'fail-on': 'error',
        'regression-threshold': '20%',
        paths: 'dashboards,missing-dir',
      },
    });
    expect(r.code).toBe(1);
    expect(grafana.requests).toEqual([]);
    expect(r.outputs.provisioned).toBe('0');
    expect(r.summary).toContain('Provisioning skipped');
  });
});
