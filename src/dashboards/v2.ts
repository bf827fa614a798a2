import type { JsonPath } from '../core/types.js';
import { MappedDoc, PathMap } from './mapped-doc.js';
import { buildDashboard, isObject, str, type DashboardFormat, type DashboardModel, type Json, type JsonObject } from './model.js';
import type { SourceDocument } from './source.js';

// Dashboard schema v2 (dashboard.grafana.app v2alpha1, v2beta1, v2) normalised into the classic model,
// the way Grafana's own v2 → v1 conversion reads it (apps/dashboard/pkg/migration/conversion/
// v2alpha1_to_v1beta1.go, v2beta1_to_v2alpha1.go), so the rules, the SQL extraction and the
// interpolation read one model. Each classic path is mapped back to where the value is in the file.
//
// Differences between the versions that matter here:
// - v2alpha1: a query is `{kind: <datasource type>, spec}` with the datasource `{type, uid}` next to it
//   (PanelQuerySpec.datasource); the visualization is `vizConfig.kind`.
// - v2beta1 and v2: a query is `{kind: "DataQuery", group: <datasource type>, datasource: {name: <uid>},
//   spec}`; the visualization is `vizConfig.group`.

/** A query spec holding what was a plain string query in v1 (Grafana's LEGACY_STRING_VALUE_KEY). */
const LEGACY_STRING_VALUE_KEY = '__legacyStringValue';

const VARIABLE_TYPES: Readonly<Record<string, string>> = {
  QueryVariable: 'query',
  TextVariable: 'textbox',
  ConstantVariable: 'constant',
  DatasourceVariable: 'datasource',
  IntervalVariable: 'interval',
  CustomVariable: 'custom',
  GroupByVariable: 'groupby',
  AdhocVariable: 'adhoc',
  SwitchVariable: 'switch',
};
const HIDE: Readonly<Record<string, number>> = { dontHide: 0, hideLabel: 1, hideVariable: 2 };
const REFRESH: Readonly<Record<string, number>> = { never: 0, onDashboardLoad: 1, onTimeRangeChanged: 2 };
const SORT: Readonly<Record<string, number>> = {
  disabled: 0,
  alphabeticalAsc: 1,
  alphabeticalDesc: 2,
  numericalAsc: 3,
  numericalDesc: 4,
  alphabeticalCaseInsensitiveAsc: 5,
  alphabeticalCaseInsensitiveDesc: 6,
  naturalAsc: 7,
  naturalDesc: 8,
};
const CURSOR_SYNC: Readonly<Record<string, number>> = { Off: 0, Crosshair: 1, Tooltip: 2 };
const QUERY_OPTIONS = [
  'interval',
  'maxDataPoints',
  'timeFrom',
  'timeShift',
  'cacheTimeout',
  'hideTimeOverride',
  'queryCachingTTL',
] as const;

const obj = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

interface QueryParts {
  /** The query's own fields (the classic target minus refId, hide, datasource). */
  spec: JsonObject;
  specPath: JsonPath;
  datasource?: JsonObject;
  datasourcePath: JsonPath;
}

/** A v2 DataQuery (and, in v2alpha1, its sibling datasource) as classic target fields. */
function queryParts(holder: JsonObject, holderPath: JsonPath): QueryParts {
  const query = obj(holder.query);
  const queryPath = [...holderPath, 'query'];
  const spec = obj(query.spec);
  const specPath = [...queryPath, 'spec'];
  const beta = query.kind === 'DataQuery' || typeof query.group === 'string';
  let type: string | undefined;
  let uid: string | undefined;
  let datasourcePath: JsonPath;
  if (beta) {
    type = str(query.group);
    uid = str(obj(query.datasource).name);
    datasourcePath = isObject(query.datasource) ? [...queryPath, 'datasource'] : [...queryPath, 'group'];
  } else {
    const ds = obj(holder.datasource);
    type = str(ds.type) ?? str(query.kind);
    uid = str(ds.uid);
    datasourcePath = isObject(holder.datasource) ? [...holderPath, 'datasource'] : [...queryPath, 'kind'];
  }
  const parts: QueryParts = { spec, specPath, datasourcePath };
  if ((type !== undefined && type !== '') || uid !== undefined) {
    const ds: JsonObject = {};
    if (type !== undefined && type !== '') ds.type = type;
    if (uid !== undefined) ds.uid = uid;
    parts.datasource = ds;
  }
  return parts;
}

class Converter {
  readonly paths = new PathMap();
  readonly panels: Json[] = [];
  private readonly placed = new Set<string>();

  constructor(
    private readonly spec: JsonObject,
    private readonly S: JsonPath,
  ) {}

  private map(model: JsonPath, original: JsonPath): void {
    this.paths.set(model, original);
  }

  /** A classic panel from an element, at model path `P`, laid out by the item at `L` (if any). */
  private panel(name: string, P: JsonPath, item?: { spec: JsonObject; path: JsonPath; grid: boolean }): JsonObject {
    const E = [...this.S, 'elements', name];
    const element = obj(obj(this.spec.elements)[name]);
    const spec = obj(element.spec);
    this.map(P, [...E, 'spec']);
    const out: JsonObject = {};
    if (typeof spec.id === 'number') out.id = spec.id;
    if (typeof spec.title === 'string') out.title = spec.title;
    if (element.kind === 'LibraryPanel') {
      out.libraryPanel = obj(spec.libraryPanel);
    } else {
      if (typeof spec.description === 'string') out.description = spec.description;
      if (spec.transparent !== undefined) out.transparent = spec.transparent;
      if (spec.links !== undefined) out.links = spec.links;
      const viz = obj(spec.vizConfig);
      const vizPath = [...E, 'spec', 'vizConfig'];
      const vizBeta = viz.kind === 'VizConfig' || typeof viz.group === 'string';
      const type = vizBeta ? str(viz.group) : str(viz.kind);
      if (type !== undefined) out.type = type;
      this.map([...P, 'type'], [...vizPath, vizBeta ? 'group' : 'kind']);
      const vizSpec = obj(viz.spec);
      if (vizSpec.options !== undefined) out.options = vizSpec.options;
      if (vizSpec.fieldConfig !== undefined) out.fieldConfig = vizSpec.fieldConfig;
      this.map([...P, 'options'], [...vizPath, 'spec', 'options']);
      this.map([...P, 'fieldConfig'], [...vizPath, 'spec', 'fieldConfig']);
      const data = obj(obj(spec.data).spec);
      const D = [...E, 'spec', 'data', 'spec'];
      if (data.transformations !== undefined) out.transformations = data.transformations;
      this.map([...P, 'transformations'], [...D, 'transformations']);
      const options = obj(data.queryOptions);
      for (const key of QUERY_OPTIONS) {
        if (options[key] !== undefined) out[key] = options[key];
        this.map([...P, key], [...D, 'queryOptions', key]);
      }
      this.map([...P, 'targets'], [...D, 'queries']);
      out.targets = arr(data.queries).map((q, i) => {
        const Q = [...D, 'queries', i, 'spec'];
        const T = [...P, 'targets', i];
        const qs = obj(obj(q).spec);
        const parts = queryParts(qs, Q);
        const target: JsonObject = {};
        for (const [k, v] of Object.entries(parts.spec)) {
          if (k === LEGACY_STRING_VALUE_KEY) target.query = v;
          else target[k] = v;
        }
        this.map(T, parts.specPath);
        if (LEGACY_STRING_VALUE_KEY in parts.spec)
          this.map([...T, 'query'], [...parts.specPath, LEGACY_STRING_VALUE_KEY]);
        if (typeof qs.refId === 'string') target.refId = qs.refId;
        this.map([...T, 'refId'], [...Q, 'refId']);
        if (qs.hidden === true) target.hide = true;
        this.map([...T, 'hide'], [...Q, 'hidden']);
        if (parts.datasource) target.datasource = parts.datasource;
        this.map([...T, 'datasource'], parts.datasourcePath);
        return target;
      });
    }
    if (item) {
      const L = item.path;
      if (item.grid) {
        const s = item.spec;
        out.gridPos = { x: s.x ?? 0, y: s.y ?? 0, w: s.width ?? 0, h: s.height ?? 0 };
        this.map([...P, 'gridPos'], L);
        this.map([...P, 'gridPos', 'x'], [...L, 'x']);
        this.map([...P, 'gridPos', 'y'], [...L, 'y']);
        this.map([...P, 'gridPos', 'w'], [...L, 'width']);
        this.map([...P, 'gridPos', 'h'], [...L, 'height']);
      }
      const repeat = obj(item.spec.repeat);
      if (typeof repeat.value === 'string' && repeat.value !== '') {
        out.repeat = repeat.value;
        this.map([...P, 'repeat'], [...L, 'repeat', 'value']);
      }
    }
    return out;
  }

  /** Walks a layout: grid and auto-grid items place elements; each row and tab becomes a row panel. */
  layout(layout: JsonObject, path: JsonPath, row?: { raw: JsonObject; path: JsonPath }): void {
    const spec = obj(layout.spec);
    const kind = str(layout.kind);
    if (kind === 'GridLayout' || kind === 'AutoGridLayout') {
      arr(spec.items).forEach((it, i) => {
        const itemSpec = obj(obj(it).spec);
        const name = str(obj(itemSpec.element).name);
        if (name === undefined || this.placed.has(name)) return;
        this.placed.add(name);
        const itemPath = [...path, 'spec', 'items', i, 'spec'];
        this.place(name, { spec: itemSpec, path: itemPath, grid: kind === 'GridLayout' }, row);
      });
    } else if (kind === 'RowsLayout' || kind === 'TabsLayout') {
      const list = kind === 'RowsLayout' ? 'rows' : 'tabs';
      arr(spec[list]).forEach((r, i) => {
        const rowSpec = obj(obj(r).spec);
        const rowPath = [...path, 'spec', list, i, 'spec'];
        // Every row and tab lays its panels out on a grid of its own: one classic row panel each,
        // holding its panels (the grid-layout rule checks each row's panels against each other).
        const rowRaw: JsonObject = { type: 'row', collapsed: rowSpec.collapse === true, panels: [] };
        if (typeof rowSpec.title === 'string') rowRaw.title = rowSpec.title;
        const repeat = obj(rowSpec.repeat);
        if (typeof repeat.value === 'string' && repeat.value !== '') rowRaw.repeat = repeat.value;
        const P = ['panels', this.panels.length];
        this.panels.push(rowRaw);
        this.map(P, rowPath);
        this.map([...P, 'repeat'], [...rowPath, 'repeat', 'value']);
        this.layout(obj(rowSpec.layout), [...rowPath, 'layout'], { raw: rowRaw, path: P });
      });
    }
  }

  place(name: string, item: { spec: JsonObject; path: JsonPath; grid: boolean } | undefined, row?: { raw: JsonObject; path: JsonPath }): void {
    if (row) {
      const list = row.raw.panels as Json[];
      list.push(this.panel(name, [...row.path, 'panels', list.length], item));
    } else {
      this.panels.push(this.panel(name, ['panels', this.panels.length], item));
    }
  }

  /** Elements no layout item places: still panels of the dashboard (Grafana's conversion refuses to lose them). */
  rest(): void {
    for (const name of Object.keys(obj(this.spec.elements))) {
      if (this.placed.has(name)) continue;
      this.placed.add(name);
      this.place(name, undefined);
    }
  }

  variable(v: Json, i: number): JsonObject {
    const kind = str(obj(v).kind) ?? '';
    const spec = obj(obj(v).spec);
    const V = [...this.S, 'variables', i, 'spec'];
    const M = ['templating', 'list', i];
    this.map(M, V);
    const out: JsonObject = { ...spec, type: VARIABLE_TYPES[kind] ?? kind };
    this.map([...M, 'type'], [...this.S, 'variables', i, 'kind']);
    if (typeof spec.hide === 'string') out.hide = HIDE[spec.hide] ?? 0;
    if (typeof spec.refresh === 'string') out.refresh = REFRESH[spec.refresh] ?? 0;
    if (typeof spec.sort === 'string') out.sort = SORT[spec.sort] ?? 0;
    if (kind === 'QueryVariable') {
      const parts = queryParts(spec, V);
      out.query =
        typeof parts.spec[LEGACY_STRING_VALUE_KEY] === 'string' ? parts.spec[LEGACY_STRING_VALUE_KEY] : parts.spec;
      this.map([...M, 'query'], LEGACY_STRING_VALUE_KEY in parts.spec ? [...parts.specPath, LEGACY_STRING_VALUE_KEY] : parts.specPath);
      if (parts.datasource) out.datasource = parts.datasource;
      else delete out.datasource;
      this.map([...M, 'datasource'], parts.datasourcePath);
    } else if (kind === 'DatasourceVariable') {
      out.query = spec.pluginId ?? '';
      this.map([...M, 'query'], [...V, 'pluginId']);
    }
    return out;
  }

  annotation(a: Json, i: number): JsonObject {
    const spec = obj(obj(a).spec);
    const A = [...this.S, 'annotations', i, 'spec'];
    const M = ['annotations', 'list', i];
    this.map(M, A);
    const parts = queryParts(spec, A);
    const out: JsonObject = { ...obj(spec.legacyOptions) };
    for (const key of ['name', 'enable', 'hide', 'iconColor', 'builtIn', 'filter'] as const) {
      if (spec[key] !== undefined) out[key] = spec[key];
    }
    if (Object.keys(parts.spec).length > 0) out.target = parts.spec;
    this.map([...M, 'target'], parts.specPath);
    if (parts.datasource) out.datasource = parts.datasource;
    this.map([...M, 'datasource'], parts.datasourcePath);
    return out;
  }
}

/** The classic dashboard of a v2 resource and the map from its paths to the resource's. */
function convert(resource: JsonObject): { raw: JsonObject; paths: PathMap } {
  const spec = obj(resource.spec);
  const S = ['spec'];
  const c = new Converter(spec, S);
  c.paths.set([], S);
  const raw: JsonObject = {};
  const name = str(obj(resource.metadata).name);
  if (name !== undefined) raw.uid = name;
  c.paths.set(['uid'], ['metadata', 'name']);
  for (const key of ['title', 'description', 'tags', 'editable', 'liveNow', 'links', 'preload', 'revision'] as const) {
    if (spec[key] !== undefined) raw[key] = spec[key];
  }
  if (typeof spec.cursorSync === 'string') raw.graphTooltip = CURSOR_SYNC[spec.cursorSync] ?? 0;
  c.paths.set(['graphTooltip'], [...S, 'cursorSync']);

  const ts = obj(spec.timeSettings);
  const T = [...S, 'timeSettings'];
  raw.time = { from: ts.from ?? 'now-6h', to: ts.to ?? 'now' };
  c.paths.set(['time'], T);
  c.paths.set(['time', 'from'], [...T, 'from']);
  c.paths.set(['time', 'to'], [...T, 'to']);
  if (ts.autoRefresh !== undefined) raw.refresh = ts.autoRefresh;
  c.paths.set(['refresh'], [...T, 'autoRefresh']);
  for (const key of ['timezone', 'fiscalYearStartMonth', 'weekStart'] as const) {
    if (ts[key] !== undefined) raw[key] = ts[key];
    c.paths.set([key], [...T, key]);
  }
  const timepicker: JsonObject = {};
  if (ts.autoRefreshIntervals !== undefined) timepicker.refresh_intervals = ts.autoRefreshIntervals;
  if (ts.hideTimepicker !== undefined) timepicker.hidden = ts.hideTimepicker;
  if (ts.nowDelay !== undefined) timepicker.nowDelay = ts.nowDelay;
  raw.timepicker = timepicker;
  c.paths.set(['timepicker'], T);
  c.paths.set(['timepicker', 'refresh_intervals'], [...T, 'autoRefreshIntervals']);
  c.paths.set(['timepicker', 'hidden'], [...T, 'hideTimepicker']);

  raw.templating = { list: arr(spec.variables).map((v, i) => c.variable(v, i)) };
  c.paths.set(['templating'], [...S, 'variables']);
  c.paths.set(['templating', 'list'], [...S, 'variables']);
  raw.annotations = { list: arr(spec.annotations).map((a, i) => c.annotation(a, i)) };
  c.paths.set(['annotations'], [...S, 'annotations']);
  c.paths.set(['annotations', 'list'], [...S, 'annotations']);

  c.layout(obj(spec.layout), [...S, 'layout']);
  c.rest();
  raw.panels = c.panels;
  c.paths.set(['panels'], [...S, 'elements']);
  return { raw, paths: c.paths };
}

/**
 * The classic model of a schema v2 resource: `metadata.name` is the uid, `spec` holds the dashboard.
 * Paths in the returned model are classic paths; its doc translates them to the file.
 */
export function buildV2Dashboard(
  doc: SourceDocument,
  resource: JsonObject,
  format: DashboardFormat,
): DashboardModel {
  const { raw } = convert(resource);
  const mapped = new MappedDoc(doc, () => convert(resource).paths);
  const dash = buildDashboard(doc.file, mapped, raw, [], format);
  dash.uidPath = ['uid'];
  return dash;
}
