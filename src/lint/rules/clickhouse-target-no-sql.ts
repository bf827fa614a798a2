import { createRule } from '../create-rule.js';
import { ALTINITY_TYPE, CLICKHOUSE_TYPE } from '../datasources.js';

export default createRule({
  id: 'clickhouse-target-no-sql',
  scope: 'target',
  meta: {
    description:
      'ClickHouse targets carry SQL: rawSql (grafana-clickhouse-datasource) or query (Altinity plugin).',
    severity: 'error',
    messages: {
      empty: '{{plugin}} query has no SQL in "{{field}}"',
    },
    help:
      "grafana-clickhouse-datasource runs the target's rawSql (the builder also stores the SQL it generates " +
      'there); vertamedia-clickhouse-datasource runs query. An empty one returns an error or nothing, and ' +
      'dashboard-ci cannot validate or cost it. Write the SQL, or open the panel in Grafana and save it so ' +
      'the builder fills rawSql.',
  },
  create(context) {
    return (target) => {
      const type = context.facts.targetType(target);
      const field = type === CLICKHOUSE_TYPE ? 'rawSql' : type === ALTINITY_TYPE ? 'query' : undefined;
      if (!field) return;
      const sql = target.raw[field];
      if (typeof sql === 'string' && sql.trim() !== '') return;
      context.report({
        messageId: 'empty',
        data: { plugin: type === CLICKHOUSE_TYPE ? 'ClickHouse' : 'Altinity ClickHouse', field },
        target,
        path: field in target.raw ? [...target.path, field] : target.path,
      });
    };
  },
});
