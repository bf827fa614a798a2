// The embedded engine's own walls: the configuration chdb reads when a session opens (a users file
// with a settings profile, its constraints and the grants of the only user), written into a private
// folder per engine. Each wall is ClickHouse's, measured on chdb 3.4.0 (ClickHouse 26.7):
//
// - Grants. clickhouse-local gives its user every right and reads files anywhere (user_files_path is
//   "" there). With a users file, the user has only the grants listed: no READ/WRITE ON FILE, URL,
//   REMOTE, S3, ... (every table function and table engine that reaches outside needs one, and so do
//   tables named by a path, which clickhouse-local's default database reads as files), no CREATE
//   TEMPORARY TABLE (executable() and friends), no introspection, no DROP outside the preparing phase.
// - readonly = 2 while queries are checked: nothing is written, settings may change (a panel's
//   `SETTINGS skip_unavailable_shards = 1` is legal) but only within the constraints below.
// - Constraints: the bounds of every EXPLAIN (time, rows, memory) may be lowered by a query, never
//   lifted or switched off (0 means "no limit" in ClickHouse, so each has a minimum too); the switches
//   clickhouse-local turns on (allow_introspection_functions, implicit_select) are off and const.
//   (changeable_in_readonly, which would let readonly = 1 take query settings, needs
//   settings_constraints_replace_previous, which clickhouse-local never turns on: measured.)
// - VALUES data is literals only (input_format_values_interpret_expressions = 0): the data of an
//   INSERT is not in the statement's AST, so an expression there could not be checked.
//
// What the configuration cannot say is refused by the parsed AST (ast.ts, deny-list.ts), and the
// process the engine runs in has an empty environment and a private working directory (pool.ts).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_MEMORY_USAGE, type ExplainLimits } from './port.js';

/**
 * `prepare` applies the schema and seed: it may create and fill tables. `query` checks panel queries:
 * read-only, bounded. A session never goes from one to the other: the engine closes the preparing
 * session and opens the data again as `query` (embedded.ts).
 */
export type SandboxPhase = 'prepare' | 'query';

export interface SandboxOptions {
  limits: ExplainLimits;
  /** IANA zone the engine's DateTime functions use; the caller passes the runner's own. */
  timezone: string;
  /** Upper bound a query may set max_threads to. */
  maxThreads: number;
}

/** Grants of each phase. Nothing reaches outside the engine's own tables in either. */
export const PHASE_GRANTS: Readonly<Record<SandboxPhase, readonly string[]>> = {
  prepare: [
    'GRANT SELECT, INSERT, CREATE DATABASE, CREATE TABLE, CREATE VIEW, CREATE DICTIONARY, CREATE TEMPORARY TABLE, ALTER TABLE, ALTER VIEW, DROP TABLE, DROP VIEW, DROP DICTIONARY, OPTIMIZE, SHOW, CHECK, dictGet ON *.*',
    'GRANT SYSTEM MERGES, SYSTEM JEMALLOC ON *.*',
  ],
  // CREATE TEMPORARY TABLE is what table functions without a source of their own need (zeros(),
  // format(), loop(), dictionary()); those with one still need READ ON <source>, which no phase has.
  // Of the rest, executable() only runs scripts of user_scripts_path (private and empty), input() only
  // reads an INSERT's data, and eval() is switched off below.
  query: ['GRANT SELECT, SHOW, CHECK, dictGet, CREATE TEMPORARY TABLE ON *.*', 'GRANT SYSTEM MERGES ON *.*'],
};

type Constraint = { const: true } | { min?: string; max?: string };

interface Profile {
  settings: Record<string, string>;
  constraints: Record<string, Constraint>;
}

const SWITCHES_OFF: Record<string, string> = {
  allow_introspection_functions: '0',
  implicit_select: '0',
  input_format_values_interpret_expressions: '0',
  input_format_values_deduce_templates_of_expressions: '0',
  // eval() runs SQL built from strings, past every check of the query's text.
  allow_experimental_eval_table_function: '0',
  // In clickhouse-local, logs sent "to the client" are printed on stderr, which is the CLI's.
  send_logs_level: 'none',
  dialect: 'clickhouse',
};

/** The settings profile of a phase: values, and what a query may do to them. */
export function phaseProfile(phase: SandboxPhase, opts: SandboxOptions): Profile {
  const constraints: Record<string, Constraint> = {};
  for (const name of Object.keys(SWITCHES_OFF)) constraints[name] = { const: true };
  if (phase === 'prepare') return { settings: { ...SWITCHES_OFF }, constraints };
  const int = (n: number): string => String(Math.max(1, Math.floor(n)));
  const seconds = String(Math.max(0.001, opts.limits.maxExecutionTime));
  const rows = int(opts.limits.maxRowsToRead);
  const memory = int(opts.limits.maxMemoryUsage ?? DEFAULT_MAX_MEMORY_USAGE);
  const threads = int(opts.maxThreads);
  const settings: Record<string, string> = {
    ...SWITCHES_OFF,
    readonly: '2',
    allow_ddl: '0',
    max_execution_time: seconds,
    timeout_overflow_mode: 'throw',
    max_rows_to_read: rows,
    read_overflow_mode: 'throw',
    max_memory_usage: memory,
    // Planning is the work here, and threads only cost their start-up: single-threaded EXPLAINs of
    // aggregations measured up to 1.7x faster (bench/engine-floor.ts); a pool process uses one core.
    max_threads: '1',
    // The result of an EXPLAIN AST is what the checks read: a query may not cut it short.
    max_result_rows: '0',
    max_result_bytes: '0',
    result_overflow_mode: 'throw',
  };
  for (const name of [
    'readonly',
    'allow_ddl',
    'timeout_overflow_mode',
    'read_overflow_mode',
    'max_result_rows',
    'max_result_bytes',
    'result_overflow_mode',
  ])
    constraints[name] = { const: true };
  constraints['max_execution_time'] = { min: '0.001', max: seconds };
  constraints['max_rows_to_read'] = { min: '1', max: rows };
  constraints['max_memory_usage'] = { min: '1', max: memory };
  constraints['max_threads'] = { min: '1', max: threads };
  return { settings, constraints };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function el(name: string, body: string): string {
  return `<${name}>${body}</${name}>`;
}

export function usersXml(phase: SandboxPhase, opts: SandboxOptions): string {
  const profile = phaseProfile(phase, opts);
  const settings = Object.entries(profile.settings)
    .map(([k, v]) => el(k, escapeXml(v)))
    .join('');
  const constraints = Object.entries(profile.constraints)
    .map(([k, c]) =>
      el(
        k,
        'const' in c
          ? '<const/>'
          : (c.min !== undefined ? el('min', c.min) : '') + (c.max !== undefined ? el('max', c.max) : ''),
      ),
    )
    .join('');
  const grants = PHASE_GRANTS[phase].map((g) => el('query', escapeXml(g))).join('');
  return el(
    'clickhouse',
    el('profiles', el('default', settings + el('constraints', constraints))) +
      el(
        'users',
        el(
          'default',
          el('password', '') +
            // clickhouse-local opens no port: the user is only ever "connected" in-process.
            el('networks', el('ip', '::/0')) +
            el('profile', 'default') +
            el('quota', 'default') +
            el('grants', grants),
        ),
      ) +
      el('quotas', el('default', '')),
  );
}

export function configXml(dir: string, opts: SandboxOptions): string {
  return el(
    'clickhouse',
    el('users_config', escapeXml(path.join(dir, 'users.xml'))) +
      // clickhouse-local ignores user_files_path for file() (it reads anywhere; the grants and the AST
      // stop that), but dictionaries and formats that resolve relative paths use these.
      el('user_files_path', escapeXml(path.join(dir, 'user_files') + path.sep)) +
      el('user_scripts_path', escapeXml(path.join(dir, 'user_scripts') + path.sep)) +
      el('timezone', escapeXml(opts.timezone)),
  );
}

/**
 * Writes the configuration of `phase` into `dir` (private, the engine's own) and returns the
 * connection arguments that make a chdb Session read it.
 */
export function writeSandboxConfig(dir: string, phase: SandboxPhase, opts: SandboxOptions): string[] {
  mkdirSync(path.join(dir, 'user_files'), { recursive: true, mode: 0o700 });
  mkdirSync(path.join(dir, 'user_scripts'), { recursive: true, mode: 0o700 });
  const write = (name: string, text: string): void => {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600);
  };
  write('users.xml', usersXml(phase, opts));
  write('config.xml', configXml(dir, opts));
  return [`--config-file=${path.join(dir, 'config.xml')}`];
}

/** The runner's time zone, for the engine (which would otherwise read TZ from an environment it lacks). */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}
