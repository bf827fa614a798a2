import type { ChangeFilter, Config } from '../config/types.js';
import type { Clock } from '../core/clock.js';
import type { QueryRecord, Report } from '../core/types.js';
import type { BaseVerdict } from './change.js';
import type { VariableQueryRunner } from '../sql/resolve-variables.js';

export interface CheckOptions {
  cwd: string;
  /** Dashboard files or folders; empty = config.paths. `-` is the dashboard read from `stdin`. */
  paths: string[];
  /** Standard input, read when `paths` holds `-` (the edge passes process.stdin). */
  stdin?: AsyncIterable<Buffer | string>;
  /** `--exclude` patterns (.gitignore-style, relative to cwd), on top of config.exclude. */
  exclude?: string[];
  /** Alert rule files or folders; undefined = config.alerts. */
  alertPaths?: string[];
  config: Config;
  /** false = lint only (--no-explain). */
  explain: boolean;
  /** `embedded` or an http(s) URL; undefined = config.clickhouse.engine. */
  clickhouse?: string;
  clickhouseAuth?: { user?: string; password?: string };
  /** DDL / data files for the test instance; undefined = config.clickhouse.schema / seed. */
  schema?: string[];
  seed?: string[];
  /** Apply schema/seed against a server too (into a scratch database). */
  prepareServer?: boolean;
  datasources?: string[];
  /** Git ref for the cost diff, and what the change filter compares with. */
  base?: string;
  /**
   * With a base: `changed` counts only findings about what changed since it, `file` every finding of
   * a changed file, `all` (default) every finding. Findings that do not count go to Report.baseFindings.
   */
  filter?: ChangeFilter;
  /** A verdict of the base from an earlier run: unchanged queries take their status and findings from it. */
  baseVerdict?: BaseVerdict;
  /** Judge unchanged queries too (to build a complete verdict of this commit when none of the base is at hand). */
  explainUnchanged?: boolean;
  /** The change filter's hook: false = this query is not judged (no EXPLAIN); set by runCheck. */
  judgeQuery?: (rec: QueryRecord) => boolean;
  /**
   * Base queries for the cost diff when already read (the change filter reads the base once), expanded
   * with `run` when the head's variables were resolved by running their queries; set by runCheck.
   */
  baseQueries?: (run?: VariableQueryRunner) => Promise<{ key: string; sql: string }[]>;
  redisUrl?: string;
  /**
   * Where the chdb package is (the Action's tool cache), resolved only when the embedded engine is
   * needed. Default: chdb from node_modules. A path, not a loaded module: pool workers load it too.
   */
  chdbPath?: () => Promise<string>;
  /**
   * The embedded engine's prepared-data cache root, or false for none; undefined = config.clickhouse.cache
   * decides, with the default root (defaultCacheRoot from cwd). An edge may pass one of its own (an
   * Action runner's cache folder, $XDG_CACHE_HOME through defaultCacheRoot's env).
   */
  engineCacheDir?: string | false;
  /** Fixed clock for the default time range, so costs are reproducible. */
  now?: Date;
  /** Where the time comes from when neither `now` nor config.now pins it; default the system clock (core/clock.ts). */
  clock?: Clock;
  onProgress?: (event: { done: number; total: number }) => void;
  /** Each named stage as it begins (the CLI prints them as progress on stderr). */
  onStage?: (stage: CheckStage) => void;
}

/**
 * The stages of a check, in order; `explain` then reports its counts through onProgress; `execute`
 * runs the panel queries on the test data (no-data-on-seed).
 */
export type CheckStage = 'loading' | 'linting' | 'engine' | 'explain' | 'execute' | 'reporting';

export interface CheckResult {
  report: Report;
  /** Usage problems (missing path, empty folder): each one line; the CLI exits 2 after reporting. */
  usageErrors: string[];
  /**
   * The text of each dashboard file as it was checked (report paths; standard input left out): the
   * files `check --fix` may edit, and what their fixes' offsets are into.
   */
  texts?: Map<string, string>;
}
