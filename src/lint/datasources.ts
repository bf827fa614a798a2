import { isObject, type DashboardModel, type DatasourceRef } from '../dashboards/model.js';
import { wholeVariableRef } from '../sql/variables.js';
import type { KnownDatasource } from './types.js';

// Grafana's pseudo datasources (CONTRACTS.md A.2): always resolvable, never in a provisioning file.
export const MIXED_DATASOURCE = '-- Mixed --';
export const DASHBOARD_DATASOURCE = '-- Dashboard --';
export const GRAFANA_DATASOURCE = '-- Grafana --';

const BUILTIN_UIDS: ReadonlySet<string> = new Set([
  MIXED_DATASOURCE,
  DASHBOARD_DATASOURCE,
  GRAFANA_DATASOURCE,
  'grafana',
  '__expr__',
]);
const BUILTIN_TYPES: ReadonlySet<string> = new Set(['datasource', '__expr__', 'grafana']);

export const CLICKHOUSE_TYPE = 'grafana-clickhouse-datasource';
export const ALTINITY_TYPE = 'vertamedia-clickhouse-datasource';
export const REDIS_TYPE = 'redis-datasource';

export function isBuiltinDatasource(ref: DatasourceRef): boolean {
  if (ref.uid !== undefined && BUILTIN_UIDS.has(ref.uid)) return true;
  if (ref.name !== undefined && BUILTIN_UIDS.has(ref.name)) return true;
  return ref.type !== undefined && BUILTIN_TYPES.has(ref.type);
}

export function isMixed(ref: DatasourceRef | undefined): boolean {
  return ref !== undefined && (ref.uid === MIXED_DATASOURCE || ref.name === MIXED_DATASOURCE);
}

export function isDashboardDatasource(ref: DatasourceRef | undefined): boolean {
  return ref !== undefined && (ref.uid === DASHBOARD_DATASOURCE || ref.name === DASHBOARD_DATASOURCE);
}

/** The variable a reference points at (`${ds}` as uid, `$ds` as legacy name), if it is one. */
export function refVariable(ref: DatasourceRef): string | undefined {
  const s = ref.uid ?? ref.name;
  return s === undefined ? undefined : wholeVariableRef(s);
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

/**
 * The plugin type behind a reference: its own `type`, else the provisioned datasource it names, else
 * the plugin a datasource variable (or a sharing input) selects.
 */
export function resolveDatasourceType(
  ref: DatasourceRef | undefined,
  dashboard: DashboardModel,
  known: readonly KnownDatasource[],
): string | undefined {
  if (!ref) return undefined;
  if (ref.type !== undefined) return ref.type;
  const variable = refVariable(ref);
  if (variable !== undefined) {
    const v = dashboard.variables.find((x) => x.name === variable);
    if (v?.type === 'datasource' && typeof v.raw.query === 'string') return v.raw.query;
    return sharingInputs(dashboard).get(variable);
  }
  const hit = known.find(
    (d) => (ref.uid !== undefined && d.uid === ref.uid) || (ref.name !== undefined && d.name === ref.name),
  );
  return hit?.type;
}
