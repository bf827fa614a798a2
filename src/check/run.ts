import { compareFindings, summarize, UsageError, type Finding, type Report } from '../core/types.js';
import { loadDashboards, STDIN_FILE } from '../dashboards/load.js';
import { configExcludes, splitExplicitPaths } from '../dashboards/selection.js';
import { loadAlertFiles, loadDatasourceFiles } from '../dashboards/provisioning-files.js';
import { applyRuleSettings, lintDashboards } from '../lint/engine.js';
import { checkQueries } from './sql.js';
import { checkRedis } from './redis.js';
import { openChange } from './change.js';
import type { CheckOptions, CheckResult } from './types.js';

/**
 * The whole check: files → model → lint → SQL (interpolate, EXPLAIN, budgets) → one report.
 * Never throws for bad input in a file: that is a finding; only usage and config problems stop it.
 */
export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const { config, cwd } = opts;
  // Explicit paths may mix dashboards (JSON or YAML, folders) and alert rule files (YAML, told apart by
  // where they are and what they hold); without paths the config's dashboards and alerts are checked.
  const explicit = opts.paths.length > 0;
  // `-`: one dashboard from standard input, beside the other paths (or alone).
  const fromStdin = opts.paths.includes('-');
  if (fromStdin && !opts.stdin)
    throw new UsageError('- reads a dashboard from standard input, and there is none');
  const named = opts.paths.filter((p) => p !== '-');
  const split = explicit
    ? named.length
      ? await splitExplicitPaths(named, config, cwd)
      : { dashboards: [], alerts: [] }
    : undefined;
  const dashboardPaths = split ? split.dashboards : config.paths;
  const alertPaths = opts.alertPaths ?? (split ? split.alerts : config.alerts);
  const excludes = configExcludes(config, cwd, opts.exclude ?? []);

  const usageErrors: string[] = [];
  const findings: Finding[] = [];

  opts.onStage?.('loading');
  const loaded =
    dashboardPaths.length || fromStdin
      ? await loadDashboards(dashboardPaths, {
          cwd,
          excludes,
          libraryPanels: config.libraryPanels,
          ...(fromStdin ? { stdin: opts.stdin! } : {}),
        })
      : { dashboards: [], libraryPanels: [], findings: [], usageErrors: [], files: 0 };
  // Library panels are checked in models of their own (their file, the variables of a dashboard using them).
  const checked = [
    ...loaded.dashboards,
    ...loaded.libraryPanels.flatMap((lp) => (lp.check ? [lp.check] : [])),
  ];
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
  findings.push(...applyRuleSettings(loadFindings, config, checked));
  // Against a base with filter changed/file: the base is read (one git process) before anything is judged.
  const change = await openChange({
    options: opts,
    dashboards: loaded.dashboards,
    alertGroups: alerts.groups,
    datasources: datasources.datasources,
    loadFindings: findings,
  });
  const marks = { load: findings.length, lint: 0 };
  findings.push(...lintDashboards(checked, { config, datasources: datasources.datasources }));
  marks.lint = findings.length;

  let queries: Report['queries'] = [];
  let load: Report['load'] = [];
  let engine = 'none';
  if (opts.explain) {
    const sql = await checkQueries({
      options: change
        ? { ...opts, judgeQuery: change.judgeQuery, baseQueries: (run) => change.baseQueries(run) }
        : opts,
      dashboards: checked,
      alertGroups: alerts.groups,
      datasources: datasources.datasources,
    });
    findings.push(...applyRuleSettings(sql.findings, config, checked));
    queries = sql.queries;
    load = sql.load;
    engine = sql.engine;
  }
  if (opts.redisUrl) {
    findings.push(...applyRuleSettings(await checkRedis(checked, opts.redisUrl), config, checked));
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
  const texts = new Map<string, string>();
  for (const d of checked) if (d.file !== STDIN_FILE) texts.set(d.file, d.doc.text);
  return { report, usageErrors, texts };
}
