import type { DatasourceRef } from '../dashboards/model.js';
import { MIXED_DATASOURCE, isMixedDatasource } from '../sql/extract.js';
import { wholeVariableRef } from '../sql/variables.js';
import { inputPlaceholder } from '../dashboards/inputs.js';

// Grafana's pseudo datasources (CONTRACTS.md A.2): always resolvable, never in a provisioning file.
export { MIXED_DATASOURCE };
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

export const isMixed = isMixedDatasource;

export function isDashboardDatasource(ref: DatasourceRef | undefined): boolean {
  return ref !== undefined && (ref.uid === DASHBOARD_DATASOURCE || ref.name === DASHBOARD_DATASOURCE);
}

/**
 * The variable a reference points at (`${ds}` as uid, `$ds` as legacy name), if it is one; or the
 * import input it names (`${DS_CK-LOGS}`), when `inputs` (the `__inputs` names) declares it.
 */
export function refVariable(ref: DatasourceRef, inputs?: ReadonlySet<string>): string | undefined {
  const s = ref.uid ?? ref.name;
  if (s === undefined) return undefined;
  // A declared input first: its name may hold any character (`${DS_CK-LOGS}`, `${DS.X}`).
  const input = inputs ? inputPlaceholder(s) : undefined;
  if (input !== undefined && inputs!.has(input)) return input;
  return wholeVariableRef(s);
}

/** Target fields Grafana interpolates for a datasource whose plugin dashboard-ci does not know. */
const GENERIC_TEXT_FIELDS: readonly string[] = [
  'rawSql',
  'query',
  'expr',
  'keyName',
  'field',
  'filter',
  'legend',
  'legendFormat',
];

/**
 * The target fields each plugin sends and interpolates: only these are linted, so a field left over
 * from another plugin (an Altinity target's old `rawSql`) is never judged.
 * - grafana-clickhouse-datasource: `rawSql` (CHDatasource.applyTemplateVariables, CONTRACTS.md C.4).
 * - vertamedia-clickhouse-datasource: `query` (pkg/eval/eval_query.go EvalQuery reads `query`, C.6).
 * - redis-datasource: RD applyTemplateVariables (E).
 * - prometheus / loki: `expr` and `legendFormat`.
 */
const PLUGIN_TEXT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  [CLICKHOUSE_TYPE]: ['rawSql'],
  [ALTINITY_TYPE]: ['query'],
  [REDIS_TYPE]: ['keyName', 'query', 'field', 'filter', 'legend', 'value', 'path', 'cypher'],
  prometheus: ['expr', 'legendFormat'],
  loki: ['expr', 'legendFormat'],
};

export function interpolatedTargetFields(type: string | undefined): readonly string[] {
  return (type !== undefined ? PLUGIN_TEXT_FIELDS[type] : undefined) ?? GENERIC_TEXT_FIELDS;
}
