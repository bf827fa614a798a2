// Renders the PR comment of a report to docs/comment-example.png: markdown (src/report/markdown.ts)
// → HTML (marked, GitHub-flavoured) in a GitHub-like comment frame → headless Chromium screenshot.
//
//   npx tsx scripts/comment-picture.ts [report.json] [out.png]
//
// Without a report it uses the hand-built sample of the unit tests. Needs Debian's chromium.
// docs/comment-example.png comes from a real run: dashboards/prompt_analytics.json with one column
// misspelt (is_followup) and one panel's $__timeFilter removed, checked with the cost diff against
// the unmodified commit (`dashboard-ci check --format json --base <commit> …` → report.json).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { marked } from 'marked';
import type { Report } from '../src/core/types.js';
import { COMMENT_MARKER, renderMarkdown } from '../src/report/markdown.js';
import { sampleReport } from '../test/unit/action/sample-report.js';

const [reportPath, outPath = 'docs/comment-example.png'] = process.argv.slice(2);
const report: Report = reportPath ? (JSON.parse(readFileSync(reportPath, 'utf8')) as Report) : sampleReport();

const markdown = renderMarkdown(report, {
  marker: COMMENT_MARKER,
  runUrl: 'https://github.com/acme/dashboards/actions/runs/4242',
  blobUrl: 'https://github.com/acme/dashboards/blob/3f2c1d0',
  notes: [
    `Checked the ${report.summary.dashboards} dashboard${report.summary.dashboards === 1 ? '' : 's'} this pull request changes.`,
    'Cost change is against `9b8e7a1`.',
  ],
});
// GitHub shows the first SQL block collapsed too; open the failing one so the picture shows one.
const body = (await marked.parse(markdown, { gfm: true })).replace(
  /<details><summary>([^<]*❌[^<]*)<\/summary>/,
  '<details open><summary>$1</summary>',
);

const css = `
  body { margin: 0; background: #fff; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; color: #1f2328; }
  .page { padding: 24px; width: 920px; }
  .comment { border: 1px solid #d1d9e0; border-radius: 6px; }
  .head { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; border-radius: 6px 6px 0 0; color: #59636e; }
  .head b { color: #1f2328; }
  .badge { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 7px; font-size: 12px; margin-left: 4px; }
  .body { padding: 16px; }
  h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 0 0 16px; }
  h3 { font-size: 1.25em; margin: 24px 0 12px; }
  h4 { font-size: 1em; margin: 16px 0 8px; }
  p { margin: 0 0 12px; }
  a { color: #0969da; text-decoration: none; }
  table { border-collapse: collapse; margin: 0 0 16px; display: block; width: max-content; max-width: 100%; overflow: auto; }
  th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
  th { font-weight: 600; background: #f6f8fa; }
  tr:nth-child(2n) td { background: #f6f8fa; }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 85%; }
  code { background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
  pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; white-space: pre-wrap; }
  pre code { background: none; padding: 0; font-size: 100%; }
  details { margin: 0 0 8px; }
  summary { cursor: pointer; }
  blockquote { margin: 0 0 12px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
  sub { color: #59636e; }
`;
// The page writes its own height into the DOM, so a first pass (--dump-dom) can size the window.
const measure = `<script>addEventListener('load', () => { document.body.dataset.height = String(document.documentElement.scrollHeight); });</script>`;
const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style>${measure}</head><body><div class="page">
<div class="comment"><div class="head"><b>github-actions</b> <span class="badge">bot</span> commented</div>
<div class="body">${body}</div></div></div></body></html>`;

const dir = mkdtempSync(join(tmpdir(), 'dci-picture-'));
const htmlPath = join(dir, 'comment.html');
writeFileSync(htmlPath, html);
const chromium = (extra: string[], width = 1000, height = 1400): string =>
  execFileSync(
    '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${width},${height}`,
      ...extra,
      `file://${htmlPath}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
const dom = chromium(['--dump-dom']);
const height = Math.max(1400, Number(/data-height="(\d+)"/.exec(dom)?.[1] ?? 1400) + 8);
chromium([`--screenshot=${resolve(outPath)}`], 1000, height);
console.log(`wrote ${outPath}`);
