import type { JsonPath } from '../core/types.js';
import type { SourceDocument } from './source.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A datasource reference as panels and targets hold it: `{type, uid}` or a legacy name string. */
export interface DatasourceRef {
  type?: string;
  uid?: string;
  /** Legacy form: a datasource name or `$var`. */
  name?: string;
}

export function toDatasourceRef(v: unknown): DatasourceRef | undefined {
  if (typeof v === 'string') return { name: v };
  if (isObject(v)) {
    const ref: DatasourceRef = {};
    if (typeof v.type === 'string') ref.type = v.type;
    if (typeof v.uid === 'string') ref.uid = v.uid;
    return ref.type === undefined && ref.uid === undefined ? undefined : ref;
  }
  return undefined;
}

export interface TargetModel {
  path: JsonPath;
  raw: JsonObject;
  index: number;
  refId?: string;
  /** The target's own datasource, else the panel's (Grafana's resolution order). */
  datasource?: DatasourceRef;
  panel: PanelModel;
}

/** A panel's `libraryPanel: {uid, name}` reference, as written. */
export interface LibraryPanelRef {
  uid?: string;
  name?: string;
  /** Document path of the reference object. */
  path: JsonPath;
  /** The library panel it resolves to (set by resolveLibraryPanels), when the repository has it. */
  resolved?: LibraryPanelModel;
}

export interface PanelModel {
  path: JsonPath;
  raw: JsonObject;
  id?: number;
  type?: string;
  title?: string;
  datasource?: DatasourceRef;
  targets: TargetModel[];
  /** The row (or, in schema v2, the row or tab) this panel sits under, if any. */
  row?: PanelModel;
  /**
   * True for panels laid out on their row's own grid: inside a collapsed row's `panels` in the classic
   * model; every panel of a v2 row or tab, whose grid layout is its own.
   */
  nested: boolean;
  libraryPanel?: LibraryPanelRef;
}

export interface VariableModel {
  path: JsonPath;
  raw: JsonObject;
  name?: string;
  type?: string;
  datasource?: DatasourceRef;
  /**
   * Set on a library panel's check model: a variable of the dashboard that uses the panel, there so
   * datasource variables resolve. Its path is in that dashboard's file, not this one: rules skip it.
   */
  borrowed?: boolean;
}

/**
 * How a dashboard is kept in its file. `classic`: Grafana's JSON model; `envelope`: the API shape
 * `{dashboard, meta}`; `resource-v1`: a Kubernetes-style resource whose spec is the classic model
 * (dashboard.grafana.app v0alpha1, v1alpha1, v1beta1, v1); `resource-v2`: schema v2 (v2alpha1,
 * v2beta1, v2), normalised into the classic model; `library-panel`: the check model of a library panel.
 */
export type DashboardShape = 'classic' | 'envelope' | 'resource-v1' | 'resource-v2' | 'library-panel';

export interface DashboardFormat {
  shape: DashboardShape;
  syntax: 'json' | 'yaml';
  /** `apiVersion` of a resource, e.g. `dashboard.grafana.app/v1beta1`. */
  apiVersion?: string;
  /** An "export for sharing externally": `__inputs` with `${DS_…}` placeholders. */
  sharedExport: boolean;
  /** 0-based index of the document in a multi-document YAML file. */
  document?: number;
}

export interface DashboardModel {
  file: string;
  /** Positions in the file. For schema v2 it takes the model's classic paths and answers v2 positions. */
  doc: SourceDocument;
  /**
   * The dashboard in the classic model: the file's object, the envelope's `dashboard`, a v1 resource's
   * `spec`, or for schema v2 a classic dashboard built from the spec (what Grafana's v2 to v1 conversion
   * gives). Rules, SQL extraction and interpolation read this.
   */
  raw: JsonObject;
  /**
   * Where the dashboard object sits in the file: `[]` for a plain dashboard, `['dashboard']` for
   * Grafana's API/export wrapper `{ "dashboard": {...}, "meta": {...} }`, `['spec']` for a v1 resource,
   * `[]` for v2 (whose doc translates paths). Every path in the model (panels, targets, variables)
   * already starts with it, so `doc.locate(path)` works unchanged.
   */
  root: JsonPath;
  uid?: string;
  title?: string;
  refresh?: string;
  /** Every panel, including those nested in collapsed rows, in document order. */
  panels: PanelModel[];
  variables: VariableModel[];
  format: DashboardFormat;
  /** Model path of the uid (`metadata.name` of a resource): where a uid finding points. */
  uidPath: JsonPath;
  /** Folder uid the file asks for: `grafana.app/folder` annotation of a resource, `meta.folderUid` of an envelope. */
  folderUid?: string;
  /** The default time range as written (`time`, v2 `timeSettings`). */
  time?: { from?: string; to?: string };
  timezone?: string;
  /**
   * The document as written, for provisioning: the whole resource (`apiVersion`, `kind`, `metadata`,
   * `spec`) or envelope. Undefined for a plain classic dashboard (`raw` is the document).
   */
  document?: JsonObject;
  /** Set on the check model of a library panel (shape `library-panel`). */
  libraryPanel?: LibraryPanelModel;
  /**
   * For a library panel's check model: the first dashboard that uses the panel. Its variables and
   * time range are the context the panel's queries are interpolated and linted in.
   */
  context?: DashboardModel;
}

/**
 * A library panel (library-panels/, or `__elements` of an export): the panel model Grafana stores once
 * and dashboards reference by `libraryPanel: {uid, name}`. Provisioning posts `{uid, name, model,
 * folderUid, kind: 1}` to /api/library-elements.
 */
export interface LibraryPanelModel {
  uid?: string;
  name?: string;
  file: string;
  doc: SourceDocument;
  /** The panel model: `model` of a library element, `spec` of a LibraryPanel resource. */
  raw: JsonObject;
  /** Document path of `raw`. */
  path: JsonPath;
  uidPath: JsonPath;
  folderUid?: string;
  format: {
    shape: 'library-element' | 'resource' | 'export-element';
    syntax: 'json' | 'yaml';
    apiVersion?: string;
  };
  /** The document as written (for provisioning). */
  document: JsonObject;
  /** Panels of dashboards that reference it (filled by resolveLibraryPanels). */
  usedBy: { dashboard: DashboardModel; panel: PanelModel }[];
  /** The model its panel is checked in (linted and its SQL validated like any panel). */
  check?: DashboardModel;
}

export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function buildPanel(raw: JsonObject, path: JsonPath, nested: boolean, row?: PanelModel): PanelModel {
  const panel: PanelModel = { path, raw, targets: [], nested };
  if (typeof raw.id === 'number') panel.id = raw.id;
  const type = str(raw.type);
  if (type !== undefined) panel.type = type;
  const title = str(raw.title);
  if (title !== undefined) panel.title = title;
  const ds = toDatasourceRef(raw.datasource);
  if (ds) panel.datasource = ds;
  if (row) panel.row = row;
  if (isObject(raw.libraryPanel)) {
    const ref: LibraryPanelRef = { path: [...path, 'libraryPanel'] };
    const uid = str(raw.libraryPanel.uid);
    if (uid !== undefined) ref.uid = uid;
    const name = str(raw.libraryPanel.name);
    if (name !== undefined) ref.name = name;
    panel.libraryPanel = ref;
  }
  if (Array.isArray(raw.targets)) {
    raw.targets.forEach((t, index) => {
      if (!isObject(t)) return;
      const target: TargetModel = { path: [...path, 'targets', index], raw: t, index, panel };
      const refId = str(t.refId);
      if (refId !== undefined) target.refId = refId;
      const tds = toDatasourceRef(t.datasource) ?? ds;
      if (tds) target.datasource = tds;
      panel.targets.push(target);
    });
  }
  return panel;
}

/**
 * Builds the model from an already parsed document. `raw` is the dashboard object, found at `root`
 * in the document (`[]` unless the file is wrapped as `{ "dashboard": ..., "meta": ... }`).
 */
export function buildDashboard(
  file: string,
  doc: SourceDocument,
  raw: JsonObject,
  root: JsonPath = [],
  format: Partial<DashboardFormat> = {},
): DashboardModel {
  const dash: DashboardModel = {
    file,
    doc,
    raw,
    root,
    panels: [],
    variables: [],
    format: { shape: 'classic', syntax: 'json', sharedExport: Array.isArray(raw.__inputs), ...format },
    uidPath: [...root, 'uid'],
  };
  const uid = str(raw.uid);
  if (uid !== undefined) dash.uid = uid;
  const title = str(raw.title);
  if (title !== undefined) dash.title = title;
  const refresh = str(raw.refresh);
  if (refresh !== undefined) dash.refresh = refresh;
  if (isObject(raw.time)) {
    const time: { from?: string; to?: string } = {};
    const from = str(raw.time.from);
    if (from !== undefined) time.from = from;
    const to = str(raw.time.to);
    if (to !== undefined) time.to = to;
    dash.time = time;
  }
  const timezone = str(raw.timezone);
  if (timezone !== undefined) dash.timezone = timezone;

  let currentRow: PanelModel | undefined;
  if (Array.isArray(raw.panels)) {
    raw.panels.forEach((p, i) => {
      if (!isObject(p)) return;
      const panel = buildPanel(p, [...root, 'panels', i], false, p.type === 'row' ? undefined : currentRow);
      dash.panels.push(panel);
      if (p.type === 'row') {
        currentRow = panel;
        if (Array.isArray(p.panels)) {
          p.panels.forEach((child, j) => {
            if (isObject(child))
              dash.panels.push(buildPanel(child, [...root, 'panels', i, 'panels', j], true, panel));
          });
        }
      }
    });
  }
  // The pre-5.0 layout: panels inside `rows` (schemaVersion < 16, or none at all). Grafana moves them
  // into `panels` when the dashboard loads (DashboardMigrator upgradeToGridLayout; the backend's
  // schemaversion/v16.go follows it), after the panels already there, skipping rows a repeat made
  // (`repeatIteration`), and gives them a gridPos from span and height: their queries run like any
  // other. They are walked where they are written, so findings point at their lines; the gridPos Grafana
  // computes is not invented here (no rule may judge a position the file does not hold).
  const schemaVersion = typeof raw.schemaVersion === 'number' ? raw.schemaVersion : 0;
  if (schemaVersion < 16 && Array.isArray(raw.rows)) {
    raw.rows.forEach((row, i) => {
      if (!isObject(row) || (row.repeatIteration !== undefined && row.repeatIteration !== null)) return;
      if (!Array.isArray(row.panels)) return;
      row.panels.forEach((p, j) => {
        if (isObject(p)) dash.panels.push(buildPanel(p, [...root, 'rows', i, 'panels', j], false));
      });
    });
  }
  const list = isObject(raw.templating) ? raw.templating.list : undefined;
  if (Array.isArray(list)) {
    list.forEach((v, i) => {
      if (!isObject(v)) return;
      const variable: VariableModel = { path: [...root, 'templating', 'list', i], raw: v };
      const name = str(v.name);
      if (name !== undefined) variable.name = name;
      const type = str(v.type);
      if (type !== undefined) variable.type = type;
      const ds = toDatasourceRef(v.datasource);
      if (ds) variable.datasource = ds;
      dash.variables.push(variable);
    });
  }
  return dash;
}

/**
 * `__inputs` of a dashboard exported "for sharing": `${DS_CLICKHOUSE}` placeholders that Grafana's
 * import replaces with a chosen datasource. Name → plugin id.
 */
export function sharingInputs(dashboard: DashboardModel): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const inputs = dashboard.raw.__inputs;
  if (Array.isArray(inputs)) {
    for (const i of inputs) {
      if (isObject(i) && typeof i.name === 'string' && i.type === 'datasource') {
        out.set(i.name, typeof i.pluginId === 'string' ? i.pluginId : undefined);
      }
    }
  }
  return out;
}
