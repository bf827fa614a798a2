import { maskUserinfo } from '../core/url.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UsageError, type JsonPath, type Position } from '../core/types.js';
import { displayPath } from '../dashboards/load.js';
import { YamlSource } from '../dashboards/provisioning-files.js';
import { ruleIds } from '../lint/registry.js';
import { didYouMean } from '../lint/suggest.js';
import { defaultConfig } from './defaults.js';
import { SECRET_KEYS, configSchema } from './schema.js';
import type { Config } from './types.js';

export const CONFIG_FILES = ['dashboard-ci.yml', 'dashboard-ci.yaml'] as const;

/** A config problem: one line naming the file, the position and the key (exit code 2 at the edge). */
export class ConfigError extends UsageError {
  constructor(
    message: string,
    readonly file: string,
    readonly position?: Position,
  ) {
    super(message);
  }
}

/** Every rule id dashboard-ci.yml may name (lint rules, loader rules, the SQL checker's). */
export function knownRuleIds(): readonly string[] {
  return ruleIds();
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: false, verbose: true, strict: true }).compile(configSchema);
  return compiled;
}

function decode(instancePath: string): JsonPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') {
    // A URL with user:password@ is quoted without them: an error line must not carry a secret.
    const safe = maskUserinfo(v);
    return `"${safe.length > 40 ? safe.slice(0, 39) + '…' : safe}"`;
  }
  return String(v);
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** What a pattern-checked key must look like, in words. */
const PATTERN_WORDS: Record<string, string> = {
  minRefresh: 'a duration such as 10s, 1m or 1h',
  now: 'an ISO 8601 time with a zone, such as 2026-11-27T12:00:00Z',
  engine: '"embedded" or an http(s) URL without credentials (the password comes from the environment)',
  url: 'a URL without credentials in it (secrets come from the environment or the Action inputs)',
  uid: 'a uid of letters, digits, "-" and "_"',
  reason: 'a non-empty reason',
};

function at(p: string): string {
  return p === '' ? 'the top level' : p;
}

function explain(e: ErrorObject): { message: string; path: JsonPath; key?: string } {
  const where = e.instancePath;
  const path = decode(where);
  const last = path[path.length - 1];
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      if (SECRET_KEYS.has(key)) {
        return {
          path,
          key,
          message:
            `"${key}" at ${at(where)} is not allowed: secrets never go in dashboard-ci.yml; ` +
            'pass them through the environment or the Action inputs',
        };
      }
      const props =
        (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
      const hint = didYouMean(key, Object.keys(props));
      return {
        path,
        key,
        message: `unknown key "${key}" at ${at(where)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
      };
    }
    case 'required':
      return {
        path,
        message: `${at(where)} must have "${(e.params as { missingProperty: string }).missingProperty}"`,
      };
    case 'type':
      return {
        path,
        message: `${at(where)} must be ${TYPE_WORDS[String((e.params as { type: string }).type)] ?? (e.params as { type: string }).type}, found ${describe(e.data)}`,
      };
    case 'enum':
      return {
        path,
        message: `${where} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}, found ${describe(e.data)}`,
      };
    case 'pattern':
    case 'minLength': {
      const words = typeof last === 'string' ? PATTERN_WORDS[last] : undefined;
      if (words) return { path, message: `${where} must be ${words}, found ${describe(e.data)}` };
      return { path, message: `${where} ${e.message ?? 'is invalid'}, found ${describe(e.data)}` };
    }
    default:
      return { path, message: `${where} ${e.message ?? 'is invalid'}, found ${describe(e.data)}` };
  }
}

function fail(
  file: string,
  source: YamlSource | undefined,
  problem: { message: string; path: JsonPath; key?: string },
): never {
  const pos = source
    ? problem.key
      ? source.locateKey(problem.path, problem.key)
      : source.locate(problem.path)
    : undefined;
  const prefix = pos ? `${file}:${pos.line}:${pos.column}` : file;
  throw new ConfigError(`${prefix}: ${problem.message}`, file, pos);
}

function checkRuleIds(file: string, source: YamlSource, value: Record<string, unknown>): void {
  const known = ruleIds();
  const knownSet = new Set(known);
  const unknown = (id: string, path: JsonPath, key?: string) => {
    const hint = didYouMean(id, known);
    const problem: { message: string; path: JsonPath; key?: string } = {
      path,
      message: `unknown rule "${id}" at /${path.join('/')}${hint ? ` (did you mean "${hint}"?)` : ''}; see docs/rules/README.md`,
    };
    if (key !== undefined) problem.key = key;
    fail(file, source, problem);
  };
  const rules = value.rules as Record<string, unknown> | undefined;
  if (rules) for (const id of Object.keys(rules)) if (!knownSet.has(id)) unknown(id, ['rules'], id);
  const exceptions = value.exceptions as { rule: string }[] | undefined;
  exceptions?.forEach((e, i) => {
    if (!knownSet.has(e.rule)) unknown(e.rule, ['exceptions', i, 'rule']);
  });
}

function merge(user: Record<string, unknown>, file: string): Config {
  const d = defaultConfig();
  const u = user as Partial<Config> & {
    clickhouse?: Partial<Config['clickhouse']>;
    budgets?: Partial<Config['budgets']>;
    grafana?: Partial<Config['grafana']>;
  };
  const config: Config = {
    ...d,
    ...(u.paths ? { paths: u.paths } : {}),
    ...(u.exclude ? { exclude: u.exclude } : {}),
    ...(u.libraryPanels ? { libraryPanels: u.libraryPanels } : {}),
    ...(u.inputs ? { inputs: u.inputs } : {}),
    ...(u.alerts ? { alerts: u.alerts } : {}),
    ...(u.datasources ? { datasources: u.datasources } : {}),
    ...(u.rules ? { rules: u.rules } : {}),
    ...(u.exceptions ? { exceptions: u.exceptions } : {}),
    ...(u.minRefresh ? { minRefresh: u.minRefresh.trim() } : {}),
    ...(u.now ? { now: u.now } : {}),
    ...(u.filter ? { filter: u.filter } : {}),
    clickhouse: { ...d.clickhouse, ...u.clickhouse },
    budgets: {
      ...d.budgets,
      ...u.budgets,
      default: { ...d.budgets.default, ...u.budgets?.default },
      productionRows: { ...d.budgets.productionRows, ...u.budgets?.productionRows },
    },
    redis: { ...d.redis, ...u.redis },
    grafana: { ...d.grafana, ...u.grafana },
    environments: (u.environments as Config['environments'] | undefined) ?? {},
    file,
  };
  return config;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Validates the text of a config file and merges it over the defaults. `file` is the display path. */
export function parseConfig(file: string, text: string): Config {
  const { source, findings } = YamlSource.parse(file, text);
  if (!source) {
    const f = findings[0]!;
    throw new ConfigError(`${file}:${f.line}:${f.column}: ${f.message}`, file, {
      line: f.line,
      column: f.column,
    });
  }
  const value = source.value;
  if (value === null || value === undefined) return { ...defaultConfig(), file };
  const validate = validator();
  if (!validate(value)) fail(file, source, explain(validate.errors![0]!));
  checkRuleIds(file, source, value as Record<string, unknown>);
  return merge(value as Record<string, unknown>, file);
}

/**
 * dashboard-ci.yml (or .yaml) from cwd when present, else the defaults; an explicit `file` that does
 * not exist is an error. Throws ConfigError (a UsageError) with one line naming the file and the key.
 */
export async function loadConfig(opts: { cwd: string; file?: string }): Promise<Config> {
  if (opts.file !== undefined) {
    const abs = path.resolve(opts.cwd, opts.file);
    const shown = displayPath(opts.cwd, abs);
    let text: string | undefined;
    try {
      text = await readIfExists(abs);
    } catch (err) {
      throw new ConfigError(
        `${shown}: cannot read (${(err as { code?: string }).code ?? (err as Error).message})`,
        shown,
      );
    }
    if (text === undefined) throw new ConfigError(`${shown}: no such file or directory`, shown);
    return parseConfig(shown, text);
  }
  for (const name of CONFIG_FILES) {
    const abs = path.join(opts.cwd, name);
    let text: string | undefined;
    try {
      text = await readIfExists(abs);
    } catch (err) {
      throw new ConfigError(
        `${name}: cannot read (${(err as { code?: string }).code ?? (err as Error).message})`,
        name,
      );
    }
    if (text !== undefined) return parseConfig(name, text);
  }
  return defaultConfig();
}
