import { ruleTester } from '../rule-tester.js';

ruleTester('grid-layout', {
  valid: [
    {
      name: 'side by side, then a row bar, then a full-width panel',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 4 } },
    { "id": 2, "type": "stat", "gridPos": { "x": 12, "y": 0, "w": 12, "h": 4 } },
    { "id": 3, "type": "row", "gridPos": { "x": 0, "y": 4, "w": 24, "h": 1 }, "collapsed": false, "panels": [] },
    { "id": 4, "type": "stat", "gridPos": { "x": 0, "y": 5, "w": 24, "h": 8 } }
  ]
}`,
    },
    {
      name: "a collapsed row's children are laid out against each other only, not against panels below the row",
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "row", "gridPos": { "x": 0, "y": 0, "w": 24, "h": 1 }, "collapsed": true, "panels": [
      { "id": 2, "type": "stat", "gridPos": { "x": 0, "y": 1, "w": 12, "h": 8 } },
      { "id": 3, "type": "stat", "gridPos": { "x": 12, "y": 1, "w": 12, "h": 8 } }
    ] },
    { "id": 4, "type": "row", "gridPos": { "x": 0, "y": 1, "w": 24, "h": 1 }, "collapsed": true, "panels": [
      { "id": 5, "type": "stat", "gridPos": { "x": 0, "y": 1, "w": 24, "h": 8 } }
    ] },
    { "id": 6, "type": "stat", "gridPos": { "x": 0, "y": 2, "w": 24, "h": 8 } }
  ]
}`,
    },
    {
      name: 'panels without gridPos are placed by Grafana',
      dashboard: `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "type": "stat" }, { "id": 2, "type": "stat" }] }`,
    },
  ],
  invalid: [
    {
      name: 'past the 24th column',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat",
      "gridPos": { "x": 18, "y": 0, "w": 12, "h": 4 } }
  ]
}`,
      errors: [
        {
          rule: 'grid-layout',
          line: 5,
          column: 18,
          message: 'x 18 + w 12 = 30 goes past the 24-column grid',
        },
      ],
    },
    {
      name: 'zero width and negative y',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "gridPos": { "x": 0, "y": 0,
      "w": 0, "h": 4 } },
    { "id": 2, "type": "stat", "gridPos": { "x": 0, "y": -1, "w": 4, "h": 4 } }
  ]
}`,
      errors: [
        { rule: 'grid-layout', line: 5, message: 'gridPos.w is 0' },
        { rule: 'grid-layout', line: 6, message: 'gridPos.y is -1' },
      ],
    },
    {
      name: 'overlap is reported once, on the later panel',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "title": "Users", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 } },
    { "id": 2, "type": "stat", "gridPos": { "x": 6, "y": 4, "w": 12, "h": 8 } }
  ]
}`,
      errors: [{ rule: 'grid-layout', line: 5, message: 'overlaps panel 1 "Users" (x 0–12, y 0–8)' }],
    },
    {
      name: 'a panel under a row bar',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "gridPos": { "x": 0, "y": 0, "w": 12, "h": 8 } },
    { "id": 2, "type": "row", "gridPos": { "x": 0, "y": 4, "w": 24, "h": 1 }, "collapsed": false, "panels": [] }
  ]
}`,
      errors: [{ rule: 'grid-layout', line: 5, message: 'overlaps panel 1' }],
    },
    {
      name: 'children of one collapsed row overlapping each other',
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "row", "gridPos": { "x": 0, "y": 0, "w": 24, "h": 1 }, "collapsed": true, "panels": [
      { "id": 2, "type": "stat", "gridPos": { "x": 0, "y": 1, "w": 12, "h": 8 } },
      { "id": 3, "type": "stat", "gridPos": { "x": 8, "y": 1, "w": 12, "h": 8 } }
    ] }
  ]
}`,
      errors: [{ rule: 'grid-layout', line: 6, message: 'overlaps panel 2' }],
    },
  ],
});
