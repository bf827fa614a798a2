// The plan: the desired state compared with Grafana's, object by object, with GETs only.
//
// Request economy: each desired dashboard is read once by uid (its content is the only way to know
// it is unchanged) and its version list only when it differs (the drift rule). A paged /api/search
// listing could spare the GETs of dashboards that do not exist yet (lookup 'search'), but it saves
// requests on a first apply only, measured no faster (bench/provision.ts), and a search index that
// lags behind writes or clamps its page size would make a re-run write again: per-uid GETs are the
// default. The listing is still what --prune reads to find managed dashboards gone from the repository.
//
// Drift rule (ownership.ts): a dashboard has drifted when Grafana's content differs from the
// repository's AND the latest version was not written by dashboard-ci (its real message, the first
// save's read on its own since the list shows "Initial save") AND Grafana's content is not what
// dashboard-ci last wrote (the content hash in its messages). A repository change alone is an
// ordinary update; a person's edit (or a dashboard dashboard-ci never wrote) is drift, handled by
// grafana.drift: overwrite | skip | fail.
//
// Version differences handled here: a title clash overwrites on Grafana ≤ 11.2 (refused before
// writing), a dashboard stored as v2 answers 406 on Grafana 12, keep_firing_for is kept only by 12,
// the alert rule group GET never carries provenance (read per rule).

import type { Config } from '../config/types.js';
import { appendNote, failure, type BaseStep, type Get, type StepError } from './steps.js';
import type { GrafanaClient } from './client.js';
import { GrafanaApiError } from './client.js';
import type { Limiter } from './limit.js';
import {
  DERIVED_FOLDER_PREFIX,
  MARKER_TAG,
  derivedFolderUid,
  orderParentsFirst,
  type DesiredDashboard,
  type DesiredDatasource,
  type DesiredFolder,
  type DesiredRuleGroup,
  type DesiredState,
} from './desired.js';
import { jsonDiff, short } from './diff.js';
import { planLibraryPanel, planLibraryPanelPrune, type LibraryPanelStep } from './library-panels.js';
import { CONTACT_POINT_PERMISSION, planContactPoints, type ContactPointStep } from './contact-points.js';
import { planTemplates, type TemplateStep } from './templates.js';
import {
  ANNO_MESSAGE,
  compareResource,
  discoverDashboardApi,
  orgNamespace,
  readResource,
  unsupportedReason,
  versionOf,
  writtenByUs,
  type DashboardApi,
  type ResourceTarget,
} from './resources.js';
import { contentHash, isOwnMessage, MARKER_ANNOTATION, readHistory } from './ownership.js';
import { alertProvisioningPermission, titleClashOverwrites, type GrafanaVersion } from './version.js';
import { parseDuration } from './duration.js';
import {
  dashboardView,
  datasourceView,
  desiredRuleGroupView,
  folderParent,
  grafanaRuleGroupView,
  secureKeys,
  type GrafanaDashboardFull,
  type GrafanaDatasource,
  type GrafanaFolder,
  type GrafanaRule,
  type GrafanaRuleGroup,
  type GrafanaSearchHit,
} from './normalize.js';

export { failure, type StepError } from './steps.js';

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
  /** Grafana's title and folder before the write (a title clash is checked when they change). */
  currentTitle?: string;
  currentFolder?: string;
  /** Read and written through Grafana 12's resource API (schema v2, or a v2-stored dashboard pruned). */
  resource?: ResourceTarget;
}

export interface RuleGroupStep extends BaseStep {
  kind: 'alert-rule-group';
  desired?: DesiredRuleGroup;
  /** Grafana keeps keep_firing_for (its rules carry the field): send and compare it. */
  keepsKff?: boolean;
  /** For a prune: the uids of dashboard-ci's rules of the group, deleted one by one. */
  ruleUids?: string[];
  /** The group's content differs (one PUT of the group). */
  contentChanged?: boolean;
  /**
   * Rules whose only difference is their provenance: a group PUT writes only changed rules
   * (ReplaceRuleGroup's delta) and cannot change it, so these are written one by one.
   */
  provenanceFix?: string[];
}

export type Step =
  | DatasourceStep
  | FolderStep
  | LibraryPanelStep
  | DashboardStep
  | TemplateStep
  | ContactPointStep
  | RuleGroupStep;

export interface Plan {
  datasources: DatasourceStep[];
  /** Parents first. */
  folders: FolderStep[];
  /** Before the dashboards that use them. */
  libraryPanels: LibraryPanelStep[];
  dashboards: DashboardStep[];
  /** Before the contact points whose settings use them. */
  templates: TemplateStep[];
  /** Before the alert rules, whose notification settings name them. */
  contactPoints: ContactPointStep[];
  ruleGroups: RuleGroupStep[];
  /** Deletes (only with prune), in the order they run. */
  deletes: {
    datasources: DatasourceStep[];
    dashboards: DashboardStep[];
    ruleGroups: RuleGroupStep[];
    /** After the alert rule groups: a deleted rule frees the contact point it named. */
    contactPoints: ContactPointStep[];
    /** After the contact points that may use them. */
    templates: TemplateStep[];
    /** After the dashboards: a deleted dashboard frees the library panels it used. */
    libraryPanels: LibraryPanelStep[];
    folders: FolderStep[];
  };
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
  /** From GET /api/health (undefined when hidden). */
  version?: GrafanaVersion;
}

const SEARCH_PAGE = 5000;
/** Pages of one listing before the run gives up (5,000 a page: 1,000,000 objects). */
export const MAX_PAGES = 200;
const enc = encodeURIComponent;

export async function planProvision(ctx: PlanContext, desired: DesiredState): Promise<Plan> {
  const plan: Plan = {
    datasources: [],
    folders: [],
    libraryPanels: [],
    dashboards: [],
    templates: [],
    contactPoints: [],
    ruleGroups: [],
    deletes: {
      datasources: [],
      dashboards: [],
      ruleGroups: [],
      contactPoints: [],
      templates: [],
      libraryPanels: [],
      folders: [],
    },
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
    else if (p.kind === 'library-panel') plan.libraryPanels.push({ kind: 'library-panel', ...base });
    else if (p.kind === 'contact-point') plan.contactPoints.push({ kind: 'contact-point', ...base });
    else if (p.kind === 'notification-template')
      plan.templates.push({ kind: 'notification-template', ...base });
    else plan.ruleGroups.push({ kind: 'alert-rule-group', ...base });
  }

  // The dashboard listing, when needed (search lookup, prune). A 401 on any call stops the plan (Guard).
  const clashRisk = titleClashOverwrites(ctx.version) && desired.dashboards.length > 0;
  const needListing = ctx.lookup === 'search' || ctx.prune || clashRisk;
  let dashboardHits: Map<string, GrafanaSearchHit> | undefined;
  let listingError: unknown;
  try {
    if (needListing) dashboardHits = await searchAll(get, 'dash-db');
  } catch (err) {
    if (guard.fatal) return { ...plan, fatal: guard.fatal };
    // Without a listing, fall back to one GET per dashboard; prune cannot run blind.
    ctx.log(`dashboard listing failed (${(err as Error).message}); reading dashboards one by one`);
    if (ctx.prune) plan.deletes.dashboards.push(pruneBlocked('dashboard', err));
    if (clashRisk) listingError = err;
  }
  let folderHits: Map<string, GrafanaSearchHit> | undefined;
  const folderListing = async () => (folderHits ??= await searchAll(get, 'dash-folder'));

  // Alert groups name their folder by uid or by title path (a/b, walked from the root as Grafana's
  // own provisioning does); resolve before folders are planned.
  const folders = [...desired.folders];
  const children = new Map<string, Promise<GrafanaFolder[]>>();
  const childrenOf = (parentUid: string) => {
    let p = children.get(parentUid);
    if (!p) {
      p = listChildren(get, parentUid);
      children.set(parentUid, p);
    }
    return p;
  };
  for (const g of desired.ruleGroups) {
    try {
      await resolveRuleGroupFolder(g, folders, get, childrenOf);
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
    const notes: string[] = [];
    if (d.unset?.length) notes.push(unsetNote(d.unset));
    // AddDataSourceCommand / UpdateDataSourceCommand have no readOnly field (pkg/api/datasources.go,
    // 10.4 → 12.x): only Grafana's own file provisioning makes a datasource read-only.
    if (d.editable === false)
      notes.push(
        "editable: false cannot be applied through Grafana's HTTP API (only Grafana's own file provisioning makes a datasource read-only): it stays editable in the UI; restrict it with datasource permissions",
      );
    if (notes.length) step.warning = notes.join('; ');
    try {
      const res = await get<GrafanaDatasource>(`/api/datasources/uid/${enc(d.uid)}`, { allow: [404] });
      if (res.status === 404) {
        // Grafana refuses a second datasource of the same name (409); its file provisioning matches by name.
        const byName = await get<GrafanaDatasource>(`/api/datasources/name/${enc(d.fields.name)}`, {
          allow: [404],
        });
        if (byName.status === 200 && byName.data?.uid && byName.data.uid !== d.uid) {
          step.action = 'skip';
          step.error = {
            code: 'name-conflict',
            message: `datasource "${d.fields.name}" (uid ${d.uid}, ${d.file}): Grafana already has a datasource named "${d.fields.name}" with uid ${byName.data.uid}${byName.data.readOnly ? ' (provisioned from a file on the Grafana server)' : ''}; give it uid ${byName.data.uid} in the file to adopt it, or rename one of them`,
          };
        }
        return;
      }
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
        step.warning = [
          step.warning,
          'read-only in Grafana (provisioned from a file on the Grafana server): Grafana will refuse the update',
        ]
          .filter(Boolean)
          .join('; ');
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

  // Library panels, before the dashboards that use them.
  await run(desired.libraryPanels, async (d) => {
    plan.libraryPanels.push(await planLibraryPanel(get, d));
  });
  if (guard.fatal) return { ...plan, fatal: guard.fatal };

  // Dashboards.
  const drift = ctx.config.grafana.drift;
  const settings = await frontendSettings(get);
  const minRefresh = settings.minRefresh;
  if (guard.fatal) return { ...plan, fatal: guard.fatal };
  // Grafana 12's resource API, discovered once and only when a dashboard needs it.
  let apiPromise: Promise<DashboardApi> | undefined;
  const dashboardApi = () =>
    (apiPromise ??= discoverDashboardApi(get, settings.namespace ?? orgNamespace(ctx.config.grafana.orgId)));
  const versionText = ctx.version ? `${ctx.version.major}.${ctx.version.minor}` : undefined;
  const driftPolicy = (step: DashboardStep, name: string, what: string) => {
    step.drift = true;
    if (drift === 'skip') {
      step.action = 'skip';
      step.warning = appendNote(step.warning, `${what}: left as it is (grafana.drift: skip)`);
    } else if (drift === 'fail') {
      step.error = { code: 'drift', message: `${name}: ${what}; not overwritten (grafana.drift: fail)` };
    } else {
      step.warning = appendNote(
        step.warning,
        `${what}: overwritten with the repository's version (grafana.drift: overwrite)`,
      );
    }
  };
  /** A schema v2 dashboard, through the resource API: create, update at the resourceVersion read, or unchanged. */
  const planResource = async (step: DashboardStep, d: DesiredDashboard, name: string) => {
    const api = await dashboardApi();
    const why = unsupportedReason(api, d.resource!.apiVersion, versionText);
    if (why) {
      step.action = 'skip';
      step.error = {
        code: 'v2-unsupported',
        message: `${name}: a schema v2 dashboard (${d.resource!.apiVersion}): ${why}; not deployed`,
      };
      return;
    }
    const target: ResourceTarget = { version: versionOf(d.resource!.apiVersion), namespace: api.namespace };
    step.resource = target;
    const current = await readResource(get, target, d.uid);
    if (!current) return;
    if (current.metadata?.resourceVersion) target.resourceVersion = current.metadata.resourceVersion;
    const cmp = compareResource(current, d);
    if (cmp.managedBy) {
      step.action = 'skip';
      step.error = {
        code: 'managed-elsewhere',
        message: `${name}: managed in Grafana by ${cmp.managedBy} (grafana.app/managedBy), which does not allow edits from elsewhere; not written`,
      };
      return;
    }
    step.diff = cmp.diff;
    if (cmp.diff.length === 0) {
      step.action = 'unchanged';
      return;
    }
    step.action = 'update';
    if (writtenByUs(cmp)) return;
    driftPolicy(
      step,
      name,
      `changed in Grafana since dashboard-ci last wrote it${cmp.updated ? ` (${cmp.updated})` : ''}`,
    );
  };
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
    raiseRefresh(step, minRefresh);
    try {
      if (d.resource) {
        await planResource(step, d, name);
        return;
      }
      if (ctx.lookup === 'search' && dashboardHits && !dashboardHits.has(d.uid)) return;
      const res = await get<GrafanaDashboardFull>(`/api/dashboards/uid/${enc(d.uid)}`, { allow: [404, 406] });
      if (res.status === 404) return;
      if (res.status === 406) {
        // Grafana 12 (pkg/api/dashboard.go GetDashboard): a dashboard stored as v2 is not served by /api.
        step.action = 'skip';
        step.error = {
          status: 406,
          code: 'v2-dashboard',
          message: `${name}: Grafana stores this dashboard in the v2 schema and refuses it on /api/dashboards (406: ${(res.data as { message?: string })?.message ?? 'not acceptable'}); the repository keeps it in the classic model, so dashboard-ci leaves it alone: keep it in the repository as a v2 resource (deployed through /apis), or export it from Grafana as classic JSON`,
        };
        return;
      }
      step.currentTitle = String(res.data.dashboard?.title ?? '');
      step.currentFolder = res.data.meta?.folderUid ?? '';
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
        step.warning = appendNote(
          step.warning,
          'provisioned from a file on the Grafana server (allowUiUpdates: false): Grafana will refuse the update',
        );
      const history = await readHistory(get, d.uid);
      const latest = history.latest;
      if (!latest || isOwnMessage(history.latestMessage)) return;
      // Grafana holds what dashboard-ci last wrote (a save without change, a restore): not drift.
      if (
        history.ownHashes[0] &&
        history.ownHashes[0] === contentHash(dashboardView(res.data.dashboard ?? {}))
      )
        return;
      const who = [
        latest.version !== undefined ? `version ${latest.version}` : undefined,
        latest.createdBy ? `by ${latest.createdBy}` : undefined,
        latest.created ? `at ${latest.created}` : undefined,
      ]
        .filter(Boolean)
        .join(' ');
      driftPolicy(step, name, `changed in Grafana since dashboard-ci last wrote it${who ? ` (${who})` : ''}`);
    } catch (err) {
      step.action = 'skip';
      step.error = failure(name, err);
    }
  });

  if (clashRisk) checkTitleClashes(plan.dashboards, dashboardHits, listingError);

  // Notification templates, then contact points: one listing each.
  const templates = await planTemplates(get, desired, {
    provenance: ctx.config.grafana.disableProvenance ? '' : 'api',
    prune: ctx.prune,
    log: ctx.log,
  });
  if (guard.fatal) return { ...plan, fatal: guard.fatal };
  plan.templates.push(...templates.steps);
  plan.deletes.templates.push(...templates.deletes);

  const contactPoints = await planContactPoints(get, desired, {
    provenance: ctx.config.grafana.disableProvenance ? '' : 'api',
    resendSecrets: ctx.resendSecrets,
    prune: ctx.prune,
    log: ctx.log,
    permissionHint: CONTACT_POINT_PERMISSION,
  });
  if (guard.fatal) return { ...plan, fatal: guard.fatal };
  plan.contactPoints.push(...contactPoints.steps);
  plan.deletes.contactPoints.push(...contactPoints.deletes);

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
      if (g.unset?.length) step.warning = unsetNote(g.unset);
      if (folderCreated.has(folderUid)) return;
      const name = `alert rule group "${g.name}" (folder ${folderUid}, ${g.file})`;
      try {
        const res = await get<GrafanaRuleGroup>(
          `/api/v1/provisioning/folder/${enc(folderUid)}/rule-groups/${enc(g.name)}`,
          { allow: [404] },
        );
        if (res.status === 404 || !res.data || (res.data.rules ?? []).length === 0) return;
        const rules = res.data.rules ?? [];
        step.keepsKff = rules.some((r) => Object.hasOwn(r, 'keep_firing_for'));
        const diff = jsonDiff(
          grafanaRuleGroupView(res.data, step.keepsKff),
          desiredRuleGroupView(g, step.keepsKff),
        );
        // The group GET never carries provenance (ngalert GetRuleGroup leaves the group's empty and
        // the API copies it onto every rule): read it rule by rule.
        const provenances = await Promise.all(
          rules.map(async (r) => {
            const one = await get<GrafanaRule>(`/api/v1/provisioning/alert-rules/${enc(r.uid)}`, {
              allow: [404],
            });
            return one.status === 200 ? (one.data?.provenance ?? '') : '';
          }),
        );
        const distinct = [...new Set(provenances)];
        step.contentChanged = diff.length > 0;
        if (distinct.some((p) => p !== wantProvenance)) {
          diff.push(`provenance: ${distinct.map((p) => short(p)).join(', ')} → ${short(wantProvenance)}`);
          const desiredView = desiredRuleGroupView(g, step.keepsKff);
          const grafanaView = grafanaRuleGroupView(res.data, step.keepsKff);
          step.provenanceFix = rules
            .filter((r, i) => provenances[i] !== wantProvenance)
            .filter((r) => {
              const want = desiredView.rules.find((x) => x.uid === r.uid);
              const have = grafanaView.rules.find((x) => x.uid === r.uid);
              return (
                want !== undefined &&
                jsonDiff(have, want).length === 0 &&
                desiredView.interval === grafanaView.interval
              );
            })
            .map((r) => r.uid);
        }
        if (distinct.includes('file')) {
          step.action = 'skip';
          step.error = {
            code: 'file-provisioned',
            message: `${name}: provisioned from a file on the Grafana server (provenance "file"); Grafana refuses to change it through the API`,
          };
          return;
        }
        const dropped = g.rules.filter((r) => r.keepFiringFor);
        if (!step.keepsKff && dropped.length)
          step.warning = appendNote(
            step.warning,
            `keepFiringFor of ${dropped.map((r) => r.uid).join(', ')} is not kept by this Grafana (keep_firing_for needs Grafana 12): sent, not compared`,
          );
        step.diff = diff;
        step.action = diff.length ? 'update' : 'unchanged';
      } catch (err) {
        step.action = 'skip';
        step.error = failure(name, err);
        if (err instanceof GrafanaApiError && err.status === 403)
          step.error.message += `; ${alertProvisioningPermission(ctx.version)}`;
      }
    },
  );

  if (ctx.prune) await planRuleGroupPrune(ctx, plan, desired, get, guard);
  if (ctx.prune) plan.deletes.libraryPanels.push(...(await planLibraryPanelPrune(get, desired)));
  if (guard.fatal) return { ...plan, fatal: guard.fatal };

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
    // Candidates: tagged, or in a folder dashboard-ci derived. Each is confirmed by what cannot be
    // removed by accident (its version history), and a file-provisioned one is never deleted.
    const candidates = [...dashboardHits.values()].filter(
      (hit) =>
        !desiredUids.has(hit.uid) &&
        ((hit.tags ?? []).includes(MARKER_TAG) || (hit.folderUid ?? '').startsWith(DERIVED_FOLDER_PREFIX)),
    );
    /** A v2-stored candidate: dashboard-ci's when it wrote the latest version, or one in its history. */
    const planResourcePrune = async (step: DashboardStep, hit: GrafanaSearchHit) => {
      const api = await dashboardApi();
      const version = api.versions.find((v) => v.startsWith('v2'));
      if (!version) {
        step.action = 'skip';
        step.warning = 'stored as v2, and this Grafana serves no v2 version of its dashboard API: kept';
        return;
      }
      const target: ResourceTarget = { version, namespace: api.namespace };
      const current = await readResource(get, target, hit.uid);
      if (!current) {
        step.action = 'skip';
        return;
      }
      const annotations = current.metadata?.annotations ?? {};
      if (annotations['grafana.app/managedBy']) {
        step.action = 'skip';
        step.warning = `managed in Grafana by ${annotations['grafana.app/managedBy']}: never deleted by dashboard-ci`;
        return;
      }
      if (!isOwnMessage(annotations[ANNO_MESSAGE]) && !(await readHistory(get, hit.uid)).everOwn) {
        step.action = 'skip';
        step.warning =
          'carries the dashboard-ci tag but no version of it was written by dashboard-ci (a copy made with "Save as"?): kept';
        return;
      }
      step.resource = target;
    };
    await run(candidates, async (hit) => {
      const step: DashboardStep = {
        kind: 'dashboard',
        uid: hit.uid,
        title: hit.title,
        action: 'delete',
        diff: [],
      };
      try {
        const full = await get<GrafanaDashboardFull>(`/api/dashboards/uid/${enc(hit.uid)}`, {
          allow: [404, 406],
        });
        if (full.status === 404) return;
        if (full.status === 406) {
          // Stored as v2 (Grafana 12): read and deleted through the resource API.
          await planResourcePrune(step, hit);
          if (step.action === 'delete') gone.add(hit.uid);
          plan.deletes.dashboards.push(step);
          return;
        }
        const meta = full.data?.meta ?? {};
        if (
          meta.provisioned ||
          (typeof meta.provisionedExternalId === 'string' && meta.provisionedExternalId)
        ) {
          step.action = 'skip';
          step.warning = 'provisioned from a file on the Grafana server: never deleted by dashboard-ci';
        } else if (!(await readHistory(get, hit.uid)).everOwn) {
          step.action = 'skip';
          step.warning =
            'carries the dashboard-ci tag but no version of it was written by dashboard-ci (a copy made with "Save as"?): kept';
        } else gone.add(hit.uid);
      } catch (err) {
        step.action = 'skip';
        step.error = failure(`dashboard "${hit.title}" (uid ${hit.uid})`, err);
      }
      plan.deletes.dashboards.push(step);
    });
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
    plan.libraryPanels,
    desired.libraryPanels.map((d) => d.uid),
  );
  inOrder(
    plan.dashboards,
    desired.dashboards.map((d) => d.uid),
  );
  inOrder(
    plan.templates,
    desired.templates.map((d) => d.name),
  );
  inOrder(
    plan.contactPoints,
    desired.contactPoints.map((d) => d.uid),
  );
  inOrder(
    plan.ruleGroups,
    desired.ruleGroups.map((g) => `${g.folderUid}/${g.name}`),
  );
  plan.deletes.datasources.sort((a, b) => a.uid.localeCompare(b.uid));
  plan.deletes.dashboards.sort((a, b) => a.uid.localeCompare(b.uid));
  plan.deletes.ruleGroups.sort((a, b) => a.uid.localeCompare(b.uid));

  if (guard.fatal) plan.fatal = guard.fatal;
  return plan;
}

function inOrder(steps: { uid: string; error?: StepError; desired?: unknown }[], uids: string[]): void {
  const index = new Map(uids.map((u, i) => [u, i]));
  const rank = (s: { uid: string; desired?: unknown }) =>
    s.desired ? (index.get(s.uid) ?? uids.length) : -1;
  steps.sort((a, b) => rank(a) - rank(b));
}

/**
 * Every item of a paged listing. Bounded three ways, so that a server which ignores `page` cannot
 * make the run page forever: a page shorter than asked ends it, a page that brings nothing new (the
 * same page again) ends it, and past `maxPages` it fails with a clear error.
 */
export async function pageAll<T extends { uid?: unknown }>(
  get: Get,
  path: string,
  query: Record<string, string | number>,
  pageSize: number,
  maxPages = MAX_PAGES,
): Promise<T[]> {
  const out = new Map<string, T>();
  for (let page = 1; page <= maxPages; page++) {
    const res = await get<T[]>(path, { query: { ...query, limit: pageSize, page } });
    if (!Array.isArray(res.data))
      throw new Error(`GET ${path} page ${page}: expected a JSON array, got ${typeof res.data}`);
    const hits = res.data.filter((h): h is T => !!h && typeof h.uid === 'string');
    let fresh = 0;
    for (const h of hits)
      if (!out.has(h.uid as string)) {
        out.set(h.uid as string, h);
        fresh++;
      }
    if (res.data.length < pageSize || fresh === 0) return [...out.values()];
  }
  throw new Error(
    `GET ${path}: still more after ${maxPages} pages of ${pageSize} (${out.size} items): stopped; is a proxy ignoring the page parameter?`,
  );
}

/** Every hit of one type, page by page. */
async function searchAll(get: Get, type: 'dash-db' | 'dash-folder'): Promise<Map<string, GrafanaSearchHit>> {
  const hits = await pageAll<GrafanaSearchHit>(get, '/api/search', { type }, SEARCH_PAGE);
  return new Map(hits.filter((h) => !h.type || h.type === type).map((h) => [h.uid, h]));
}

async function listChildren(get: Get, parentUid: string): Promise<GrafanaFolder[]> {
  return pageAll<GrafanaFolder>(get, '/api/folders', parentUid ? { parentUid } : {}, 1000);
}

/** Grafana's folder path syntax (folderimpl.SplitFullpath): `/` separates, `\/` is a slash in a title. */
export function splitFullpath(value: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && value[i + 1] === '/') {
      cur += '/';
      i++;
    } else if (c === '/') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/**
 * A group's folder: a folder uid of the repository; else a title path `a/b` walked from the root as
 * Grafana's alert provisioning does (provisioning/alerting/rules_provisioner.go
 * getOrCreateFolderFullpath): at each level the repository's folder of that title under the parent,
 * else Grafana's, else a new one. A single name that is no title at the root may be an existing
 * Grafana folder's uid.
 */
async function resolveRuleGroupFolder(
  g: DesiredRuleGroup,
  folders: DesiredFolder[],
  get: Get,
  childrenOf: (parentUid: string) => Promise<GrafanaFolder[]>,
): Promise<void> {
  const value = g.folder;
  const byUid = folders.find((f) => f.uid === value);
  if (byUid) {
    g.folderUid = byUid.uid;
    return;
  }
  const parts = splitFullpath(value);
  if (parts.length === 0) throw new Error(`folder "${value}" is not a folder path`);
  let parent = '';
  for (let i = 0; i < parts.length; i++) {
    const title = parts[i]!;
    const mine = folders.filter((f) => f.title === title && (f.parentUid ?? '') === parent);
    if (mine.length > 1)
      throw new Error(
        `folder "${parts.slice(0, i + 1).join('/')}" matches several folders of the repository: name it by uid`,
      );
    if (mine.length === 1) {
      parent = mine[0]!.uid;
      continue;
    }
    const theirs = (await childrenOf(parent)).filter(
      (f) => f.title === title && (f.parentUid ?? '') === parent,
    );
    if (theirs.length > 1)
      throw new Error(
        `folder "${parts.slice(0, i + 1).join('/')}" matches ${theirs.length} folders in Grafana: name it by uid`,
      );
    if (theirs.length === 1) {
      parent = theirs[0]!.uid;
      continue;
    }
    if (parts.length === 1) {
      const res = await get<GrafanaFolder>(`/api/folders/${enc(value)}`, { allow: [404, 400] });
      if (res.status === 200 && res.data?.uid) {
        g.folderUid = res.data.uid;
        return;
      }
    }
    const uid = derivedFolderUid(parts.slice(0, i + 1).join('/'));
    if (!folders.some((f) => f.uid === uid))
      folders.push({ uid, title, ...(parent ? { parentUid: parent } : {}), origin: 'alerts' });
    parent = uid;
  }
  g.folderUid = parent;
}

/**
 * What GET /api/frontend/settings tells: min_refresh_interval (minRefreshInterval) and the caller's
 * namespace in the resource API (`namespace`, Grafana 11+); each undefined when unknown.
 */
async function frontendSettings(
  get: Get,
): Promise<{ minRefresh?: { text: string; ms: number }; namespace?: string }> {
  try {
    const res = await get<{ minRefreshInterval?: unknown; namespace?: unknown }>('/api/frontend/settings', {
      allow: [404, 403],
    });
    if (res.status !== 200) return {};
    const out: { minRefresh?: { text: string; ms: number }; namespace?: string } = {};
    const text = res.data?.minRefreshInterval;
    const ms = typeof text === 'string' && text ? parseDuration(text) : undefined;
    if (ms !== undefined) out.minRefresh = { text: text as string, ms };
    if (typeof res.data?.namespace === 'string' && res.data.namespace) out.namespace = res.data.namespace;
    return out;
  } catch (err) {
    if (err instanceof GrafanaApiError && err.status === 401) throw err;
    return {};
  }
}

/**
 * Grafana refuses a dashboard whose refresh is below its min_refresh_interval (400, dashboard_service
 * BuildSaveDashboardCommand → ValidateDashboardRefreshInterval) and its own file provisioning raises it
 * to the minimum: dashboard-ci raises it the same way, says so, and compares after that.
 */
function raiseRefresh(step: DashboardStep, min: { text: string; ms: number } | undefined): void {
  const d = step.desired!;
  // Schema v2 keeps it in timeSettings.autoRefresh (the resource API validates it the same way).
  const timeSettings = d.resource
    ? (d.dashboard.timeSettings as Record<string, unknown> | undefined)
    : undefined;
  const refresh = d.resource ? timeSettings?.autoRefresh : d.dashboard.refresh;
  if (!min || typeof refresh !== 'string' || refresh === '') return;
  const ms = parseDuration(refresh);
  if (ms === undefined || ms >= min.ms) return;
  d.dashboard = d.resource
    ? { ...d.dashboard, timeSettings: { ...timeSettings, autoRefresh: min.text } }
    : { ...d.dashboard, refresh: min.text };
  step.warning = appendNote(
    step.warning,
    `refresh ${refresh} is below Grafana's min_refresh_interval (${min.text}): deployed as ${min.text}`,
  );
}

/**
 * Grafana before 11.3, saving with overwrite: true, takes over another dashboard of the same title in
 * the same folder (its id and uid): refused before writing, naming the other dashboard.
 */
function checkTitleClashes(
  steps: DashboardStep[],
  hits: Map<string, GrafanaSearchHit> | undefined,
  listingError: unknown,
): void {
  const seen = new Map<string, string>();
  for (const s of steps) {
    // The resource API (schema v2) matches by name only: no title takeover there.
    if (!s.desired || s.error || s.desired.resource) continue;
    const d = s.desired;
    const key = `${d.folderUid}\u0000${d.title}`;
    const name = `dashboard "${d.title}" (uid ${d.uid}, ${d.file})`;
    const within = seen.get(key);
    if (within) {
      s.action = 'skip';
      s.error = {
        code: 'title-clash',
        message: `${name}: ${within} has the same title in the same folder; Grafana before 11.3 would overwrite one with the other`,
      };
      continue;
    }
    seen.set(key, `dashboard uid ${d.uid} (${d.file})`);
    const writes =
      s.action === 'create' ||
      (s.action === 'update' && (s.currentTitle !== d.title || s.currentFolder !== d.folderUid));
    if (!writes) continue;
    if (!hits) {
      s.action = 'skip';
      s.error = {
        code: 'title-clash',
        message: `${name}: cannot check for a dashboard of the same title in the folder (${(listingError as Error)?.message ?? 'no listing'}); Grafana before 11.3 would overwrite it, so it is not written`,
      };
      continue;
    }
    const other = [...hits.values()].find(
      (h) => h.uid !== d.uid && h.title === d.title && (h.folderUid ?? '') === d.folderUid,
    );
    if (other) {
      s.action = 'skip';
      s.error = {
        code: 'title-clash',
        message: `${name}: Grafana already has dashboard "${other.title}" (uid ${other.uid}) in ${d.folderUid ? `folder ${d.folderUid}` : 'the General folder'}; this Grafana (before 11.3) would overwrite it and keep its uid: rename one of them or move it`,
      };
    }
  }
}

/**
 * Rule groups dashboard-ci wrote (its annotation on every rule; never provenance "file") that are
 * gone from the repository: their rules are deleted one by one (DELETE alert-rules/:uid exists in
 * 10.4 → 12.x; the group DELETE only in later versions).
 */
async function planRuleGroupPrune(
  ctx: PlanContext,
  plan: Plan,
  desired: DesiredState,
  get: Get,
  guard: Guard,
): Promise<void> {
  const broken = desired.problems.filter((p) => p.kind === 'alert-rule-group').length;
  if (broken > 0) {
    plan.deletes.ruleGroups.push(
      blocked(
        'alert-rule-group',
        `prune of alert rule groups skipped: ${broken} alert rule input(s) could not be read, and a group whose file is broken would look gone from the repository`,
      ),
    );
    return;
  }
  let rules: GrafanaRule[];
  try {
    const res = await get<GrafanaRule[]>('/api/v1/provisioning/alert-rules');
    rules = Array.isArray(res.data) ? res.data : [];
  } catch (err) {
    if (guard.fatal) return;
    plan.deletes.ruleGroups.push(pruneBlocked('alert-rule-group', err));
    return;
  }
  const wanted = new Set(desired.ruleGroups.map((g) => `${g.folderUid}/${g.name}`));
  const groups = new Map<string, GrafanaRule[]>();
  for (const r of rules) {
    const key = `${String(r.folderUID ?? '')}/${String(r.ruleGroup ?? '')}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  for (const [key, list] of groups) {
    if (wanted.has(key)) continue;
    const mine = list.filter(
      (r) => r.annotations?.[MARKER_ANNOTATION] !== undefined && r.provenance !== 'file',
    );
    if (mine.length === 0) continue;
    plan.deletes.ruleGroups.push({
      kind: 'alert-rule-group',
      uid: key,
      title: String(list[0]!.ruleGroup ?? ''),
      action: 'delete',
      diff: mine.map((r) => `rule ${r.uid} "${r.title}": deleted`),
      ruleUids: mine.map((r) => r.uid),
      ...(mine.length < list.length
        ? { warning: `${list.length - mine.length} rule(s) of the group not written by dashboard-ci: kept` }
        : {}),
    });
  }
  void ctx;
}

function unsetNote(names: string[]): string {
  return `environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')} not set: expanded to "" as Grafana does (grafana.strictVariables: true makes it a failure)`;
}

/** A prune that cannot run, as one failed step. */
function blocked<K extends 'dashboard' | 'folder' | 'alert-rule-group'>(kind: K, message: string) {
  return { kind, uid: '', action: 'skip' as const, diff: [], error: { code: 'prune-blocked', message } };
}

function pruneBlocked<K extends 'dashboard' | 'folder' | 'alert-rule-group'>(kind: K, err: unknown) {
  return blocked(kind, `prune of ${kind}s skipped: the listing it needs failed (${(err as Error).message})`);
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
