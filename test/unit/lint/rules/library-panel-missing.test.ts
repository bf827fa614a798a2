import { ruleTester } from '../rule-tester.js';

// The rule tester loads one file at a time (no library-panels/ folder), so every reference is unresolved
// unless the file carries it in __elements; resolution against library-panels/ is tested with the loader.
ruleTester('library-panel-missing', {
  valid: [
    `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "type": "stat" }] }`,
    {
      name: "an export's own __elements resolve its references",
      dashboard: `{ "uid": "a", "title": "A", "__inputs": [],
  "__elements": { "lp": { "uid": "lp", "name": "LP", "kind": 1, "model": { "type": "stat" } } },
  "panels": [{ "id": 1, "libraryPanel": { "uid": "lp", "name": "LP" } }] }`,
    },
  ],
  invalid: [
    {
      dashboard: `{
  "uid": "a",
  "title": "A",
  "panels": [
    { "id": 1, "gridPos": { "x": 0, "y": 0, "w": 6, "h": 4 },
      "libraryPanel": { "uid": "gone", "name": "Gone" } }
  ]
}`,
      errors: [
        {
          rule: 'library-panel-missing',
          line: 6,
          column: 32,
          message: 'library panel uid "gone" "Gone" is not in the repository (library-panels)',
        },
      ],
    },
    {
      name: 'a schema v2 LibraryPanel element, at its reference',
      dashboard: `{
  "apiVersion": "dashboard.grafana.app/v2beta1",
  "kind": "Dashboard",
  "metadata": { "name": "v2" },
  "spec": {
    "title": "A",
    "elements": {
      "lib": { "kind": "LibraryPanel", "spec": { "id": 1, "title": "L", "libraryPanel": { "uid": "gone", "name": "Gone" } } }
    },
    "layout": { "kind": "GridLayout", "spec": { "items": [] } }
  }
}`,
      errors: [{ rule: 'library-panel-missing', line: 8, message: 'uid "gone"' }],
    },
    {
      dashboard: `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "libraryPanel": {} }] }`,
      errors: [{ rule: 'library-panel-missing', line: 1, message: 'neither a uid nor a name' }],
    },
  ],
});
