import type { Severity } from '../core/types.js';

export type RuleSetting = Severity | 'off';

/** A rule exclusion or downgrade for one dashboard (and optionally one panel). A reason is required. */
export interface RuleException {
  rule: string;
  dashboard?: string;
  panel?: number;
  /** Downgrade instead of excluding: the severity to report at. */
  severity?: RuleSetting;
  reason: string;
}

export interface CostBudget {
  /** Max rows EXPLAIN ESTIMATE may report for one query. */
  maxRows?: number;
  /** Max fraction (0..1) of a table's granules one query may read. */
  maxGranuleFraction?: number;
  /** Tables that every query reading them must prune by partition. */
  requirePartitionPruning?: string[];
  /** Max projected rows at production scale (production row count × fraction of granules read). */
  maxProjectedRows?: number;
}

export interface BudgetOverride extends CostBudget {
  dashboard: string;
  panel?: number;
}

export interface Config {
  /** Where the config was read from (undefined: defaults). Relative to the working directory. */
  file?: string;
  /** Dashboard files or folders to check. */
  paths: string[];
  /** Alert rule files or folders (Grafana file-provisioning format). */
  alerts: string[];
  /** Datasource provisioning files. */
  datasources: string[];
  /** Rule id → severity or off. */
  rules: Record<string, RuleSetting>;
  exceptions: RuleException[];
  /** Fixed clock (ISO 8601) for the default time range; undefined = the real time. */
  now?: string;
  /** Refresh floor, e.g. `30s`, for the refresh-floor rule. */
  minRefresh: string;
  clickhouse: {
    /** `embedded` or an http(s) URL. */
    engine: string;
    user?: string;
    schema: string[];
    seed: string[];
    /** Engine-side bounds on each EXPLAIN (scalar subqueries run during EXPLAIN). */
    maxExecutionTime: number;
    maxRowsToRead: number;
    /** Child processes for the embedded engine; 0 = decide by query count and cores. */
    workers: number;
    /**
     * Keep the embedded engine's prepared schema + seed between runs (node_modules/.cache/dashboard-ci,
     * else ~/.cache/dashboard-ci), so a run whose schema and seed did not change skips the seed load.
     */
    cache: boolean;
    /**
     * Clusters the embedded engine reads as its own node: `cluster('name', db, t)` and
     * `clusterAllReplicas(...)` over them read the local `db.t`, so such panels are still EXPLAINed.
     */
    clusters: string[];
  };
  budgets: {
    default: CostBudget;
    overrides: BudgetOverride[];
    /** Severity of an sql-cost finding. */
    severity: Severity;
    /** Production row counts per table (`db.table` or `table`) for projected rows. */
    productionRows: Record<string, number>;
    /** Relative cost increase (0.2 = +20 %) flagged as a regression in the cost diff. */
    regressionThreshold: number;
  };
  redis: { url?: string };
  grafana: {
    url?: string;
    orgId?: number;
    /** Folder for dashboards at the root of a path (uid), when they have no subfolder. */
    folders: { uid: string; title: string; parentUid?: string; path?: string }[];
    /** What to do when a dashboard changed in Grafana since dashboard-ci wrote it. */
    drift: 'overwrite' | 'skip' | 'fail';
    /** Send X-Disable-Provenance with alert rules so they stay editable in the UI. */
    disableProvenance: boolean;
    concurrency: number;
    /** Retry budget in milliseconds for one request. */
    retryBudgetMs: number;
  };
}
