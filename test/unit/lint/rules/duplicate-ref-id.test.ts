import { ruleTester } from '../rule-tester.js';

ruleTester('duplicate-ref-id', {
  valid: [
    `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "targets": [{ "refId": "A" }, { "refId": "B" }] },
    { "id": 2, "type": "stat", "targets": [{ "refId": "A" }] }
  ]
}`,
  ],
  invalid: [
    {
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "targets": [
      { "refId": "A", "rawSql": "SELECT 1" },
      { "refId": "A", "rawSql": "SELECT 2" }
    ] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [
      { "id": 3, "type": "stat", "targets": [{ "refId": "Q" }, { "refId": "Q" }] }
    ] }
  ]
}`,
      errors: [
        {
          rule: 'duplicate-ref-id',
          line: 6,
          column: 18,
          message: 'panel 1, query A: refId "A" is used by another query of this panel (line 5)',
        },
        { rule: 'duplicate-ref-id', line: 9 },
      ],
      output: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "targets": [
      { "refId": "A", "rawSql": "SELECT 1" },
      { "refId": "B", "rawSql": "SELECT 2" }
    ] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [
      { "id": 3, "type": "stat", "targets": [{ "refId": "Q" }, { "refId": "A" }] }
    ] }
  ]
}`,
    },
  ],
});
