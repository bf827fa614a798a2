import { ruleTester } from '../rule-tester.js';

const panel = (targets: string) => `{
  "uid": "a", "title": "A",
  "panels": [{ "id": 1, "type": "stat", "datasource": { "type": "redis-datasource", "uid": "r" }, "targets": [
${targets}
  ] }]
}`;

ruleTester('redis-write-command', {
  valid: [
    panel(`    { "refId": "A", "type": "command", "command": "info", "section": "stats", "query": "" },
    { "refId": "B", "type": "command", "command": "hgetall", "keyName": "k" },
    { "refId": "C", "type": "cli", "query": "dbsize" },
    { "refId": "D", "query": "CONFIG GET maxmemory" },
    { "refId": "E", "query": "sort mylist LIMIT 0 10" },
    { "refId": "F", "type": "graph", "command": "graph.query", "cypher": "MATCH (n) RETURN count(n)" },
    { "refId": "G", "query": "EVAL_RO \\"return 1\\" 0" },
    { "refId": "H", "command": "ts.range", "keyName": "t" }`),
    {
      name: 'non-Redis targets are not Redis commands',
      dashboard: `{ "uid": "a", "title": "A", "panels": [{ "id": 1, "type": "stat", "targets": [{ "refId": "A", "query": "SET x 1" }] }] }`,
    },
  ],
  invalid: [
    {
      name: 'writes and scripts are errors, unknown commands warnings',
      dashboard: panel(`    { "refId": "A", "type": "cli", "query": "SET counter 1" },
    { "refId": "B", "query": "flushall" },
    { "refId": "C", "query": "CONFIG SET maxmemory 1" },
    { "refId": "D", "query": "EVAL \\"redis.call('del','k')\\" 0" },
    { "refId": "E", "query": "FROBNICATE x" },
    { "refId": "F", "command": "rg.pyexecute" },
    { "refId": "G", "command": "graph.query", "cypher": "MATCH (n) DETACH DELETE n" },
    { "refId": "H", "command": "hdel" },
    { "refId": "I", "query": "SORT mylist STORE other" }`),
      errors: [
        {
          rule: 'redis-write-command',
          line: 4,
          severity: 'error',
          message: 'query A: Redis command SET is not read-only',
        },
        { rule: 'redis-write-command', line: 5, message: 'FLUSHALL' },
        { rule: 'redis-write-command', line: 6, message: 'CONFIG SET' },
        { rule: 'redis-write-command', line: 7, message: 'EVAL' },
        {
          rule: 'redis-write-command',
          line: 8,
          severity: 'warning',
          message: 'FROBNICATE is not known to be read-only',
        },
        { rule: 'redis-write-command', line: 9, severity: 'error', message: 'runs arbitrary code' },
        { rule: 'redis-write-command', line: 10, message: 'Cypher query that writes' },
        {
          rule: 'redis-write-command',
          line: 11,
          severity: 'warning',
          message: 'not a command of the Redis plugin',
        },
        { rule: 'redis-write-command', line: 12, severity: 'error', message: 'SORT' },
      ],
    },
  ],
});
