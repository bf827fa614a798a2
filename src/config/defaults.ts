import type { Config } from './types.js';

export function defaultConfig(): Config {
  return {
    paths: ['dashboards'],
    exclude: [],
    libraryPanels: ['library-panels'],
    inputs: {},
    alerts: ['alerts'],
    datasources: ['datasources'],
    rules: {},
    exceptions: [],
    // Grafana's own default floor (min_refresh_interval, conf/defaults.ini): a faster refresh is refused
    // by its API and raised by its file provisioning; teams choose a higher one for cost.
    minRefresh: '5s',
    clickhouse: {
      engine: 'embedded',
      schema: ['clickhouse/schema.sql'],
      seed: ['clickhouse/seed.sql'],
      maxExecutionTime: 5,
      maxRowsToRead: 100_000_000,
      workers: 0,
      cache: true,
      clusters: [],
      execute: true,
    },
    budgets: {
      default: {},
      overrides: [],
      severity: 'error',
      productionRows: {},
      regressionThreshold: 0.2,
    },
    redis: {},
    grafana: {
      folders: [],
      drift: 'overwrite',
      disableProvenance: false,
      concurrency: 8,
      retryBudgetMs: 30_000,
    },
    environments: {},
  };
}
