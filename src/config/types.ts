import type { Severity } from '../core/types.js';

export type RuleSetting = Severity | 'off';

/** `changed`: findings about what a change touched; `file`: every finding of a changed file; `all`: every finding. */
export type ChangeFilter = 'changed' | 'file' | 'all';
export const CHANGE_FILTERS: readonly ChangeFilter[] = ['changed', 'file', 'all'];

/** A rule exclusion or downgrade for one dashboard (and optionally one panel). A reason is required. */
export interface RuleException {
  rule: string;
  dashboard?: string;
  panel?: number;
  /** One query of the panel (its refId); needs `panel`. */
  refId?: string;
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
  /**
   * .gitignore-style patterns of files and folders to leave out, relative to the config file's folder
   * (a vendored package.json, generated files). `--exclude` adds more, relative to the working directory.
   */
  exclude: string[];
  /** Library panel files or folders (library-panels/): checked, and resolved into the dashboards using them. */
  libraryPanels: string[];
  /**
   * Values for the `${…}` inputs of dashboards exported for sharing (`__inputs`), by input name: a
   * datasource uid (when more than one provisioned datasource has the input's type) or a constant.
   */
  inputs: Record<string, string>;
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
  /**
   * Which findings count against a base (`check --base`, the Action): those about what changed, every
   * finding of a changed file, or all. Undefined: each edge's default (the Action `changed`, the CLI `all`).
   */
  filter?: ChangeFilter;
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
    /**
     * Run each panel query for real on the test data (sandboxed, read-only, bounded) to find queries
     * whose result is empty where the data has rows (no-data-on-seed). Only with a seed and an engine
     * whose data is the tool's own; false for a seed that is not representative.
     */
    execute: boolean;
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
    /**
     * An unset $VAR in a provisioning file fails that object. Default false: it is expanded to ""
     * as Grafana's file provisioning does, with a warning naming it.
     */
    strictVariables?: boolean;
  };
  /** Named deployment targets (dev, staging, production...): `provision --env NAME`. */
  environments: Record<string, EnvironmentConfig>;
}

/** One environment: its Grafana, its credentials' variable names, what goes there, its datasource uids. */
export interface EnvironmentConfig {
  /** Grafana base URL (no credentials). */
  url?: string;
  orgId?: number;
  /** Names of the environment variables (GitHub environment secrets) holding the credentials. */
  credentials?: { token?: string; user?: string; password?: string };
  /** Datasource uid as written in the repository → the uid in this environment. */
  datasourceUids?: Record<string, string>;
  /** Dashboard files or folders deployed here (default: paths). */
  paths?: string[];
  /** Alert rule files or folders deployed here (default: alerts). */
  alerts?: string[];
  /** Datasource provisioning files deployed here (default: datasources). */
  datasources?: string[];
  /** Folder settings for this environment (default: grafana.folders). */
  folders?: Config['grafana']['folders'];
  drift?: Config['grafana']['drift'];
  disableProvenance?: boolean;
  /** Git refs (globs such as refs/tags/v*) whose pushes provision this environment in the Action. */
  refs?: string[];
}
