import { describe, expect, it } from 'vitest';
import {
  COMMENT_MARKER,
  codeBlock,
  escapeHtml,
  escapeInline,
  fenceFor,
  formatCount,
  formatPercent,
  renderMarkdown,
  renderProvisionMarkdown,
} from '../../../src/report/markdown.js';
import { finding, makeReport, query, sampleReport } from '../action/sample-report.js';

const opts = {
  marker: COMMENT_MARKER,
  runUrl: 'https://github.com/acme/dash/actions/runs/42',
  blobUrl: 'https://github.com/acme/dash/blob/0123456789abcdef0123456789abcdef01234567',
  notes: ['Checked the 2 dashboards this pull request changes.'],
};

describe('renderMarkdown', () => {
  it('renders the PR comment (snapshot)', () => {
    expect(renderMarkdown(sampleReport(), opts)).toMatchSnapshot();
  });

  it('starts with the marker, then counts, then per-dashboard tables, errors, SQL', () => {
    const md = renderMarkdown(sampleReport(), opts);
    expect(md.startsWith(COMMENT_MARKER + '\n')).toBe(true);
    const order = [
      '**2** dashboards',
      '### Executive overview',
      '### ❌ Errors (1)',
      '#### ClickHouse said',
      '### SQL',
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain("Code: 47. UNKNOWN_IDENTIFIER: Missing columns: 'is_eror'");
    expect(md).toContain('| Panel | Query | Status | Rows | Granules read | Cost change |');
    expect(md).toContain('**+50%** 🔺 regression');
    expect(md).toContain('152\u00a0/\u00a0610\u00a0(25%)');
  });

  it('without a marker (CLI output) starts with the heading', () => {
    expect(renderMarkdown(makeReport([], [query()]), { marker: '' }).startsWith('## ✅ dashboard-ci')).toBe(
      true,
    );
  });

  it('a clean report says so', () => {
    const md = renderMarkdown(makeReport([], [query()]), { marker: COMMENT_MARKER });
    expect(md).toContain('## ✅ dashboard-ci: no problems found');
    expect(md).not.toContain('### ❌ Errors');
  });

  it('escapes untrusted titles, refIds and messages for tables', () => {
    const hostile =
      'a | b\n## injected `code` <img src=x onerror=alert(1)> @octocat $var [link](http://x) ![i](http://y)';
    const md = renderMarkdown(
      makeReport(
        [finding({ message: hostile })],
        [query({ panelTitle: hostile, refId: 'A|B\nC', status: 'invalid', cost: undefined })],
      ),
      { marker: COMMENT_MARKER },
    );
    const rows = md.split('\n').filter((l) => l.includes('a \\| b'));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      // One table row: no raw newline, every pipe inside the cell escaped.
      const cells = row.replace(/\\\|/g, '').split('|');
      expect(cells.length).toBe(row.startsWith('| [') || row.startsWith('| dashboards') ? 5 : 8);
      expect(row).not.toContain('<img');
      expect(row).toContain('&lt;img');
      expect(row).not.toMatch(/@octocat/);
      expect(row).toContain('\\$var');
      expect(row).toContain('\\[link\\]');
      expect(row).toContain('\\`code\\`');
    }
    expect(md).not.toMatch(/^## injected/m);
    expect(md).toContain('A\\|B C');
  });

  it('puts SQL in a fence longer than any backtick run inside it', () => {
    const sql = 'SELECT 1 AS `x`\n-- ``` not the end\n-- ```` nor this\n</details>\nSELECT 2';
    const md = renderMarkdown(makeReport([], [query({ sql, status: 'invalid' })]), {
      marker: COMMENT_MARKER,
    });
    expect(md).toContain('`````sql\n' + sql + '\n`````');
    expect(fenceFor('no ticks')).toBe('```');
    expect(fenceFor('a ``` b')).toBe('````');
    expect(codeBlock('x\r\ny\n\n')).toBe('```\nx\ny\n```');
  });

  it('escapes HTML in <summary> without markdown escapes, and keeps the marker only at the start', () => {
    const md = renderMarkdown(
      makeReport(
        [],
        [query({ panelTitle: `<!-- dashboard-ci:comment --></summary><script>`, status: 'invalid' })],
      ),
      { marker: COMMENT_MARKER },
    );
    expect(md.indexOf(COMMENT_MARKER)).toBe(0);
    expect(md.lastIndexOf(COMMENT_MARKER)).toBe(0);
    expect(md).toContain('&lt;!-- dashboard-ci:comment --&gt;&lt;/summary&gt;&lt;script&gt;');
    expect(escapeHtml('a_b*c')).toBe('a_b*c');
    expect(escapeInline('a_b*c')).toBe('a\\_b\\*c');
  });

  it('formats numbers deterministically', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(9_999)).toBe('9,999');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(4_567_890)).toBe('4.57M');
    expect(formatCount(420_000_000)).toBe('420M');
    expect(formatCount(1_000_000_000)).toBe('1B');
    expect(formatPercent(0.25)).toBe('25%');
    expect(formatPercent(0.0123)).toBe('1.2%');
    expect(formatPercent(-0.5)).toBe('-50%');
  });
});

describe('renderProvisionMarkdown', () => {
  it('lists what changed and every failure, escaping titles', () => {
    const md = renderProvisionMarkdown({
      dryRun: false,
      grafanaVersion: '11.4.0',
      failures: 1,
      requests: 12,
      writes: 2,
      items: [
        { kind: 'folder', uid: 'prod', title: 'Prod', action: 'unchanged', result: 'unchanged' },
        { kind: 'dashboard', uid: 'exec', title: 'Exec | overview', action: 'update', result: 'updated' },
        {
          kind: 'dashboard',
          uid: 'pa',
          title: 'Prompts',
          action: 'create',
          result: 'failed',
          error: { status: 412, message: 'The dashboard has been changed by someone else' },
        },
      ],
    });
    expect(md).toContain('## ❌ Provisioning');
    expect(md).toContain('| dashboard | exec | Exec \\| overview | update | updated |');
    expect(md).toContain('❌ failed | 412 The dashboard has been changed by someone else |');
    expect(md).toContain('_1 object unchanged._');
  });
});
