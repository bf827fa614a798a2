import type { Config } from '../config/types.js';

export type GrafanaAuth = { token: string } | { user: string; password: string };

export interface ProvisionOptions {
  cwd: string;
  /** Dashboard files or folders (empty: config.paths). --prune refuses a subset of config.paths. */
  paths: string[];
  config: Config;
  grafanaUrl: string;
  auth: GrafanaAuth;
  dryRun: boolean;
  prune: boolean;
  /** Environment for $VAR / ${VAR} expansion in provisioning files (the edge passes process.env). */
  env: Record<string, string | undefined>;
  /** Commit recorded in each dashboard version message. */
  commit?: { sha: string; subject: string };
  /** Progress lines (never carrying secrets). */
  log?: (line: string) => void;
  /**
   * Write datasources that have secureJsonData even when nothing else changed. Grafana never returns
   * secrets and dashboard-ci stores nothing derived from them, so a secret-only change is invisible
   * to the plan: this is how it is pushed.
   */
  resendSecrets?: boolean;
  /** The environment of dashboard-ci.yml this run deploys (shown in the result). */
  environment?: string;
  /** Datasource uid in the repository → uid in this Grafana (environments). */
  datasourceUids?: Record<string, string>;
}

export type ProvisionKind =
  | 'datasource'
  | 'folder'
  | 'library-panel'
  | 'dashboard'
  | 'notification-template'
  | 'contact-point'
  | 'alert-rule-group';
export type ProvisionAction = 'create' | 'update' | 'unchanged' | 'delete' | 'skip';
export type ProvisionOutcome =
  'planned' | 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped' | 'failed';

export interface ProvisionItem {
  kind: ProvisionKind;
  uid: string;
  title?: string;
  /** Source file, relative to the working directory. */
  file?: string;
  action: ProvisionAction;
  result: ProvisionOutcome;
  /** Readable diff lines for an update (secrets never in clear). */
  diff?: string[];
  /** Drift: changed in Grafana since dashboard-ci last wrote it. */
  drift?: boolean;
  /**
   * Worth reading but not a failure: drift overwritten or skipped, a failing datasource health
   * check, a read-back that differs from what was sent, a folder kept by prune because it is not empty.
   */
  warning?: string;
  /** `code` is a stable word per kind of failure (version-mismatch, read-only, conflict, invalid, drift...). */
  error?: { status?: number; code?: string; message: string };
}

export interface ProvisionResult {
  /** The environment of dashboard-ci.yml, when the run deployed one. */
  environment?: string;
  grafanaVersion?: string;
  /** Grafana's URL as shown (never with credentials). */
  grafanaUrl?: string;
  dryRun: boolean;
  items: ProvisionItem[];
  failures: number;
  /** Items with a warning (always set by provision(); optional for results built elsewhere). */
  warnings?: number;
  /** HTTP attempts sent, retries included. */
  requests: number;
  /** Attempts that were not GET/HEAD (0 in a dry run; 0 on an immediate re-run). */
  writes: number;
  retries?: number;
  durationMs?: number;
  /** Set when the run stopped before planning (Grafana unreachable, credentials refused). */
  fatal?: { status?: number; message: string };
}
