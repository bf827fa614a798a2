import { ruleTester } from '../rule-tester.js';

ruleTester('undefined-variable', {
  valid: [
    {
      name: 'every syntax of defined variables, Grafana built-ins and ClickHouse macros',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [
    { "name": "user", "type": "query", "query": "SELECT DISTINCT user_id FROM t WHERE $__timeFilter(ts)" },
    { "name": "model", "type": "custom", "query": "a,b" },
    { "name": "period", "type": "interval", "query": "1h,1d" }
  ] },
  "panels": [
    { "id": 1, "type": "timeseries", "title": "Users of $model", "targets": [{ "refId": "A",
      "rawSql": "SELECT $__timeInterval(ts) t, count() FROM t WHERE $__timeFilter(ts) AND user_id IN (\${user:singlequote}) AND model = '$model' AND [[period]] != '' AND \${model.text} != '' AND $__conditionalAll(x IN ($user), $user) AND ts > \${__from:date:seconds} AND '\${__user.login}' != '' GROUP BY t" }] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [
      { "id": 3, "type": "stat", "title": "\${__dashboard}", "targets": [{ "refId": "A", "rawSql": "SELECT $__interval_s, $__interval_ms, $__range_s, $__rate_interval" }] }
    ] },
    { "id": 4, "type": "stat", "targets": [{ "refId": "A", "expr": "label_replace(up, \\"x\\", \\"$1\\", \\"y\\", \\"(.*)\\")" }] }
  ]
}`,
    },
    {
      name: 'Altinity macros on a vertamedia target',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "timeseries", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" },
    "targets": [{ "refId": "A", "query": "SELECT $timeSeries t, count() FROM $table WHERE $timeFilter GROUP BY t" }] }]
}`,
    },
    {
      // Altinity/clickhouse-grafana docker/grafana/dashboards/searchFilter_in_template_variables_issue_354.json.
      name: "an Altinity query variable's own query reads the picker's search text, $__searchFilter",
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "country", "type": "query", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" },
    "query": "SELECT DISTINCT country FROM t WHERE country LIKE \${__searchFilter:sqlstring}" }] }
}`,
    },
    {
      name: 'Altinity macros the SQL interpolation knows, $adhoc included, also in a query variable',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "m", "type": "query", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" },
    "query": "SELECT DISTINCT model FROM $table WHERE $timeFilter" }] },
  "panels": [{ "id": 1, "type": "timeseries", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" },
    "targets": [{ "refId": "A", "query": "SELECT count() FROM $table WHERE $adhoc AND m IN ($m)" }] }]
}`,
    },
    {
      name: '__inputs placeholders of a dashboard exported for sharing',
      dashboard: `{
  "__inputs": [{ "name": "VAR_TABLE", "type": "constant", "value": "events" }],
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "targets": [{ "refId": "A", "rawSql": "SELECT count() FROM \${VAR_TABLE}" }] }]
}`,
    },
    {
      name: "a field the target's plugin never sends is not linted (cloudflare/flow-pipeline viz-ch.json: an Altinity target's leftover rawSql)",
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "graph", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "ch" },
    "targets": [{ "refId": "A", "query": "SELECT $timeSeries AS t, count() FROM $table WHERE $timeFilter GROUP BY t",
      "rawSql": "SELECT 1 FROM flows WHERE $__timeFilter(date_inserted) AND $gone" }] }]
}`,
    },
  ],
  invalid: [
    {
      name: 'the same text in the field the plugin sends is linted',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "graph", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" },
    "targets": [{ "refId": "A", "rawSql": "SELECT 1 FROM flows WHERE $__timeFilter(date_inserted) AND $gone" }] }]
}`,
      errors: [{ rule: 'undefined-variable', line: 4, message: '$gone is not a variable of this dashboard' }],
    },
    {
      name: 'an undefined $var at the exact column of the $, with a suggestion',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "user", "type": "custom", "query": "a,b" }] },
  "panels": [{ "id": 1, "type": "stat", "targets": [
    { "refId": "A", "rawSql": "SELECT 1 WHERE u = $usr" }
  ] }]
}`,
      errors: [
        {
          rule: 'undefined-variable',
          line: 5,
          column: 51,
          message: 'panel 1, query A: $usr is not a variable of this dashboard (did you mean $user?)',
        },
      ],
    },
    {
      name: 'every syntax, on the line of the SQL where it sits (JSON escapes counted)',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "title": "By $region", "targets": [
    { "refId": "A", "rawSql": "SELECT \\"x\\" FROM t\\nWHERE a = \${a}\\n  AND b IN (\${b:csv}) AND c = [[c]] AND d = [[d:raw]] AND e = \${e.text}" }
  ] }]
}`,
      errors: [
        // A panel title shows the unknown name as written: a warning, not a broken query.
        { rule: 'undefined-variable', line: 3, column: 54, message: '$region', severity: 'warning' },
        { rule: 'undefined-variable', line: 4, column: 63, message: '${a}', severity: 'error' },
        { rule: 'undefined-variable', line: 4, column: 81, message: '${b}' },
        { rule: 'undefined-variable', line: 4, column: 99, message: '[[c]]' },
        { rule: 'undefined-variable', line: 4, column: 113, message: '[[d]]' },
        { rule: 'undefined-variable', line: 4, column: 131, message: '${e}' },
      ],
    },
    {
      name: "inside a collapsed row, in a Redis keyName, and in another variable's query",
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [
    { "name": "user", "type": "query", "query": "SELECT user FROM t WHERE team = '$team'" }
  ] },
  "panels": [
    { "id": 1, "type": "row", "collapsed": true, "panels": [
      { "id": 2, "type": "stat", "targets": [{ "refId": "B", "rawSql": "SELECT $user, $nope" }] }
    ] },
    { "id": 3, "type": "stat", "datasource": { "type": "redis-datasource", "uid": "r" },
      "targets": [{ "refId": "A", "command": "hgetall", "keyName": "session:$sid" }] }
  ]
}`,
      errors: [
        { rule: 'undefined-variable', line: 4, message: 'variable $user: $team is not a variable' },
        { rule: 'undefined-variable', line: 8, message: 'panel 2, query B: $nope' },
        { rule: 'undefined-variable', line: 11, message: '$sid' },
      ],
    },
    {
      name: 'Altinity macros are not macros of the official ClickHouse plugin',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" },
    "targets": [{ "refId": "A", "rawSql": "SELECT count() FROM t WHERE $timeFilter" }] }]
}`,
      errors: [{ rule: 'undefined-variable', line: 4, message: '$timeFilter' }],
    },
    {
      name: 'a macro name in braces is no macro, and Altinity expands no $__ name it does not know',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" },
      "targets": [{ "refId": "A", "rawSql": "SELECT count() FROM t WHERE \${__timeFilter} AND $__timeFilter(ts)" }] },
    { "id": 2, "type": "stat", "datasource": { "type": "vertamedia-clickhouse-datasource", "uid": "alt" },
      "targets": [{ "refId": "A", "query": "SELECT count() FROM \${table} WHERE $__nope AND $__from > 0" }] }
  ]
}`,
      errors: [
        { rule: 'undefined-variable', line: 5, message: '${__timeFilter}' },
        { rule: 'undefined-variable', line: 7, message: '${table}' },
        { rule: 'undefined-variable', line: 7, message: '$__nope' },
      ],
    },
  ],
});
