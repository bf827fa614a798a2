// The one place that turns Action inputs into typed settings. Secrets are masked the moment they
// are read, before anything is logged; a bad value gets a message that quotes it and the expected
// form. The Grafana inputs are read by a separate function that only the provisioning routes call:
// a pull_request run never touches them.

import type { GrafanaAuth } from '../grafana/types.js';
import { CHANGE_FILTERS, type ChangeFilter } from '../config/types.js';
import { UsageError } from '../core/types.js';

export interface InputSource {
  /** The raw input (`INPUT_<NAME>`), trimmed; '' when unset. */
  getInput(name: string): string;
  /** Registers a value the runner must mask in every log line after this call. */
  setSecret(value: string): void;
}

export type Mode = 'auto' | 'check' | 'provision';
export type FailOn = 'error' | 'warning' | 'never';

export const DEFAULT_CHDB_VERSION = '3.4.0';

export interface ClickHouseSettings {
  /** Server URL without credentials. */
  url: string;
  user?: string;
  password?: string;
  /** Apply the schema and seed into a scratch database first (a fresh service container). */
  prepare: boolean;
}

export interface ActionSettings {
  githubToken: string;
  mode: Mode;
  /** dashboard-ci.yml path, relative to the workspace. */
  config?: string;
  /** Dashboard files or folders; empty = config.paths. */
  paths: string[];
  /** Server mode; undefined = the embedded engine (chdb from the tool cache). */
  clickhouse?: ClickHouseSettings;
  comment: boolean;
  failOn: FailOn;
  dryRun: boolean;
  prune: boolean;
  chdbVersion: string;
  /** Git ref the cost diff compares against (default: the PR's base commit). */
  baseRef?: string;
  /** Overrides budgets.regressionThreshold (0.2 = +20 %). */
  regressionThreshold?: number;
  /** The environment of dashboard-ci.yml to deploy (its URL, org, datasource uids, credentials). */
  environment?: string;
  /** Refs (globs) whose pushes provision besides the default branch: tags, release branches. */
  releaseRefs: string[];
  /** Which findings count against the base (undefined: dashboard-ci.yml's filter, else `changed`). */
  filter?: ChangeFilter;
  /** false: lint only, no engine (the `explain` input). */
  explain: boolean;
  /** Inline review comments on the changed lines of a pull request. */
  reviewComments: boolean;
}

export interface GrafanaSettings {
  /** undefined: take grafana.url from dashboard-ci.yml. */
  url?: string;
  auth: GrafanaAuth;
}

export class InputError extends UsageError {}

function quote(value: string): string {
  return JSON.stringify(value);
}

function oneOf<T extends string>(
  name: string,
  raw: string,
  allowed: readonly T[],
  fallback: T,
  errors: string[],
): T {
  if (raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  errors.push(`Input '${name}' must be one of ${allowed.join(', ')}; got ${quote(raw)}`);
  return fallback;
}

// Same spellings as @actions/core's getBooleanInput (YAML 1.2 core schema).
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function bool(name: string, raw: string, fallback: boolean, errors: string[]): boolean {
  if (raw === '') return fallback;
  if (TRUE.includes(raw)) return true;
  if (FALSE.includes(raw)) return false;
  errors.push(`Input '${name}' must be true or false; got ${quote(raw)}`);
  return fallback;
}

/** Splits a list input on newlines and commas; blank entries dropped. */
export function parseList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Parses an http(s) URL input. Credentials in it are masked first and split off, so neither the
 * URL we log nor an error message can carry them.
 */
function url(
  name: string,
  raw: string,
  src: InputSource,
  errors: string[],
): { url: string; user?: string; password?: string } | undefined {
  if (raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // An unparseable value may still hold a password: mask it before quoting it.
    if (raw.includes('@')) src.setSecret(raw);
    errors.push(`Input '${name}' must be an http(s) URL such as https://host:8443; got ${quote(raw)}`);
    return undefined;
  }
  const hadCredentials = parsed.username !== '' || parsed.password !== '';
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  if (password) src.setSecret(password);
  if (parsed.password) src.setSecret(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    const shown = hadCredentials ? parsed.toString() : raw;
    errors.push(`Input '${name}' must be an http(s) URL such as https://host:8443; got ${quote(shown)}`);
    return undefined;
  }
  const out: { url: string; user?: string; password?: string } = {
    url: parsed.toString().replace(/\/$/, ''),
  };
  if (user) out.user = user;
  if (password) out.password = password;
  return out;
}

function threshold(raw: string, errors: string[]): number | undefined {
  if (raw === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(raw);
  if (m) {
    const n = Number(m[1]) / (m[2] ? 100 : 1);
    if (Number.isFinite(n)) return n;
  }
  errors.push(
    `Input 'regression-threshold' must be a fraction like 0.2 or a percentage like 20%; got ${quote(raw)}`,
  );
  return undefined;
}

function throwIfAny(errors: string[]): void {
  if (errors.length > 0) throw new InputError(errors.join('\n'));
}

/**
 * Reads every input except the Grafana ones. Secret inputs are read and masked first, so that even
 * a parse error of another input cannot log them.
 */
export function readSettings(src: InputSource): ActionSettings {
  const githubToken = src.getInput('github-token');
  if (githubToken) src.setSecret(githubToken);
  const chPassword = src.getInput('clickhouse-password');
  if (chPassword) src.setSecret(chPassword);

  const errors: string[] = [];
  const mode = oneOf<Mode>('mode', src.getInput('mode'), ['auto', 'check', 'provision'], 'auto', errors);
  const failOn = oneOf<FailOn>(
    'fail-on',
    src.getInput('fail-on'),
    ['error', 'warning', 'never'],
    'error',
    errors,
  );
  const comment = bool('comment', src.getInput('comment'), true, errors);
  const explain = bool('explain', src.getInput('explain'), true, errors);
  const reviewComments = bool('review-comments', src.getInput('review-comments'), true, errors);
  const filterRaw = src.getInput('filter');
  const filter = filterRaw
    ? oneOf<ChangeFilter>('filter', filterRaw, CHANGE_FILTERS, 'changed', errors)
    : undefined;
  const dryRun = bool('dry-run', src.getInput('dry-run'), false, errors);
  const prune = bool('prune', src.getInput('prune'), false, errors);

  const chdbVersion = src.getInput('chdb-version') || DEFAULT_CHDB_VERSION;
  if (!/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(chdbVersion)) {
    errors.push(
      `Input 'chdb-version' must be an exact version such as ${DEFAULT_CHDB_VERSION}; got ${quote(chdbVersion)}`,
    );
  }

  const ch = url('clickhouse-url', src.getInput('clickhouse-url'), src, errors);
  const chUser = src.getInput('clickhouse-user');
  const chPrepare = bool('clickhouse-prepare', src.getInput('clickhouse-prepare'), false, errors);
  let clickhouse: ClickHouseSettings | undefined;
  if (ch) {
    clickhouse = { url: ch.url, prepare: chPrepare };
    const user = chUser || ch.user;
    const password = chPassword || ch.password;
    if (user) clickhouse.user = user;
    if (password) clickhouse.password = password;
  } else if ((chUser || chPassword) && errors.length === 0) {
    errors.push(
      `Input 'clickhouse-user' / 'clickhouse-password' need 'clickhouse-url' (the embedded engine takes no credentials)`,
    );
  }

  const regressionThreshold = threshold(src.getInput('regression-threshold'), errors);
  const environment = src.getInput('environment');
  if (environment && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(environment))
    errors.push(
      `Input 'environment' must be the name of an environment of dashboard-ci.yml (letters, digits, _ . -); got ${quote(environment)}`,
    );
  throwIfAny(errors);

  const settings: ActionSettings = {
    githubToken,
    mode,
    paths: parseList(src.getInput('paths')),
    comment,
    failOn,
    dryRun,
    prune,
    chdbVersion,
    releaseRefs: parseList(src.getInput('release-refs')),
    explain,
    reviewComments,
  };
  if (filter) settings.filter = filter;
  if (environment) settings.environment = environment;
  const config = src.getInput('config');
  if (config) settings.config = config;
  if (clickhouse) settings.clickhouse = clickhouse;
  const baseRef = src.getInput('base-ref');
  if (baseRef) settings.baseRef = baseRef;
  if (regressionThreshold !== undefined) settings.regressionThreshold = regressionThreshold;
  return settings;
}

/**
 * Reads the Grafana inputs (and the GRAFANA_TOKEN / GRAFANA_USER / GRAFANA_PASSWORD environment
 * variables as fallbacks), masking each secret as it is read. Only for push to the default branch
 * and workflow_dispatch.
 */
export function readGrafanaSettings(
  src: InputSource,
  env: Readonly<Record<string, string | undefined>>,
  /** The environment's credential variable names (environments.<name>.credentials), tried before GRAFANA_*. */
  names: { token?: string; user?: string; password?: string } = {},
): GrafanaSettings {
  const fromEnv = (name: string | undefined, fallback: string) => (name && env[name]) || env[fallback] || '';
  const token = src.getInput('grafana-token') || fromEnv(names.token, 'GRAFANA_TOKEN');
  if (token) src.setSecret(token);
  const password = src.getInput('grafana-password') || fromEnv(names.password, 'GRAFANA_PASSWORD');
  if (password) src.setSecret(password);
  const user = src.getInput('grafana-user') || fromEnv(names.user, 'GRAFANA_USER');

  const errors: string[] = [];
  const parsed = url('grafana-url', src.getInput('grafana-url'), src, errors);
  if (parsed && (parsed.user || parsed.password)) {
    errors.push(
      `Input 'grafana-url' must not carry credentials; use grafana-token (or grafana-user and grafana-password)`,
    );
  }
  let auth: GrafanaAuth | undefined;
  if (token) auth = { token };
  else if (user && password) auth = { user, password };
  else
    errors.push(
      `Input 'grafana-token' (or 'grafana-user' and 'grafana-password') is required to provision; got none`,
    );
  throwIfAny(errors);

  const settings: GrafanaSettings = { auth: auth! };
  if (parsed) settings.url = parsed.url;
  return settings;
}

/**
 * The read-only Grafana token of the deploy plan (`grafana-plan-token`), masked as it is read. Only a
 * pull request from the repository itself reads it: never a fork's, and never the write token.
 */
export function readPlanToken(src: InputSource): string | undefined {
  const token = src.getInput('grafana-plan-token');
  if (!token) return undefined;
  src.setSecret(token);
  return token;
}
