import { ruleTester } from '../rule-tester.js';

ruleTester('unique-panel-ids', {
  valid: [
    `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat" },
    { "id": 2, "type": "row", "collapsed": true, "panels": [
      { "id": 3, "type": "stat" }
    ] },
    { "type": "stat" },
    { "type": "stat" }
  ]
}`,
  ],
  invalid: [
    {
      name: 'two top-level panels share an id',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat" },
    { "id": 1, "type": "timeseries" }
  ]
}`,
      errors: [
        {
          rule: 'unique-panel-ids',
          line: 5,
          column: 13,
          message: 'panel id 1 is already used by the panel at line 4',
        },
      ],
    },
    {
      name: 'a panel inside a collapsed row repeats a top-level id',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 7, "type": "stat" },
    { "id": 2, "type": "row", "collapsed": true, "panels": [
      { "id": 3, "type": "stat" },
      { "id": 7, "type": "stat" }
    ] }
  ]
}`,
      errors: [{ rule: 'unique-panel-ids', line: 7 }],
    },
    {
      name: 'two collapsed rows hold the same child id',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "row", "collapsed": true, "panels": [{ "id": 5, "type": "stat" }] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [{ "id": 5, "type": "stat" }] },
    { "id": 5, "type": "stat" }
  ]
}`,
      errors: [
        { rule: 'unique-panel-ids', line: 5 },
        { rule: 'unique-panel-ids', line: 6 },
      ],
      // Each duplicate its own new id, after the largest one.
      output: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "row", "collapsed": true, "panels": [{ "id": 5, "type": "stat" }] },
    { "id": 2, "type": "row", "collapsed": true, "panels": [{ "id": 6, "type": "stat" }] },
    { "id": 7, "type": "stat" }
  ]
}`,
    },
  ],
});
