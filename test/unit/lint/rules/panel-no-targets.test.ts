import { ruleTester } from '../rule-tester.js';

ruleTester('panel-no-targets', {
  valid: [
    `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "row", "collapsed": false, "panels": [] },
    { "id": 2, "type": "text", "options": { "content": "hello" } },
    { "id": 3, "type": "dashlist" },
    { "id": 4, "type": "timeseries", "libraryPanel": { "uid": "lib", "name": "Shared" } },
    { "id": 5, "type": "stat", "targets": [{ "refId": "A", "rawSql": "SELECT 1" }] }
  ]
}`,
  ],
  invalid: [
    {
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "timeseries" },
    { "id": 2, "type": "stat", "targets": [] },
    { "id": 3, "type": "row", "collapsed": true, "panels": [
      { "id": 4, "type": "piechart", "targets": [] }
    ] }
  ]
}`,
      errors: [
        { rule: 'panel-no-targets', line: 4, message: 'a timeseries panel with no queries' },
        { rule: 'panel-no-targets', line: 5 },
        { rule: 'panel-no-targets', line: 7 },
      ],
    },
  ],
});
