// End to end: dist/index.js run as the runner runs it (a node process with the GITHUB_* and INPUT_*
// environment of a pull_request event) on a git repository of dashboards whose PR breaks a query,
// against the GitHub REST API double and the real embedded engine (chdb from a tool cache laid out
// the way src/action/chdb.ts expects, so nothing is installed from the network).

import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/report/markdown.js';
import { GitHubDouble } from '../support/github-double.js';
import { GrafanaDouble } from '../support/grafana-double.js';
import { HOSTILE_TITLE, makeRepo } from './action-fixture.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIST = join(ROOT, 'dist/index.js');
// Node 24 (the runtime of `runs.using: node24`) comes from the npm package `node@24`, installed by
// .ci/run outside node_modules: as a devDependency its bin would shadow the machine's node in every
// npm script. CI must have it; a developer without it skips only this one case.
const NODE24 = process.env.DASHBOARD_CI_NODE24 ?? join(ROOT, '.ci/node24/node_modules/node/bin/node');
if (process.env.CI && !existsSync(NODE24)) {
  throw new Error(
    `Node 24 not found at ${NODE24}: .ci/run installs it (npm install --prefix .ci/node24 node@24)`,
  );
}
const GRAFANA_TOKEN = 'glsa_must_never_be_read_on_a_pr';

/**
 * The machine's own node for the main runs. Under `npm test` / `npx`, node_modules/.bin comes first
 * in PATH and the node@24 devDependency's `node` shadows it; the Node 24 run below is explicit.
 */
function machineNode(): string {
  if (!process.execPath.includes(`${sep}node_modules${sep}`)) return process.execPath;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes(`${sep}node_modules${sep}`)) continue;
    const candidate = join(dir, 'node');
    if (existsSync(candidate)) return candidate;
  }
  return process.execPath;
}

let tmp: string;
let repo: ReturnType<typeof makeRepo>;
let toolCache: string;
const double = new GitHubDouble({
  ghs_rw: { kind: 'installation' },
  ghs_ro: { kind: 'installation', readOnly: true },
});

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

async function buildIfMissing(): Promise<void> {
  if (existsSync(DIST)) return;
  await new Promise<void>((ok, fail) => {
    const p = spawn(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`build failed: ${code}`))));
  });
}

/** The `name<<delimiter` blocks @actions/core writes to $GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

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

async function runAction(opts: RunOptions): Promise<RunResult> {
  const runnerTemp = join(tmp, `runner-${opts.name}`);
  mkdirSync(runnerTemp, { recursive: true });
  const eventPath = join(runnerTemp, 'event.json');
  const event = opts.event ?? 'pull_request';
  const repository = { full_name: 'acme/dash', default_branch: 'main' };
  writeFileSync(
    eventPath,
    JSON.stringify(
      event === 'pull_request'
        ? {
            action: 'synchronize',
            number: opts.pr,
            pull_request: {
              number: opts.pr,
              base: { sha: repo.base, ref: 'main', repo: { full_name: 'acme/dash' } },
              head: { sha: repo.head, ref: 'break-a-query', repo: { full_name: 'acme/dash' } },
            },
            repository,
          }
        : event === 'push'
          ? {
              ref: 'refs/heads/main',
              after: repo.base,
              head_commit: { id: repo.base, message: 'Base dashboards' },
              repository,
            }
          : { ref: 'refs/heads/main', inputs: {}, repository },
    ),
  );
  const outputFile = join(runnerTemp, 'output');
  const summaryFile = join(runnerTemp, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    // Without node_modules/.bin: the runner's PATH has no project binaries.
    PATH: (process.env.PATH ?? '/usr/bin:/bin')
      .split(delimiter)
      .filter((d) => !d.includes(`${sep}node_modules${sep}`))
      .join(delimiter),
    HOME: process.env.HOME ?? tmp,
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/dash',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_API_URL: double.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: event === 'pull_request' ? repo.workspace : repo.origin,
    GITHUB_SHA: event === 'pull_request' ? repo.head : repo.base,
    GITHUB_REF: event === 'pull_request' ? `refs/pull/${opts.pr}/merge` : 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    'INPUT_GITHUB-TOKEN': opts.token,
    INPUT_MODE: 'auto',
    INPUT_COMMENT: 'true',
    'INPUT_FAIL-ON': 'error',
    'INPUT_CHDB-VERSION': '3.4.0',
    // Present in the environment, as a careless workflow would set it: a PR must never read it.
    'INPUT_GRAFANA-TOKEN': GRAFANA_TOKEN,
    'INPUT_GRAFANA-URL': 'http://127.0.0.1:9/grafana',
    GRAFANA_TOKEN,
  };
  for (const [k, v] of Object.entries(opts.inputs ?? {})) env[`INPUT_${k.toUpperCase()}`] = v;
  const cwd = env.GITHUB_WORKSPACE!;
  const child = spawn(opts.node ?? machineNode(), [DIST], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => child.on('close', ok));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    runnerTemp,
  };
}

/** Every stdout line that starts with `::` outside a stop-commands window (what the runner executes). */
function commandsOutsideWindows(stdout: string): string[] {
  const commands: string[] = [];
  let open: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (open) {
      if (line === `::${open}::`) open = undefined;
      continue;
    }
    const m = /^::stop-commands::(.+)$/.exec(line);
    if (m) open = m[1];
    else if (line.startsWith('::')) commands.push(line);
  }
  expect(open, 'every stop-commands window is closed').toBeUndefined();
  return commands;
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
  // The tool-cache layout ensureChdb() finds: <cache>/dashboard-ci-chdb/<version>/<arch>{,.complete}.
  toolCache = join(tmp, 'toolcache');
  const dir = join(toolCache, 'dashboard-ci-chdb', '3.4.0', process.arch);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/chdb'), join(dir, 'node_modules/chdb'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@chdb'), join(dir, 'node_modules/@chdb'), 'dir');
  writeFileSync(`${dir}.complete`, '');
  await double.start();
  // A person quoting the marker: must never be edited.
  double.addComment('acme', 'dash', 7, `${COMMENT_MARKER}\nI pasted the bot's comment here`, 'alice');
}, 120_000);

afterAll(async () => {
  await double.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('dist/index.js on a pull_request', () => {
  let first: RunResult;

  it('first run: checks the changed dashboard, fails on the broken query, creates one comment', async () => {
    first = await runAction({ pr: 7, token: 'ghs_rw', name: 'first' });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    // One POST, nothing else written; the person's comment untouched.
    expect(double.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'POST /repos/acme/dash/issues/7/comments',
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
    expect(mine.body).toContain('| Panel | Query | Status | Rows | Granules read | Cost change |');
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
    expect(first.summary).toContain('| Panel | Query | Status | Rows | Granules read | Cost change |');
    expect(first.summary).toContain('UNKNOWN_IDENTIFIER');
  });

  it('second run: one PATCH of the same comment, no POST', async () => {
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
      const version = await new Promise<string>((ok) => {
        const p = spawn(NODE24, ['--version']);
        let out = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.on('close', () => ok(out.trim()));
      });
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
