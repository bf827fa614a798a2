// The plan: the desired state compared with Grafana's, object by object, with GETs only.
//
// Request economy: each desired dashboard is read once by uid (its content is the only way to know
// it is unchanged) and its version list only when it differs (the drift rule). A paged /api/search
// listing could spare the GETs of dashboards that do not exist yet (lookup 'search'), but it saves
// requests on a first apply only, measured no faster (bench/provision.ts), and a search index that
// lags behind writes or clamps its page size would make a re-run write again: per-uid GETs are the
// default. The listing is still what --prune reads to find managed dashboards gone from the repository.
//
// Drift rule: a dashboard has drifted when Grafana's content differs from the repository's AND the
// latest version in Grafana's history was not written by dashboard-ci (its message does not start
// with "dashboard-ci"). A repository change alone is an ordinary update; a person's edit (or a
// dashboard dashboard-ci never wrote) is drift, handled by grafana.drift: overwrite | skip | fail.

import type { Config } from '../config/types.js';
import type { ProvisionAction, ProvisionKind, ProvisionOutcome } from './types.js';
import type { GrafanaClient } from './client.js';
import { GrafanaApiError } from './client.js';
import type { Limiter } from './limit.js';
import {
  DERIVED_FOLDER_PREFIX,
  MARKER_TAG,
  MESSAGE_PREFIX,
  derivedFolderUid,
  orderParentsFirst,
  type DesiredDashboard,
  type DesiredDatasource,
  type DesiredFolder,
  type DesiredRuleGroup,
  type DesiredState,
} from './desired.js';
import { jsonDiff, short } from './diff.js';
import {
  dashboardView,
  datasourceView,
  desiredRuleGroupView,
  folderParent,
  grafanaRuleGroupView,
  secureKeys,
  versionsOf,
  type GrafanaDashboardFull,
  type GrafanaDatasource,
  type GrafanaFolder,
  type GrafanaRuleGroup,
  type GrafanaSearchHit,
} from './normalize.js';

export interface StepError {
  status?: number;
  /** A stable word for the kind of failure: version-mismatch, read-only, conflict, invalid, drift... */
  code: string;
  message: string;
}

interface BaseStep {
  kind: ProvisionKind;
  uid: string;
  title?: string;
  file?: string;
  action: ProvisionAction;
  diff: string[];
  drift?: boolean;
  warning?: string;
  /** Set when the object cannot be planned or applied; the step then fails without a write. */
  error?: StepError;
  /** Set by apply. */
  result?: ProvisionOutcome;
}

export interface DatasourceStep extends BaseStep {
  kind: 'datasource';
  desired?: DesiredDatasource;
  current?: GrafanaDatasource;
}

export interface FolderStep extends BaseStep {
  kind: 'folder';
  desired?: DesiredFolder;
  current?: GrafanaFolder;
  retitle?: boolean;
  move?: boolean;
  /** For a prune: depth below the root, deepest deleted first. */
  depth?: number;
}

export interface DashboardStep extends BaseStep {
  kind: 'dashboard';
  desired?: DesiredDashboard;
  /** The version Grafana answered with after the write. */
  version?: number;
}

export interface RuleGroupStep extends BaseStep {
  kind: 'alert-rule-group';
  desired?: DesiredRuleGroup;
}

export type Step = DatasourceStep | FolderStep | DashboardStep | RuleGroupStep;

export interface Plan {
  datasources: DatasourceStep[];
  /** Parents first. */
  folders: FolderStep[];
  dashboards: DashboardStep[];
  ruleGroups: RuleGroupStep[];
  /** Deletes (only with prune), in the order they run. */
  deletes: { datasources: DatasourceStep[]; dashboards: DashboardStep[]; folders: FolderStep[] };
  /** A failure that makes every other call pointless (401). */
  fatal?: StepError;
}

export type DashboardLookup = 'search' | 'get';

export interface PlanContext {
  client: GrafanaClient;
  limit: Limiter;
  config: Config;
  prune: boolean;
  /** Write datasources with secrets even when nothing else changed (the only way to push a new secret). */
  resendSecrets: boolean;
  /** get (default): one GET per desired dashboard; search: one listing, then GETs of listed dashboards only. */
  lookup: DashboardLookup;
  log: (line: string) => void;
}

const SEARCH_PAGE = 5000;
const enc = encodeURIComponent;

export async function planProvision(ctx: PlanContext, desired: DesiredState): Promise<Plan> {
  const plan: Plan = {
    datasources: [],
    folders: [],
    dashboards: [],
    ruleGroups: [],
    deletes: { datasources: [], dashboards: [], folders: [] },
  };
  const guard = new Guard();
  const get = async <T>(
    path: string,
    opts: { query?: Record<string, string | number>; allow?: number[] } = {},
  ) => {
    guard.check();
    try {
      return await ctx.client.get<T>(path, opts);
    } catch (err) {
      guard.observe(err);
      throw err;
    }
  };

  for (const p of desired.problems) {
    const error: StepError = { code: 'invalid-file', message: p.message };
    const base = {
      uid: p.uid,
      ...(p.title ? { title: p.title } : {}),
      file: p.file,
      action: 'skip' as const,
      diff: [],
      error,
    };
    if (p.kind === 'datasource') plan.datasources.push({ kind: 'datasource', ...base });
    else if (p.kind === 'folder') plan.folders.push({ kind: 'folder', ...base });
    else if (p.kind === 'dashboard') plan.dashboards.push({ kind: 'dashboard', ...base });
    else plan.ruleGroups.push({ kind: 'alert-rule-group', ...base });
  }

  // The dashboard listing, when needed (search lookup, prune). A 401 on any call stops the plan (Guard).
  const needListing = ctx.lookup === 'search' || ctx.prune;
  let dashboardHits: Map<string, GrafanaSearchHit> | undefined;
  try {
    if (needListing) dashboardHits = await searchAll(get, 'dash-db');
  } catch (err) {
    if (guard.fatal) return { ...plan, fatal: guard.fatal };
    // Without a listing, fall back to one GET per dashboard; prune cannot run blind.
    ctx.log(`dashboard listing failed (${(err as Error).message}); reading dashboards one by one`);
    if (ctx.prune) plan.deletes.dashboards.push(pruneBlocked('dashboard', err));
  }
  let folderHits: Map<string, GrafanaSearchHit> | undefined;
  const folderListing = async () => (folderHits ??= await searchAll(get, 'dash-folder'));

  // Alert groups name their folder by uid, title or title path; resolve before folders are planned.
  const folders = [...desired.folders];
  for (const g of desired.ruleGroups) {
    try {
      await resolveRuleGroupFolder(g, folders, get, folderListing);
    } catch (err) {
      if (guard.fatal) return { ...plan, fatal: guard.fatal };
      plan.ruleGroups.push({
        kind: 'alert-rule-group',
        uid: `${g.folder}/${g.name}`,
        title: g.name,
        file: g.file,
        action: 'skip',
        diff: [],
        error: failure(`alert rule group "${g.name}" (${g.file})`, err, 'folder'),
      });
    }
  }
  const orderedFolders = orderParentsFirst(folders);

  const run = <T>(items: T[], fn: (item: T) => Promise<void>) =>
    Promise.all(items.map((i) => ctx.limit(() => fn(i))));

  // Datasources.
  await run(desired.datasources, async (d) => {
    const step: DatasourceStep = {
      kind: 'datasource',
      uid: d.uid,
      title: d.fields.name,
      file: d.file,
      action: 'create',
      diff: [],
      desired: d,
    };
    plan.datasources.push(step);
    try {
      const res = await get<GrafanaDatasource>(`/api/datasources/uid/${enc(d.uid)}`, { allow: [404] });
      if (res.status === 404) return;
      step.current = res.data;
      const diff = jsonDiff(datasourceView(res.data), d.fields);
      const have = secureKeys(res.data);
      const missing = Object.keys(d.secureJsonData).filter((k) => !have.has(k));
      if (missing.length) diff.push(`secureJsonData: + ${missing.join(', ')} (values not shown)`);
      if (ctx.resendSecrets && diff.length === 0 && Object.keys(d.secureJsonData).length > 0)
        diff.push(`secureJsonData: ${Object.keys(d.secureJsonData).join(', ')} re-sent (values not shown)`);
      step.diff = diff;
      step.action = diff.length ? 'update' : 'unchanged';
      if (step.action === 'update' && res.data.readOnly)
        step.warning =
          'read-only in Grafana (provisioned from a file on the Grafana server): Grafana will refuse the update';
    } catch (err) {
      step.action = 'skip';
      step.error = failure(`datasource "${d.fields.name}" (uid ${d.uid})`, err);
    }
  });
  if (desired.datasourceDeletes.length && !ctx.prune) {
    ctx.log(
      `${desired.datasourceDeletes.length} datasource(s) listed in deleteDatasources: deleted only with --prune`,
    );
  }
  if (ctx.prune) {
    await run(desired.datasourceDeletes, async (d) => {
      try {
        const res = await get<GrafanaDatasource>(`/api/datasources/name/${enc(d.name)}`, { allow: [404] });
        if (res.status === 404) return;
        plan.deletes.datasources.push({
          kind: 'datasource',
          uid: res.data.uid,
          title: d.name,
          file: d.file,
          action: 'delete',
          diff: [],
          current: res.data,
          ...(res.data.readOnly
            ? {
                warning:
                  'read-only in Grafana (provisioned from a file there): Grafana will refuse the delete',
              }
            : {}),
        });
      } catch (err) {
        plan.deletes.datasources.push({
          kind: 'datasource',
          uid: '',
          title: d.name,
          file: d.file,
          action: 'skip',
          diff: [],
          error: failure(`datasource "${d.name}" (deleteDatasources)`, err),
        });
      }
    });
  }

  // Folders.
  await run(orderedFolders, async (f) => {
    const step: FolderStep = {
      kind: 'folder',
      uid: f.uid,
      title: f.title,
      ...(f.dir ? { file: f.dir } : {}),
      action: 'create',
      diff: [],
      desired: f,
    };
    plan.folders.push(step);
    try {
      const res = await get<GrafanaFolder>(`/api/folders/${enc(f.uid)}`, { allow: [404] });
      if (res.status === 404) return;
      step.current = res.data;
      if (res.data.title !== f.title) {
        step.retitle = true;
        step.diff.push(`title: ${short(res.data.title)} → ${short(f.title)}`);
      }
      if (folderParent(res.data) !== (f.parentUid ?? '')) {
        step.move = true;
        step.diff.push(`parentUid: ${short(folderParent(res.data))} → ${short(f.parentUid ?? '')}`);
      }
      step.action = step.diff.length ? 'update' : 'unchanged';
    } catch (err) {
      step.action = 'skip';
      step.error = failure(`folder "${f.title}" (uid ${f.uid})`, err);
    }
  });
  const order = new Map(orderedFolders.map((f, i) => [f.uid, i]));
  plan.folders.sort((a, b) => (order.get(a.uid) ?? -1) - (order.get(b.uid) ?? -1));

  // Dashboards.
  const drift = ctx.config.grafana.drift;
  await run(desired.dashboards, async (d) => {
    const step: DashboardStep = {
      kind: 'dashboard',
      uid: d.uid,
      title: d.title,
      file: d.file,
      action: 'create',
      diff: [],
      desired: d,
    };
    plan.dashboards.push(step);
    const name = `dashboard "${d.title}" (uid ${d.uid}, ${d.file})`;
    try {
      if (dashboardHits && !dashboardHits.has(d.uid)) return;
      const res = await get<GrafanaDashboardFull>(`/api/dashboards/uid/${enc(d.uid)}`, { allow: [404] });
      if (res.status === 404) return;
      const currentFolder = res.data.meta?.folderUid ?? '';
      const diff: string[] = [];
      if (currentFolder !== d.folderUid)
        diff.push(`folder: ${short(currentFolder || '(root)')} → ${short(d.folderUid || '(root)')}`);
      diff.push(...jsonDiff(dashboardView(res.data.dashboard ?? {}), dashboardView(d.dashboard)));
      step.diff = diff;
      if (diff.length === 0) {
        step.action = 'unchanged';
        return;
      }
      step.action = 'update';
      if (res.data.meta?.provisioned)
        step.warning =
          'provisioned from a file on the Grafana server (allowUiUpdates: false): Grafana will refuse the update';
      const versions = await get<unknown>(`/api/dashboards/uid/${enc(d.uid)}/versions`, {
        query: { limit: 1 },
        allow: [404],
      });
      const latest = versionsOf(versions.data).sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
      if (!latest || (latest.message ?? '').startsWith(MESSAGE_PREFIX)) return;
      step.drift = true;
      const who = [
        latest.version !== undefined ? `version ${latest.version}` : undefined,
        latest.createdBy ? `by ${latest.createdBy}` : undefined,
        latest.created ? `at ${latest.created}` : undefined,
      ]
        .filter(Boolean)
        .join(' ');
      const what = `changed in Grafana since dashboard-ci last wrote it${who ? ` (${who})` : ''}`;
      if (drift === 'skip') {
        step.action = 'skip';
        step.warning = `${what}: left as it is (grafana.drift: skip)`;
      } else if (drift === 'fail') {
        step.error = { code: 'drift', message: `${name}: ${what}; not overwritten (grafana.drift: fail)` };
      } else {
        step.warning = `${what}: overwritten with the repository's version (grafana.drift: overwrite)`;
      }
    } catch (err) {
      step.action = 'skip';
      step.error = failure(name, err);
    }
  });

  // Alert rule groups.
  const folderCreated = new Set(
    plan.folders.filter((s) => s.action === 'create' && !s.error).map((s) => s.uid),
  );
  const wantProvenance = ctx.config.grafana.disableProvenance ? '' : 'api';
  await run(
    desired.ruleGroups.filter((g) => g.folderUid !== undefined),
    async (g) => {
      const folderUid = g.folderUid!;
      const step: RuleGroupStep = {
        kind: 'alert-rule-group',
        uid: `${folderUid}/${g.name}`,
        title: g.name,
        file: g.file,
        action: 'create',
        diff: [],
        desired: g,
      };
      plan.ruleGroups.push(step);
      if (folderCreated.has(folderUid)) return;
      try {
        const res = await get<GrafanaRuleGroup>(
          `/api/v1/provisioning/folder/${enc(folderUid)}/rule-groups/${enc(g.name)}`,
          { allow: [404] },
        );
        if (res.status === 404 || !res.data || (res.data.rules ?? []).length === 0) return;
        const diff = jsonDiff(grafanaRuleGroupView(res.data, g), desiredRuleGroupView(g));
        const provenances = [...new Set((res.data.rules ?? []).map((r) => r.provenance ?? ''))];
        if (provenances.some((p) => p !== wantProvenance))
          diff.push(`provenance: ${provenances.map((p) => short(p)).join(', ')} → ${short(wantProvenance)}`);
        step.diff = diff;
        step.action = diff.length ? 'update' : 'unchanged';
      } catch (err) {
        step.action = 'skip';
        step.error = failure(`alert rule group "${g.name}" (folder ${folderUid}, ${g.file})`, err);
      }
    },
  );

  // Prune: only what carries dashboard-ci's marker and is gone from the repository. A dashboard
  // whose file could not be read looks gone too, so any unreadable dashboard input stops the prune.
  const unreadable = desired.problems.filter((p) => p.kind === 'dashboard').length;
  if (ctx.prune && dashboardHits && unreadable > 0) {
    plan.deletes.dashboards.push({
      kind: 'dashboard',
      uid: '',
      action: 'skip',
      diff: [],
      error: {
        code: 'prune-blocked',
        message: `prune of dashboards and folders skipped: ${unreadable} dashboard input(s) could not be read, and a dashboard whose file is broken would look gone from the repository`,
      },
    });
  } else if (ctx.prune && dashboardHits) {
    const desiredUids = new Set(desired.dashboards.map((d) => d.uid));
    const gone = new Set<string>();
    for (const hit of dashboardHits.values()) {
      if (desiredUids.has(hit.uid) || !(hit.tags ?? []).includes(MARKER_TAG)) continue;
      gone.add(hit.uid);
      plan.deletes.dashboards.push({
        kind: 'dashboard',
        uid: hit.uid,
        title: hit.title,
        action: 'delete',
        diff: [],
      });
    }
    try {
      const allFolders = await folderListing();
      const desiredFolderUids = new Set(orderedFolders.map((f) => f.uid));
      const candidates = [...allFolders.values()].filter(
        (f) => f.uid.startsWith(DERIVED_FOLDER_PREFIX) && !desiredFolderUids.has(f.uid),
      );
      const deleting = new Set(candidates.map((f) => f.uid));
      const depthOf = (uid: string): number => {
        let d = 0;
        let p = allFolders.get(uid)?.folderUid;
        const seen = new Set([uid]);
        while (p && !seen.has(p)) {
          seen.add(p);
          d++;
          p = allFolders.get(p)?.folderUid;
        }
        return d;
      };
      // A folder goes only if nothing stays inside it: Grafana deletes a folder with everything in it.
      let changed = true;
      while (changed) {
        changed = false;
        for (const uid of [...deleting]) {
          const keepsDashboards = [...dashboardHits.values()].some(
            (h) => h.folderUid === uid && !gone.has(h.uid),
          );
          const keepsFolders = [...allFolders.values()].some(
            (f) => f.folderUid === uid && !deleting.has(f.uid),
          );
          if (keepsDashboards || keepsFolders) {
            deleting.delete(uid);
            changed = true;
          }
        }
      }
      for (const f of candidates) {
        if (deleting.has(f.uid)) {
          plan.deletes.folders.push({
            kind: 'folder',
            uid: f.uid,
            title: f.title,
            action: 'delete',
            diff: [],
            depth: depthOf(f.uid),
          });
        } else {
          plan.deletes.folders.push({
            kind: 'folder',
            uid: f.uid,
            title: f.title,
            action: 'skip',
            diff: [],
            warning:
              'gone from the repository but not empty (it holds dashboards or folders dashboard-ci does not manage): kept',
          });
        }
      }
      plan.deletes.folders.sort((a, b) => (b.depth ?? 0) - (a.depth ?? 0));
    } catch (err) {
      if (guard.fatal) return { ...plan, fatal: guard.fatal };
      plan.deletes.folders.push(pruneBlocked('folder', err));
    }
  }

  // Concurrent GETs finish in any order: report in the repository's order (problems first).
  inOrder(
    plan.datasources,
    desired.datasources.map((d) => d.uid),
  );
  inOrder(
    plan.dashboards,
    desired.dashboards.map((d) => d.uid),
  );
  inOrder(
    plan.ruleGroups,
    desired.ruleGroups.map((g) => `${g.folderUid}/${g.name}`),
  );
  plan.deletes.datasources.sort((a, b) => a.uid.localeCompare(b.uid));
  plan.deletes.dashboards.sort((a, b) => a.uid.localeCompare(b.uid));

  if (guard.fatal) plan.fatal = guard.fatal;
  return plan;
}

function inOrder(steps: { uid: string; error?: StepError; desired?: unknown }[], uids: string[]): void {
  const index = new Map(uids.map((u, i) => [u, i]));
  const rank = (s: { uid: string; desired?: unknown }) =>
    s.desired ? (index.get(s.uid) ?? uids.length) : -1;
  steps.sort((a, b) => rank(a) - rank(b));
}

/** Every hit of one type, page by page. */
async function searchAll(
  get: <T>(path: string, opts?: { query?: Record<string, string | number> }) => Promise<{ data: T }>,
  type: 'dash-db' | 'dash-folder',
): Promise<Map<string, GrafanaSearchHit>> {
  const out = new Map<string, GrafanaSearchHit>();
  for (let page = 1; ; page++) {
    const res = await get<GrafanaSearchHit[]>('/api/search', { query: { type, limit: SEARCH_PAGE, page } });
    const hits = Array.isArray(res.data) ? res.data : [];
    for (const h of hits)
      if (h && typeof h.uid === 'string' && (!h.type || h.type === type)) out.set(h.uid, h);
    if (hits.length < SEARCH_PAGE) return out;
  }
}

/**
 * A group's folder, in order: a desired folder's uid, a desired folder's title (or title path
 * a/b), an existing Grafana folder's uid, an existing folder's title; otherwise a new folder of
 * that title at the root — which is what Grafana's own file provisioning does.
 */
async function resolveRuleGroupFolder(
  g: DesiredRuleGroup,
  folders: DesiredFolder[],
  get: <T>(path: string, opts?: { allow?: number[] }) => Promise<{ status: number; data: T }>,
  listing: () => Promise<Map<string, GrafanaSearchHit>>,
): Promise<void> {
  const value = g.folder;
  const byUid = folders.find((f) => f.uid === value);
  if (byUid) {
    g.folderUid = byUid.uid;
    return;
  }
  // A plain title matches a desired folder anywhere; a title path a/b walks down from the root.
  const parts = value
    .split('/')
    .map((p) => p.trim())
    .filter(Boolean);
  let candidates = folders.filter((f) => f.title === parts[0] && (parts.length === 1 || !f.parentUid));
  for (const title of parts.slice(1)) {
    if (candidates.length !== 1) break;
    const parent = candidates[0]!.uid;
    candidates = folders.filter((f) => f.title === title && f.parentUid === parent);
  }
  if (candidates.length > 1)
    throw new Error(`folder "${value}" matches several folders of the repository by title: name it by uid`);
  if (candidates.length === 1) {
    g.folderUid = candidates[0]!.uid;
    return;
  }
  const res = await get<GrafanaFolder>(`/api/folders/${enc(value)}`, { allow: [404, 400] });
  if (res.status === 200 && res.data?.uid) {
    g.folderUid = res.data.uid;
    return;
  }
  const hits = [...(await listing()).values()].filter((f) => f.title === value);
  if (hits.length > 1)
    throw new Error(`folder "${value}" matches ${hits.length} folders in Grafana by title: name it by uid`);
  if (hits.length === 1) {
    g.folderUid = hits[0]!.uid;
    return;
  }
  const uid = derivedFolderUid(value);
  if (!folders.some((f) => f.uid === uid)) folders.push({ uid, title: value, origin: 'alerts' });
  g.folderUid = uid;
}

function pruneBlocked<K extends 'dashboard' | 'folder'>(kind: K, err: unknown) {
  return {
    kind,
    uid: '',
    action: 'skip' as const,
    diff: [],
    error: {
      code: 'prune-blocked',
      message: `prune of ${kind}s skipped: the listing it needs failed (${(err as Error).message})`,
    },
  };
}

/** A failed call as a step error naming the object, with a distinct code per kind of failure. */
export function failure(name: string, err: unknown, fallbackCode = 'error'): StepError {
  if (!(err instanceof GrafanaApiError))
    return { code: fallbackCode, message: `${name}: ${(err as Error)?.message ?? String(err)}` };
  const s = err.status;
  const g = err.grafanaStatus;
  const said = err.grafanaMessage ?? '';
  const with_ = (code: string, text: string): StepError => ({
    ...(s !== undefined ? { status: s } : {}),
    code,
    message: `${name}: ${text}`,
  });
  if (s === undefined) return with_(err.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable', err.message);
  if (s === 401)
    return with_('unauthorized', `Grafana refused the credentials (401${said ? `: ${said}` : ''})`);
  if (s === 403)
    return with_(
      'forbidden',
      `access denied (403${said ? `: ${said}` : ''}); the token lacks a permission this needs`,
    );
  if (s === 404) return with_('not-found', `not found (404${said ? `: ${said}` : ''})`);
  if (s === 409) return with_('conflict', `conflicts with an existing object (409: ${said || 'conflict'})`);
  if (s === 412) {
    if (g === 'version-mismatch')
      return with_(
        'version-mismatch',
        `changed by someone else while dashboard-ci was writing it (412 version-mismatch: ${said})`,
      );
    if (g === 'plugin-dashboard')
      return with_(
        'plugin-dashboard',
        `belongs to a plugin; Grafana refuses to overwrite it (412 plugin-dashboard: ${said})`,
      );
    if (g === 'name-exists')
      return with_(
        'name-exists',
        `another dashboard in the same folder has this title (412 name-exists: ${said})`,
      );
    return with_('precondition-failed', `precondition failed (412${g ? ` ${g}` : ''}: ${said})`);
  }
  if (s === 400 || s === 422) return with_('invalid', `Grafana rejected it (${s}: ${said || 'bad request'})`);
  if (s === 429) return with_('rate-limited', err.message);
  if (s >= 500) return with_('server-error', err.message);
  return with_('error', err.message);
}

/** Stops the plan's remaining calls once Grafana has refused the credentials. */
class Guard {
  fatal: StepError | undefined;
  check(): void {
    if (this.fatal) throw new Error('stopped: Grafana refused the credentials');
  }
  observe(err: unknown): void {
    if (err instanceof GrafanaApiError && err.status === 401 && !this.fatal) {
      this.fatal = {
        status: 401,
        code: 'unauthorized',
        message: `Grafana refused the credentials (401${err.grafanaMessage ? `: ${err.grafanaMessage}` : ''}): check the token (or user and password) and the org`,
      };
    }
  }
}
