import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import { ConfigError, knownRuleIds, loadConfig, parseConfig } from '../../../src/config/load.js';
import { UsageError } from '../../../src/core/types.js';

const repo = path.resolve(import.meta.dirname, '../../..');
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'dci-config-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function dir(files: Record<string, string>): Promise<string> {
  const d = await mkdtemp(path.join(tmp, 'case-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(d, name)), { recursive: true });
    await writeFile(path.join(d, name), text);
  }
  return d;
}

function errorOf(text: string): ConfigError {
  try {
    parseConfig('dashboard-ci.yml', text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns the defaults when there is no dashboard-ci.yml', async () => {
    expect(await loadConfig({ cwd: await dir({}) })).toEqual(defaultConfig());
  });

  it('reads dashboard-ci.yml, else dashboard-ci.yaml, and merges over the defaults', async () => {
    const yml = await loadConfig({
      cwd: await dir({
        'dashboard-ci.yml':
          'minRefresh: 1m\nclickhouse:\n  workers: 2\nbudgets:\n  default:\n    maxRows: 1000\n',
      }),
    });
    expect(yml.file).toBe('dashboard-ci.yml');
    expect(yml.minRefresh).toBe('1m');
    expect(yml.clickhouse).toEqual({ ...defaultConfig().clickhouse, workers: 2 });
    expect(yml.budgets.default).toEqual({ maxRows: 1000 });
    expect(yml.budgets.severity).toBe('error');
    expect(yml.paths).toEqual(['dashboards']);
    const yaml = await loadConfig({ cwd: await dir({ 'dashboard-ci.yaml': 'paths: [boards]\n' }) });
    expect(yaml.file).toBe('dashboard-ci.yaml');
    expect(yaml.paths).toEqual(['boards']);
  });

  it('reads an explicit --config file, and fails on a missing one', async () => {
    const cwd = await dir({ 'ci/custom.yml': 'rules:\n  panel-description: off\n' });
    const c = await loadConfig({ cwd, file: 'ci/custom.yml' });
    expect(c.rules).toEqual({ 'panel-description': 'off' });
    expect(c.file).toBe('ci/custom.yml');
    const err = await loadConfig({ cwd, file: 'missing.yml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('missing.yml: no such file or directory');
  });

  it('treats an empty file as the defaults', async () => {
    const c = await loadConfig({ cwd: await dir({ 'dashboard-ci.yml': '# nothing yet\n' }) });
    expect({ ...c, file: undefined }).toEqual({ ...defaultConfig(), file: undefined });
  });

  it("loads the repository's own dashboard-ci.yml", async () => {
    const c = await loadConfig({ cwd: repo });
    expect(c.paths).toEqual(['dashboards']);
    expect(c.minRefresh).toBe('10s');
    expect(c.budgets.default).toEqual({
      maxGranuleFraction: 0.5,
      requirePartitionPruning: ['frontend_events'],
    });
    expect(c.budgets.productionRows).toEqual({ frontend_events: 2_000_000_000 });
    expect(c.budgets.regressionThreshold).toBe(0.25);
  });
});

describe('config errors: one line naming the file, the position and the key', () => {
  it('unknown key with a suggestion', () => {
    expect(errorOf('minRefresh: 10s\nbudget:\n  default: {}\n').message).toBe(
      'dashboard-ci.yml:2:1: unknown key "budget" at the top level (did you mean "budgets"?)',
    );
    expect(errorOf('clickhouse:\n  engine: embedded\n  wokers: 2\n').message).toBe(
      'dashboard-ci.yml:3:3: unknown key "wokers" at /clickhouse (did you mean "workers"?)',
    );
  });

  it('an exception without a reason', () => {
    expect(errorOf('exceptions:\n  - rule: refresh-floor\n    dashboard: exec\n').message).toBe(
      'dashboard-ci.yml:2:5: /exceptions/0 must have "reason"',
    );
    expect(errorOf('exceptions:\n  - rule: refresh-floor\n    reason: "  "\n').message).toContain(
      '/exceptions/0/reason must be a non-empty reason',
    );
  });

  it('an exception for one query: refId needs its panel', () => {
    expect(
      errorOf('exceptions:\n  - rule: no-data-on-seed\n    refId: A\n    reason: x\n').message,
    ).toContain('must have property panel when property refId is present');
    const c = parseConfig(
      'dashboard-ci.yml',
      'exceptions:\n  - rule: no-data-on-seed\n    dashboard: d\n    panel: 2\n    refId: B\n    reason: seed lacks it\n',
    );
    expect(c.exceptions).toEqual([
      { rule: 'no-data-on-seed', dashboard: 'd', panel: 2, refId: 'B', reason: 'seed lacks it' },
    ]);
  });

  it('clickhouse.execute: on by default, a boolean only', () => {
    expect(defaultConfig().clickhouse.execute).toBe(true);
    expect(parseConfig('dashboard-ci.yml', 'clickhouse:\n  execute: false\n').clickhouse.execute).toBe(false);
    expect(errorOf('clickhouse:\n  execute: sometimes\n').message).toContain('/clickhouse/execute');
  });

  it('unknown rule ids, in rules and in exceptions, with a suggestion', () => {
    expect(errorOf('rules:\n  panel-titles: off\n').message).toBe(
      'dashboard-ci.yml:2:3: unknown rule "panel-titles" at /rules (did you mean "panel-title"?); see docs/rules/README.md',
    );
    expect(errorOf('exceptions:\n  - rule: sql-cots\n    reason: x\n').message).toContain(
      'unknown rule "sql-cots" at /exceptions/0/rule (did you mean "sql-cost"?)',
    );
    expect(knownRuleIds()).toContain('sql-not-select');
  });

  it('wrong types and values', () => {
    expect(errorOf('clickhouse:\n  workers: many\n').message).toBe(
      'dashboard-ci.yml:2:12: /clickhouse/workers must be an integer, found "many"',
    );
    expect(errorOf('rules:\n  schema: warn\n').message).toBe(
      'dashboard-ci.yml:2:11: /rules/schema must be one of error, warning, info, off, found "warn"',
    );
    expect(errorOf('minRefresh: soon\n').message).toContain(
      '/minRefresh must be a duration such as 10s, 1m or 1h, found "soon"',
    );
    expect(errorOf('budgets:\n  default:\n    maxGranuleFraction: 2\n').message).toContain(
      '/budgets/default/maxGranuleFraction must be <= 1',
    );
    expect(errorOf('- a\n- b\n').message).toBe(
      'dashboard-ci.yml:1:1: the top level must be a mapping, found a list',
    );
  });

  it('refuses secrets, in keys and in URLs', () => {
    expect(errorOf('clickhouse:\n  user: default\n  password: hunter2\n').message).toBe(
      'dashboard-ci.yml:3:3: "password" at /clickhouse is not allowed: secrets never go in dashboard-ci.yml; pass them through the environment or the Action inputs',
    );
    const url = errorOf('grafana:\n  url: https://admin:hunter2@grafana.example.com\n').message;
    expect(url).toContain('/grafana/url must be a URL without credentials');
    // The error line quotes the value without the secret.
    expect(url).not.toContain('hunter2');
    expect(url).toContain('"https://***@grafana.example.com"');
    const engine = errorOf('clickhouse:\n  engine: http://default:pw@localhost:8123\n').message;
    expect(engine).toContain('/clickhouse/engine must be "embedded" or an http(s) URL without credentials');
    expect(engine).not.toContain(':pw@');
    const redis = errorOf('redis:\n  url: redis://:pw@localhost:6379\n').message;
    expect(redis).toContain('/redis/url must be a URL without credentials');
    expect(redis).not.toContain('pw@');
  });

  it('YAML syntax errors keep the file and line', () => {
    const e = errorOf('rules:\n  schema: off\n   panel-title: off\n');
    expect(e.message).toMatch(/^dashboard-ci\.yml:\d+:\d+: invalid YAML: /);
    expect(e.message).not.toContain('\n');
  });
});

describe('clickhouse.clusters', () => {
  it('takes a list of cluster names, empty by default', () => {
    expect(defaultConfig().clickhouse.clusters).toEqual([]);
    const config = parseConfig('dashboard-ci.yml', 'clickhouse:\n  clusters: [main, default]\n');
    expect(config.clickhouse.clusters).toEqual(['main', 'default']);
  });

  it('refuses anything but a list of names', () => {
    expect(errorOf('clickhouse:\n  clusters: main\n').message).toMatch(/clusters/);
    expect(errorOf("clickhouse:\n  clusters: ['']\n").message).toMatch(/clusters/);
  });
});
