import { ruleTester } from '../rule-tester.js';

const CH = { uid: 'clickhouse', name: 'ClickHouse', type: 'grafana-clickhouse-datasource' };
const EXPORT = `{
  "__inputs": [
    { "name": "DS_CLICKHOUSE", "type": "datasource", "pluginId": "grafana-clickhouse-datasource" },
    { "name": "VAR_TEAM", "type": "constant", "value": "payments" }
  ],
  "uid": "exp",
  "title": "Export",
  "panels": []
}`;

ruleTester('shared-export-input', {
  valid: [
    { name: 'one datasource of the type fills the input', dashboard: EXPORT, datasources: [CH] },
    { name: 'no datasources file: nothing to judge by', dashboard: EXPORT },
    {
      name: 'dashboard-ci.yml inputs: choose among several',
      dashboard: EXPORT,
      datasources: [CH, { ...CH, uid: 'clickhouse-eu' }],
      config: { inputs: { DS_CLICKHOUSE: 'clickhouse-eu' } },
    },
    { name: 'not an export', dashboard: `{ "uid": "a", "title": "A", "panels": [] }`, datasources: [CH] },
  ],
  invalid: [
    {
      name: 'two datasources of the type: provisioning could not choose',
      dashboard: EXPORT,
      datasources: [CH, { ...CH, uid: 'clickhouse-eu' }],
      errors: [{ rule: 'shared-export-input', line: 3, column: 5, message: 'choose one under inputs:' }],
    },
    {
      name: 'no datasource of the type',
      dashboard: EXPORT,
      datasources: [{ uid: 'redis', name: 'Redis', type: 'redis-datasource' }],
      errors: [{ rule: 'shared-export-input', line: 3, message: 'no provisioned datasource has that type' }],
    },
  ],
});
