import type { JsonPath } from '../core/types.js';
import type { SourceDoc } from './source.js';

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

export interface PanelModel {
  path: JsonPath;
  raw: JsonObject;
  id?: number;
  type?: string;
  title?: string;
  datasource?: DatasourceRef;
  targets: TargetModel[];
  /** The collapsed or expanded row this panel sits under, if any. */
  row?: PanelModel;
  /** True for panels stored inside a collapsed row's `panels`. */
  nested: boolean;
}

export interface VariableModel {
  path: JsonPath;
  raw: JsonObject;
  name?: string;
  type?: string;
  datasource?: DatasourceRef;
}

export interface DashboardModel {
  file: string;
  doc: SourceDoc;
  raw: JsonObject;
  /**
   * Where the dashboard object sits in the file: `[]` for a plain dashboard, `['dashboard']` for
   * Grafana's API/export wrapper `{ "dashboard": {...}, "meta": {...} }`. Every path in the model
   * (panels, targets, variables) already starts with it, so `doc.locate(path)` works unchanged.
   */
  root: JsonPath;
  uid?: string;
  title?: string;
  refresh?: string;
  /** Every panel, including those nested in collapsed rows, in document order. */
  panels: PanelModel[];
  variables: VariableModel[];
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function buildPanel(raw: JsonObject, path: JsonPath, nested: boolean, row?: PanelModel): PanelModel {
  const panel: PanelModel = { path, raw, targets: [], nested };
  if (typeof raw.id === 'number') panel.id = raw.id;
  const type = str(raw.type);
  if (type !== undefined) panel.type = type;
  const title = str(raw.title);
  if (title !== undefined) panel.title = title;
  const ds = toDatasourceRef(raw.datasource);
  if (ds) panel.datasource = ds;
  if (row) panel.row = row;
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
  doc: SourceDoc,
  raw: JsonObject,
  root: JsonPath = [],
): DashboardModel {
  const dash: DashboardModel = { file, doc, raw, root, panels: [], variables: [] };
  const uid = str(raw.uid);
  if (uid !== undefined) dash.uid = uid;
  const title = str(raw.title);
  if (title !== undefined) dash.title = title;
  const refresh = str(raw.refresh);
  if (refresh !== undefined) dash.refresh = refresh;

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
