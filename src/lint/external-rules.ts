import type { Severity } from '../core/types.js';

/**
 * Rule ids whose findings are made outside the lint engine: by the loaders (files that cannot be read
 * as dashboards or provisioning files) and by the SQL checker. Listed here so dashboard-ci.yml can
 * configure them and docs and SARIF describe them. Add a new id here with its docs page.
 */
export interface ExternalRuleMeta {
  id: string;
  description: string;
  severity: Severity;
  help: string;
  /** Who produces the findings. */
  source: 'loader' | 'sql';
}

export const EXTERNAL_RULES: readonly ExternalRuleMeta[] = [
  {
    id: 'file-skipped',
    source: 'loader',
    severity: 'info',
    description:
      'A path that is not a regular file (a FIFO, a device, a link to /dev/stdin) or a link out of the working directory, skipped.',
    help:
      'dashboard-ci reads only regular files inside the repository: a FIFO or a device would block the run, and a ' +
      'link out of the working directory would read the runner’s files. Remove the entry or exclude it.',
  },
  {
    id: 'file-too-large',
    source: 'loader',
    severity: 'error',
    description: 'A dashboard or provisioning file is larger than the size limit (10 MB) and was not read.',
    help: 'Real dashboards are kilobytes; a file this large is usually generated or a mistake. Split or remove it.',
  },
  {
    id: 'json-syntax',
    source: 'loader',
    severity: 'error',
    description: 'A dashboard file is not valid JSON.',
    help: 'The finding points at the line and column where parsing stopped. Fix the JSON there (a missing comma, a trailing comma, an unquoted key).',
  },
  {
    id: 'json-too-deep',
    source: 'loader',
    severity: 'error',
    description:
      'A dashboard file (JSON or YAML) nests objects and arrays deeper than 64 levels; it is not checked.',
    help:
      'Real dashboards nest at most about 20 levels (schema v2 included). A file nested thousands of levels deep ' +
      'is generated or hostile; it is reported at the bracket that crosses the limit and the run goes on.',
  },
  {
    id: 'no-data-on-seed',
    source: 'sql',
    severity: 'warning',
    description:
      'A panel query returns no rows on the test data, where the tables it reads have rows in its time range.',
    help:
      'Each panel query that EXPLAIN accepts is run on the seed data in the sandboxed engine (read-only, bounded in ' +
      'rows, time, memory and result rows). An empty result where the data has rows is usually a filter on a value ' +
      'that does not exist (a misspelled model or event name): Grafana shows "No data". If the seed is not ' +
      'representative, add an exception for the query (panel and refId) with a reason, or set clickhouse.execute: false.',
  },
  {
    id: 'not-a-dashboard',
    source: 'loader',
    severity: 'info',
    description: 'A JSON or YAML file among the dashboards is not a dashboard in any format Grafana reads.',
    help:
      'A vendored package.json, a tsconfig.json, a datasource provisioning file: told apart by content and not ' +
      'checked. Leave it out with exclude: in dashboard-ci.yml (or --exclude) to silence the line.',
  },
  {
    id: 'field-reference',
    source: 'sql',
    severity: 'warning',
    description:
      'A panel names a field (override matcher, transformation, reduce fields, table sort, data link) that none of its queries returns.',
    help:
      "Checked against the columns EXPLAIN gives each query, through the panel's transformations (organize renames, " +
      'calculateField aliases). An override or transformation naming a field that is not there silently stops ' +
      'applying. Only panels whose every query has known columns are checked.',
  },
  {
    id: 'panel-data-shape',
    source: 'sql',
    severity: 'error',
    description:
      'A panel (or alert rule) does not get the kind of columns it draws: a time series without a time column, a gauge without a number.',
    help:
      "Each panel type's needs come from Grafana's panel plugins (docs/rules/panel-data-shape.md). A time formatted " +
      'as text (formatDateTime, toString) is a String to Grafana: return the DateTime and let the panel format it.',
  },
  {
    id: 'redis-command',
    source: 'sql',
    severity: 'error',
    description:
      'A Redis target names a command the Redis server does not have, or one the server flags as writing.',
    help:
      'Checked with COMMAND INFO against the Redis given by --redis or REDIS_URL (the command itself never runs). ' +
      'A module command (TS.*, FT.*, JSON.*) needs that module on the server.',
  },
  {
    id: 'schema-drift',
    source: 'sql',
    severity: 'warning',
    description:
      'The checked-in test schema differs from the server the check is pointed at (a table or column missing, a type changed).',
    help:
      "Checked with --clickhouse URL: each CREATE of the schema files against the server's system.tables and " +
      'system.columns (read-only). Queries EXPLAINed on a drifted schema are judged against tables that are not ' +
      'the real ones: run `dashboard-ci schema pull --clickhouse URL` to write the schema again.',
  },
  {
    id: 'sql-cost-regression',
    source: 'sql',
    severity: 'warning',
    description:
      'A query reads more rows than the same query at the base revision, by more than the threshold.',
    help:
      'Compared with --base (the pull request base in the Action). The threshold is budgets.regressionThreshold ' +
      'in dashboard-ci.yml (0.2 = +20 %). Filter on the partition and primary key, or accept the change.',
  },
  {
    id: 'sql-engine-unsupported',
    source: 'sql',
    severity: 'info',
    description:
      'The test engine cannot judge this query (the query is skipped): it needs what only a server has, the sandbox refuses it, or its SETTINGS would lift a bound.',
    help:
      "Told apart by ClickHouse's error code and the parsed query (AST), never by the message: a system table only a " +
      'server has (system.query_log, metric_log, part_log, zookeeper: 60 on a system. table; merge() over them: 636), ' +
      'a cluster (701) or ClickHouse Keeper (225, 999); a function the sandbox refuses (file(), url(), s3(), remote(), ' +
      'cluster() over a cluster clickhouse.clusters does not map); SETTINGS that would lift a bound (max_execution_time ' +
      '= 0, readonly = 0). Judge it on a server (--clickhouse http://…), or map the cluster to the local node with ' +
      'clickhouse.clusters in dashboard-ci.yml.',
  },
  {
    id: 'sql-cost',
    source: 'sql',
    severity: 'error',
    description:
      'A query reads more than its budget (rows, fraction of granules, partition pruning, projected rows).',
    help:
      'EXPLAIN ESTIMATE and EXPLAIN indexes = 1 on the test data measured what the query reads. Filter on the ' +
      'partition key (usually $__timeFilter on the time column) and the primary key, or raise the budget in ' +
      'dashboard-ci.yml with a reason.',
  },
  {
    id: 'sql-interpolation',
    source: 'sql',
    severity: 'error',
    description: 'A macro or template variable in the SQL could not be expanded.',
    help: 'Grafana would send the text unexpanded or fail. Check the macro arguments and that each variable has a value.',
  },
  {
    id: 'sql-invalid',
    source: 'sql',
    severity: 'error',
    description: 'ClickHouse rejected the query in EXPLAIN (with its error code, name and message).',
    help: "The message is ClickHouse's own, e.g. 47 UNKNOWN_IDENTIFIER or 60 UNKNOWN_TABLE. Fix the SQL, or clickhouse/schema.sql if the table is missing there.",
  },
  {
    id: 'sql-multi-statement',
    source: 'sql',
    severity: 'error',
    description: 'A query holds more than one SQL statement.',
    help: 'A panel query is one statement. dashboard-ci refuses to run anything with a second statement.',
  },
  {
    id: 'sql-not-select',
    source: 'sql',
    severity: 'error',
    description: 'A query is not a read-only SELECT or WITH query.',
    help: 'Panels and alerts only read. INSERT, ALTER, DROP, SYSTEM and the like do not belong in a dashboard.',
  },
  {
    id: 'table-not-in-schema',
    source: 'sql',
    severity: 'error',
    description:
      'Queries read a table the test schema does not define: said once per table, naming every query that reads it.',
    help:
      'Each query that reads the table is skipped (60 UNKNOWN_TABLE would say nothing new). Add the table to the ' +
      'schema files (`dashboard-ci schema pull --clickhouse URL` writes them from a server), or fix the name.',
  },
  {
    id: 'unreadable-path',
    source: 'loader',
    severity: 'error',
    description:
      'A dashboard file or sub-folder cannot be read (permissions, I/O error); the rest are still checked.',
    help:
      'The dashboards under it are not checked, so the run fails. Fix the permissions, or leave the folder out ' +
      'with exclude: in dashboard-ci.yml (an excluded folder is never opened).',
  },
  {
    id: 'variable-unresolved',
    source: 'sql',
    severity: 'info',
    description:
      'A query variable has no value to check its queries with (no stored value; its query was not run or gave nothing).',
    help:
      "Grafana runs a query variable's query when the dashboard loads and takes the first value. Without a value " +
      'dashboard-ci puts NULL (or an empty string inside quotes) where the value goes, and skips queries where ' +
      'the variable names a table. Save the dashboard with a current value, or give the variable a default.',
  },
  {
    id: 'yaml-aliases',
    source: 'loader',
    severity: 'error',
    description:
      'A YAML file expands more than 100 aliases (a "billion laughs" document); it is not checked.',
    help:
      'Each *alias repeats its &anchor: nested aliases grow a few lines into gigabytes. Dashboards need no aliases; ' +
      'write the values out.',
  },
  {
    id: 'yaml-syntax',
    source: 'loader',
    severity: 'error',
    description:
      'A YAML dashboard, a provisioning file (datasources, alert rules) or dashboard-ci.yml is not valid YAML.',
    help: 'The finding points at the line where parsing stopped: indentation, an unclosed quote or bracket, a duplicate key.',
  },
];
