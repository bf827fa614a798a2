import { createRule } from '../create-rule.js';

// Ad hoc filters and group-by variables apply to every query of their datasource without being named.
const IMPLICIT_TYPES: ReadonlySet<string> = new Set(['adhoc', 'groupby']);

// grafana-clickhouse-datasource reads the variable of this name itself, by name, to list the keys and
// values an ad hoc filter offers (docs/sources/template-variables.md "clickhouse_adhoc_query",
// src/data/CHDatasource.ts, grafana/clickhouse-datasource @ 1d04063a): used whenever an ad hoc
// variable is there to need it.
const ADHOC_SCOPE_VARIABLE = 'clickhouse_adhoc_query';

export default createRule({
  id: 'unused-variable',
  scope: 'variable',
  meta: {
    description:
      'Every template variable is used by a query, another variable, a title, a repeat or a datasource.',
    severity: 'warning',
    messages: { unused: 'variable ${{name}} is not used anywhere in the dashboard' },
    help:
      'A variable nothing refers to still shows a picker, and a query variable still runs its query on every ' +
      'load. Use it (in a query, a title, a repeat or a datasource reference) or remove it. Ad hoc and group-by ' +
      'variables apply implicitly and are never reported, nor is the clickhouse_adhoc_query variable the ClickHouse ' +
      'plugin reads for its ad hoc filters; a dashboard link with includeVars counts as a use.',
  },
  create(context) {
    return (variable) => {
      if (variable.name === undefined || variable.name === '') return;
      if (variable.type !== undefined && IMPLICIT_TYPES.has(variable.type)) return;
      const usage = context.facts.usage;
      if (usage.all) return;
      if (
        variable.name === ADHOC_SCOPE_VARIABLE &&
        context.facts.dashboard.variables.some((v) => v.type === 'adhoc')
      )
        return;
      const self = variable.path[variable.path.length - 1];
      const owners = usage.byName.get(variable.name);
      if (owners && [...owners].some((o) => o !== self)) return;
      context.report({
        messageId: 'unused',
        data: { name: variable.name },
        variable,
        path: [...variable.path, 'name'],
      });
    };
  },
});
