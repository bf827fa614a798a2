// The Action's logic. Every edge (runner commands, GitHub's API, git, the filesystem, the check,
// provisioning, chdb) comes in through ActionEdges, so tests replace only the edges.
//
// Order matters: inputs are read and secrets masked, the route is decided (a pull_request never
// reads a Grafana input), and only then is the first line logged.

import { join } from 'node:path';
import { changeContext, isNotJudged, type BaseVerdict } from '../check/change.js';
import type { CheckOptions, CheckResult } from '../check/types.js';
import type { Config } from '../config/types.js';
import { UsageError, type Finding, type Report } from '../core/types.js';
import type { EnvironmentPlan } from '../grafana/environments.js';
import type { ProvisionOptions, ProvisionResult } from '../grafana/types.js';
import { GITHUB_SUMMARY_LIMIT_BYTES } from '../report/comment-truncate.js';
import { COMMENT_MARKER, escapeInline, renderMarkdown, renderProvisionMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { safeText } from '../core/safe-text.js';
import { omittedLine, planAnnotations, type AnnotationLevel } from './annotations.js';
import { changedFiles, ensureCommit, scopeFromChanges, type CheckScope, type Git } from './changed-files.js';
import {
  dataCacheKey,
  parseVerdict,
  serializeVerdict,
  VERDICT_FILE,
  verdictCacheKey,
  type CacheService,
} from './cache.js';
import { upsertSticky, type StickyResult } from './comment.js';
import {
  decideRoute,
  isPushToDefaultBranch,
  readContext,
  type ActionContext,
  type PullRequestInfo,
  type Route,
} from './context.js';
import type { GitHubApi, PullFile } from './github-api.js';
import { planPullRequest } from './plan.js';
import { addedLines, planReviewComments, syncReview, type ReviewFile } from './review.js';
import {
  readGrafanaSettings,
  readPlanToken,
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
    /** Removes a file or folder, recursively; nothing when it is not there. */
    remove(path: string): Promise<void>;
    /** The names in a folder; [] when it is not there. */
    list(path: string): string[];
  };
  /** The Actions cache (the engine, its prepared data, the default branch's verdicts). */
  cache: CacheService;
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
    const r = await checkPhase(edges, log, settings, ctx, route, { config, loaded });
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

interface CheckPhaseConfig {
  /** The config the check runs with (an environment's view when one is named). */
  config: Config;
  /** dashboard-ci.yml as loaded: the deploy plan reads its environments. */
  loaded: Config;
}

const ZERO_SHA = /^0+$/;

/** The commit the change is judged against: the PR's base (or base-ref), or a push's `before`. */
async function changeBaseOf(
  edges: ActionEdges,
  settings: ActionSettings,
  ctx: ActionContext,
  route: Route,
): Promise<{ sha: string; label: string } | undefined> {
  const ws = ctx.workspace;
  if (route.pr) {
    const ref = settings.baseRef ?? route.pr.baseSha;
    if (!(await ensureCommit(edges.git, ws, ref).catch(() => false))) return undefined;
    // A checkout of the head itself (not the merge commit) is judged against where it forked.
    const mb = await edges.git.run(['merge-base', ref, 'HEAD'], ws).catch(() => undefined);
    // A base-ref such as `main` is named by its commit: the verdict of the base is kept per commit.
    const rev = await edges.git
      .run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], ws)
      .catch(() => undefined);
    const commit = rev && rev.code === 0 && rev.stdout.trim() ? rev.stdout.trim() : ref;
    const sha = mb && mb.code === 0 && mb.stdout.trim() ? mb.stdout.trim() : commit;
    return { sha, label: settings.baseRef ?? route.pr.baseRef ?? short(sha) };
  }
  if (ctx.eventName !== 'push') return undefined;
  const before = ctx.payload.before;
  if (typeof before !== 'string' || !/^[0-9a-f]{40}$/i.test(before) || ZERO_SHA.test(before))
    return undefined;
  if (!(await ensureCommit(edges.git, ws, before).catch(() => false))) return undefined;
  return { sha: before, label: short(before) };
}

function isFork(ctx: ActionContext, route: Route): boolean {
  // Unknown is treated as a fork: the plan token is read only when the head is this repository.
  return route.pr?.headRepo !== `${ctx.owner}/${ctx.repo}`;
}

async function readVerdict(
  edges: ActionEdges,
  log: SafeLog,
  dir: string,
  sha: string,
): Promise<BaseVerdict | undefined> {
  if (!(await edges.cache.available())) return undefined;
  await edges.fs.remove(dir);
  const hit = await edges.cache.restore([dir], verdictCacheKey(sha));
  if (!hit) {
    log.trusted(
      `No verdict of ${short(sha)} in the Actions cache: unchanged queries are listed without one.`,
    );
    return undefined;
  }
  let text: string;
  try {
    text = edges.fs.readText(join(dir, VERDICT_FILE));
  } catch {
    return undefined;
  }
  const v = parseVerdict(text, sha);
  log.trusted(
    v
      ? `The verdict of ${short(sha)} restored from the Actions cache: unchanged queries take it.`
      : `The verdict restored for ${short(sha)} is not one this Action can read: ignored.`,
  );
  return v;
}

function statementsOf(edges: ActionEdges, ws: string, files: readonly string[]): string[] {
  return files.map((f) => {
    try {
      return edges.fs.readText(join(ws, f));
    } catch {
      return '';
    }
  });
}

async function checkPhase(
  edges: ActionEdges,
  log: SafeLog,
  settings: ActionSettings,
  ctx: ActionContext,
  route: Route,
  { config, loaded }: CheckPhaseConfig,
): Promise<PhaseResult> {
  const outDir = join(ctx.runnerTemp, 'dashboard-ci');
  await edges.fs.mkdirp(outDir);
  const reportPath = join(outDir, 'report.json');
  const sarifPath = join(outDir, 'dashboard-ci.sarif');
  const pr = route.pr;
  const api = pr && settings.githubToken ? edges.github(settings.githubToken) : undefined;
  const notes: string[] = [];
  const ws = ctx.workspace;

  // Scope: on a PR only what it changes; elsewhere everything.
  let scope: CheckScope | undefined;
  if (pr) {
    const changed = await changedFiles(edges.git, api, ws, ctx, pr);
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
  }

  // What the change is judged against (the PR's base, a push's `before`) and how.
  const changeBase = await changeBaseOf(edges, settings, ctx, route);
  const wanted = settings.filter ?? config.filter ?? 'changed';
  const filter = changeBase ? wanted : 'all';
  if (!changeBase && wanted !== 'all' && (pr || ctx.eventName === 'push'))
    log.trusted('No base commit to judge the change against: every finding counts.');
  // The verdict pull requests reuse is left by pushes to the default branch, whatever the mode.
  const pushDefault = isPushToDefaultBranch(ctx);
  const verdictDir = join(ctx.runnerTemp, 'dashboard-ci-verdict');
  const changedDashboards = scope ? scope.dashboards : undefined;
  const nothingChanged =
    scope !== undefined && !scope.all && scope.dashboards.length + scope.alerts.length === 0;
  const baseVerdict =
    changeBase && filter === 'changed' && settings.explain && !nothingChanged
      ? await readVerdict(edges, log, verdictDir, changeBase.sha)
      : undefined;

  // The engine (and its prepared data) only when a query must be judged: lazily, from the caches.
  const schemaFiles = config.clickhouse.schema;
  const seedFiles = config.clickhouse.seed;
  const toolRoot = edges.env.RUNNER_TOOL_CACHE;
  const dataDir =
    toolRoot && !settings.clickhouse && config.clickhouse.cache
      ? join(toolRoot, 'dashboard-ci-data', settings.chdbVersion)
      : undefined;
  const engine: { asked: boolean; dataKey?: string; dataHit?: string } = { asked: false };
  const resolveChdb = edges.chdbPath(settings.chdbVersion);
  const chdbPath = async (): Promise<string> => {
    engine.asked = true;
    const dir = await resolveChdb();
    // A runner that already has prepared data (a self-hosted one, the same job again) keeps its own.
    if (dataDir && edges.fs.list(dataDir).length === 0 && (await edges.cache.available())) {
      const where = { platform: edges.env.RUNNER_OS ?? 'os', arch: edges.env.RUNNER_ARCH ?? 'arch' };
      engine.dataKey = dataCacheKey(settings.chdbVersion, where, [
        ...statementsOf(edges, ws, schemaFiles),
        ...statementsOf(edges, ws, seedFiles),
      ]);
      engine.dataHit = await edges.cache.restore([dataDir], engine.dataKey);
      if (engine.dataHit)
        log.trusted(`Prepared schema and seed restored from the Actions cache (${engine.dataKey}).`);
    }
    return dir;
  };

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
      cwd: ws,
      // Explicit paths may mix dashboards and alert rule files; runCheck splits them.
      paths: scope && !scope.all ? [...scope.dashboards, ...scope.alerts] : settings.paths,
      config,
      explain: settings.explain,
      chdbPath,
    };
    if (dataDir) opts.engineCacheDir = dataDir;
    if (settings.clickhouse) {
      opts.clickhouse = settings.clickhouse.url;
      const auth: { user?: string; password?: string } = {};
      if (settings.clickhouse.user) auth.user = settings.clickhouse.user;
      if (settings.clickhouse.password) auth.password = settings.clickhouse.password;
      opts.clickhouseAuth = auth;
      if (settings.clickhouse.prepare) opts.prepareServer = true;
    }
    if (changeBase) {
      opts.base = changeBase.sha;
      opts.filter = filter;
    }
    if (baseVerdict) opts.baseVerdict = baseVerdict;
    // A push to the default branch leaves the verdict pull requests reuse: complete, so judged in full
    // unless the verdict of `before` already covers what did not change (and only where it can be kept).
    if (pushDefault && settings.explain && !baseVerdict && (await edges.cache.available()))
      opts.explainUnchanged = true;
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
    if (changeBase && filter !== 'all')
      notes.push(
        filter === 'changed'
          ? `Judged against \`${escapeInline(changeBase.label, 60)}\`: only findings about what changed count; those already there are listed, never counted.`
          : `Judged against \`${escapeInline(changeBase.label, 60)}\`: every finding of a changed file counts.`,
      );
    else if (changeBase) notes.push(`Cost change is against \`${escapeInline(short(changeBase.sha), 60)}\`.`);
    result = await edges.runCheck(opts);
  }
  const report = result.report;
  if (!engine.asked && settings.explain && !settings.clickhouse && report.change && report.queries.length > 0)
    log.trusted('No query to judge (the SQL is the same as on the base): the engine was not needed.');

  // Files first, so a failure later still leaves them for upload steps.
  await edges.fs.writeText(reportPath, JSON.stringify(report, null, 2) + '\n');
  const docsBase = edges.env.GITHUB_ACTION_REPOSITORY
    ? `${ctx.serverUrl}/${edges.env.GITHUB_ACTION_REPOSITORY}/blob/${edges.env.GITHUB_ACTION_REF || 'main'}`
    : undefined;
  await edges.fs.writeText(
    sarifPath,
    renderSarif(report, sarifRulesFor(report, edges.rules, docsBase), {
      toolVersion: edges.toolVersion,
      repoRoot: ws,
      cwd: ws,
      ...(docsBase ? { informationUri: docsBase.replace(/\/blob\/.*$/, '') } : {}),
    }),
  );

  for (const line of result.usageErrors) log.untrusted(`error: ${line}`);
  if (!nothingChanged) log.untrusted(edges.renderText(report));

  // Caches for later runs: the prepared data the engine loaded, the verdict of this default-branch commit.
  if (engine.asked && engine.dataKey && !engine.dataHit && dataDir) {
    const saved = await edges.cache.save([dataDir], engine.dataKey);
    if (saved) log.trusted(`Prepared schema and seed saved to the Actions cache (${engine.dataKey}).`);
  }
  if (
    pushDefault &&
    settings.explain &&
    result.usageErrors.length === 0 &&
    (await edges.cache.available()) &&
    ctx.sha
  ) {
    if (report.queries.some(isNotJudged)) {
      log.trusted("Some unchanged queries have no verdict: this commit's verdict is not saved.");
    } else {
      const context = await changeContext(ws, config, schemaFiles, seedFiles);
      await edges.fs.remove(verdictDir);
      await edges.fs.mkdirp(verdictDir);
      await edges.fs.writeText(
        join(verdictDir, VERDICT_FILE),
        serializeVerdict({ commit: ctx.sha, context, report }),
      );
      if (await edges.cache.save([verdictDir], verdictCacheKey(ctx.sha)))
        log.trusted(
          `The verdict of ${short(ctx.sha)} saved to the Actions cache: pull requests on it reuse it.`,
        );
    }
  }

  // Annotations, errors first, within GitHub's caps.
  const plan = planAnnotations(report.findings);
  for (const a of plan.annotations) edges.annotate(a.level, a.message, a.properties);

  // The deploy plan: a pull request of this repository with a read-only token for it.
  let deployPlan: EnvironmentPlan[] | undefined;
  if (pr && route.comment && !isFork(ctx, route)) {
    const token = readPlanToken(edges.inputs);
    if (token) deployPlan = await planPhase(edges, log, settings, ctx, loaded, token, changeBase?.sha);
  }

  // The sticky comment.
  const blobUrl = `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/blob/${pr?.headSha ?? ctx.sha}`;
  const summaryNotes = [...notes];
  const shared = {
    blobUrl,
    ...(changeBase ? { baseLabel: changeBase.label } : {}),
    ...(deployPlan ? { plan: deployPlan } : {}),
  };
  let sticky: StickyResult | undefined;
  if (route.comment && settings.comment) {
    if (!api) {
      sticky = { action: 'failed', status: 0, message: 'no github-token', forbidden: true };
    } else {
      const body = renderMarkdown(report, {
        marker: COMMENT_MARKER,
        notes,
        fullReportHint: 'The job summary of this run has the complete report.',
        ...shared,
        ...(runUrl(ctx) ? { runUrl: runUrl(ctx)! } : {}),
      });
      sticky = await upsertSticky(
        api,
        { owner: ctx.owner, repo: ctx.repo, issue: pr!.number, marker: COMMENT_MARKER },
        body,
        {
          createIfMissing: !nothingChanged || deployPlan !== undefined,
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

  // Inline review comments on the changed lines (not when the token cannot write: the notice is said).
  if (
    pr &&
    api &&
    route.comment &&
    settings.reviewComments &&
    !nothingChanged &&
    !(sticky?.action === 'failed' && sticky.forbidden)
  ) {
    await reviewPhase(edges, log, api, ctx, pr, report.findings);
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
      maxChars: SUMMARY_CHECK_BYTES,
      measure: byteLength,
      fullReportHint: 'The JSON report (the `report` output) has everything.',
      ...shared,
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

/** `provision --dry-run` of each environment with the plan token (see plan.ts for what it may reach). */
async function planPhase(
  edges: ActionEdges,
  log: SafeLog,
  settings: ActionSettings,
  ctx: ActionContext,
  loaded: Config,
  token: string,
  baseSha: string | undefined,
): Promise<EnvironmentPlan[]> {
  const urlInput = edges.inputs.getInput('grafana-url');
  let grafanaUrl: string | undefined;
  if (urlInput) {
    if (!/^https?:\/\/[^\s@/]+/.test(urlInput))
      return [{ environment: '', error: `Input 'grafana-url' must be an http(s) URL without credentials` }];
    grafanaUrl = urlInput.replace(/\/+$/, '');
  }
  let baseConfigText: string | undefined;
  const file = loaded.file ?? 'dashboard-ci.yml';
  if (baseSha) {
    const shown = await edges.git.run(['show', `${baseSha}:./${file}`], ctx.workspace).catch(() => undefined);
    if (shown?.code === 0) baseConfigText = shown.stdout;
  }
  log.trusted('Deploy plan: a dry run against Grafana with the read-only plan token.');
  return log.window(async () => {
    const plans = await planPullRequest({
      cwd: ctx.workspace,
      config: loaded,
      baseConfigText,
      token,
      ...(grafanaUrl ? { grafanaUrl } : {}),
      paths: settings.paths,
      prune: settings.prune,
      env: edges.env,
      log: (line) => log.untrusted(line),
      provision: edges.provision,
    });
    for (const p of plans) {
      if (p.result) log.untrusted(edges.renderProvisionText(p.result));
      else log.untrusted(`${p.environment || 'Grafana'}: could not plan: ${p.error ?? ''}`);
    }
    return plans;
  });
}

/** Inline review comments on the PR's added lines; a failure is one notice, never the verdict. */
async function reviewPhase(
  edges: ActionEdges,
  log: SafeLog,
  api: GitHubApi,
  ctx: ActionContext,
  pr: PullRequestInfo,
  findings: readonly Finding[],
): Promise<void> {
  let prFiles: PullFile[];
  try {
    prFiles = await api.listPullFiles(ctx.owner, ctx.repo, pr.number);
  } catch (err) {
    log.untrusted(`Review comments skipped: the PR's files could not be listed (${(err as Error).message}).`);
    return;
  }
  // Lines are the workspace's: only files whose checkout is the head's version (a merge commit can differ).
  const candidates = prFiles.filter((f) => f.patch && f.status !== 'removed').map((f) => f.filename);
  const differ = candidates.length
    ? await edges.git
        .run(['diff', '--name-only', '-z', pr.headSha, '--', ...candidates], ctx.workspace)
        .catch(() => undefined)
    : undefined;
  if (candidates.length && (!differ || differ.code !== 0)) {
    log.trusted('Review comments skipped: the head commit is not in the checkout.');
    return;
  }
  const notHead = new Set((differ?.stdout ?? '').split('\0').filter(Boolean));
  const withFix = new Set(findings.filter((f) => f.fix).map((f) => f.file));
  const files = new Map<string, ReviewFile>();
  for (const f of prFiles) {
    if (!f.patch || f.status === 'removed' || notHead.has(f.filename)) continue;
    const entry: ReviewFile = { added: addedLines(f.patch) };
    if (withFix.has(f.filename)) {
      try {
        entry.text = edges.fs.readText(join(ctx.workspace, f.filename));
      } catch {
        // No suggestion without the text; the comment still goes.
      }
    }
    files.set(f.filename, entry);
  }
  const planned = planReviewComments(findings, files);
  const r = await syncReview(
    api,
    { owner: ctx.owner, repo: ctx.repo, pull: pr.number, headSha: pr.headSha },
    planned.comments,
  );
  if (r.action === 'synced') {
    if (r.created + r.kept + r.updated + r.deleted > 0)
      log.trusted(
        `Review comments: ${r.created} new, ${r.kept} kept, ${r.updated} updated, ${r.deleted} removed${planned.leftOut ? `; ${planned.leftOut} more findings are only in the PR comment` : ''}.`,
      );
  } else {
    edges.annotate(
      r.forbidden ? 'notice' : 'warning',
      `dashboard-ci could not write review comments (${r.status}: ${r.message}). The annotations and the PR comment carry the findings.`,
      { title: 'dashboard-ci: no review comments' },
    );
  }
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
    const msg = safeText(
      `${item.kind} ${item.uid}: ${item.error?.status ?? ''} ${item.error?.message ?? 'failed'}`.replace(
        /\s+/g,
        ' ',
      ),
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
