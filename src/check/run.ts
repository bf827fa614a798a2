import { compareFindings, summarize, type Finding, type Report } from '../core/types.js';
import { loadDashboards } from '../dashboards/load.js';
import { loadAlertFiles, loadDatasourceFiles } from '../dashboards/provisioning-files.js';
import { applyRuleSettings, lintDashboards } from '../lint/engine.js';
import { checkQueries } from './sql.js';
import { checkRedis } from './redis.js';
import { openChange } from './change.js';
import type { CheckOptions, CheckResult } from './types.js';

const ALERT_FILE = /\.ya?ml$/i;

/**
 * The whole check: files → model → lint → SQL (interpolate, EXPLAIN, budgets) → one report.
 * Never throws for bad input in a file: that is a finding; only usage and config problems stop it.
 */
export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const { config, cwd } = opts;
  // Explicit paths may mix dashboards (.json, folders) and alert rule files (.yaml); without paths the
  // config's dashboards and alerts are checked.
  const explicit = opts.paths.length > 0;
  const dashboardPaths = explicit ? opts.paths.filter((p) => !ALERT_FILE.test(p)) : config.paths;
  const alertPaths =
    opts.alertPaths ?? (explicit ? opts.paths.filter((p) => ALERT_FILE.test(p)) : config.alerts);

  const usageErrors: string[] = [];
  const findings: Finding[] = [];

  opts.onStage?.('loading');
  const loaded = dashboardPaths.length
    ? await loadDashboards(dashboardPaths, { cwd })
    : { dashboards: [], findings: [], usageErrors: [], files: 0 };
  usageErrors.push(...loaded.usageErrors);
  findings.push(...loaded.findings);

  const datasources = await loadDatasourceFiles(opts.datasources ?? config.datasources, {
    cwd,
    optional: opts.datasources === undefined,
  });
  usageErrors.push(...datasources.usageErrors);
  findings.push(...datasources.findings);

  const alerts = alertPaths.length
    ? await loadAlertFiles(alertPaths, { cwd, optional: opts.alertPaths === undefined && !explicit })
    : { groups: [], findings: [], usageErrors: [] };
  usageErrors.push(...alerts.usageErrors);
  findings.push(...alerts.findings);

  opts.onStage?.('linting');
  // Loader findings (json-syntax, schema, file-too-large…) obey dashboard-ci.yml's rules and exceptions too.
  const loadFindings = findings.splice(0);
  findings.push(...applyRuleSettings(loadFindings, config, loaded.dashboards));
  // Against a base with filter changed/file: the base is read (one git process) before anything is judged.
  const change = await openChange({
    options: opts,
    dashboards: loaded.dashboards,
    alertGroups: alerts.groups,
    datasources: datasources.datasources,
    loadFindings: findings,
  });
  const marks = { load: findings.length, lint: 0 };
  findings.push(...lintDashboards(loaded.dashboards, { config, datasources: datasources.datasources }));
  marks.lint = findings.length;

  let queries: Report['queries'] = [];
  let load: Report['load'] = [];
  let engine = 'none';
  if (opts.explain) {
    const sql = await checkQueries({
      options: change ? { ...opts, judgeQuery: change.judgeQuery, baseQueries: change.baseQueries() } : opts,
      dashboards: loaded.dashboards,
      alertGroups: alerts.groups,
      datasources: datasources.datasources,
    });
    findings.push(...applyRuleSettings(sql.findings, config, loaded.dashboards));
    queries = sql.queries;
    load = sql.load;
    engine = sql.engine;
  }
  if (opts.redisUrl) {
    findings.push(
      ...applyRuleSettings(await checkRedis(loaded.dashboards, opts.redisUrl), config, loaded.dashboards),
    );
  }

  opts.onStage?.('reporting');
  const judged = change?.finish(findings, marks, queries);
  if (judged) findings.splice(0, findings.length, ...judged.findings);
  findings.sort(compareFindings);
  const panels = loaded.dashboards.reduce((n, d) => n + d.panels.filter((p) => p.type !== 'row').length, 0);
  const report: Report = {
    summary: summarize(findings, {
      dashboards: loaded.dashboards.length,
      panels,
      queries: queries.length,
      files: loaded.files,
    }),
    findings,
    queries,
    load,
    engine,
  };
  if (judged) {
    report.baseFindings = judged.baseFindings.sort(compareFindings);
    report.change = judged.change;
  }
  return { report, usageErrors };
}
