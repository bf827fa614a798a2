// The Action's logic. Every edge (runner commands, GitHub's API, git, the filesystem, the check,
// provisioning, chdb) comes in through ActionEdges, so tests replace only the edges.
//
// Order matters: inputs are read and secrets masked, the route is decided (a pull_request never
// reads a Grafana input), and only then is the first line logged.

import { join } from 'node:path';
import type { CheckOptions, CheckResult } from '../check/types.js';
import type { Config } from '../config/types.js';
import { UsageError, type Report } from '../core/types.js';
import type { ProvisionOptions, ProvisionResult } from '../grafana/types.js';
import { GITHUB_SUMMARY_LIMIT_BYTES } from '../report/comment-truncate.js';
import { COMMENT_MARKER, escapeInline, renderMarkdown, renderProvisionMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { omittedLine, planAnnotations, type AnnotationLevel } from './annotations.js';
import { changedFiles, ensureCommit, scopeFromChanges, type CheckScope, type Git } from './changed-files.js';
import { upsertSticky, type StickyResult } from './comment.js';
import { decideRoute, readContext, type ActionContext, type Route } from './context.js';
import type { GitHubApi } from './github-api.js';
import {
  readGrafanaSettings,
  readSettings,
  type ActionSettings,
  type GrafanaSettings,
  type InputSource,
} from './inputs.js';
import { SafeLog, type LogSink } from './log.js';
import { resolveEnvironment, type ResolvedEnvironment } from '../grafana/environments.js';
import { sarifRulesFor, type RuleInfo } from './rules.js';

export interface AnnotationProps {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export interface ActionEdges {
  env: Readonly<Record<string, string | undefined>>;
  inputs: InputSource;
  /** Raw stdout of the step (workflow commands are parsed from it). */
  stdout: LogSink;
  /** core.error / core.warning / core.notice (they escape % CR LF, and : , in properties). */
  annotate(level: AnnotationLevel, message: string, props?: AnnotationProps): void;
  setOutput(name: string, value: string): void;
  /** Appends markdown to the step's job summary. */
  appendSummary(markdown: string): Promise<void>;
  github(token: string): GitHubApi;
  git: Git;
  fs: {
    readText(path: string): string;
    writeText(path: string, text: string): Promise<void>;
    mkdirp(path: string): Promise<void>;
  };
  loadConfig(opts: { cwd: string; file?: string }): Promise<Config>;
  runCheck(opts: CheckOptions): Promise<CheckResult>;
  provision(opts: ProvisionOptions): Promise<ProvisionResult>;
  renderProvisionText(result: ProvisionResult): string;
  renderText(report: Report): string;
  /** The chdb package folder for a pinned version (tool cache install on first use), resolved lazily. */
  chdbPath(version: string): () => Promise<string>;
  /** Lint rule metadata for SARIF. */
  rules: readonly RuleInfo[];
  /** An unguessable token for stop-commands. */
  newToken(): string;
  toolVersion: string;
}

export interface ActionOutcome {
  failed: boolean;
  /** One line for core.setFailed. */
  message?: string;
  route: Route;
}

export const SUMMARY_MARKER = '<!-- dashboard-ci:summary -->';
// The check's part of the summary leaves room for provisioning's part within GitHub's 1 MiB.
const SUMMARY_CHECK_BYTES = GITHUB_SUMMARY_LIMIT_BYTES - 128 * 1024;
const byteLength = (t: string): number => Buffer.byteLength(t, 'utf8');

interface PhaseResult {
  failed: boolean;
  message?: string;
}

export async function runAction(edges: ActionEdges): Promise<ActionOutcome> {
  // Nothing may be logged before these lines: they mask every secret this route reads. The config
  // is read first (it logs nothing) because an environment names the refs it deploys on.
  const settings = readSettings(edges.inputs);
  const ctx = readContext(edges.env, edges.fs.readText);
  const loaded = await edges.loadConfig(
    settings.config ? { cwd: ctx.workspace, file: settings.config } : { cwd: ctx.workspace },
  );
  const envConfig = settings.environment ? loaded.environments?.[settings.environment] : undefined;
  if (settings.environment && !envConfig)
    throw new UsageError(
      `Input 'environment' names "${settings.environment}", which dashboard-ci.yml does not define${Object.keys(loaded.environments ?? {}).length ? ` (defined: ${Object.keys(loaded.environments).sort().join(', ')})` : ''}`,
    );
  const route = decideRoute(settings.mode, ctx, {
    releaseRefs: [...settings.releaseRefs, ...(envConfig?.refs ?? [])],
  });
  const grafana = route.provision
    ? readGrafanaSettings(edges.inputs, edges.env, envConfig?.credentials)
    : undefined;

  const log = new SafeLog(edges.stdout, edges.newToken);
  log.trusted(`dashboard-ci ${edges.toolVersion}: ${route.description}`);

  // The environment's view of the config (paths, org, folders...); its datasource uids go to provisioning.
  const environment = settings.environment
    ? resolveEnvironment(loaded, settings.environment, edges.env)
    : undefined;
  const config = environment?.config ?? loaded;
  if (settings.regressionThreshold !== undefined)
    config.budgets.regressionThreshold = settings.regressionThreshold;

  const failures: string[] = [];
  let checkFailed = false;
  if (route.check) {
    const r = await checkPhase(edges, log, settings, ctx, route, config);
    if (r.failed) {
      checkFailed = true;
      failures.push(r.message ?? 'the check failed');
    }
  }
  if (route.provision) {
    if (checkFailed) {
      log.trusted('Provisioning skipped: the check failed.');
      edges.setOutput('provisioned', '0');
      await edges.appendSummary(
        '## ⏭️ Provisioning skipped\n\nThe check failed, so nothing was provisioned.\n',
      );
    } else {
      const r = await provisionPhase(edges, log, settings, grafana!, ctx, config, environment);
      if (r.failed) failures.push(r.message ?? 'provisioning failed');
    }
  } else {
    edges.setOutput('provisioned', '0');
  }
  return failures.length > 0
    ? { failed: true, message: failures.join('; '), route }
    : { failed: false, route };
}

// ---------------------------------------------------------------------------------------------
// Check

function emptyReport(): Report {
  return {
    summary: { dashboards: 0, panels: 0, queries: 0, errors: 0, warnings: 0, infos: 0, files: 0 },
    findings: [],
    queries: [],
    load: [],
    engine: 'none',
  };
}

function verdict(report: Report, failOn: ActionSettings['failOn']): PhaseResult {
  const { errors, warnings } = report.summary;
  if (failOn === 'error' && errors > 0) {
    return { failed: true, message: `dashboard-ci found ${errors} error${errors === 1 ? '' : 's'}` };
  }
  if (failOn === 'warning' && errors + warnings > 0) {
    return {
      failed: true,
      message: `dashboard-ci found ${errors} error${errors === 1 ? '' : 's'} and ${warnings} warning${warnings === 1 ? '' : 's'} (fail-on: warning)`,
    };
  }
  return { failed: false };
}

function runUrl(ctx: ActionContext): string | undefined {
  return ctx.runId ? `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}` : undefined;
}

function short(sha: string): string {
  return /^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 7) : sha;
}

async function checkPhase(
  edges: ActionEdges,
  log: SafeLog,
  settings: ActionSettings,
  ctx: ActionContext,
  route: Route,
  config: Config,
): Promise<PhaseResult> {
  const outDir = join(ctx.runnerTemp, 'dashboard-ci');
  await edges.fs.mkdirp(outDir);
  const reportPath = join(outDir, 'report.json');
  const sarifPath = join(outDir, 'dashboard-ci.sarif');
  const pr = route.pr;
  const api = pr && settings.githubToken ? edges.github(settings.githubToken) : undefined;
  const notes: string[] = [];

  // Scope: on a PR only what it changes; elsewhere everything.
  let scope: CheckScope | undefined;
  let base = settings.baseRef;
  if (pr) {
    const changed = await changedFiles(edges.git, api, ctx.workspace, ctx, pr);
    if (changed) {
      scope = scopeFromChanges(changed.files, config, settings.paths);
      log.untrusted(
        `Changed files (${changed.source}): ${changed.files.length}; dashboards: ${scope.dashboards.join(', ') || 'none'}; alert rules: ${scope.alerts.join(', ') || 'none'}`,
      );
    } else {
      notes.push(
        '> [!NOTE]\n> Could not tell which files this pull request changes, so everything was checked.',
      );
      log.trusted('Could not list the changed files (git and the API both failed): checking everything.');
    }
    if (!base && (await ensureCommit(edges.git, ctx.workspace, pr.baseSha).catch(() => false)))
      base = pr.baseSha;
  }

  const changedDashboards = scope ? scope.dashboards : undefined;
  const nothingChanged =
    scope !== undefined && !scope.all && scope.dashboards.length + scope.alerts.length === 0;

  let result: CheckResult;
  if (nothingChanged) {
    log.trusted(
      'No dashboard, alert rule or shared input (config, schema, seed, datasources) changed: nothing to check.',
    );
    result = { report: emptyReport(), usageErrors: [] };
    notes.push(
      'No dashboard, alert rule, dashboard-ci.yml, schema, seed or datasource file changed: nothing to check.',
    );
  } else {
    const opts: CheckOptions = {
      cwd: ctx.workspace,
      // Explicit paths may mix dashboards and alert rule files; runCheck splits them.
      paths: scope && !scope.all ? [...scope.dashboards, ...scope.alerts] : settings.paths,
      config,
      explain: true,
      chdbPath: edges.chdbPath(settings.chdbVersion),
    };
    if (settings.clickhouse) {
      opts.clickhouse = settings.clickhouse.url;
      const auth: { user?: string; password?: string } = {};
      if (settings.clickhouse.user) auth.user = settings.clickhouse.user;
      if (settings.clickhouse.password) auth.password = settings.clickhouse.password;
      opts.clickhouseAuth = auth;
      if (settings.clickhouse.prepare) opts.prepareServer = true;
    }
    if (base) opts.base = base;
    if (scope && !scope.all) {
      const n = scope.dashboards.length;
      const a = scope.alerts.length;
      const what = [
        n ? `${n} dashboard${n === 1 ? '' : 's'}` : '',
        a ? `${a} alert rule file${a === 1 ? '' : 's'}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      notes.push(`Checked the ${what} this pull request changes.`);
    } else if (scope?.all) {
      notes.push(`Checked everything: ${escapeInline(scope.reason ?? 'a shared input changed')}.`);
    }
    if (base) notes.push(`Cost change is against \`${escapeInline(short(base), 60)}\`.`);
    result = await edges.runCheck(opts);
  }
  const report = result.report;

  // Files first, so a failure later still leaves them for upload steps.
  await edges.fs.writeText(reportPath, JSON.stringify(report, null, 2) + '\n');
  const docsBase = edges.env.GITHUB_ACTION_REPOSITORY
    ? `${ctx.serverUrl}/${edges.env.GITHUB_ACTION_REPOSITORY}/blob/${edges.env.GITHUB_ACTION_REF || 'main'}`
    : undefined;
  await edges.fs.writeText(
    sarifPath,
    renderSarif(report, sarifRulesFor(report, edges.rules, docsBase), {
      toolVersion: edges.toolVersion,
      repoRoot: ctx.workspace,
      cwd: ctx.workspace,
      ...(docsBase ? { informationUri: docsBase.replace(/\/blob\/.*$/, '') } : {}),
    }),
  );

  for (const line of result.usageErrors) log.untrusted(`error: ${line}`);
  if (!nothingChanged) log.untrusted(edges.renderText(report));

  // Annotations, errors first, within GitHub's caps.
  const plan = planAnnotations(report.findings);
  for (const a of plan.annotations) edges.annotate(a.level, a.message, a.properties);

  // The sticky comment.
  const blobUrl = `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/blob/${pr?.headSha ?? ctx.sha}`;
  const summaryNotes = [...notes];
  let sticky: StickyResult | undefined;
  if (route.comment && settings.comment) {
    if (!api) {
      sticky = { action: 'failed', status: 0, message: 'no github-token', forbidden: true };
    } else {
      const body = renderMarkdown(report, {
        marker: COMMENT_MARKER,
        notes,
        blobUrl,
        fullReportHint: 'The job summary of this run has the complete report.',
        ...(runUrl(ctx) ? { runUrl: runUrl(ctx)! } : {}),
      });
      sticky = await upsertSticky(
        api,
        { owner: ctx.owner, repo: ctx.repo, issue: pr!.number, marker: COMMENT_MARKER },
        body,
        {
          createIfMissing: !nothingChanged,
        },
      );
    }
    if (sticky.action === 'created' || sticky.action === 'updated') {
      log.trusted(`PR comment ${sticky.action} (id ${sticky.id}).`);
    } else if (sticky.action === 'failed') {
      const why = sticky.forbidden
        ? 'the token may not write to this pull request (a pull request from a fork gets a read-only token)'
        : 'the GitHub API failed';
      const text = `dashboard-ci could not write the PR comment (${sticky.status || 'no token'}: ${sticky.message}): ${why}. The annotations and the job summary carry the verdict.`;
      edges.annotate(sticky.forbidden ? 'notice' : 'warning', text, { title: 'dashboard-ci: no PR comment' });
      summaryNotes.push(`> [!NOTE]\n> ${escapeInline(text, 600)}`);
    }
  }

  // The job summary: the same tables, within 1 MiB.
  const appendix: string[] = [];
  const omitted = omittedLine(plan);
  if (omitted) appendix.push(omitted);
  for (const u of result.usageErrors) appendix.push(`- ❌ ${escapeInline(u, 1000)}`);
  await edges.appendSummary(
    renderMarkdown(report, {
      marker: SUMMARY_MARKER,
      notes: summaryNotes,
      appendix,
      blobUrl,
      maxChars: SUMMARY_CHECK_BYTES,
      measure: byteLength,
      fullReportHint: 'The JSON report (the `report` output) has everything.',
    }),
  );

  // Outputs.
  const dashboardsOut =
    changedDashboards ??
    [...new Set(report.queries.filter((q) => q.origin !== 'alert').map((q) => q.file))].sort();
  edges.setOutput('report', reportPath);
  edges.setOutput('sarif', sarifPath);
  edges.setOutput('errors', String(report.summary.errors));
  edges.setOutput('warnings', String(report.summary.warnings));
  edges.setOutput('changed-dashboards', JSON.stringify(dashboardsOut));

  if (result.usageErrors.length > 0) {
    return {
      failed: true,
      message: `dashboard-ci: ${result.usageErrors.length} usage error(s); see the log`,
    };
  }
  const v = verdict(report, settings.failOn);
  log.trusted(v.failed ? `Verdict: fail (${v.message})` : 'Verdict: pass');
  return v;
}

// ---------------------------------------------------------------------------------------------
// Provision

async function commitInfo(
  git: Git,
  ctx: ActionContext,
): Promise<{ sha: string; subject: string } | undefined> {
  if (!ctx.sha) return undefined;
  const res = await git.run(['log', '-1', '--format=%s', ctx.sha], ctx.workspace).catch(() => undefined);
  let subject = res && res.code === 0 ? res.stdout.trim() : '';
  if (!subject) {
    const head = ctx.payload.head_commit as { message?: unknown } | undefined;
    if (typeof head?.message === 'string') subject = head.message.split('\n')[0] ?? '';
  }
  return { sha: ctx.sha, subject };
}

const PROVISION_ANNOTATION_CAP = 10;

async function provisionPhase(
  edges: ActionEdges,
  log: SafeLog,
  settings: ActionSettings,
  grafana: GrafanaSettings,
  ctx: ActionContext,
  config: Config,
  environment?: ResolvedEnvironment,
): Promise<PhaseResult> {
  const grafanaUrl = grafana.url ?? config.grafana.url;
  if (!grafanaUrl) {
    throw new UsageError(
      "Input 'grafana-url' (or grafana.url in dashboard-ci.yml) is required to provision; got none",
    );
  }
  log.trusted(
    `Provisioning${environment ? ` environment ${environment.name}` : ''} to ${grafanaUrl}${settings.dryRun ? ' (dry run: no writes)' : ''}${settings.prune ? ', pruning' : ''}.`,
  );
  const opts: ProvisionOptions = {
    cwd: ctx.workspace,
    paths: settings.paths,
    config,
    grafanaUrl,
    auth: grafana.auth,
    dryRun: settings.dryRun,
    prune: settings.prune,
    env: edges.env,
    log: (line) => log.untrusted(line),
    ...(environment ? { environment: environment.name, datasourceUids: environment.datasourceUids } : {}),
  };
  const commit = await commitInfo(edges.git, ctx);
  if (commit) opts.commit = commit;

  // Progress lines carry titles and Grafana's messages: all of it inside one stop-commands window.
  const result = await log.window(async () => {
    const r = await edges.provision(opts);
    log.untrusted(edges.renderProvisionText(r));
    return r;
  });

  let annotated = 0;
  for (const item of result.items) {
    if (item.result !== 'failed' || annotated >= PROVISION_ANNOTATION_CAP) continue;
    annotated++;
    const msg =
      `${item.kind} ${item.uid}: ${item.error?.status ?? ''} ${item.error?.message ?? 'failed'}`.replace(
        /\s+/g,
        ' ',
      );
    edges.annotate(
      'error',
      msg,
      item.file
        ? { title: 'dashboard-ci: provisioning', file: item.file }
        : { title: 'dashboard-ci: provisioning' },
    );
  }
  await edges.appendSummary(renderProvisionMarkdown(result));
  const written = result.items.filter(
    (i) => i.result === 'created' || i.result === 'updated' || i.result === 'deleted',
  );
  edges.setOutput('provisioned', String(written.length));
  if (result.failures > 0) {
    return {
      failed: true,
      message: `provisioning: ${result.failures} failure${result.failures === 1 ? '' : 's'}`,
    };
  }
  return { failed: false };
}
