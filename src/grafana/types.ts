import type { Config } from '../config/types.js';

export type GrafanaAuth = { token: string } | { user: string; password: string };

export interface ProvisionOptions {
  cwd: string;
  /** Dashboard files or folders (default: config.paths). */
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
}

export type ProvisionKind = 'datasource' | 'folder' | 'dashboard' | 'alert-rule-group';
export type ProvisionAction = 'create' | 'update' | 'unchanged' | 'delete' | 'skip';
export type ProvisionOutcome = 'planned' | 'created' | 'updated' | 'unchanged' | 'deleted' | 'skipped' | 'failed';

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
  error?: { status?: number; message: string };
}

export interface ProvisionResult {
  grafanaVersion?: string;
  dryRun: boolean;
  items: ProvisionItem[];
  failures: number;
  requests: number;
  writes: number;
}
