// One panel with the columns EXPLAIN would give its queries, as the SQL checker hands panels to the
// result-shape rules (panel-data-shape, field-reference), without the engine.

import type { QueryColumn, QueryRecord } from '../../src/core/types.js';
import { parseDashboard } from '../../src/dashboards/load.js';
import { knownPanels, type KnownPanel, type TargetResult } from '../../src/check/panel-columns.js';

export const CH = 'grafana-clickhouse-datasource';
export const ALTINITY = 'vertamedia-clickhouse-datasource';

/** `name Type, name Type` → columns (a type may hold spaces after its first comma-free part). */
export function cols(spec: string): QueryColumn[] {
  return spec.split(/,(?![^(]*\))/).map((s) => {
    const [name, ...type] = s.trim().split(' ');
    return { name: name!, type: type.join(' ') };
  });
}

export interface PanelCase {
  panel: Record<string, unknown>;
  /** Columns per target, in order; `null`: a target without known columns. */
  columns: (QueryColumn[] | null)[];
  datasource?: string;
}

/** The known panels of a one-panel dashboard `d.json` (empty when a query's columns are not known). */
export function knownPanel(c: PanelCase): KnownPanel[] {
  const targets = c.columns.map((_, i) => ({ refId: String.fromCharCode(65 + i), rawSql: 'SELECT 1' }));
  const text = JSON.stringify({ uid: 'u', title: 'T', panels: [{ id: 1, title: 'P', targets, ...c.panel }] });
  const dash = parseDashboard('d.json', text).dashboard!;
  const byTarget = new Map<object, TargetResult>();
  dash.panels[0]!.targets.forEach((t, i) => {
    const record = { status: 'ok' } as QueryRecord;
    const cs = c.columns[i];
    if (cs) record.columns = cs;
    byTarget.set(t, { record, datasourceType: c.datasource ?? CH, hidden: false });
  });
  return knownPanels([dash], byTarget);
}
