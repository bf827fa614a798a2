import { createRule } from '../create-rule.js';
import { ALTINITY_TYPE } from '../datasources.js';
import { didYouMean } from '../suggest.js';
import { ALTINITY_MACROS, isBuiltinVariable } from '../variables.js';

export default createRule({
  id: 'undefined-variable',
  scope: 'dashboard',
  meta: {
    description:
      'Every $var, ${var}, ${var:format} and [[var]] in a query or panel title is a dashboard variable or a Grafana built-in.',
    severity: 'error',
    messages: {
      undefined: '{{ref}} is not a variable of this dashboard{{hint}}',
    },
    help:
      'Grafana leaves an unknown variable in the text as is, so the query reaches the datasource with a ' +
      'literal "$name" in it and fails or filters on the wrong value. Define the variable under ' +
      'templating.list or fix the name. Built-ins ($__from, $__interval, $__timeFilter(...) and every other ' +
      '$__ name) and, for vertamedia-clickhouse-datasource, the Altinity macros ($timeFilter, $table, ...) are known.',
  },
  create(context) {
    const { facts } = context;
    return () => {
      const names = facts.variables;
      for (const t of facts.queryRefs) {
        const { name } = t.ref;
        if (names.has(name) || isBuiltinVariable(name) || facts.inputNames.has(name)) continue;
        // The Altinity plugin expands its own $macros; a target whose datasource cannot be told may be one.
        if (
          ALTINITY_MACROS.has(name) &&
          t.target &&
          (t.datasourceType === undefined || t.datasourceType === ALTINITY_TYPE)
        ) {
          continue;
        }
        const suggestion = didYouMean(name, names.keys());
        const ref =
          t.ref.syntax === '$' ? `$${name}` : t.ref.syntax === '[[]]' ? `[[${name}]]` : `\${${name}}`;
        const at: { panel?: typeof t.panel; target?: typeof t.target; variable?: typeof t.variable } = {};
        if (t.target) at.target = t.target;
        else if (t.panel) at.panel = t.panel;
        if (t.variable) at.variable = t.variable;
        context.report({
          messageId: 'undefined',
          data: { ref, hint: suggestion ? ` (did you mean $${suggestion}?)` : '' },
          path: t.path,
          offset: t.ref.offset,
          ...at,
        });
      }
    };
  },
});
