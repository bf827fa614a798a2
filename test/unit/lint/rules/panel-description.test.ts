import { ruleTester } from '../rule-tester.js';

ruleTester('panel-description', {
  valid: [
    {
      name: 'a library panel keeps its description in the library',
      dashboard: `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "libraryPanel": { "uid": "lib", "name": "Shared" } }] }`,
    },
    `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "type": "stat", "description": "Active users now" }, { "id": 2, "type": "row" }] }`,
  ],
  invalid: [
    {
      dashboard: `{
  "uid": "a", "title": "A",
  "panels": [
    { "id": 1, "type": "stat", "title": "Users" },
    { "id": 2, "type": "stat", "description": "" },
    { "id": 3, "type": "row", "collapsed": true, "panels": [{ "id": 4, "type": "stat", "description": "ok" }] }
  ]
}`,
      errors: [
        {
          rule: 'panel-description',
          line: 4,
          severity: 'warning',
          message: 'panel 1 "Users": panel has no description',
        },
        { rule: 'panel-description', line: 5, message: 'panel description is empty' },
      ],
    },
  ],
});
