import { ruleTester } from '../rule-tester.js';

ruleTester('unused-variable', {
  valid: [
    {
      name: 'used by a query, a title, a repeat, a datasource ref, another variable; adhoc is implicit',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [
    { "name": "ds", "type": "datasource", "query": "grafana-clickhouse-datasource" },
    { "name": "team", "type": "custom", "query": "a,b" },
    { "name": "user", "type": "query", "datasource": { "uid": "\${ds}" }, "query": "SELECT u FROM t WHERE team = '$team'" },
    { "name": "region", "type": "custom", "query": "eu,us" },
    { "name": "host", "type": "custom", "query": "x,y" },
    { "name": "filters", "type": "adhoc" }
  ] },
  "panels": [
    { "id": 1, "type": "stat", "title": "$region", "repeat": "host", "targets": [{ "refId": "A", "rawSql": "SELECT [[user]]" }] }
  ]
}`,
    },
    {
      name: 'a dashboard link with includeVars carries every variable',
      dashboard: `{
  "uid": "a", "title": "A",
  "links": [{ "type": "dashboards", "includeVars": true }],
  "templating": { "list": [{ "name": "team", "type": "custom", "query": "a,b" }] }
}`,
    },
    {
      // antrea-io/theia build/charts/theia/provisioning/dashboards/*.json @ bc06ff0a: the ClickHouse plugin
      // reads this constant to scope its ad hoc filter's keys; nothing in the dashboard names it.
      name: 'clickhouse_adhoc_query beside an ad hoc variable is read by the ClickHouse plugin',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [
    { "name": "Filter", "type": "adhoc", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" } },
    { "name": "clickhouse_adhoc_query", "type": "constant", "query": "default.flows" }
  ] }
}`,
    },
  ],
  invalid: [
    {
      name: 'used by nothing; mentioning itself does not count; used only in a collapsed row counts',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [
    { "name": "lonely", "type": "custom", "query": "a,b" },
    { "name": "selfish", "type": "query", "query": "SELECT x FROM t WHERE x = '$selfish'" },
    { "name": "nested", "type": "custom", "query": "a" }
  ] },
  "panels": [
    { "id": 1, "type": "row", "collapsed": true, "panels": [
      { "id": 2, "type": "stat", "targets": [{ "refId": "A", "rawSql": "SELECT '\${nested}'" }] }
    ] }
  ]
}`,
      errors: [
        {
          rule: 'unused-variable',
          line: 4,
          column: 15,
          severity: 'warning',
          message: 'variable $lonely: variable $lonely is not used',
        },
        { rule: 'unused-variable', line: 5, message: '$selfish' },
      ],
    },
    {
      name: 'clickhouse_adhoc_query with no ad hoc variable to scope is unused like any other',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "clickhouse_adhoc_query", "type": "constant", "query": "default.flows" }] }
}`,
      errors: [{ rule: 'unused-variable', line: 3, message: '$clickhouse_adhoc_query' }],
    },
  ],
});
