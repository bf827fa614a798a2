import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { Finding } from '../../../src/core/types.js';
import { loadDashboards, parseDashboard } from '../../../src/dashboards/load.js';
import { applyRuleSettings, lintDashboards } from '../../../src/lint/engine.js';
import { locationPrefix, withLocation } from '../../../src/lint/location.js';
import { RULES, ruleIds, ruleMetadata } from '../../../src/lint/registry.js';

const repo = path.resolve(import.meta.dirname, '../../..');

const dashboard = (uid: string, file = `${uid}.json`) =>
  parseDashboard(
    file,
    `{
  "uid": "${uid}", "title": "Dash ${uid}", "schemaVersion": 39,
  "panels": [
    { "id": 1, "type": "stat", "title": "One" },
    { "id": 2, "type": "stat", "title": "Two" }
  ]
}`,
  ).dashboard!;

describe('lintDashboards', () => {
  it('reports with the default severity, a location prefix, uid, panel id, sorted by position', () => {
    const findings = lintDashboards([dashboard('b'), dashboard('a')], {
      config: defaultConfig(),
      datasources: [],
    });
    const descriptions = findings.filter((f) => f.rule === 'panel-description');
    expect(descriptions.map((f) => [f.file, f.line, f.panelId, f.dashboardUid, f.severity])).toEqual([
      ['a.json', 4, 1, 'a', 'warning'],
      ['a.json', 5, 2, 'a', 'warning'],
      ['b.json', 4, 1, 'b', 'warning'],
      ['b.json', 5, 2, 'b', 'warning'],
    ]);
    expect(descriptions[0]!.message).toBe('dashboard "Dash a", panel 1 "One": panel has no description');
    // panel-no-targets is an error on the same panels.
    expect(findings.filter((f) => f.rule === 'panel-no-targets')).toHaveLength(4);
  });

  it('skips rules set to off and changes severities from config.rules', () => {
    const config = {
      ...defaultConfig(),
      rules: { 'panel-description': 'off', 'panel-no-targets': 'warning' } as const,
    };
    const findings = lintDashboards([dashboard('a')], { config, datasources: [] });
    expect(findings.some((f) => f.rule === 'panel-description')).toBe(false);
    expect(findings.filter((f) => f.rule === 'panel-no-targets').map((f) => f.severity)).toEqual([
      'warning',
      'warning',
    ]);
  });

  it('runs only the rules asked for', () => {
    const findings = lintDashboards([dashboard('a')], {
      config: defaultConfig(),
      datasources: [],
      only: ['panel-title'],
    });
    expect(findings).toEqual([]);
    const some = lintDashboards([dashboard('a')], {
      config: defaultConfig(),
      datasources: [],
      only: ['panel-no-targets'],
    });
    expect(new Set(some.map((f) => f.rule))).toEqual(new Set(['panel-no-targets']));
  });

  it("locates findings inside Grafana's export wrapper {dashboard, meta}", () => {
    const parsed = parseDashboard(
      'wrapped.json',
      `{
  "meta": { "slug": "x" },
  "dashboard": {
    "uid": "w", "title": "W", "schemaVersion": 39, "refresh": "1s",
    "panels": [
      { "id": 1, "type": "stat", "title": "A", "description": "d", "targets": [{ "refId": "A", "rawSql": "SELECT $nope" }] },
      { "id": 1, "type": "stat", "title": "B", "description": "d", "gridPos": { "x": 20, "y": 0, "w": 8, "h": 2 }, "targets": [{ "refId": "A" }] }
    ]
  }
}`,
    );
    expect(parsed.dashboard!.root).toEqual(['dashboard']);
    expect(parsed.dashboard!.uid).toBe('w');
    const findings = lintDashboards([parsed.dashboard!], { config: defaultConfig(), datasources: [] });
    expect(findings.map((f) => `${f.line}:${f.column} ${f.rule}`)).toEqual([
      '4:63 refresh-floor',
      '6:114 undefined-variable',
      '7:15 unique-panel-ids',
      '7:79 grid-layout',
    ]);
  });
});

describe('applyRuleSettings', () => {
  const f = (over: Partial<Finding>): Finding => ({
    rule: 'sql-cost',
    severity: 'error',
    message: 'm',
    file: 'dashboards/a.json',
    line: 1,
    column: 1,
    dashboardUid: 'a',
    panelId: 3,
    ...over,
  });

  it('drops a rule set to off, whatever produced the finding', () => {
    expect(applyRuleSettings([f({})], { rules: { 'sql-cost': 'off' }, exceptions: [] })).toEqual([]);
  });

  it('applies the most specific exception: panel over dashboard over rule-wide', () => {
    const config = {
      rules: {},
      exceptions: [
        { rule: 'sql-cost', severity: 'info' as const, reason: 'everywhere' },
        { rule: 'sql-cost', dashboard: 'a', severity: 'warning' as const, reason: 'this dashboard' },
        { rule: 'sql-cost', dashboard: 'a', panel: 4, reason: 'this panel: excluded' },
      ],
    };
    const out = applyRuleSettings(
      [f({ panelId: 3 }), f({ panelId: 4 }), f({ dashboardUid: 'b', file: 'b.json' })],
      config,
    );
    expect(out.map((x) => [x.dashboardUid, x.panelId, x.severity])).toEqual([
      ['b', 3, 'info'],
      ['a', 3, 'warning'],
    ]);
  });

  it('applies an exception for one query (panel and refId) over the panel and dashboard ones', () => {
    const config = {
      rules: {},
      exceptions: [
        { rule: 'no-data-on-seed', dashboard: 'a', severity: 'info' as const, reason: 'this dashboard' },
        { rule: 'no-data-on-seed', dashboard: 'a', panel: 3, refId: 'B', reason: 'seed lacks gpt-5' },
      ],
    };
    const out = applyRuleSettings(
      [
        f({ rule: 'no-data-on-seed', severity: 'warning', refId: 'A' }),
        f({ rule: 'no-data-on-seed', severity: 'warning', refId: 'B' }),
        f({ rule: 'no-data-on-seed', severity: 'warning', panelId: 4, refId: 'B' }),
      ],
      config,
    );
    expect(out.map((x) => [x.panelId, x.refId, x.severity])).toEqual([
      [3, 'A', 'info'],
      [4, 'B', 'info'],
    ]);
  });

  it('matches an exception by file path, and by uid for findings that carry only the file', () => {
    const d = parseDashboard('dashboards/a.json', '{ "uid": "exec", "title": "T" }').dashboard!;
    const config = {
      rules: {},
      exceptions: [
        { rule: 'json-syntax', dashboard: 'dashboards/b.json', reason: 'generated' },
        { rule: 'schema', dashboard: 'exec', reason: 'legacy' },
      ],
    };
    const out = applyRuleSettings(
      [
        {
          rule: 'json-syntax',
          severity: 'error',
          message: 'x',
          file: 'dashboards/b.json',
          line: 2,
          column: 1,
        },
        { rule: 'schema', severity: 'error', message: 'x', file: 'dashboards/a.json', line: 1, column: 1 },
        { rule: 'schema', severity: 'error', message: 'x', file: 'dashboards/c.json', line: 1, column: 1 },
      ],
      config,
      [d],
    );
    expect(out.map((x) => x.file)).toEqual(['dashboards/c.json']);
  });

  it('leaves other rules alone and does not mutate its input', () => {
    const input = [f({ rule: 'sql-invalid' })];
    const out = applyRuleSettings(input, { rules: { 'sql-invalid': 'warning' }, exceptions: [] });
    expect(out[0]!.severity).toBe('warning');
    expect(input[0]!.severity).toBe('error');
  });
});

describe('location prefix', () => {
  it('names the dashboard, panel and query, and bounds untrusted titles', () => {
    expect(
      locationPrefix({
        dashboard: { uid: 'x', title: 'Exec' },
        panel: { id: 3, title: 'Chat\nvolume' },
        refId: 'A',
      }),
    ).toBe('dashboard "Exec", panel 3 "Chat volume", query A');
    expect(locationPrefix({ dashboard: { uid: 'x' }, variable: 'user' })).toBe('dashboard x, variable $user');
    expect(locationPrefix({ alertRule: { uid: 'r1', title: 'High error rate' }, refId: 'A' })).toBe(
      'alert rule r1 "High error rate", query A',
    );
    expect(locationPrefix({ panel: { title: 'x'.repeat(100) } })).toHaveLength('panel ""'.length + 60);
    expect(withLocation({}, 'bare')).toBe('bare');
  });
});

describe('registry', () => {
  it('lists rules sorted by id, one file per rule', () => {
    const ids = RULES.map((r) => r.id);
    expect(ids).toEqual([...ids].sort());
    for (const id of ids) expect(existsSync(path.join(repo, 'src/lint/rules', `${id}.ts`)), id).toBe(true);
  });

  it('knows the loader and SQL checker ids, each with a docs page listed in the index', () => {
    const ids = ruleIds();
    for (const id of [
      'json-syntax',
      'yaml-syntax',
      'file-too-large',
      'schema',
      'sql-invalid',
      'sql-cost',
      'sql-interpolation',
      'sql-multi-statement',
      'sql-not-select',
    ]) {
      expect(ids).toContain(id);
    }
    const index = readFileSync(path.join(repo, 'docs/rules/README.md'), 'utf8');
    for (const info of ruleMetadata()) {
      expect(existsSync(path.join(repo, info.docs)), info.docs).toBe(true);
      expect(index, info.id).toContain(`(${info.id}.md)`);
      expect(info.help.length).toBeGreaterThan(20);
    }
  });
});

describe('the reference fixtures', () => {
  it('real Grafana exports have no schema, syntax or undefined-variable errors', async () => {
    const loaded = await loadDashboards(['test/fixtures/grafana'], { cwd: repo });
    // The folder's datasource provisioning file is read too (YAML dashboards exist) and told apart.
    expect(loaded.files).toBe(4);
    expect(loaded.usageErrors).toEqual([]);
    expect(loaded.findings.map((f) => [f.rule, f.severity, f.file])).toEqual([
      ['not-a-dashboard', 'info', 'test/fixtures/grafana/clickhouse.datasource-provisioning.yml'],
    ]);
    expect(loaded.dashboards).toHaveLength(3);
    const findings = lintDashboards(loaded.dashboards, { config: defaultConfig(), datasources: [] });
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.file}:${f.line} ${f.rule} ${f.message}`)).toEqual([]);
    expect(findings.filter((f) => f.rule === 'schema')).toEqual([]);
  });
});
