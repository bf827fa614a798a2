import { ruleTester } from '../rule-tester.js';

const datasources = [
  { uid: 'clickhouse', name: 'ClickHouse', type: 'grafana-clickhouse-datasource' },
  { uid: 'redis', name: 'Redis', type: 'redis-datasource' },
];

ruleTester('datasource-exists', {
  valid: [
    {
      name: 'provisioned uids, a datasource variable, a legacy name and built-ins',
      datasources,
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "ds", "type": "datasource", "query": "grafana-clickhouse-datasource" }] },
  "annotations": { "list": [{ "name": "Annotations", "datasource": { "type": "grafana", "uid": "-- Grafana --" } }] },
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhouse" },
      "targets": [{ "refId": "A", "rawSql": "SELECT 1" }] },
    { "id": 2, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "\${ds}" } },
    { "id": 3, "type": "stat", "datasource": "$ds" },
    { "id": 4, "type": "stat", "datasource": "Redis" },
    { "id": 5, "type": "stat", "datasource": { "type": "datasource", "uid": "-- Mixed --" },
      "targets": [
        { "refId": "A", "datasource": { "type": "redis-datasource", "uid": "redis" } },
        { "refId": "B", "datasource": { "type": "__expr__", "uid": "__expr__" } }
      ] },
    { "id": 6, "type": "stat", "datasource": { "type": "datasource", "uid": "-- Dashboard --" },
      "targets": [{ "refId": "A", "panelId": 1 }] },
    { "id": 7, "type": "row", "collapsed": true, "panels": [
      { "id": 8, "type": "stat", "datasource": { "uid": "clickhouse" } }
    ] }
  ]
}`,
    },
    {
      name: 'no datasources file: only variable references are checked',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "anything" } }]
}`,
    },
    {
      name: 'a dashboard exported for sharing uses its __inputs placeholders',
      datasources,
      dashboard: `{
  "__inputs": [{ "name": "DS_CH", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" }],
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "\${DS_CH}" } }]
}`,
    },
    {
      name: 'import placeholders with any characters (grafana.com 22037 and 17284 exports)',
      datasources,
      dashboard: `{
  "__inputs": [
    { "name": "DS_CK-LOGS", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" },
    { "name": "DS_CLICKHOUSE_- INTEGRATIONS", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" }
  ],
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "t", "type": "query", "datasource": { "uid": "\${DS_CK-LOGS}" }, "query": "SELECT 1" }] },
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "\${DS_CK-LOGS}" } },
    { "id": 2, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "\${DS_CLICKHOUSE_- INTEGRATIONS}" } }
  ]
}`,
    },
    {
      name: "inputs whose names a template variable's syntax would misread (a field path, a format)",
      datasources,
      dashboard: `{
  "__inputs": [
    { "name": "DS.PROD", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" },
    { "name": "DS:LOGS", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" }
  ],
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "uid": "\${DS.PROD}" } },
    { "id": 2, "type": "stat", "datasource": " \${DS:LOGS} " }
  ]
}`,
    },
    {
      name: 'a datasource provisioned without a uid, referenced by the uid Grafana derives from its name',
      datasources: [
        {
          uid: 'P5C0FA5C61C0F8586',
          uidFromName: true,
          name: 'ClickHouse-official',
          type: 'grafana-clickhouse-datasource',
        },
      ],
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "P5C0FA5C61C0F8586" } }]
}`,
    },
  ],
  invalid: [
    {
      name: 'a uid provisioned from the environment may be the one referenced: a warning naming it',
      datasources: [{ uid: '${CLICKHOUSE_UID}', name: 'ClickHouse', type: 'grafana-clickhouse-datasource' }],
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch-prod" } }]
}`,
      errors: [
        {
          rule: 'datasource-exists',
          line: 3,
          severity: 'warning',
          message:
            'datasource "ch-prod" matches no provisioned datasource here; it may be the one provisioned as "${CLICKHOUSE_UID}"',
        },
      ],
    },
    {
      name: 'a placeholder no __inputs entry declares is a literal uid Grafana cannot resolve',
      datasources,
      dashboard: `{
  "__inputs": [{ "name": "DS_CK-LOGS", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" }],
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "\${DS_CK-METRICS}" } }]
}`,
      errors: [{ rule: 'datasource-exists', line: 4 }],
    },
    {
      name: 'unknown uid, at the uid',
      datasources,
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat",
      "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhous" } }
  ]
}`,
      errors: [
        {
          rule: 'datasource-exists',
          line: 5,
          column: 71,
          message: 'datasource uid "clickhous" is not a provisioned datasource (known: clickhouse, redis)',
        },
      ],
    },
    {
      // grafana/clickhouse-datasource src/dashboards/opentelemetry-clickhouse.json @ d6fa27ec: panels on
      // ${datasource} whose queries still name "clickhouse-traces", a uid nothing provisions. Grafana's
      // query runner replaces a non-Mixed panel's query references with the panel's datasource.
      name: "a query's stale datasource under a panel with its own is an info; the panel's is what runs",
      datasources,
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhouse" },
      "targets": [
        { "refId": "A", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhouse-traces" } },
        { "refId": "B", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhouse" } }
      ] },
    { "id": 2, "type": "stat", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "gone" },
      "targets": [{ "refId": "A", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "gone" } }] }
  ]
}`,
      errors: [
        {
          rule: 'datasource-exists',
          line: 6,
          severity: 'info',
          message:
            'names datasource "clickhouse-traces", which is not provisioned; Grafana runs it on the panel',
        },
        { rule: 'datasource-exists', line: 9, severity: 'error', message: 'datasource uid "gone"' },
      ],
    },
    {
      name: 'a target inside a collapsed row, an unknown legacy name and a type mismatch',
      datasources,
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "row", "collapsed": true, "panels": [
      { "id": 2, "type": "stat", "targets": [
        { "refId": "A", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "nope" } }
      ] },
      { "id": 3, "type": "stat", "datasource": "Postgres" }
    ] },
    { "id": 4, "type": "stat", "datasource": { "type": "redis-datasource", "uid": "clickhouse" } }
  ]
}`,
      errors: [
        { rule: 'datasource-exists', line: 6, message: 'panel 2, query A: datasource uid "nope"' },
        {
          rule: 'datasource-exists',
          line: 8,
          message: 'datasource "Postgres" is not a provisioned datasource',
        },
        {
          rule: 'datasource-exists',
          line: 10,
          message: 'is a grafana-clickhouse-datasource, but the reference says redis-datasource',
        },
      ],
    },
    {
      name: 'variable references: undefined, not a datasource variable (checked with no datasources file too)',
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [{ "name": "env", "type": "custom", "query": "prod,dev" }] },
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "uid": "\${dsx}" } },
    { "id": 2, "type": "stat", "datasource": "$env" },
    { "id": 3, "type": "row", "collapsed": true, "panels": [
      { "id": 4, "type": "stat", "datasource": "[[missing]]" }
    ] }
  ]
}`,
      errors: [
        { rule: 'datasource-exists', line: 5, message: 'refers to $dsx, which is not a variable' },
        {
          rule: 'datasource-exists',
          line: 6,
          severity: 'warning',
          message: 'refers to $env, a custom variable',
        },
        { rule: 'datasource-exists', line: 8, message: 'refers to $missing' },
      ],
    },
    {
      name: 'mixed panel targets need their own datasource; dashboard-datasource targets need a real panel',
      datasources,
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "datasource": { "type": "datasource", "uid": "-- Mixed --" },
      "targets": [
        { "refId": "A", "rawSql": "SELECT 1" }
      ] },
    { "id": 2, "type": "stat", "datasource": { "type": "datasource", "uid": "-- Dashboard --" },
      "targets": [{ "refId": "A", "panelId": 99 }] }
  ]
}`,
      errors: [
        { rule: 'datasource-exists', line: 6, message: 'names no datasource of its own' },
        { rule: 'datasource-exists', line: 9, message: 'reads the results of panel 99' },
      ],
    },
    {
      name: "a variable's datasource and an annotation's",
      datasources,
      dashboard: `{
  "uid": "a", "title": "A",
  "templating": { "list": [
    { "name": "user", "type": "query", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "gone" }, "query": "SELECT 1" }
  ] },
  "annotations": { "list": [
    { "name": "Deploys", "datasource": { "type": "grafana-clickhouse-datasource", "uid": "gone2" } }
  ] }
}`,
      errors: [
        { rule: 'datasource-exists', line: 4, message: 'variable $user: datasource uid "gone"' },
        { rule: 'datasource-exists', line: 7 },
      ],
    },
  ],
});
