import { ruleTester } from '../rule-tester.js';

ruleTester('clickhouse-target-no-sql', {
  valid: [
    `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "ds", "type": "datasource", "query": "grafana-clickhouse-datasource" }] },
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" },
      "targets": [{ "refId": "A", "editorType": "builder", "builderOptions": { "table": "t" }, "rawSql": "SELECT count() FROM t" }] },
    { "id": 2, "type": "stat", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" },
      "targets": [{ "refId": "A", "query": "SELECT 1" }] },
    { "id": 3, "type": "stat", "datasource": { "type": "redis-datasource", "uid": "r" },
      "targets": [{ "refId": "A", "command": "info" }] }
  ]
}`,
  ],
  invalid: [
    {
      name: 'empty rawSql, missing rawSql via a datasource variable, empty Altinity query',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "ds", "type": "datasource", "query": "grafana-clickhouse-datasource" }] },
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" },
      "targets": [{ "refId": "A", "rawSql": "  " }] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [
      { "id": 3, "type": "stat", "datasource": "$ds", "targets": [{ "refId": "B", "editorType": "builder", "builderOptions": {} }] }
    ] },
    { "id": 4, "type": "stat", "targets": [
      { "refId": "C", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" }, "query": "" }
    ] }
  ]
}`,
      errors: [
        { rule: 'clickhouse-target-no-sql', line: 6, message: 'ClickHouse query has no SQL in "rawSql"' },
        { rule: 'clickhouse-target-no-sql', line: 8 },
        {
          rule: 'clickhouse-target-no-sql',
          line: 11,
          message: 'Altinity ClickHouse query has no SQL in "query"',
        },
      ],
    },
  ],
});
