import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { Config } from '../../../src/config/types.js';
import type { Finding } from '../../../src/core/types.js';
import { parseDashboard } from '../../../src/dashboards/load.js';
import type { DashboardModel } from '../../../src/dashboards/model.js';
import { lintDashboards } from '../../../src/lint/engine.js';
import { applyToText } from '../../../src/check/fix.js';
import type { KnownDatasource } from '../../../src/lint/types.js';

/** A case: one dashboard (JSON text, so lines are what you see) or several for project-scope rules. */
export interface RuleCase {
  name?: string;
  dashboard?: string;
  dashboards?: string[];
  datasources?: KnownDatasource[];
  config?: Partial<Config>;
}

export interface InvalidCase extends RuleCase {
  /** Expected findings of the rule under test, in file/line order. */
  errors: {
    rule: string;
    line: number;
    column?: number;
    file?: string;
    message?: string | RegExp;
    severity?: Finding['severity'];
  }[];
  /**
   * The dashboard text after every fix the findings carry is applied (ESLint's RuleTester `output`);
   * null: no finding carries a fix.
   */
  output?: string | null;
}

export interface RuleTable {
  valid: (string | RuleCase)[];
  invalid: InvalidCase[];
}

export function buildDashboards(texts: string[]): DashboardModel[] {
  return texts.map((text, i) => {
    const parsed = parseDashboard(texts.length === 1 ? 'dashboard.json' : `dashboard-${i + 1}.json`, text);
    if (!parsed.dashboard)
      throw new Error(`test dashboard ${i + 1} does not parse: ${JSON.stringify(parsed.findings)}`);
    return parsed.dashboard;
  });
}

/** Runs one rule over a case, returning its findings (sorted by file, line, column). */
export function runRule(ruleId: string, c: RuleCase): Finding[] {
  const texts = c.dashboards ?? (c.dashboard !== undefined ? [c.dashboard] : []);
  const config: Config = { ...defaultConfig(), ...c.config };
  return lintDashboards(buildDashboards(texts), { config, datasources: c.datasources ?? [], only: [ruleId] });
}

function title(c: RuleCase, i: number, text: string | undefined): string {
  if (c.name) return c.name;
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return `#${i + 1} ${flat.length > 70 ? flat.slice(0, 69) + '…' : flat}`;
}

/** Table-driven tests for one rule: every valid case yields no finding, every invalid one exactly its errors. */
export function ruleTester(ruleId: string, table: RuleTable): void {
  describe(ruleId, () => {
    describe('valid', () => {
      table.valid.forEach((v, i) => {
        const c: RuleCase = typeof v === 'string' ? { dashboard: v } : v;
        it(title(c, i, c.dashboard ?? c.dashboards?.[0]), () => {
          expect(runRule(ruleId, c).map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      table.invalid.forEach((c, i) => {
        it(title(c, i, c.dashboard ?? c.dashboards?.[0]), () => {
          const found = runRule(ruleId, c);
          expect(found.map((f) => ({ rule: f.rule, line: f.line }))).toEqual(
            c.errors.map((e) => ({ rule: e.rule, line: e.line })),
          );
          c.errors.forEach((e, j) => {
            const f = found[j]!;
            if (e.column !== undefined) expect(f.column, `column of error ${j + 1}`).toBe(e.column);
            if (e.file !== undefined) expect(f.file).toBe(e.file);
            if (e.severity !== undefined) expect(f.severity).toBe(e.severity);
            if (typeof e.message === 'string') expect(f.message).toContain(e.message);
            else if (e.message) expect(f.message).toMatch(e.message);
          });
          if (c.output === null) expect(found.filter((f) => f.fix)).toEqual([]);
          else if (c.output !== undefined) {
            const fixes = found.flatMap((f) => (f.fix ? [f.fix] : []));
            expect(applyToText(c.dashboard!, fixes).text).toBe(c.output);
          }
        });
      });
    });
  });
}
