import { describe, expect, it } from 'vitest';
import type { EnvironmentPlan } from '../../../src/grafana/environments.js';
import { FULL_DETAIL, GITHUB_COMMENT_LIMIT } from '../../../src/report/comment-truncate.js';
import { COMMENT_MARKER, renderMarkdown } from '../../../src/report/markdown.js';
import { columnChange, renderVerdictAt } from '../../../src/report/verdict-markdown.js';
import { query, sampleChangeReport } from '../action/sample-report.js';

const render = (report = sampleChangeReport(), extra = {}) =>
  renderMarkdown(report, {
    marker: COMMENT_MARKER,
    baseLabel: 'main',
    blobUrl: 'https://github.com/acme/dash/blob/c0ffee',
    ...extra,
  });

const sections = (md: string) => md.split('\n').filter((l) => l.startsWith('### '));

describe('the verdict of a change', () => {
  it('counts what the change did, then the queries it touched: cost regressions first, each once', () => {
    const md = render();
    expect(md.startsWith(`${COMMENT_MARKER}\n\n## ❌ dashboard-ci: 2 errors, 1 warning in this change`)).toBe(
      true,
    );
    expect(md).toContain('**5** queries: **2** changed, **1** new, **2** unchanged');
    expect(md).toContain('**2** already on main');
    expect(sections(md)).toEqual([
      '### 🔺 Chat volume (#2) · query A',
      '### ❌ Error rate (#4) · query A',
      '### ✅ Other changed queries (1)',
      '### ❌ Errors (1)',
    ]);
    // Each touched query's SQL once; the unchanged ones' never.
    expect(md.split('SELECT countIf(is_eror) / count() FROM frontend_events').length - 1).toBe(1);
    expect(md).not.toContain('SELECT nope FROM frontend_events');
    expect(md).not.toContain('SELECT count() FROM frontend_events WHERE timestamp >= now()');
  });

  it('shows before → after cost and a changed column set on a line of its own', () => {
    const md = render();
    expect(md).toContain(
      '**Rows read:** 1.4M → 2.1M (**+50%** 🔺 regression) · **Granules:** 170\u00a0/\u00a0610 → 260\u00a0/\u00a0610',
    );
    expect(md).toContain('**Columns:** `t` DateTime, `count()` UInt64');
    expect(md).toContain(
      '\n**Column set changed:** `chats` renamed to `count()`. Overrides, transformations and links naming `chats` no longer apply\n',
    );
    // The finding inside its query's section, without the location its heading says.
    expect(md).toContain('- ⚠️ `sql-cost-regression` reads 2.1M rows, +50% against main');
    // ClickHouse's own words for the broken one.
    expect(md).toContain('```text\nCode: 47. UNKNOWN_IDENTIFIER: Unknown expression identifier `is_eror`');
    expect(md).not.toContain('`sql-invalid` ClickHouse rejected');
    // A new query says so.
    expect(md).toContain('| Sessions (#5) | A |');
    expect(md).toContain('(new query)');
  });

  it('collapses the unchanged queries to one line and what was already on main to a closed list', () => {
    const md = render();
    expect(md).toContain(
      "_2 unchanged queries (the same SQL as on main): not judged again; main's verdict (aaaaaaa): 1 invalid._",
    );
    expect(md).toMatch(
      /<details><summary>Already on main \(2\): listed, not counted<\/summary>[\s\S]*refresh-floor[\s\S]*<\/details>/,
    );
  });

  it('a clean change says so, even with problems already on main', () => {
    const report = sampleChangeReport();
    report.findings = [];
    report.summary = { ...report.summary, errors: 0, warnings: 0, infos: 0 };
    for (const q of report.queries) delete q.regression;
    report.queries = report.queries.filter((q) => q.status !== 'invalid' || q.change === 'unchanged');
    const md = render(report);
    expect(md).toContain('## ✅ dashboard-ci: no problems in this change');
    // The query whose column was renamed has a section of its own; the other clean one is in the table.
    expect(sections(md)).toEqual(['### ✅ Chat volume (#2) · query A', '### ✅ Other changed queries (1)']);
  });

  it('escapes hostile titles and never lets a title open a section or mention anyone', () => {
    const report = sampleChangeReport();
    report.queries[2]!.panelTitle = 'x\n### pwned @octocat <img src=x>';
    const md = render(report);
    expect(sections(md)[1]).toBe('### ❌ x ### pwned @\u200boctocat &lt;img src=x&gt; (#4) · query A');
    expect(md).not.toContain('\n### pwned');
    expect(md).not.toContain('@octocat');
  });

  it('shows the deploy plan of each environment, and an environment that could not be planned', () => {
    const plan: EnvironmentPlan[] = [
      {
        environment: 'production',
        grafanaUrl: 'https://grafana.example',
        result: {
          dryRun: true,
          grafanaVersion: '11.4.0',
          items: [
            {
              kind: 'dashboard',
              uid: 'exec',
              title: 'Executive | overview',
              action: 'update',
              result: 'planned',
              drift: true,
              diff: ['- refresh: 30s', '+ refresh: 1m'],
            },
            { kind: 'folder', uid: 'team', title: 'Team', action: 'create', result: 'planned' },
            {
              kind: 'datasource',
              uid: 'clickhouse',
              title: 'ClickHouse',
              action: 'unchanged',
              result: 'unchanged',
            },
            { kind: 'alert-rule-group', uid: 'ai-chat', action: 'delete', result: 'planned' },
          ],
          failures: 0,
          requests: 12,
          writes: 0,
        },
      },
      {
        environment: 'staging',
        grafanaUrl: 'https://staging.example',
        error: 'GET /api/health: 401 invalid API key',
      },
    ];
    const md = render(sampleChangeReport(), { plan });
    expect(md).toContain('### 🚀 Deploy plan: what merging would change in Grafana');
    expect(md).toContain('#### `production` — https://grafana.example (Grafana 11.4.0)');
    expect(md).toContain(
      '**1** to create · **1** to update · **1** to delete · **1** unchanged · ⚠️ **1** drifted',
    );
    expect(md).toContain(
      '| dashboard | exec | Executive \\| overview | ~ update · ⚠️ drift: edited in Grafana since dashboard-ci wrote it |',
    );
    expect(md).toContain('| alert-rule-group | ai-chat |  | − delete |');
    expect(md).toContain(
      '```diff\ndashboard exec "Executive | overview"\n  - refresh: 30s\n  + refresh: 1m\n```',
    );
    expect(md).toContain(
      '#### `staging` — https://staging.example\n\n❌ Could not plan: GET /api/health: 401 invalid API key',
    );
    // Unchanged objects are counted, not listed.
    expect(md).not.toContain('| datasource | clickhouse |');
  });

  it('stays within GitHub’s limit: the list of what was on main and the SQL go first, the errors last', () => {
    const report = sampleChangeReport();
    const big = 'SELECT ' + 'x, '.repeat(2_000) + '1';
    for (let i = 0; i < 400; i++)
      report.queries.push(
        query({ panelId: 100 + i, panelTitle: `Changed ${i}`, change: 'changed', sql: big, line: 1000 + i }),
      );
    for (let i = 0; i < 3_000; i++)
      report.baseFindings!.push({
        ...report.baseFindings![1]!,
        line: 5000 + i,
        message: `old ${i} ${'y'.repeat(60)}`,
      });
    const md = render(report);
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toMatch(/✂️ \*\*Left out\*\* .*the list of 3002 findings already on main/);
    expect(md).toContain('the SQL of');
    // The broken query of the change is still there.
    expect(md).toContain('### ❌ Error rate (#4) · query A');
  });
});

describe('a clean query whose columns changed', () => {
  it('gets a section of its own with the changed column set; a clean one without change stays in the table', () => {
    const report = sampleChangeReport();
    report.queries.push(
      query({
        panelId: 9,
        panelTitle: 'Latency',
        line: 120,
        change: 'changed',
        columns: [
          { name: 't', type: 'DateTime' },
          { name: 'p95', type: 'Float64' },
        ],
        baseColumns: [
          { name: 't', type: 'DateTime' },
          { name: 'p95_latency', type: 'Float64' },
        ],
      }),
    );
    report.summary.queries++;
    const md = render(report);
    expect(sections(md)).toContain('### ✅ Latency (#9) · query A');
    expect(md).toContain('**Columns:** `t` DateTime, `p95` Float64');
    expect(md).toContain(
      '**Column set changed:** `p95_latency` renamed to `p95`. Overrides, transformations and links naming `p95_latency` no longer apply',
    );
    // Without room for tables (the smallest comment), it is counted with the other clean queries.
    const small = renderVerdictAt(
      report,
      { marker: COMMENT_MARKER, baseLabel: 'main' },
      { ...FULL_DETAIL, tables: false },
    );
    expect(small.blocks.join('\n\n')).not.toContain('### ✅ Latency (#9)');
    expect(small.blocks.join('\n\n')).toContain('other changed queries, all ok');
  });
});

describe('columnChange', () => {
  it('names removed, added and retyped columns; none when the set is the same', () => {
    expect(
      columnChange(
        [
          { name: 'a', type: 'UInt8' },
          { name: 'b', type: 'String' },
        ],
        [
          { name: 'a', type: 'UInt64' },
          { name: 'c', type: 'Date' },
        ],
      ),
    ).toBe(
      '`b` removed, `c` Date added, `a` UInt8 → UInt64. Overrides, transformations and links naming `b` no longer apply',
    );
    expect(columnChange([{ name: 'a', type: 'UInt8' }], [{ name: 'a', type: 'UInt8' }])).toBeUndefined();
  });

  it('reads a column gone and one of the same type new at its place as a rename', () => {
    expect(
      columnChange(
        [
          { name: 't', type: 'DateTime' },
          { name: 'chats', type: 'UInt64' },
          { name: 'users', type: 'UInt64' },
        ],
        [
          { name: 't', type: 'DateTime' },
          { name: 'count()', type: 'UInt64' },
          { name: 'ratio', type: 'Float64' },
        ],
      ),
    ).toBe(
      '`chats` renamed to `count()`, `users` removed, `ratio` Float64 added. Overrides, transformations and links naming `chats`, `users` no longer apply',
    );
    // Only added: nothing the panel named is gone.
    expect(
      columnChange(
        [{ name: 'a', type: 'UInt8' }],
        [
          { name: 'a', type: 'UInt8' },
          { name: 'b', type: 'String' },
        ],
      ),
    ).toBe('`b` String added');
    expect(columnChange([{ name: 'a', type: 'UInt8' }], [{ name: 'a', type: 'UInt8' }])).toBeUndefined();
  });
});
