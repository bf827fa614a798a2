// `provision()`: health → desired state → plan → apply → verify, one result listing every object.
// The core of `dashboard-ci provision`; the CLI and the Action call it and decide the exit code
// (failures > 0 → exit 1).

import { UsageError } from '../core/types.js';
import { createGrafanaClient, GrafanaApiError, type RetryDelayFn, type SleepFn } from './client.js';
import { createLimiter } from './limit.js';
import { loadDesiredState } from './desired.js';
import { planProvision, type DashboardLookup, type Plan, type Step } from './plan.js';
import { applyPlan, verifyPlan } from './apply.js';
import { Redactor, stripUserinfo } from './redact.js';
import type { ProvisionItem, ProvisionOptions, ProvisionResult } from './types.js';
import { mapDatasourceUids } from './environments.js';
import { parseGrafanaVersion } from './version.js';

export { renderProvisionText, provisionJson } from './render.js';

/** Seams for tests and the benchmark; production passes nothing. */
export interface ProvisionDeps {
  sleep?: SleepFn;
  retryDelay?: RetryDelayFn;
  /** Per attempt (default 30 000 ms). */
  timeoutMs?: number;
  maxRetries?: number;
  /** How existing dashboards are found (default `get`; see plan.ts). */
  lookup?: DashboardLookup;
}

export async function provision(opts: ProvisionOptions, deps: ProvisionDeps = {}): Promise<ProvisionResult> {
  const started = Date.now();
  const redactor = new Redactor();
  if ('token' in opts.auth) redactor.add(opts.auth.token);
  else redactor.add(opts.auth.password);
  const log = (line: string) => opts.log?.(redactor.redact(line));
  const shownUrl = stripUserinfo(opts.grafanaUrl).url;

  const desired = await loadDesiredState({
    cwd: opts.cwd,
    paths: opts.paths,
    config: opts.config,
    env: opts.env,
  });
  redactor.add(...desired.secrets);
  if (opts.datasourceUids) mapDatasourceUids(desired, opts.datasourceUids);
  if (opts.prune && desired.partial) {
    throw new UsageError(
      `--prune needs every dashboard of ${opts.config.paths.join(', ')}: with a subset of paths it would delete the others`,
    );
  }
  for (const note of desired.notes) log(note);
  for (const p of desired.problems) log(`error: ${p.message}`);

  const grafana = opts.config.grafana;
  const client = createGrafanaClient({
    url: opts.grafanaUrl,
    auth: opts.auth,
    ...(grafana.orgId !== undefined ? { orgId: grafana.orgId } : {}),
    retryBudgetMs: grafana.retryBudgetMs,
    readOnly: opts.dryRun,
    redactor,
    maxSockets: Math.max(4, grafana.concurrency),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.retryDelay ? { retryDelay: deps.retryDelay } : {}),
    ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.maxRetries !== undefined ? { maxRetries: deps.maxRetries } : {}),
    onRetry: (r) =>
      log(`retrying ${r.method} ${r.path} after ${r.reason} (retry ${r.attempt}, waiting ${r.delayMs} ms)`),
  });
  const finish = (partial: Partial<ProvisionResult> & { items: ProvisionItem[] }): ProvisionResult => {
    const items = partial.items.map((i) => redactItem(i, redactor));
    const failures = items.filter((i) => i.result === 'failed').length + (partial.fatal ? 1 : 0);
    return {
      ...(opts.environment ? { environment: opts.environment } : {}),
      ...(partial.grafanaVersion ? { grafanaVersion: partial.grafanaVersion } : {}),
      grafanaUrl: shownUrl,
      dryRun: opts.dryRun,
      items,
      failures,
      warnings: items.filter((i) => i.warning).length,
      requests: client.stats.requests,
      writes: client.stats.writes,
      retries: client.stats.retries,
      durationMs: Date.now() - started,
      ...(partial.fatal
        ? { fatal: { ...partial.fatal, message: redactor.redact(partial.fatal.message) } }
        : {}),
    };
  };

  try {
    // 1. Health: unauthenticated, fail fast: a refused connection or unknown host is not retried,
    //    a 5xx at most twice (a restart in progress), then the run stops with Grafana's answer.
    let grafanaVersion: string | undefined;
    try {
      const res = await client.get<{ database?: string; version?: string }>('/api/health', {
        retryRefused: false,
        maxRetries: 2,
      });
      grafanaVersion = typeof res.data?.version === 'string' ? res.data.version : undefined;
      log(`Grafana ${grafanaVersion ?? '(version hidden)'} at ${shownUrl}: healthy`);
    } catch (err) {
      const body =
        err instanceof GrafanaApiError
          ? (err.body as { version?: unknown; database?: unknown } | undefined)
          : undefined;
      const version =
        body && typeof body === 'object' && typeof body.version === 'string' ? body.version : undefined;
      const why =
        err instanceof GrafanaApiError &&
        err.status === 503 &&
        body &&
        typeof body === 'object' &&
        body.database === 'failing'
          ? 'its database is failing (GET /api/health → 503)'
          : (err as Error).message;
      const message = `Grafana${version ? ` ${version}` : ''} at ${shownUrl} is not available: ${why}`;
      log(`error: ${message}`);
      return finish({
        ...(version ? { grafanaVersion: version } : {}),
        items: [],
        fatal: { ...(err instanceof GrafanaApiError && err.status ? { status: err.status } : {}), message },
      });
    }

    // 2. Plan (GETs only).
    const limit = createLimiter(grafana.concurrency);
    const plan = await planProvision(
      {
        client,
        limit,
        config: opts.config,
        prune: opts.prune,
        resendSecrets: opts.resendSecrets ?? false,
        lookup: deps.lookup ?? 'get',
        log,
        ...(parseGrafanaVersion(grafanaVersion) ? { version: parseGrafanaVersion(grafanaVersion)! } : {}),
      },
      desired,
    );
    if (plan.fatal) {
      log(`error: ${plan.fatal.message}`);
      return finish({ ...(grafanaVersion ? { grafanaVersion } : {}), items: [], fatal: plan.fatal });
    }
    log(planSummary(plan, opts.dryRun));

    // 3. Apply and verify, or only report the plan.
    if (opts.dryRun) {
      for (const s of allSteps(plan))
        s.result = s.error
          ? 'failed'
          : s.action === 'unchanged'
            ? 'unchanged'
            : s.action === 'skip'
              ? 'skipped'
              : 'planned';
    } else {
      const actx = {
        client,
        limit,
        config: opts.config,
        ...(opts.commit ? { commit: opts.commit } : {}),
        log,
        ...(parseGrafanaVersion(grafanaVersion) ? { version: parseGrafanaVersion(grafanaVersion)! } : {}),
      };
      await applyPlan(actx, plan);
      await verifyPlan(actx, plan);
    }
    return finish({ ...(grafanaVersion ? { grafanaVersion } : {}), items: allSteps(plan).map(toItem) });
  } finally {
    client.close();
  }
}

function allSteps(plan: Plan): Step[] {
  return [
    ...plan.deletes.datasources,
    ...plan.datasources,
    ...plan.folders,
    ...plan.libraryPanels,
    ...plan.dashboards,
    ...plan.templates,
    ...plan.contactPoints,
    ...plan.ruleGroups,
    ...plan.deletes.ruleGroups,
    ...plan.deletes.contactPoints,
    ...plan.deletes.templates,
    ...plan.deletes.dashboards,
    ...plan.deletes.libraryPanels,
    ...plan.deletes.folders,
  ];
}

function toItem(s: Step): ProvisionItem {
  return {
    kind: s.kind,
    uid: s.uid,
    ...(s.title !== undefined ? { title: s.title } : {}),
    ...(s.file !== undefined ? { file: s.file } : {}),
    action: s.action,
    result: s.result ?? (s.error ? 'failed' : 'skipped'),
    ...(s.diff.length && (s.action === 'update' || s.drift) ? { diff: s.diff } : {}),
    ...(s.drift ? { drift: true } : {}),
    ...(s.warning ? { warning: s.warning } : {}),
    ...(s.error
      ? {
          error: {
            ...(s.error.status !== undefined ? { status: s.error.status } : {}),
            code: s.error.code,
            message: s.error.message,
          },
        }
      : {}),
  };
}

function redactItem(i: ProvisionItem, r: Redactor): ProvisionItem {
  return {
    ...i,
    ...(i.title !== undefined ? { title: r.redact(i.title) } : {}),
    ...(i.diff ? { diff: i.diff.map((l) => r.redact(l)) } : {}),
    ...(i.warning ? { warning: r.redact(i.warning) } : {}),
    ...(i.error ? { error: { ...i.error, message: r.redact(i.error.message) } } : {}),
  };
}

function planSummary(plan: Plan, dryRun: boolean): string {
  const steps = allSteps(plan);
  const count = (a: string) => steps.filter((s) => !s.error && s.action === a).length;
  const bad = steps.filter((s) => s.error).length;
  return `${dryRun ? 'plan (dry run)' : 'plan'}: ${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged, ${count('delete')} to delete, ${count('skip')} skipped${bad ? `, ${bad} failing` : ''}`;
}
