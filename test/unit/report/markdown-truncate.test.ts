import { describe, expect, it } from 'vitest';
import { fitStaged, GITHUB_COMMENT_LIMIT, hardCut } from '../../../src/report/comment-truncate.js';
import { COMMENT_MARKER, renderMarkdown } from '../../../src/report/markdown.js';
import type { Finding, QueryRecord } from '../../../src/core/types.js';
import { finding, makeReport, query } from '../action/sample-report.js';

const bigSql = (i: number): string =>
  `SELECT toStartOfInterval(timestamp, INTERVAL 60 second) AS t, count() AS c_${i}\nFROM frontend_events\nWHERE ${'user_id != 0 AND '.repeat(20)}1\nGROUP BY t ORDER BY t`;

function hugeReport(opts: { queries: number; errors: number; warnings: number; infos: number }) {
  const queries: QueryRecord[] = [];
  for (let i = 0; i < opts.queries; i++) {
    queries.push(
      query({
        file: `dashboards/d${String(i % 40).padStart(2, '0')}.json`,
        panelId: i,
        panelTitle: `Panel number ${i}`,
        sql: bigSql(i),
        status: i < opts.errors ? 'invalid' : 'ok',
        ...(i < opts.errors
          ? {
              cost: undefined,
              error: { code: 47, name: 'UNKNOWN_IDENTIFIER', message: `Missing columns: 'c${i}' `.repeat(8) },
            }
          : {}),
      }),
    );
  }
  const findings: Finding[] = [];
  for (let i = 0; i < opts.errors; i++)
    findings.push(finding({ panelId: i, line: i + 1, message: `error ${i}: ${'x'.repeat(80)}` }));
  for (let i = 0; i < opts.warnings; i++)
    findings.push(
      finding({
        rule: 'sql-cost',
        severity: 'warning',
        panelId: 10_000 + i,
        line: 20_000 + i,
        message: `warning ${i}`,
      }),
    );
  for (let i = 0; i < opts.infos; i++)
    findings.push(
      finding({
        rule: 'panel-description',
        severity: 'info',
        panelId: 30_000 + i,
        line: 40_000 + i,
        message: `info ${i}`,
      }),
    );
  return makeReport(findings, queries);
}

describe('staged truncation', () => {
  it('keeps a huge report within 65,536 characters, marker first, saying what was left out', () => {
    const report = hugeReport({ queries: 3_000, errors: 400, warnings: 300, infos: 300 });
    const full = renderMarkdown(report, { marker: COMMENT_MARKER, maxChars: 50_000_000 });
    expect(full.length).toBeGreaterThan(1_000_000);
    const md = renderMarkdown(report, { marker: COMMENT_MARKER });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toMatch(/✂️ \*\*Left out\*\* to stay within 65,536 characters: .*the SQL of 3000 queries/);
    expect(md).toContain('the rows of 2600 clean queries');
    expect(md).toContain('300 info findings');
    expect(md).toContain('300 warnings');
    // Counts survive every stage.
    expect(md).toContain('**400** errors');
    // Some errors still shown (the most important part), the rest counted.
    expect(md).toContain('error 0: xxx');
    expect(md).toMatch(/\d+ error findings/);
  });

  it('drops the SQL first: a report a little over the limit keeps every table row', () => {
    const report = hugeReport({ queries: 300, errors: 2, warnings: 0, infos: 0 });
    const md = renderMarkdown(report, { marker: COMMENT_MARKER });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toContain('Panel number 299 (#299)');
    // SQL of failing queries is kept when the clean ones' SQL is enough to drop.
    expect(md).toContain('<summary>dashboards/d00.json · Panel number 0 (#0)');
    expect(md).not.toContain('Panel number 299 (#299) · A — ✅ ok</summary>');
    expect(md).toContain('the SQL of 298 queries');
    expect(md).not.toContain('clean queries');
  });

  it('leaves a report under the limit alone (no left-out line)', () => {
    const md = renderMarkdown(hugeReport({ queries: 5, errors: 1, warnings: 1, infos: 1 }), {
      marker: COMMENT_MARKER,
    });
    expect(md).not.toContain('Left out');
    expect(md).toContain('### SQL as EXPLAIN saw it');
  });

  it('measures bytes when asked (job summary: 1 MiB)', () => {
    const report = hugeReport({ queries: 200, errors: 0, warnings: 0, infos: 0 });
    for (const q of report.queries) q.panelTitle = '日本語のパネル'.repeat(20);
    const bytes = (t: string): number => Buffer.byteLength(t, 'utf8');
    const md = renderMarkdown(report, { marker: '', maxChars: 60_000, measure: bytes });
    expect(bytes(md)).toBeLessThanOrEqual(60_000);
    expect(md.length).toBeLessThan(60_000);
  });

  it('falls back to dropping trailing blocks, then a hard cut, never losing the marker', () => {
    const text = fitStaged(
      () => ({
        blocks: ['<!-- m -->', 'head', 'x'.repeat(500), 'y'.repeat(500)],
        pinned: 2,
        leftOut: [],
        errorCount: 0,
      }),
      { maxChars: 700 },
    );
    expect(text.length).toBeLessThanOrEqual(700);
    expect(text.startsWith('<!-- m -->')).toBe(true);
    expect(text).toContain('1 trailing section(s)');
    const tiny = fitStaged(
      () => ({ blocks: ['<!-- m -->', 'h'.repeat(300)], pinned: 2, leftOut: [], errorCount: 0 }),
      {
        maxChars: 100,
      },
    );
    expect(tiny.length).toBeLessThanOrEqual(100);
    expect(tiny.startsWith('<!-- m -->')).toBe(true);
    expect(hardCut('ab\ncd\nef', 7)).toBe('ab\ncd\n');
    expect(hardCut('\ud83d\ude00\ud83d\ude00', 3)).toBe('\ud83d\ude00');
  });
});
