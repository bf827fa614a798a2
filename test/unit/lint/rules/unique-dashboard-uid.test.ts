import { ruleTester } from '../rule-tester.js';

ruleTester('unique-dashboard-uid', {
  valid: [
    { dashboards: [`{ "uid": "a", "title": "A" }`, `{ "uid": "b", "title": "B" }`] },
    {
      name: "dashboards without uid are uid-format's concern",
      dashboards: [`{ "title": "A", "panels": [] }`, `{ "title": "B", "panels": [] }`],
    },
  ],
  invalid: [
    {
      name: 'two files, one uid: both are reported, each naming the other',
      dashboards: [
        `{
  "title": "A",
  "uid": "same"
}`,
        `{ "uid": "same", "title": "B" }`,
        `{ "uid": "other", "title": "C" }`,
      ],
      errors: [
        {
          rule: 'unique-dashboard-uid',
          line: 3,
          file: 'dashboard-1.json',
          message: 'also the uid of dashboard-2.json',
        },
        {
          rule: 'unique-dashboard-uid',
          line: 1,
          file: 'dashboard-2.json',
          message: 'also the uid of dashboard-1.json',
        },
      ],
    },
  ],
});
