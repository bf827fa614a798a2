import { ruleTester } from '../rule-tester.js';

ruleTester('refresh-floor', {
  valid: [
    `{ "uid": "a", "title": "A", "refresh": "30s" }`,
    `{ "uid": "a", "title": "A", "refresh": "10s" }`,
    // go-faster/oteldb oteldb.json and ard1102/kafka_simulation current_status_table.json: 5s, which
    // Grafana's default min_refresh_interval allows.
    `{ "uid": "a", "title": "A", "refresh": "5s" }`,
    `{ "uid": "a", "title": "A", "refresh": "1h" }`,
    `{ "uid": "a", "title": "A", "refresh": false }`,
    `{ "uid": "a", "title": "A", "refresh": "" }`,
    `{ "uid": "a", "title": "A" }`,
    {
      name: 'a lower floor from config',
      dashboard: `{ "uid": "a", "title": "A", "refresh": "2s" }`,
      config: { minRefresh: '2s' },
    },
  ],
  invalid: [
    {
      dashboard: `{
  "uid": "a", "title": "A",
  "refresh": "1s"
}`,
      errors: [
        { rule: 'refresh-floor', line: 3, column: 14, message: 'refresh "1s" is faster than the 5s floor' },
      ],
      output: `{
  "uid": "a", "title": "A",
  "refresh": "5s"
}`,
    },
    {
      name: 'minutes against an hour floor',
      dashboard: `{ "uid": "a", "title": "A", "refresh": "30m" }`,
      config: { minRefresh: '1h' },
      errors: [{ rule: 'refresh-floor', line: 1, message: 'faster than the 1h floor' }],
      output: `{ "uid": "a", "title": "A", "refresh": "1h" }`,
    },
    {
      dashboard: `{ "uid": "a", "title": "A", "refresh": "often" }`,
      errors: [{ rule: 'refresh-floor', line: 1, message: 'refresh "often" is not a duration' }],
      output: null,
    },
  ],
});
