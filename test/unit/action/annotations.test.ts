import { describe, expect, it } from 'vitest';
import { omittedLine, omittedTotal, planAnnotations } from '../../../src/action/annotations.js';
import type { Finding, Severity } from '../../../src/core/types.js';
import { finding } from './sample-report.js';

function many(severity: Severity, n: number, lineBase: number): Finding[] {
  return Array.from({ length: n }, (_, i) =>
    finding({ severity, line: lineBase + i, message: `${severity} ${i}` }),
  );
}

describe('planAnnotations', () => {
  it('errors first, at most 10 of each type per step', () => {
    // Warnings sit on earlier lines than errors: order must still put errors first.
    const plan = planAnnotations([
      ...many('warning', 14, 1),
      ...many('error', 13, 100),
      ...many('info', 3, 500),
    ]);
    expect(plan.annotations.slice(0, 10).every((a) => a.level === 'error')).toBe(true);
    expect(plan.annotations.filter((a) => a.level === 'error')).toHaveLength(10);
    expect(plan.annotations.filter((a) => a.level === 'warning')).toHaveLength(10);
    expect(plan.annotations.filter((a) => a.level === 'notice')).toHaveLength(3);
    expect(plan.omitted).toEqual({ error: 3, warning: 4, notice: 0 });
    expect(plan.annotations[0]).toEqual({
      level: 'error',
      message: 'error 0',
      properties: {
        title: 'dashboard-ci: sql-invalid',
        file: 'dashboards/executive_overview.json',
        startLine: 100,
        startColumn: 21,
      },
    });
  });

  it('at most 50 per job, counting what earlier steps used', () => {
    const findings = [...many('error', 30, 1), ...many('warning', 30, 100), ...many('info', 30, 200)];
    const wide = planAnnotations(findings, { perTypePerStep: 100, perJob: 50 });
    expect(wide.annotations).toHaveLength(50);
    expect(wide.omitted).toEqual({ error: 0, warning: 10, notice: 30 });
    const late = planAnnotations(findings, { perTypePerStep: 10, perJob: 50 }, 45);
    expect(late.annotations.map((a) => a.level)).toEqual(['error', 'error', 'error', 'error', 'error']);
    expect(omittedTotal(late)).toBe(85);
  });

  it('says in one line what was not annotated', () => {
    const plan = planAnnotations(many('error', 12, 1));
    expect(omittedLine(plan)).toMatch(/2 errors not annotated/);
    expect(omittedLine(planAnnotations(many('error', 2, 1)))).toBeUndefined();
  });

  it('clamps positions to 1-based', () => {
    const plan = planAnnotations([finding({ line: 0, column: 0 })]);
    expect(plan.annotations[0]!.properties).toMatchObject({ startLine: 1, startColumn: 1 });
  });
});
