import { createRule } from '../create-rule.js';
import { variableNameRules } from '../../sql/macros.js';
import { SEARCH_FILTER, isBuiltinVariable, isLeftToDatasource } from '../../sql/variables.js';
import { ALTINITY_TYPE } from '../datasources.js';
import { didYouMean } from '../suggest.js';

export default createRule({
  id: 'undefined-variable',
  scope: 'dashboard',
  meta: {
    description:
      'Every $var, ${var}, ${var:format} and [[var]] in a query or panel title is a dashboard variable or a Grafana built-in.',
    severity: 'error',
    messages: {
      undefined: '{{ref}} is not a variable of this dashboard{{hint}}',
      undefinedIn:
        '{{ref}} is not a variable of dashboard "{{dashboard}}", which shows this library panel{{hint}}',
    },
    help:
      'Grafana leaves an unknown variable in the text as is, so the query reaches the datasource with a ' +
      'literal "$name" in it and fails or filters on the wrong value. Define the variable under ' +
      'templating.list or fix the name. Built-ins ($__from, $__interval, ${__user.login}, ...), the ' +
      'datasource macros ($__timeFilter(...) for grafana-clickhouse-datasource, $timeFilter, $table, ... for ' +
      'vertamedia-clickhouse-datasource) and, for other datasources, every $__ name are known. A library ' +
      "panel's queries are checked against the variables of each dashboard that shows it.",
  },
  create(context) {
    const { facts, dashboard } = context;
    // A library panel's variables are those of each dashboard that shows it (none used: nothing to judge by).
    const users = [...new Set(dashboard.libraryPanel?.usedBy.map((u) => u.dashboard) ?? [])];
    const scopes = dashboard.libraryPanel
      ? users.map((d) => ({ dashboard: d, facts: context.factsOf(d) }))
      : [{ dashboard: undefined, facts }];
    return () => {
      const altinity = variableNameRules(ALTINITY_TYPE);
      for (const t of facts.queryRefs) {
        const { name } = t.ref;
        if (isBuiltinVariable(name)) continue;
        // The Altinity plugin gives its variable queries `$__searchFilter` ('%' until something is typed).
        if (name === SEARCH_FILTER && t.variable && t.datasourceType === ALTINITY_TYPE) continue;
        // What interpolation leaves to the datasource (its macros) is no variable; the linter and the
        // SQL interpolation judge by the same rules.
        if (isLeftToDatasource(t.ref, variableNameRules(t.datasourceType))) continue;
        // A target whose datasource cannot be told may be an Altinity one, which expands its own $macros.
        if (t.target && t.datasourceType === undefined && isLeftToDatasource(t.ref, altinity)) continue;
        for (const scope of scopes) {
          const names = scope.facts.variables;
          if (names.has(name) || scope.facts.inputNames.has(name) || facts.inputNames.has(name)) continue;
          const suggestion = didYouMean(name, names.keys());
          const ref =
            t.ref.syntax === '$' ? `$${name}` : t.ref.syntax === '[[]]' ? `[[${name}]]` : `\${${name}}`;
          const at: { panel?: typeof t.panel; target?: typeof t.target; variable?: typeof t.variable } = {};
          if (t.target) at.target = t.target;
          else if (t.panel) at.panel = t.panel;
          if (t.variable) at.variable = t.variable;
          // In a panel title Grafana shows the unknown name as written: wrong text, not a broken query.
          const inTitle = !t.target && !t.variable;
          const hint = suggestion ? ` (did you mean $${suggestion}?)` : '';
          context.report({
            ...(scope.dashboard
              ? {
                  messageId: 'undefinedIn' as const,
                  data: {
                    ref,
                    dashboard: scope.dashboard.title ?? scope.dashboard.uid ?? scope.dashboard.file,
                    hint,
                  },
                }
              : { messageId: 'undefined' as const, data: { ref, hint } }),
            path: t.path,
            offset: t.ref.offset,
            ...(inTitle ? { severity: 'warning' as const } : {}),
            ...at,
          });
        }
      }
    };
  },
});
