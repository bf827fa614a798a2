import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildSarifLog, renderSarif, type SarifRule } from '../../../src/report/sarif.js';
import { sarifRulesFor } from '../../../src/action/rules.js';
import { ruleMetadata } from '../../../src/lint/registry.js';
import { finding, sampleReport } from '../action/sample-report.js';

// The SARIF 2.1.0 schema (rtm.5, as schemastore serves it) ships in @microsoft/jest-sarif. It is
// written in draft-04, whose only difference that matters to ajv's draft-07 here is `id` for `$id`.
function sarifValidator() {
  const require = createRequire(import.meta.url);
  const schema = structuredClone(
    require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'),
  ) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // unicodeRegExp off: the schema's `language` pattern has a stray ']' that the u flag rejects.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

const rules: SarifRule[] = [
  {
    id: 'sql-invalid',
    description: 'ClickHouse accepts the SQL',
    help: 'Fix the query.',
    severity: 'error',
    helpUri: 'https://example.com/sql-invalid',
  },
];

describe('renderSarif', () => {
  const validate = sarifValidator();

  it('is valid SARIF 2.1.0', () => {
    const text = renderSarif(sampleReport(), rules, { toolVersion: '0.1.0' });
    const log = JSON.parse(text);
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator does reject a broken log', () => {
    const log = buildSarifLog(sampleReport(), rules, { toolVersion: '0.1.0' }) as unknown as {
      runs: { results: { level: string }[] }[];
    };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('has rules with help, results with ruleIndex, level, relative location and fingerprints', () => {
    const log = buildSarifLog(sampleReport(), rules, { toolVersion: '0.1.0' });
    const run = log.runs[0]!;
    const driverRules = run.tool.driver.rules!;
    expect(driverRules.map((r) => r.id)).toEqual(['sql-invalid', 'sql-cost', 'panel-description']);
    expect(driverRules[0]!.help!.text).toBe('Fix the query.');
    expect(driverRules[0]!.helpUri).toBe('https://example.com/sql-invalid');
    const results = run.results!;
    expect(results).toHaveLength(3);
    const err = results.find((r) => r.ruleId === 'sql-invalid')!;
    expect(err.ruleIndex).toBe(0);
    expect(err.level).toBe('error');
    expect(err.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe(
      'dashboards/executive_overview.json',
    );
    expect(err.locations![0]!.physicalLocation!.region).toEqual({ startLine: 88, startColumn: 21 });
    const info = results.find((r) => r.ruleId === 'panel-description')!;
    expect(info.level).toBe('note');
    expect(driverRules[info.ruleIndex!]!.id).toBe('panel-description');
    expect(Object.keys(err.partialFingerprints!)).toEqual(['dashboardCiFinding/v1']);
  });

  it('against a base, marks what the change brought "new" and what was on the base "unchanged" (§3.27.24)', () => {
    const onBase = finding({
      rule: 'refresh-floor',
      message: 'refresh "1s" is faster than the 5s floor',
      line: 5,
    });
    const report = {
      ...sampleReport(),
      baseFindings: [onBase],
      change: {
        filter: 'changed' as const,
        base: 'origin/main',
        changedFiles: ['dashboards/executive_overview.json'],
        queries: { new: 0, changed: 1, unchanged: 2 },
        contextChanged: false,
      },
    };
    const log = buildSarifLog(report, sarifRulesFor(report, ruleMetadata()), {
      toolVersion: '0.1.0',
    });
    expect(validate(log)).toBe(true);
    const results = log.runs[0]!.results!;
    expect(results).toHaveLength(report.findings.length + 1);
    const states = results.map((r) => [r.ruleId, r.baselineState]);
    expect(states.filter(([, s]) => s === 'unchanged')).toEqual([['refresh-floor', 'unchanged']]);
    expect(states.filter(([, s]) => s === 'new')).toHaveLength(report.findings.length);
    const rule = log.runs[0]!.tool.driver.rules!.find((r) => r.id === 'refresh-floor')!;
    expect(rule.shortDescription!.text).not.toContain('dashboard-ci rule');
  });

  it('without a base, says nothing of a baseline', () => {
    const log = buildSarifLog(sampleReport(), rules, { toolVersion: '0.1.0' });
    expect(log.runs[0]!.results!.every((r) => r.baselineState === undefined)).toBe(true);
  });

  it('fingerprints ignore the line, so an edit above a finding keeps its alert', () => {
    const a = buildSarifLog({ ...sampleReport(), findings: [finding({ line: 10 })] }, rules, {
      toolVersion: '0.1.0',
    });
    const b = buildSarifLog({ ...sampleReport(), findings: [finding({ line: 30 })] }, rules, {
      toolVersion: '0.1.0',
    });
    const fp = (l: typeof a) => l.runs[0]!.results![0]!.partialFingerprints;
    expect(fp(a)).toEqual(fp(b));
  });

  it('makes URIs relative to the repository root when the working directory is below it', () => {
    const log = buildSarifLog(sampleReport(), rules, {
      toolVersion: '0.1.0',
      repoRoot: '/repo',
      cwd: '/repo/grafana',
    });
    expect(log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe(
      'grafana/dashboards/executive_overview.json',
    );
  });

  it('takes rule metadata from the lint registry, the engine stages, or a fallback', () => {
    const r = sarifRulesFor(
      sampleReport(),
      [
        {
          id: 'panel-description',
          description: 'Panels say why they exist',
          severity: 'warning',
          help: 'Add a description.',
        },
      ],
      'https://github.com/acme/dashboard-ci/blob/v1',
    );
    expect(r.map((x) => x.id)).toEqual(['panel-description', 'sql-cost', 'sql-invalid']);
    expect(r[0]!.help).toBe('Add a description.');
    expect(r[0]!.helpUri).toBe(
      'https://github.com/acme/dashboard-ci/blob/v1/docs/rules/panel-description.md',
    );
    expect(r[2]!.description).toMatch(/ClickHouse accepts/);
    const log = JSON.parse(renderSarif(sampleReport(), r, { toolVersion: '0.1.0' }));
    expect(validate(log)).toBe(true);
  });
});
