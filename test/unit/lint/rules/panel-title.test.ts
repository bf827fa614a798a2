import { ruleTester } from '../rule-tester.js';

ruleTester('panel-title', {
  valid: [
    {
      name: 'a library panel keeps its title in the library',
      dashboard: `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "libraryPanel": { "uid": "lib", "name": "Shared" } }] }`,
    },
    `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "type": "stat", "title": "Users" }, { "id": 2, "type": "row" }] }`,
  ],
  invalid: [
    {
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat" },
    { "id": 2, "type": "stat", "title": " " },
    { "id": 3, "type": "row", "collapsed": true, "panels": [{ "id": 4, "type": "stat" }] }
  ]
}`,
      errors: [
        { rule: 'panel-title', line: 4, severity: 'warning', message: 'panel 1: panel has no title' },
        { rule: 'panel-title', line: 5, message: 'panel title is empty' },
        { rule: 'panel-title', line: 6 },
      ],
    },
  ],
});
