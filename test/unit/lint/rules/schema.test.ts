import { ruleTester } from '../rule-tester.js';

ruleTester('schema', {
  valid: [
    {
      name: 'unknown keys, legacy string datasource, null id, __inputs',
      dashboard: `{
  "__inputs": [{ "name": "DS", "type": "datasource", "pluginId": "x" }],
  "__requires": [{ "type": "grafana", "id": "grafana", "version": "11.0.0" }],
  "id": null, "uid": "a", "title": "A", "schemaVersion": 39, "refresh": false, "style": "dark",
  "somethingNew": { "any": 1 },
  "time": { "from": "now-6h", "to": "now" },
  "tags": ["x"],
  "templating": { "list": [{ "name": "v", "type": "query", "query": { "rawSql": "SELECT 1" }, "refresh": 1 }] },
  "panels": [
    { "id": 1, "type": "stat", "datasource": "$redis", "gridPos": { "x": 0, "y": 0, "w": 4, "h": 4 }, "pluginSpecific": [],
      "targets": [{ "refId": "A" }] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [{ "id": 3, "type": "text" }] },
    { "id": 4, "gridPos": { "x": 4, "y": 0, "w": 4, "h": 4 }, "libraryPanel": { "uid": "lib", "name": "Shared" } }
  ]
}`,
    },
    {
      name: 'a v1 resource: the spec is the dashboard, schemaVersion may be left to Grafana',
      dashboard: `{ "apiVersion": "dashboard.grafana.app/v1beta1", "kind": "Dashboard", "metadata": { "name": "r" },
  "spec": { "title": "R", "panels": [{ "id": 1, "type": "stat" }] } }`,
    },
    {
      name: 'a v2 resource checked as v2, not as the classic model',
      dashboard: `{ "apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard", "metadata": { "name": "r" },
  "spec": { "title": "R", "elements": { "p": { "kind": "Panel", "spec": { "id": 1, "title": "P",
    "data": { "kind": "QueryGroup", "spec": { "queries": [] } }, "vizConfig": { "kind": "VizConfig", "group": "stat", "spec": {} } } } },
    "layout": { "kind": "GridLayout", "spec": { "items": [
      { "kind": "GridLayoutItem", "spec": { "x": 0, "y": 0, "width": 6, "height": 4, "element": { "kind": "ElementReference", "name": "p" } } } ] } } } }`,
    },
  ],
  invalid: [
    {
      name: "what Grafana's migrations accept is no error, and what it fixes on load is an info",
      dashboard: `{
  "uid": null, "title": "A", "schemaVersion": 14,
  "panels": [
    { "id": null, "type": "row", "repeat": null, "collapsed": false, "panels": [] },
    { "type": "stat", "uid": null }
  ],
  "rows": [{ "title": "old", "panels": [{ "id": 7, "type": "graph", "span": 6 }] }]
}`,
      errors: [
        {
          rule: 'schema',
          line: 4,
          severity: 'info',
          message: 'panels[0].id is null: Grafana assigns the panel an id when the dashboard loads',
        },
        {
          rule: 'schema',
          line: 4,
          severity: 'info',
          message: 'panels[0].repeat is null: Grafana reads it as no repeat and drops it',
        },
        {
          rule: 'schema',
          line: 7,
          severity: 'info',
          message:
            "rows: the pre-5.0 layout (schemaVersion 14); Grafana moves the rows' panels into panels when the dashboard loads",
        },
      ],
    },
    {
      name: 'a v1 resource without a title (Grafana refuses it), at the spec',
      dashboard: `{
  "apiVersion": "dashboard.grafana.app/v1",
  "kind": "Dashboard",
  "metadata": { "name": "r" },
  "spec": { "panels": [] }
}`,
      errors: [{ rule: 'schema', line: 5, message: 'spec must have "title"' }],
    },
    {
      name: 'v2: a wrong layout kind, a panel without data, an element the layout places but nobody defines',
      dashboard: `{
  "apiVersion": "dashboard.grafana.app/v2beta1",
  "kind": "Dashboard",
  "metadata": { "name": "r" },
  "spec": {
    "title": "R",
    "elements": {
      "p": { "kind": "Panel", "spec": { "id": 1, "vizConfig": { "kind": "VizConfig", "spec": {} } } }
    },
    "layout": { "kind": "RowsLayout", "spec": { "rows": [ { "kind": "RowsLayoutRow", "spec": { "layout": {
      "kind": "GridLayout", "spec": { "items": [
        { "kind": "GridLayoutItem", "spec": { "x": 0, "y": 0, "width": 6, "height": 4,
          "element": { "kind": "ElementReference", "name": "missing" } } } ] } } } } ] } },
    "timeSettings": { "autoRefresh": 30 }
  }
}`,
      errors: [
        { rule: 'schema', line: 8, message: 'elements.p.spec must have "data"' },
        { rule: 'schema', line: 13, message: 'element "missing", which is not in elements' },
        { rule: 'schema', line: 14, message: 'timeSettings.autoRefresh must be a string, found number 30' },
      ],
    },
    {
      name: 'missing required fields at the dashboard',
      dashboard: `{
  "uid": "a", "panels": []
}`,
      errors: [
        { rule: 'schema', line: 1, message: 'dashboard must have "title"' },
        { rule: 'schema', line: 1, message: 'dashboard must have "schemaVersion"' },
      ],
    },
    {
      name: 'wrong types, at the offending value, naming the key',
      dashboard: `{
  "uid": "a", "title": "A", "schemaVersion": 39,
  "refresh": true,
  "tags": ["a", 2],
  "time": { "from": "now-6h" },
  "panels": [
    { "id": 1, "type": "stat", "gridPos": { "x": 0, "y": 0, "w": "6", "h": 4 } },
    { "id": 2, "title": "no type" },
    { "id": 3, "type": "row", "collapsed": true, "panels": [
      { "id": 4, "type": "stat", "targets": {} }
    ] }
  ],
  "templating": { "list": [{ "type": "query" }] }
}`,
      errors: [
        {
          rule: 'schema',
          line: 3,
          column: 14,
          message: 'refresh must be a duration string (e.g. "30s") or false, found boolean true',
        },
        { rule: 'schema', line: 4, column: 17, message: 'tags[1] must be a string, found number 2' },
        { rule: 'schema', line: 5, message: 'time must have "to"' },
        {
          rule: 'schema',
          line: 7,
          column: 66,
          message: 'panels[0].gridPos.w must be an integer, found string "6"',
        },
        { rule: 'schema', line: 8, message: 'panels[1] must have "type"' },
        {
          rule: 'schema',
          line: 10,
          message: 'panels[2].panels[0].targets must be an array, found an object',
        },
        { rule: 'schema', line: 13, message: 'templating.list[0] must have "name"' },
      ],
    },
  ],
});
