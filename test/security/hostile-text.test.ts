// Titles, messages, SQL and file names are the pull request's. Whatever reaches the PR comment, the job
// summary, annotations or review comments carries no control character and no bidi control that could
// reorder what a reviewer reads ("Trojan Source", CVE-2021-42574): one function (core/safe-text.ts)
// filters all of them.

import { describe, expect, it } from 'vitest';
import { planAnnotations } from '../../src/action/annotations.js';
import { planReviewComments } from '../../src/action/review.js';
import { hasUnsafeText, safeText } from '../../src/core/safe-text.js';
import { COMMENT_MARKER, renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { finding, query, sampleChangeReport, sampleReport } from '../unit/action/sample-report.js';

// Every class that must not get through: bidi embeddings, overrides and isolates, the Arabic letter
// mark, C1 controls (NEL, CSI), C0 controls, DEL, the line separator, an escape sequence.
const HOSTILE = [
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u0085',
  '\u009b',
  '\u0007',
  '\u007f',
  '\u2028',
];
const TITLE = `Revenue ${HOSTILE.join('x')} \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\`;
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- the characters under test
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function hostileReport() {
  const base = sampleChangeReport();
  const f = finding({ message: `dashboard "${TITLE}", panel 4: ${TITLE}`, file: 'dashboards/x\u202e.json' });
  const q = query({
    panelTitle: TITLE,
    refId: `A\u2066`,
    sql: `SELECT 1 /* \u202e } \u2066 */ FROM t\r\nWHERE a = '\u0085'`,
    change: 'changed',
  });
  return {
    ...base,
    findings: [f, ...base.findings],
    baseFindings: [finding({ message: TITLE, line: 3 })],
    queries: [q, ...base.queries],
  };
}

describe('PR-controlled text', () => {
  it('safeText makes every control inert, on one line or keeping lines', () => {
    for (const c of HOSTILE) {
      expect(safeText(`a${c}b`)).toBe('a b');
      if (c !== '\u0007') expect(hasUnsafeText(`a${c}b`)).toBe(true);
    }
    expect(safeText('a\nb\tc', { lines: true })).toBe('a\nb\tc');
    expect(safeText('a\r\nb\u202ec', { lines: true })).toBe('a\nb c');
    expect(safeText('\x1b[31mred\x1b[0m')).toBe('red');
    expect(hasUnsafeText('plain\n\ttext')).toBe(false);
  });

  it('reaches the PR comment and job summary without a control or bidi character (SQL block included)', () => {
    const md = renderMarkdown(hostileReport(), { marker: COMMENT_MARKER, baseLabel: 'main' });
    expect(md).toContain('Revenue');
    expect(md).toContain('SELECT 1');
    expect(md).not.toMatch(UNSAFE);
    const plain = renderMarkdown(
      { ...sampleReport(), findings: hostileReport().findings },
      { marker: COMMENT_MARKER },
    );
    expect(plain).not.toMatch(UNSAFE);
  });

  it('reaches annotations without one', () => {
    const { annotations } = planAnnotations(hostileReport().findings);
    expect(annotations.length).toBeGreaterThan(0);
    for (const a of annotations) {
      expect(a.message).not.toMatch(UNSAFE);
      expect(a.properties.title).not.toMatch(UNSAFE);
    }
  });

  it('reaches review comments without one, and a suggestion that would carry one is not offered', () => {
    const text = '{\n  "refresh": "1s"\n}\n';
    const f = finding({
      rule: 'refresh-floor',
      message: `dashboard "${TITLE}": refresh too fast`,
      file: 'd.json',
      line: 2,
      column: 14,
    });
    const files = new Map([['d.json', { added: new Set([1, 2, 3]), text }]]);
    const clean = planReviewComments([{ ...f, fix: { range: [15, 19], text: '"5s"' } }], files).comments;
    expect(clean).toHaveLength(1);
    expect(clean[0]!.body).toContain('```suggestion\n  "refresh": "5s"\n```');
    expect(clean[0]!.body).not.toMatch(UNSAFE);
    const evil = planReviewComments([{ ...f, fix: { range: [15, 19], text: '"5s\u202e"' } }], files).comments;
    expect(evil).toHaveLength(1);
    expect(evil[0]!.body).not.toContain('suggestion');
    expect(evil[0]!.body).not.toMatch(UNSAFE);
  });

  it('reaches the terminal without one (text output)', () => {
    expect(renderText(hostileReport(), { color: false, queries: true })).not.toMatch(UNSAFE);
  });
});
