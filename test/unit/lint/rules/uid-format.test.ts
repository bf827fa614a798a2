import { ruleTester } from '../rule-tester.js';

ruleTester('uid-format', {
  valid: [
    `{ "uid": "exec-overview_01", "title": "A" }`,
    `{ "uid": "${'a'.repeat(40)}", "title": "A" }`,
    { name: "a wrong type is the schema rule's finding", dashboard: `{ "uid": 12, "title": "A" }` },
    {
      name: "a resource's uid is metadata.name (no uid in the spec is no finding)",
      dashboard: `{ "apiVersion": "dashboard.grafana.app/v1beta1", "kind": "Dashboard",
  "metadata": { "name": "res-1" }, "spec": { "title": "A", "panels": [] } }`,
    },
    {
      name: 'schema v2 too',
      dashboard: `{ "apiVersion": "dashboard.grafana.app/v2beta1", "kind": "Dashboard",
  "metadata": { "name": "res-2" }, "spec": { "title": "A", "elements": {}, "layout": { "kind": "GridLayout", "spec": { "items": [] } } } }`,
    },
  ],
  invalid: [
    {
      name: 'missing uid is reported at the dashboard',
      dashboard: `{
  "title": "A", "panels": []
}`,
      errors: [{ rule: 'uid-format', line: 1, message: 'no uid' }],
      output: null,
    },
    {
      dashboard: `{
  "title": "A",
  "uid": "exec overview!"
}`,
      errors: [{ rule: 'uid-format', line: 3, column: 10, message: 'characters Grafana refuses' }],
      output: `{
  "title": "A",
  "uid": "exec-overview"
}`,
    },
    {
      dashboard: `{ "title": "A", "uid": "${'a'.repeat(41)}" }`,
      errors: [{ rule: 'uid-format', line: 1, message: 'is 41 characters long' }],
      output: `{ "title": "A", "uid": "${'a'.repeat(40)}" }`,
    },
    {
      dashboard: `{ "title": "A", "uid": " " }`,
      errors: [{ rule: 'uid-format', line: 1, message: 'uid is empty' }],
    },
    {
      name: 'a resource without metadata.name is reported at its metadata',
      dashboard: `{
  "apiVersion": "dashboard.grafana.app/v1beta1",
  "kind": "Dashboard",
  "metadata": { "namespace": "default" },
  "spec": { "title": "A", "panels": [] }
}`,
      errors: [{ rule: 'uid-format', line: 4, message: 'resource has no metadata.name' }],
    },
    {
      name: 'a v2 resource name with characters Grafana refuses, at metadata.name',
      dashboard: `{
  "apiVersion": "dashboard.grafana.app/v2beta1",
  "kind": "Dashboard",
  "metadata": {
    "name": "bad name!"
  },
  "spec": { "title": "A", "elements": {}, "layout": { "kind": "GridLayout", "spec": { "items": [] } } }
}`,
      errors: [{ rule: 'uid-format', line: 5, column: 13, message: 'characters Grafana refuses' }],
      // The v2 model's uid path is translated back to metadata.name in the file.
      output: `{
  "apiVersion": "dashboard.grafana.app/v2beta1",
  "kind": "Dashboard",
  "metadata": {
    "name": "bad-name"
  },
  "spec": { "title": "A", "elements": {}, "layout": { "kind": "GridLayout", "spec": { "items": [] } } }
}`,
    },
    {
      name: 'a spec.uid that differs from metadata.name is a warning at the spec.uid',
      dashboard: `{
  "apiVersion": "dashboard.grafana.app/v1beta1",
  "kind": "Dashboard",
  "metadata": { "name": "res-1" },
  "spec": {
    "uid": "other",
    "title": "A"
  }
}`,
      errors: [{ rule: 'uid-format', line: 6, severity: 'warning', message: 'Grafana uses metadata.name' }],
    },
  ],
});
