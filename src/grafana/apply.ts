// Apply a plan in dependency order — datasource deletes (Grafana's own order: a renamed datasource
// frees its name first), datasources, folders level by level, dashboards, alert rule groups, then
// the other deletes (dashboards, then folders deepest first) — and verify what was written.
// Within a stage requests run with bounded concurrency; one failure never stops the others, and
// an object whose folder failed fails too, without a request, naming that folder.

import type { Config } from '../config/types.js';
import type { GrafanaClient } from './client.js';
import { GrafanaApiError } from './client.js';
import type { Limiter } from './limit.js';
import { folderLevels, type DesiredRuleGroup } from './desired.js';
import { jsonDiff } from './diff.js';
import {
  annotationsWithMarker,
  dashboardView,
  type GrafanaDashboardFull,
  type GrafanaSearchHit,
} from './normalize.js';
import { contentHash, versionMessage } from './ownership.js';
import { applyLibraryPanel, deleteLibraryPanel } from './library-panels.js';
import {
  applyContactPoint,
  CONTACT_POINT_PERMISSION,
  deleteContactPoint,
  verifyContactPoints,
} from './contact-points.js';
import { applyTemplate, deleteTemplate, verifyTemplates } from './templates.js';
import {
  alreadyExists,
  compareResource,
  deleteResource,
  readResource,
  resourcePath,
  writeResource,
} from './resources.js';
import { alertProvisioningPermission, type GrafanaVersion } from './version.js';
import { provenanceHeaders } from './steps.js';
import {
  failure,
  type DashboardStep,
  type DatasourceStep,
  type FolderStep,
  type Plan,
  type RuleGroupStep,
  type StepError,
} from './plan.js';

export interface ApplyContext {
  client: GrafanaClient;
  limit: Limiter;
  config: Config;
  commit?: { sha: string; subject: string };
  log: (line: string) => void;
  version?: GrafanaVersion;
}

const enc = encodeURIComponent;

export { versionMessage } from './ownership.js';

export async function applyPlan(ctx: ApplyContext, plan: Plan): Promise<void> {
  const run = <T>(items: T[], fn: (item: T) => Promise<void>) =>
    Promise.all(items.map((i) => ctx.limit(() => fn(i))));

  await run(plan.deletes.datasources, (s) => deleteDatasource(ctx, s));
  await run(plan.datasources, (s) => applyDatasource(ctx, s));

  // Folders level by level: a child is created only once its parent exists.
  const failedFolders = new Map<string, StepError>();
  const stepsByUid = new Map(plan.folders.filter((s) => s.desired).map((s) => [s.uid, s]));
  const levels = folderLevels(plan.folders.filter((s) => s.desired).map((s) => s.desired!));
  for (const level of levels) {
    await run(level, async (f) => {
      const step = stepsByUid.get(f.uid)!;
      const parentFailure = f.parentUid ? failedFolders.get(f.parentUid) : undefined;
      if (parentFailure && !step.error)
        step.error = dependency(
          `folder "${f.title}" (uid ${f.uid})`,
          'parent folder',
          f.parentUid!,
          parentFailure,
        );
      else await applyFolder(ctx, step);
      if (step.error) failedFolders.set(f.uid, step.error);
    });
  }
  for (const s of plan.folders) if (!s.desired) settle(s);

  // Library panels, then the dashboards that use them: Grafana stores a dashboard whose library panel
  // does not exist and then fails the save (500 "Error while connecting library panels").
  const failedLibrary = new Map<string, StepError>();
  await run(plan.libraryPanels, async (s) => {
    const folderUid = s.desired?.folderUid;
    const folderFailure = folderUid ? failedFolders.get(folderUid) : undefined;
    if (folderFailure && !s.error && s.action !== 'unchanged' && s.action !== 'skip')
      s.error = dependency(
        `library panel "${s.title}" (uid ${s.uid}, ${s.file})`,
        'folder',
        folderUid!,
        folderFailure,
      );
    if (!settle(s)) await applyLibraryPanel(ctx.client, s, ctx.log);
    if (s.error) failedLibrary.set(s.uid, s.error);
  });

  await run(plan.dashboards, async (s) => {
    const name = `dashboard "${s.title}" (uid ${s.uid}, ${s.file})`;
    const folderFailure = s.desired?.folderUid ? failedFolders.get(s.desired.folderUid) : undefined;
    const writes = !s.error && s.action !== 'unchanged' && s.action !== 'skip';
    if (folderFailure && writes) {
      s.error = dependency(name, 'folder', s.desired!.folderUid, folderFailure);
    }
    const library = s.desired?.libraryPanels?.find((u) => failedLibrary.has(u));
    if (library && writes && !s.error)
      s.error = dependency(name, 'library panel', library, failedLibrary.get(library)!);
    await applyDashboard(ctx, s);
  });

  // Receivers before the rules whose notification settings name them. Grafana keeps every receiver
  // in one Alertmanager configuration saved whole at each write, so they go one at a time.
  const cpOpts = {
    disableProvenance: ctx.config.grafana.disableProvenance,
    log: ctx.log,
    permissionHint: CONTACT_POINT_PERMISSION,
  };
  for (const s of plan.templates) if (!settle(s)) await ctx.limit(() => applyTemplate(ctx.client, s, cpOpts));
  for (const s of plan.contactPoints)
    if (!settle(s)) await ctx.limit(() => applyContactPoint(ctx.client, s, cpOpts));

  await run(plan.ruleGroups, async (s) => {
    const folderUid = s.desired?.folderUid;
    const folderFailure = folderUid ? failedFolders.get(folderUid) : undefined;
    if (folderFailure && !s.error && s.action !== 'unchanged' && s.action !== 'skip') {
      s.error = dependency(`alert rule group "${s.title}" (${s.file})`, 'folder', folderUid!, folderFailure);
    }
    await applyRuleGroup(ctx, s);
  });

  await run(plan.deletes.ruleGroups, (s) => deleteRuleGroup(ctx, s));
  for (const s of plan.deletes.contactPoints)
    if (!settle(s)) await ctx.limit(() => deleteContactPoint(ctx.client, s, { log: ctx.log }));
  for (const s of plan.deletes.templates)
    if (!settle(s)) await ctx.limit(() => deleteTemplate(ctx.client, s, { log: ctx.log }));
  await run(plan.deletes.dashboards, (s) => deleteDashboard(ctx, s));
  await run(plan.deletes.libraryPanels, async (s) => {
    if (!settle(s)) await deleteLibraryPanel(ctx.client, s, ctx.log);
  });
  // Deepest first, one at a time: a parent is deleted only once its children are gone.
  for (const s of plan.deletes.folders) await ctx.limit(() => deleteFolder(ctx, s));
}

/** Marks a step with no write to make (unchanged, skip, or already failed). Returns true when settled. */
function settle(step: { action: string; error?: StepError; result?: string }): boolean {
  if (step.error) {
    step.result = 'failed';
    return true;
  }
  if (step.action === 'unchanged') {
    step.result = 'unchanged';
    return true;
  }
  if (step.action === 'skip') {
    step.result = 'skipped';
    return true;
  }
  return false;
}

function dependency(name: string, what: string, uid: string, cause: StepError): StepError {
  return {
    code: 'dependency',
    message: `${name}: not written because its ${what} ${uid} failed (${cause.code})`,
  };
}

// ------------------------------------------------------------------ datasources

async function applyDatasource(ctx: ApplyContext, s: DatasourceStep): Promise<void> {
  if (settle(s)) return;
  const d = s.desired!;
  const name = `datasource "${d.fields.name}" (uid ${d.uid}, ${d.file})`;
  const body = {
    ...d.fields,
    uid: d.uid,
    ...(Object.keys(d.secureJsonData).length ? { secureJsonData: d.secureJsonData } : {}),
  };
  try {
    if (s.action === 'create') {
      try {
        await ctx.client.post('/api/datasources', body);
      } catch (err) {
        if (!(await createdByEarlierAttempt(ctx, err, `/api/datasources/uid/${enc(d.uid)}`))) throw err;
      }
      s.result = 'created';
    } else {
      // The version read by the plan makes Grafana refuse (409) a change made in between.
      await ctx.client.put(`/api/datasources/uid/${enc(d.uid)}`, {
        ...body,
        version: s.current?.version ?? 0,
      });
      s.result = 'updated';
    }
    ctx.log(`datasource ${d.uid}: ${s.result}`);
  } catch (err) {
    s.result = 'failed';
    s.error =
      err instanceof GrafanaApiError && err.status === 403 && s.current?.readOnly
        ? {
            status: 403,
            code: 'read-only',
            message: `${name}: read-only in Grafana (provisioned from a file on the Grafana server); Grafana refuses to change it (403)`,
          }
        : failure(name, err);
  }
}

async function deleteDatasource(ctx: ApplyContext, s: DatasourceStep): Promise<void> {
  if (settle(s)) return;
  const name = `datasource "${s.title}" (uid ${s.uid}, deleteDatasources in ${s.file})`;
  try {
    await ctx.client.delete(`/api/datasources/uid/${enc(s.uid)}`);
    s.result = 'deleted';
    ctx.log(`datasource ${s.uid}: deleted`);
  } catch (err) {
    s.result = 'failed';
    s.error =
      err instanceof GrafanaApiError && err.status === 403 && s.current?.readOnly
        ? {
            status: 403,
            code: 'read-only',
            message: `${name}: read-only in Grafana (provisioned from a file there); Grafana refuses to delete it (403)`,
          }
        : failure(name, err);
  }
}

// ------------------------------------------------------------------ folders

async function applyFolder(ctx: ApplyContext, s: FolderStep): Promise<void> {
  if (settle(s)) return;
  const f = s.desired!;
  const name = `folder "${f.title}" (uid ${f.uid})`;
  try {
    if (s.action === 'create') {
      try {
        await ctx.client.post('/api/folders', {
          uid: f.uid,
          title: f.title,
          ...(f.parentUid ? { parentUid: f.parentUid } : {}),
        });
      } catch (err) {
        if (!(await createdByEarlierAttempt(ctx, err, `/api/folders/${enc(f.uid)}`))) throw err;
      }
      s.result = 'created';
    } else {
      if (s.retitle)
        await ctx.client.put(`/api/folders/${enc(f.uid)}`, {
          title: f.title,
          version: s.current?.version,
          overwrite: true,
        });
      if (s.move) await ctx.client.post(`/api/folders/${enc(f.uid)}/move`, { parentUid: f.parentUid ?? '' });
      s.result = 'updated';
    }
    ctx.log(`folder ${f.uid}: ${s.result}`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(name, err);
    if (err instanceof GrafanaApiError && err.status === 409)
      s.error.message += await folderConflictHint(ctx, f.title, f.parentUid, f.dir);
  }
}

/** Names the folder already holding the title, and how to adopt it. */
async function folderConflictHint(
  ctx: ApplyContext,
  title: string,
  parentUid?: string,
  dir?: string,
): Promise<string> {
  try {
    const res = await ctx.client.get<GrafanaSearchHit[]>('/api/search', {
      query: { type: 'dash-folder', query: title, limit: 100 },
    });
    const same = (res.data ?? []).find((h) => h.title === title && (h.folderUid ?? '') === (parentUid ?? ''));
    if (!same) return '';
    return `; Grafana already has a folder "${title}" with uid ${same.uid}${dir ? `: to use it, add it to dashboard-ci.yml as grafana.folders: [{ uid: ${same.uid}, title: ${JSON.stringify(title)}, path: ${dir} }]` : ''}`;
  } catch {
    return '';
  }
}

async function deleteFolder(ctx: ApplyContext, s: FolderStep): Promise<void> {
  if (settle(s)) return;
  const name = `folder "${s.title}" (uid ${s.uid})`;
  try {
    // Grafana deletes a folder with everything in it: look once more right before.
    const counts = await ctx.client.get<Record<string, number>>(`/api/folders/${enc(s.uid)}/counts`, {
      allow: [404],
    });
    if (counts.status === 404) {
      s.result = 'unchanged';
      return;
    }
    const inside = Object.values(counts.data ?? {}).reduce((n, v) => n + (typeof v === 'number' ? v : 0), 0);
    if (inside > 0) {
      s.action = 'skip';
      s.result = 'skipped';
      s.warning = `not deleted: it still holds ${inside} object(s)`;
      return;
    }
    await ctx.client.delete(`/api/folders/${enc(s.uid)}`);
    s.result = 'deleted';
    ctx.log(`folder ${s.uid}: deleted`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(name, err);
  }
}

// ------------------------------------------------------------------ dashboards

async function applyDashboard(ctx: ApplyContext, s: DashboardStep): Promise<void> {
  if (settle(s)) return;
  const d = s.desired!;
  // The content hash in the message is how a later run knows Grafana still holds what was written.
  const message = versionMessage(ctx.commit, contentHash(dashboardView(d.dashboard)));
  const name = `dashboard "${d.title}" (uid ${d.uid}, ${d.file})`;
  if (d.resource) {
    await applyResource(ctx, s, message, name);
    return;
  }
  try {
    // folderUid always set: Grafana moves a dashboard to the root when it is omitted; "" is the root.
    const res = await ctx.client.post<{ version?: number }>('/api/dashboards/db', {
      dashboard: d.dashboard,
      folderUid: d.folderUid,
      overwrite: true,
      message,
    });
    s.version = typeof res.data?.version === 'number' ? res.data.version : undefined;
    s.result = s.action === 'create' ? 'created' : 'updated';
    ctx.log(`dashboard ${d.uid}: ${s.result}${s.version !== undefined ? ` (version ${s.version})` : ''}`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(name, err);
  }
}

/** A schema v2 dashboard through the resource API: POST to create, PUT at the resourceVersion read. */
async function applyResource(
  ctx: ApplyContext,
  s: DashboardStep,
  message: string,
  name: string,
): Promise<void> {
  const d = s.desired!;
  const create = s.action === 'create';
  try {
    let resourceVersion: string | undefined;
    try {
      resourceVersion = await writeResource(ctx.client, d, s.resource!, message, create);
    } catch (err) {
      // A create retried after a lost answer meets its own first attempt.
      if (!(create && alreadyExists(err) && err instanceof GrafanaApiError && err.attempts > 1)) throw err;
      const again = await readResource((p, o) => ctx.client.get(p, o), s.resource!, d.uid);
      if (!again) throw err;
      resourceVersion = again.metadata?.resourceVersion;
    }
    if (resourceVersion !== undefined && /^\d+$/.test(resourceVersion)) s.version = Number(resourceVersion);
    s.result = create ? 'created' : 'updated';
    ctx.log(`dashboard ${d.uid}: ${s.result} through ${resourcePath(s.resource!)}`);
  } catch (err) {
    s.result = 'failed';
    s.error =
      err instanceof GrafanaApiError && err.status === 409 && !create
        ? {
            status: 409,
            code: 'version-mismatch',
            message: `${name}: changed in Grafana while dashboard-ci was writing it (409 ${err.grafanaStatus ?? 'Conflict'}: ${err.grafanaMessage ?? ''})`,
          }
        : failure(name, err);
  }
}

async function deleteDashboard(ctx: ApplyContext, s: DashboardStep): Promise<void> {
  if (settle(s)) return;
  try {
    if (s.resource) await deleteResource(ctx.client, s.resource, s.uid);
    else await ctx.client.delete(`/api/dashboards/uid/${enc(s.uid)}`, { allow: [404] });
    s.result = 'deleted';
    ctx.log(`dashboard ${s.uid}: deleted (managed by dashboard-ci, gone from the repository)`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(`dashboard "${s.title}" (uid ${s.uid})`, err);
  }
}

// ------------------------------------------------------------------ alert rule groups

async function applyRuleGroup(ctx: ApplyContext, s: RuleGroupStep): Promise<void> {
  if (settle(s)) return;
  const g = s.desired!;
  const folderUid = g.folderUid!;
  const orgID = ctx.config.grafana.orgId ?? g.orgId ?? 1;
  const ruleBody = ({ keepFiringFor, ...r }: DesiredRuleGroup['rules'][number]) => ({
    ...r,
    annotations: annotationsWithMarker(r.annotations),
    ...(Object.keys(r.labels).length ? {} : { labels: undefined }),
    // The API's field (ProvisionedAlertRule, Grafana 12); `keepFiringFor` would be ignored.
    ...(keepFiringFor ? { keep_firing_for: keepFiringFor } : {}),
    folderUID: folderUid,
    ruleGroup: g.name,
    orgID,
  });
  const body = { title: g.name, folderUid, interval: g.intervalSeconds, rules: g.rules.map(ruleBody) };
  const headers: Record<string, string> = provenanceHeaders(ctx.config.grafana.disableProvenance);
  try {
    // PUT replaces the whole group: rules gone from the file are deleted by Grafana.
    if (s.action === 'create' || s.contentChanged !== false)
      await ctx.client.put(`/api/v1/provisioning/folder/${enc(folderUid)}/rule-groups/${enc(g.name)}`, body, {
        headers,
      });
    for (const uid of s.provenanceFix ?? []) {
      const rule = g.rules.find((r) => r.uid === uid);
      if (rule)
        await ctx.client.put(`/api/v1/provisioning/alert-rules/${enc(uid)}`, ruleBody(rule), { headers });
    }
    s.result = s.action === 'create' ? 'created' : 'updated';
    ctx.log(`alert rule group ${folderUid}/${g.name}: ${s.result}`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(`alert rule group "${g.name}" (folder ${folderUid}, ${g.file})`, err);
    if (err instanceof GrafanaApiError && err.status === 403)
      s.error.message += `; ${alertProvisioningPermission(ctx.version)}`;
  }
}

async function deleteRuleGroup(ctx: ApplyContext, s: RuleGroupStep): Promise<void> {
  if (settle(s)) return;
  const headers: Record<string, string> = provenanceHeaders(ctx.config.grafana.disableProvenance);
  try {
    for (const uid of s.ruleUids ?? [])
      await ctx.client.delete(`/api/v1/provisioning/alert-rules/${enc(uid)}`, { headers, allow: [404] });
    s.result = 'deleted';
    ctx.log(`alert rule group ${s.uid}: deleted (written by dashboard-ci, gone from the repository)`);
  } catch (err) {
    s.result = 'failed';
    s.error = failure(`alert rule group "${s.title}" (${s.uid})`, err);
    if (err instanceof GrafanaApiError && err.status === 403)
      s.error.message += `; ${alertProvisioningPermission(ctx.version)}`;
  }
}

// ------------------------------------------------------------------ creates that were retried

/**
 * A create retried after a lost response may meet its own first attempt (409). If the object is
 * there under our uid, the create did happen.
 */
async function createdByEarlierAttempt(ctx: ApplyContext, err: unknown, getPath: string): Promise<boolean> {
  if (!(err instanceof GrafanaApiError) || err.status !== 409 || err.attempts < 2) return false;
  try {
    const res = await ctx.client.get(getPath, { allow: [404] });
    return res.status === 200;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ verify

export async function verifyPlan(ctx: ApplyContext, plan: Plan): Promise<void> {
  const run = <T>(items: T[], fn: (item: T) => Promise<void>) =>
    Promise.all(items.map((i) => ctx.limit(() => fn(i))));
  const written = plan.dashboards.filter((s) => s.result === 'created' || s.result === 'updated');
  await run(written, async (s) => {
    const d = s.desired!;
    if (d.resource) {
      await verifyResource(ctx, s);
      return;
    }
    try {
      const res = await ctx.client.get<GrafanaDashboardFull>(`/api/dashboards/uid/${enc(d.uid)}`);
      const diff: string[] = [];
      const folder = res.data.meta?.folderUid ?? '';
      if (folder !== d.folderUid)
        diff.push(`folder: ${JSON.stringify(folder)} (sent ${JSON.stringify(d.folderUid)})`);
      diff.push(
        ...jsonDiff(dashboardView(d.dashboard), dashboardView(res.data.dashboard ?? {}), { maxLines: 3 }),
      );
      if (diff.length) {
        s.warning = appendWarning(
          s.warning,
          `read back differs from what was sent (Grafana rewrote it; the next run will try again): ${diff.join('; ')}`,
        );
      }
    } catch (err) {
      s.result = 'failed';
      s.error = {
        ...failure(
          `dashboard "${d.title}" (uid ${d.uid}, ${d.file}) was written but cannot be read back`,
          err,
        ),
        code: 'verify-failed',
      };
    }
  });

  await verifyTemplates(ctx.client, plan.templates);
  await verifyContactPoints(ctx.client, plan.contactPoints);

  // Health of every provisioned datasource: a failing check is a warning, not a failure — the
  // datasource was written as the repository says; its database being unreachable from Grafana
  // (or a plugin without a health check) is worth reading but is not provisioning's fault.
  const healthy = plan.datasources.filter(
    (s) => s.desired && ['created', 'updated', 'unchanged'].includes(s.result ?? ''),
  );
  await run(healthy, async (s) => {
    try {
      const res = await ctx.client.get<{ status?: string; message?: string }>(
        `/api/datasources/uid/${enc(s.uid)}/health`,
        { allow: [400] },
      );
      if (res.status === 400 || (res.data?.status && res.data.status !== 'OK')) {
        s.warning = appendWarning(
          s.warning,
          `health check failed: ${res.data?.message ?? res.data?.status ?? 'error'}`,
        );
      }
    } catch (err) {
      const why = err instanceof GrafanaApiError ? err.message : String(err);
      s.warning = appendWarning(s.warning, `health check unavailable: ${why}`);
    }
  });
}

/** A written v2 dashboard read back through the resource API: folder and spec as sent. */
async function verifyResource(ctx: ApplyContext, s: DashboardStep): Promise<void> {
  const d = s.desired!;
  try {
    const current = await readResource((p, o) => ctx.client.get(p, o), s.resource!, d.uid);
    if (!current) throw new Error('not found after the write');
    const { diff } = compareResource(current, d);
    if (diff.length)
      s.warning = appendWarning(
        s.warning,
        `read back differs from what was sent (Grafana rewrote it; the next run will try again): ${diff.slice(0, 3).join('; ')}`,
      );
  } catch (err) {
    s.result = 'failed';
    s.error = {
      ...failure(`dashboard "${d.title}" (uid ${d.uid}, ${d.file}) was written but cannot be read back`, err),
      code: 'verify-failed',
    };
  }
}

function appendWarning(prior: string | undefined, next: string): string {
  return prior ? `${prior}; ${next}` : next;
}
