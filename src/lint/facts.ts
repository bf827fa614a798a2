import type { JsonPath } from '../core/types.js';
import {
  isObject,
  type DashboardModel,
  type Json,
  type PanelModel,
  type TargetModel,
  type VariableModel,
} from '../dashboards/model.js';
import { findVariableRefs, type VariableRef } from '../sql/variables.js';
import { interpolatedTargetFields } from './datasources.js';
import { sharingInputs } from '../dashboards/model.js';
import { queryDatasource, resolveDatasourceType, type DatasourceTypes } from '../sql/extract.js';

/** A variable reference in text Grafana interpolates, with where it sits. */
export interface TextRef {
  ref: VariableRef;
  /** Document path of the string holding it. */
  path: JsonPath;
  panel?: PanelModel;
  target?: TargetModel;
  variable?: VariableModel;
  /** Plugin type of the target's datasource, when it can be told. */
  datasourceType?: string;
}

/**
 * What several rules need about one dashboard, computed once and shared (the linter runs over 1,000+
 * dashboards: no rule re-scans what another already scanned).
 */
export class DashboardFacts {
  private _variables?: Map<string, VariableModel>;
  private _inputs?: Map<string, string | undefined>;
  private _inputNames?: Set<string>;
  private _queryRefs?: TextRef[];
  private _usage?: { byName: Map<string, Set<number>>; all: boolean };
  private readonly targetTypes = new Map<TargetModel, string | undefined>();

  constructor(
    readonly dashboard: DashboardModel,
    /** Provisioned datasources' uid and name → plugin type (built once per lint run). */
    private readonly datasourceTypes: DatasourceTypes,
  ) {}

  /**
   * Variables by name (the first one wins when names repeat). A library panel's check model sees the
   * variables of the dashboard that uses it, all of them.
   */
  get variables(): Map<string, VariableModel> {
    if (!this._variables) {
      this._variables = new Map();
      const list = this.dashboard.context?.variables ?? this.dashboard.variables;
      for (const v of list) {
        if (v.name !== undefined && !this._variables.has(v.name)) this._variables.set(v.name, v);
      }
    }
    return this._variables;
  }

  /** `__inputs` datasource placeholders of a dashboard exported for sharing: name → plugin id. */
  get inputs(): Map<string, string | undefined> {
    this._inputs ??= sharingInputs(this.dashboard);
    return this._inputs;
  }

  /** Every `__inputs` name (datasource and constant placeholders the import fills in). */
  get inputNames(): Set<string> {
    if (!this._inputNames) {
      this._inputNames = new Set();
      const inputs = this.dashboard.raw.__inputs;
      if (Array.isArray(inputs)) {
        for (const i of inputs) if (isObject(i) && typeof i.name === 'string') this._inputNames.add(i.name);
      }
    }
    return this._inputNames;
  }

  targetType(target: TargetModel): string | undefined {
    if (!this.targetTypes.has(target)) {
      this.targetTypes.set(
        target,
        resolveDatasourceType(queryDatasource(target.panel, target), this.dashboard, this.datasourceTypes),
      );
    }
    return this.targetTypes.get(target);
  }

  /** Variable references in queries (targets and query variables) and panel titles. */
  get queryRefs(): TextRef[] {
    if (this._queryRefs) return this._queryRefs;
    const out: TextRef[] = [];
    // Paths are built only for strings that hold a reference: most fields are absent or plain.
    const scan = (
      text: unknown,
      base: JsonPath,
      key: string | string[],
      at: Omit<TextRef, 'ref' | 'path'>,
    ) => {
      if (typeof text !== 'string') return;
      const refs = findVariableRefs(text);
      if (refs.length === 0) return;
      const path = base.concat(key);
      for (const ref of refs) out.push({ ref, path, ...at });
    };
    for (const panel of this.dashboard.panels) {
      scan(panel.raw.title, panel.path, 'title', { panel });
      for (const target of panel.targets) {
        const datasourceType = this.targetType(target);
        const at: Omit<TextRef, 'ref' | 'path'> = { panel, target };
        if (datasourceType !== undefined) at.datasourceType = datasourceType;
        for (const field of interpolatedTargetFields(datasourceType))
          scan(target.raw[field], target.path, field, at);
      }
    }
    for (const variable of this.dashboard.variables) {
      if (variable.borrowed) continue;
      const q = variable.raw.query;
      const datasourceType = resolveDatasourceType(variable.datasource, this.dashboard, this.datasourceTypes);
      const at: Omit<TextRef, 'ref' | 'path'> = { variable };
      if (datasourceType !== undefined) at.datasourceType = datasourceType;
      // A datasource variable's query is a plugin id, an interval/custom variable's a list of values.
      if (variable.type !== 'query') continue;
      if (typeof q === 'string') scan(q, variable.path, 'query', at);
      else if (isObject(q)) {
        for (const key of ['query', 'rawSql', 'expr']) scan(q[key], variable.path, ['query', key], at);
      }
    }
    this._queryRefs = out;
    return out;
  }

  /**
   * Which variables anything refers to: every string of the dashboard is scanned (queries, titles,
   * links, text panels, field config, other variables, datasource refs), plus panel `repeat`.
   * Names map to the indexes of the variables whose own definition holds the reference (-1 outside
   * templating), so a variable that only mentions itself is still unused.
   */
  get usage(): { byName: Map<string, Set<number>>; all: boolean } {
    if (this._usage) return this._usage;
    const byName = new Map<string, Set<number>>();
    let all = false;
    const use = (name: string, owner: number) => {
      let owners = byName.get(name);
      if (!owners) byName.set(name, (owners = new Set()));
      owners.add(owner);
    };
    const walk = (v: Json, owner: number) => {
      if (typeof v === 'string') {
        for (const ref of findVariableRefs(v)) {
          if (ref.name === '__all_variables') all = true;
          else use(ref.name, owner);
        }
      } else if (Array.isArray(v)) {
        for (const x of v) walk(x, owner);
      } else if (isObject(v)) {
        if (typeof v.repeat === 'string' && v.repeat !== '') use(v.repeat, owner);
        // Dashboard links with includeVars carry every variable to the linked dashboard.
        if (v.includeVars === true && owner === -1) all = true;
        for (const key in v) {
          if (key === 'templating' && v === this.dashboard.raw) continue;
          walk(v[key]!, owner);
        }
      }
    };
    walk(this.dashboard.raw, -1);
    // A library panel shown here uses this dashboard's variables from its own file.
    for (const panel of this.dashboard.panels) {
      const library = panel.libraryPanel?.resolved;
      if (library) walk(library.raw, -1);
    }
    const list = isObject(this.dashboard.raw.templating) ? this.dashboard.raw.templating.list : undefined;
    if (Array.isArray(list)) list.forEach((v, i) => walk(v, i));
    this._usage = { byName, all };
    return this._usage;
  }
}
