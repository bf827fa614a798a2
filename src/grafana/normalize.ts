// What Grafana returns, and the comparable views of it. A re-run makes zero writes only if these
// views ignore exactly what Grafana adds or rewrites on its side:
// - dashboards: `id` and `version` (GET forces the stored version into the JSON);
// - datasources: id, orgId, version, typeLogoUrl, readOnly, secureJsonFields (values never come back),
//   and defaults filled in (access "proxy", empty strings, false, jsonData {});
// - folders: everything but title and parentUid;
// - alert rules: id, updated, orgID, folderUID, ruleGroup, provenance (compared separately), `for`
//   reprinted canonically (300s → 5m), and query models given maxDataPoints 43200 / intervalMs 1000
//   when absent, with the query's queryType taken from the model (ngalert AlertQuery.PreSave).

import type { DatasourceFields, DesiredRule, DesiredRuleGroup, AlertQueryBody } from './desired.js';
import { parseDuration } from './duration.js';
import { MARKER_ANNOTATION, MARKER_ANNOTATION_VALUE } from './ownership.js';

export interface GrafanaDatasource {
  id?: number;
  uid: string;
  orgId?: number;
  name: string;
  type: string;
  typeLogoUrl?: string;
  access?: string;
  url?: string;
  user?: string;
  database?: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  withCredentials?: boolean;
  isDefault?: boolean;
  jsonData?: Record<string, unknown> | null;
  secureJsonFields?: Record<string, boolean> | null;
  version?: number;
  readOnly?: boolean;
}

export interface GrafanaFolder {
  id?: number;
  uid: string;
  title: string;
  parentUid?: string;
  version?: number;
}

export interface GrafanaDashboardFull {
  dashboard: Record<string, unknown>;
  meta?: { folderUid?: string; version?: number; provisioned?: boolean; [k: string]: unknown };
}

export interface GrafanaSearchHit {
  id?: number;
  uid: string;
  title: string;
  type?: string;
  tags?: string[];
  folderUid?: string;
  folderTitle?: string;
}

export interface GrafanaRuleGroup {
  title: string;
  folderUid: string;
  interval: number;
  rules: GrafanaRule[];
}

export interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  data: GrafanaQuery[];
  noDataState?: string;
  execErrState?: string;
  for?: string;
  annotations?: Record<string, string> | null;
  labels?: Record<string, string> | null;
  isPaused?: boolean;
  notification_settings?: Record<string, unknown> | null;
  record?: Record<string, unknown> | null;
  /** The API's name (Grafana 12); absent from 10.4 and 11.x answers, which do not keep it. */
  keep_firing_for?: string;
  provenance?: string;
  [k: string]: unknown;
}

export interface GrafanaQuery {
  refId: string;
  queryType?: string;
  relativeTimeRange?: { from?: number; to?: number };
  datasourceUid: string;
  model?: Record<string, unknown>;
}

export interface DashboardVersion {
  version?: number;
  parentVersion?: number;
  message?: string;
  created?: string;
  createdBy?: string;
}

// ------------------------------------------------------------------ dashboards

export function dashboardView(d: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, version: _version, ...rest } = d;
  return rest;
}

/** The versions list, whatever its shape: a bare array (≤ 11.5) or {versions: [...]} (11.6+). */
export function versionsOf(body: unknown): DashboardVersion[] {
  if (Array.isArray(body)) return body as DashboardVersion[];
  if (body && typeof body === 'object' && Array.isArray((body as { versions?: unknown }).versions))
    return (body as { versions: DashboardVersion[] }).versions;
  return [];
}

// ------------------------------------------------------------------ datasources

export function datasourceView(ds: GrafanaDatasource): DatasourceFields {
  return {
    name: ds.name ?? '',
    type: ds.type ?? '',
    access: ds.access || 'proxy',
    url: ds.url ?? '',
    user: ds.user ?? '',
    database: ds.database ?? '',
    basicAuth: ds.basicAuth ?? false,
    basicAuthUser: ds.basicAuthUser ?? '',
    withCredentials: ds.withCredentials ?? false,
    isDefault: ds.isDefault ?? false,
    jsonData: ds.jsonData ?? {},
  };
}

export function secureKeys(ds: GrafanaDatasource): Set<string> {
  return new Set(
    Object.entries(ds.secureJsonFields ?? {})
      .filter(([, set]) => set)
      .map(([k]) => k),
  );
}

// ------------------------------------------------------------------ folders

export function folderParent(f: { parentUid?: string }): string {
  return f.parentUid ?? '';
}

// ------------------------------------------------------------------ alert rules

const DEFAULT_MAX_DATA_POINTS = 43200;
const DEFAULT_INTERVAL_MS = 1000;

export interface RuleView {
  uid: string;
  title: string;
  condition: string;
  data: QueryView[];
  noDataState: string;
  execErrState: string;
  forMs: number;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
  notification_settings?: Record<string, unknown>;
  record?: Record<string, unknown>;
  keepFiringForMs?: number;
}

export interface QueryView {
  refId: string;
  queryType: string;
  relativeTimeRange: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

/** The model as Grafana stores it (ngalert fromRawModel: defaults when absent or not a positive number). */
export function modelWithDefaults(model: Record<string, unknown> | undefined): Record<string, unknown> {
  const m = { ...(model ?? {}) };
  if (!(typeof m.maxDataPoints === 'number' && m.maxDataPoints > 0))
    m.maxDataPoints = DEFAULT_MAX_DATA_POINTS;
  if (!(typeof m.intervalMs === 'number' && m.intervalMs > 0)) m.intervalMs = DEFAULT_INTERVAL_MS;
  return m;
}

function queryView(q: GrafanaQuery | AlertQueryBody): QueryView {
  const model = modelWithDefaults(q.model);
  const fromModel =
    typeof model.queryType === 'string' && model.queryType !== '' ? model.queryType : undefined;
  return {
    refId: q.refId,
    queryType: fromModel ?? q.queryType ?? '',
    relativeTimeRange: { from: q.relativeTimeRange?.from ?? 0, to: q.relativeTimeRange?.to ?? 0 },
    datasourceUid: q.datasourceUid,
    model,
  };
}

function nonEmpty(o: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  return o && Object.keys(o).length > 0 ? o : undefined;
}

export function ruleView(
  r: GrafanaRule | DesiredRule,
  compareOptional: { keepFiringFor: boolean },
): RuleView {
  const view: RuleView = {
    uid: r.uid,
    title: r.title,
    condition: r.condition,
    data: (r.data ?? []).map(queryView),
    noDataState: r.noDataState ?? 'NoData',
    execErrState: r.execErrState ?? 'Alerting',
    forMs: parseDuration(r.for ?? '0s') ?? 0,
    annotations: r.annotations ?? {},
    labels: r.labels ?? {},
    isPaused: r.isPaused ?? false,
  };
  const ns = nonEmpty(r.notification_settings);
  if (ns) view.notification_settings = ns;
  const rec = nonEmpty(r.record);
  if (rec) view.record = rec;
  if (compareOptional.keepFiringFor) {
    const kff =
      'ruleGroup' in r || 'provenance' in r
        ? (r as GrafanaRule).keep_firing_for
        : (r as DesiredRule).keepFiringFor;
    view.keepFiringForMs = parseDuration(typeof kff === 'string' ? kff : '0s') ?? 0;
  }
  return view;
}

export interface RuleGroupView {
  interval: number;
  rules: RuleView[];
}

/** The annotations dashboard-ci sends: the file's, plus its marker. */
export function annotationsWithMarker(a: Record<string, string>): Record<string, string> {
  return { ...a, [MARKER_ANNOTATION]: MARKER_ANNOTATION_VALUE };
}

/**
 * keep_firing_for is compared only where Grafana keeps it (the rules it answers carry the field,
 * Grafana 12): 10.4 and 11.x drop it silently, and comparing would write on every run.
 */
export function desiredRuleGroupView(g: DesiredRuleGroup, keepsKff: boolean): RuleGroupView {
  return {
    interval: g.intervalSeconds,
    rules: g.rules.map((r) =>
      ruleView({ ...r, annotations: annotationsWithMarker(r.annotations) }, { keepFiringFor: keepsKff }),
    ),
  };
}

export function grafanaRuleGroupView(g: GrafanaRuleGroup, keepsKff: boolean): RuleGroupView {
  return {
    interval: g.interval,
    rules: (g.rules ?? []).map((r) =>
      ruleView({ ...r, ruleGroup: r.ruleGroup ?? g.title }, { keepFiringFor: keepsKff }),
    ),
  };
}

// ------------------------------------------------------------------ library panels

export interface GrafanaLibraryElement {
  id?: number;
  uid: string;
  name: string;
  kind?: number;
  folderUid?: string;
  model?: Record<string, unknown> | null;
  version?: number;
  meta?: { folderUid?: string; folderName?: string; connectedDashboards?: number };
}

/**
 * A library panel's model as Grafana stores it (pkg/services/libraryelements/database.go
 * syncFieldsWithModel, 10.4 → 12.x): `type` and `description` are filled with "" when absent; and
 * (addUidToLibraryPanel, 11.x → 12.x) an empty `libraryPanel.uid` gets the element's uid.
 */
export function libraryModelView(
  model: Record<string, unknown> | null | undefined,
  uid: string,
): Record<string, unknown> {
  const m: Record<string, unknown> = { ...(model ?? {}) };
  if (m.type === undefined || m.type === null) m.type = '';
  if (m.description === undefined || m.description === null) m.description = '';
  const lp = m.libraryPanel;
  if (lp && typeof lp === 'object' && !Array.isArray(lp) && (lp as { uid?: unknown }).uid === '')
    m.libraryPanel = { ...lp, uid };
  return m;
}

/** A library element's folder: the root is "" or, as newer Grafanas store it, "general". */
export function libraryFolder(e: GrafanaLibraryElement): string {
  const f = e.folderUid ?? e.meta?.folderUid ?? '';
  return f === 'general' ? '' : f;
}

// ------------------------------------------------------------------ dashboard resources (/apis)

/** A dashboard.grafana.app resource as Grafana 12's API answers it. */
export interface GrafanaResource {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    resourceVersion?: string;
    generation?: number;
    annotations?: Record<string, string> | null;
    labels?: Record<string, string> | null;
  };
  spec?: Record<string, unknown>;
  status?: { conversion?: { failed?: boolean; storedVersion?: string; error?: string } } | null;
}

function isZero(v: unknown): boolean {
  if (v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== undefined && Object.keys(v).length === 0;
}

/**
 * `have` without the zero values Grafana added where `want` has no key: the v2 kinds are typed Go
 * structs (apps/dashboard/pkg/apis/dashboard/v2beta1/dashboard_spec_gen.go), and a field without
 * omitempty comes back as "", false, 0, [] or {} though it was never sent. A key `want` has is always
 * compared, and a value that is not zero is never dropped: a removal in the repository still shows.
 */
export function withoutAddedZeros(have: unknown, want: unknown): unknown {
  if (Array.isArray(have) && Array.isArray(want))
    return have.map((v, i) => (i < want.length ? withoutAddedZeros(v, want[i]) : v));
  if (!have || typeof have !== 'object' || Array.isArray(have)) return have;
  if (!want || typeof want !== 'object' || Array.isArray(want)) return have;
  const w = want as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(have as Record<string, unknown>)) {
    if (!Object.hasOwn(w, k)) {
      if (!isZero(v)) out[k] = v;
      continue;
    }
    out[k] = withoutAddedZeros(v, w[k]);
  }
  return out;
}
