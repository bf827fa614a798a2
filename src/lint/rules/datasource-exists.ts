import type { JsonPath } from '../../core/types.js';
import {
  isObject,
  toDatasourceRef,
  type DatasourceRef,
  type Json,
  type PanelModel,
  type TargetModel,
  type VariableModel,
} from '../../dashboards/model.js';
import { inputPlaceholder } from '../../dashboards/inputs.js';
import { createRule } from '../create-rule.js';
import { queryDatasource } from '../../sql/extract.js';
import { isBuiltinDatasource, isDashboardDatasource, isMixed, refVariable } from '../datasources.js';
import type { KnownDatasource } from '../types.js';

/** Grafana's provisioning expands `$VAR`, `${VAR}` and `$__env{VAR}` (and `$__file{}`, `$__vault{}`) in values. */
const ENV_REFERENCE = /\$(?:\w+|\{[^}]+\}|__\w+\{[^}]*\})/;

/** Two references to the same datasource as written (the panel's reference already reports it). */
function sameRef(a: DatasourceRef | undefined, b: DatasourceRef | undefined): boolean {
  return a !== undefined && b !== undefined && (a.uid ?? a.name) === (b.uid ?? b.name);
}

function listKnown(known: readonly KnownDatasource[]): string {
  const names = known.map((d) => (d.uidFromName ? `${d.name} (${d.uid})` : (d.uid ?? d.name ?? '?')));
  if (names.length === 0) return 'none';
  return names.length > 6 ? `${names.slice(0, 6).join(', ')}, …` : names.join(', ');
}

export default createRule({
  id: 'datasource-exists',
  scope: 'dashboard',
  meta: {
    description:
      'Every datasource reference resolves: a provisioned datasource, a datasource variable, or a Grafana built-in.',
    severity: 'error',
    messages: {
      unknownUid: 'datasource uid "{{uid}}" is not a provisioned datasource (known: {{known}})',
      unknownName: 'datasource "{{name}}" is not a provisioned datasource (known: {{known}})',
      maybeFromEnv:
        'datasource "{{ref}}" matches no provisioned datasource here; it may be the one provisioned as "{{env}}", whose value comes from the environment where Grafana runs',
      noneOfType: 'no provisioned datasource has type "{{type}}"',
      typeMismatch: 'datasource "{{uid}}" is a {{actual}}, but the reference says {{type}}',
      undefinedVariable: 'datasource refers to ${{name}}, which is not a variable of this dashboard',
      notDatasourceVariable:
        'datasource refers to ${{name}}, a {{type}} variable, not a datasource variable: it resolves only if its values are datasource uids',
      variableTypeMismatch:
        'datasource variable ${{name}} selects {{actual}} datasources, but the reference says {{type}}',
      mixedTarget: 'the panel uses "-- Mixed --" but this query names no datasource of its own',
      replacedByPanel:
        'this query names datasource "{{ref}}", which is not provisioned; Grafana runs it on the panel\'s datasource instead, as it does every query of a panel that is not -- Mixed --',
      dashboardPanelMissing: 'reads the results of panel {{panelId}}, which is not in this dashboard',
      dashboardPanelSelf: 'reads the results of its own panel',
    },
    help:
      'A reference Grafana cannot resolve renders "datasource not found" and no data. Reference a datasource ' +
      'from datasources/*.yaml by uid, a datasource-type template variable (${ds}), or a built-in ' +
      '(-- Mixed --, -- Dashboard --, -- Grafana --, __expr__). When no datasources file is found, only ' +
      'variable references are checked.',
  },
  create(context) {
    const { dashboard, facts, datasources, datasourcesKnown } = context;
    const byUid = new Map<string, KnownDatasource>();
    const byName = new Map<string, KnownDatasource>();
    const types = new Set<string>();
    for (const d of datasources) {
      if (d.uid !== undefined) byUid.set(d.uid, d);
      if (d.name !== undefined) byName.set(d.name, d);
      if (d.type !== undefined) types.add(d.type);
    }
    const known = listKnown(datasources);

    const check = (
      raw: Json | undefined,
      path: JsonPath,
      at: { panel?: PanelModel; target?: TargetModel; variable?: VariableModel },
      /** A query of a panel whose own datasource runs it: its reference matters only as a stale note. */
      replaced = false,
    ) => {
      const ref = toDatasourceRef(raw);
      if (!ref || isBuiltinDatasource(ref)) return;
      // An export's `${DS_…}` input is filled when it is imported or provisioned (shared-export-input checks that).
      const input = inputPlaceholder(ref.uid ?? ref.name);
      if (input !== undefined && facts.inputNames.has(input)) return;
      if (replaced) {
        const key = ref.uid ?? ref.name;
        if (key === undefined || refVariable(ref, facts.inputNames) !== undefined) return;
        if (!datasourcesKnown || byUid.has(key) || byName.has(key)) return;
        context.report({
          messageId: 'replacedByPanel',
          data: { ref: key },
          path: isObject(raw) && ref.uid !== undefined ? [...path, 'uid'] : path,
          severity: 'info',
          ...at,
        });
        return;
      }
      const valuePath = isObject(raw) && ref.uid !== undefined ? [...path, 'uid'] : path;
      const name = refVariable(ref, facts.inputNames);
      if (name !== undefined) {
        const v = facts.variables.get(name);
        if (v) {
          if (v.type !== 'datasource') {
            // Grafana interpolates any variable into a uid, so this works when the values are uids:
            // a warning, not an error.
            context.report({
              messageId: 'notDatasourceVariable',
              data: { name, type: v.type ?? 'untyped' },
              path: valuePath,
              severity: 'warning',
              ...at,
            });
          } else if (
            ref.type !== undefined &&
            typeof v.raw.query === 'string' &&
            v.raw.query !== '' &&
            v.raw.query !== ref.type
          ) {
            context.report({
              messageId: 'variableTypeMismatch',
              data: { name, actual: v.raw.query, type: ref.type },
              path: valuePath,
              ...at,
            });
          }
        } else if (!facts.inputs.has(name)) {
          context.report({ messageId: 'undefinedVariable', data: { name }, path: valuePath, ...at });
        }
        return;
      }
      if (!datasourcesKnown) return;
      // Grafana's lookup takes a uid, then falls back to a name.
      const key = ref.uid ?? ref.name;
      if (key !== undefined) {
        const hit = byUid.get(key) ?? byName.get(key);
        if (!hit) {
          // A uid or name from the environment ($VAR, ${VAR}, $__env{VAR}) is known only where Grafana
          // runs: the reference may be that datasource, so it is a warning naming it.
          const fromEnv = datasources.find(
            (d) =>
              (ref.type === undefined || d.type === undefined || d.type === ref.type) &&
              [d.uid, d.name].some((v) => v !== undefined && ENV_REFERENCE.test(v)),
          );
          if (fromEnv) {
            context.report({
              messageId: 'maybeFromEnv',
              data: { ref: key, env: fromEnv.uid ?? fromEnv.name ?? '?' },
              path: valuePath,
              severity: 'warning',
              ...at,
            });
            return;
          }
          context.report(
            ref.uid !== undefined
              ? { messageId: 'unknownUid', data: { uid: key, known }, path: valuePath, ...at }
              : { messageId: 'unknownName', data: { name: key, known }, path: valuePath, ...at },
          );
        } else if (ref.type !== undefined && hit.type !== undefined && hit.type !== ref.type) {
          context.report({
            messageId: 'typeMismatch',
            data: { uid: key, actual: hit.type, type: ref.type },
            path: valuePath,
            ...at,
          });
        }
        return;
      }
      if (ref.type !== undefined && !types.has(ref.type)) {
        context.report({ messageId: 'noneOfType', data: { type: ref.type }, path, ...at });
      }
    };

    return () => {
      const panelIds = new Set<number>();
      for (const p of dashboard.panels) if (p.id !== undefined) panelIds.add(p.id);
      for (const panel of dashboard.panels) {
        check(panel.raw.datasource, [...panel.path, 'datasource'], { panel });
        for (const target of panel.targets) {
          const own = target.raw.datasource;
          if (own !== undefined && own !== null) {
            // Grafana runs a query of a panel with its own (not Mixed) datasource on the panel's.
            const runsOn = queryDatasource(panel, target);
            const replaced = runsOn !== undefined && runsOn === panel.datasource;
            if (!replaced || !sameRef(toDatasourceRef(own), panel.datasource))
              check(own, [...target.path, 'datasource'], { target }, replaced);
          } else if (isMixed(panel.datasource)) context.report({ messageId: 'mixedTarget', target });
          if (isDashboardDatasource(target.datasource) && typeof target.raw.panelId === 'number') {
            const panelId = target.raw.panelId;
            if (panelId === panel.id) {
              context.report({ messageId: 'dashboardPanelSelf', target, path: [...target.path, 'panelId'] });
            } else if (!panelIds.has(panelId)) {
              context.report({
                messageId: 'dashboardPanelMissing',
                data: { panelId },
                target,
                path: [...target.path, 'panelId'],
              });
            }
          }
        }
      }
      for (const variable of dashboard.variables) {
        if (!variable.borrowed)
          check(variable.raw.datasource, [...variable.path, 'datasource'], { variable });
      }
      const annotations = isObject(dashboard.raw.annotations) ? dashboard.raw.annotations.list : undefined;
      if (Array.isArray(annotations)) {
        annotations.forEach((a, i) => {
          if (isObject(a))
            check(a.datasource, [...dashboard.root, 'annotations', 'list', i, 'datasource'], {});
        });
      }
    };
  },
});
