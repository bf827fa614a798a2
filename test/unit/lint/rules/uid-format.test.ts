import { ruleTester } from '../rule-tester.js';

ruleTester('uid-format', {
  valid: [
    `{ "uid": "exec-overview_01", "title": "A" }`,
    `{ "uid": "${'a'.repeat(40)}", "title": "A" }`,
    { name: "a wrong type is the schema rule's finding", dashboard: `{ "uid": 12, "title": "A" }` },
  ],
  invalid: [
    {
      name: 'missing uid is reported at the dashboard',
      dashboard: `{
  "title": "A", "panels": []
}`,
      errors: [{ rule: 'uid-format', line: 1, message: 'no uid' }],
    },
    {
      dashboard: `{
  "title": "A",
  "uid": "exec overview!"
}`,
      errors: [{ rule: 'uid-format', line: 3, column: 10, message: 'characters Grafana refuses' }],
    },
    {
      dashboard: `{ "title": "A", "uid": "${'a'.repeat(41)}" }`,
      errors: [{ rule: 'uid-format', line: 1, message: 'is 41 characters long' }],
    },
    {
      dashboard: `{ "title": "A", "uid": " " }`,
      errors: [{ rule: 'uid-format', line: 1, message: 'uid is empty' }],
    },
  ],
});
