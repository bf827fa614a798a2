// The report as GitHub-flavoured markdown: the sticky PR comment and the job summary share it. A
// report judged against a base (Report.change) is laid out around the change (verdict-markdown.ts);
// any other per dashboard. Untrusted text is escaped by the helpers of md.ts.

import { formatCount, formatPercent } from '../core/format.js';
import { compareFindings, type Finding, type QueryRecord, type Report } from '../core/types.js';
import type { ProvisionResult } from '../grafana/types.js';
import { fitStaged, GITHUB_COMMENT_LIMIT, type Detail, type Rendered } from './comment-truncate.js';
import {
  costChangeCell,
  engineErrorBlock,
  escapeInline,
  findingsTable,
  granulesCell,
  MAX_MESSAGE,
  panelLabel,
  plural,
  sqlBlock,
  statusCell,
} from './md.js';
import { renderPlanSection } from './plan-markdown.js';
import { renderVerdictAt } from './verdict-markdown.js';
import type { EnvironmentPlan } from '../grafana/environments.js';

export { codeBlock, escapeHtml, escapeInline, fenceFor } from './md.js';

/** Hidden marker the sticky comment starts with; the Action finds its own comment by it. */
export const COMMENT_MARKER = '<!-- dashboard-ci:comment -->';

export interface MarkdownOptions {
  /** Written first, verbatim (an HTML comment), so the comment can be found again. */
  marker: string;
  /** Heading text; default `dashboard-ci`. */
  title?: string;
  /** Link to the workflow run, shown in the footer. */
  runUrl?: string;
  /** Budget for the whole body; default GitHub's comment limit (65,536). */
  maxChars?: number;
  /** Measures the body against maxChars (default: string length); the summary measures bytes. */
  measure?: (text: string) => number;
  /** `https://github.com/o/r/blob/<sha>`: locations become links to the file at that commit. */
  blobUrl?: string;
  /** Trusted markdown lines shown under the counts (scope of the check, fallbacks). */
  notes?: string[];
  /** Trusted markdown lines shown at the end (before the footer). */
  appendix?: string[];
  /** Said after the left-out line, e.g. where the complete report is. */
  fullReportHint?: string;
  /** The deploy plan of each environment (a pull request with a read-only Grafana token). */
  plan?: EnvironmentPlan[];
  /** What a judged change's base is called in the comment (`main`); default its short sha. */
  baseLabel?: string;
}

// ---------------------------------------------------------------------------------------------
// Pieces

function queryKey(file: string, panelId?: number, refId?: string): string {
  return `${file}\u0000${panelId ?? ''}\u0000${refId ?? ''}`;
}

function findingsByQuery(findings: readonly Finding[]): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of findings) {
    if (f.panelId === undefined && f.refId === undefined) continue;
    const key = queryKey(f.file, f.panelId, f.refId);
    const list = map.get(key) ?? [];
    list.push(f);
    map.set(key, list);
  }
  return map;
}

function isClean(q: QueryRecord, byQuery: Map<string, Finding[]>): boolean {
  if (q.status !== 'ok' || q.regression) return false;
  const fs = byQuery.get(queryKey(q.file, q.panelId, q.refId)) ?? [];
  return !fs.some((f) => f.severity !== 'info');
}

function queryRow(q: QueryRecord): string {
  const rows = q.cost ? formatCount(q.cost.rows) : '—';
  return `| ${escapeInline(panelLabel(q))} | ${escapeInline(q.refId ?? '—', 60)} | ${statusCell(q)} | ${rows} | ${granulesCell(q)} | ${costChangeCell(q)} |`;
}

function heading(report: Report, title: string): string {
  const { errors, warnings } = report.summary;
  const name = escapeInline(title, 80);
  if (errors > 0) {
    return `## ❌ ${name}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  }
  if (warnings > 0) return `## ⚠️ ${name}: ${plural(warnings, 'warning')}`;
  return `## ✅ ${name}: no problems found`;
}

function countsLine(report: Report): string {
  const s = report.summary;
  const parts = [
    `**${s.dashboards}** ${s.dashboards === 1 ? 'dashboard' : 'dashboards'}`,
    `**${s.panels}** ${s.panels === 1 ? 'panel' : 'panels'}`,
    `**${s.queries}** ${s.queries === 1 ? 'query' : 'queries'}`,
    `**${s.errors}** ${s.errors === 1 ? 'error' : 'errors'}`,
    `**${s.warnings}** ${s.warnings === 1 ? 'warning' : 'warnings'}`,
    `**${s.infos}** info`,
  ];
  const regressions = report.queries.filter((q) => q.regression).length;
  if (regressions > 0)
    parts.push(`**${regressions}** cost ${regressions === 1 ? 'regression' : 'regressions'} 🔺`);
  const engine = report.engine ? ` · engine: ${escapeInline(report.engine, 120)}` : '';
  return parts.join(' · ') + engine;
}

function groupByFile(queries: readonly QueryRecord[]): Map<string, QueryRecord[]> {
  const groups = new Map<string, QueryRecord[]>();
  for (const q of queries) {
    const list = groups.get(q.file) ?? [];
    list.push(q);
    groups.set(q.file, list);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function dashboardHeading(report: Report, file: string, queries: readonly QueryRecord[]): string {
  const load = report.load.find((l) => l.file === file);
  const title = load?.title ?? queries[0]?.dashboardUid;
  const name = title ? `${escapeInline(title)} — ${escapeInline(file)}` : escapeInline(file);
  const facts: string[] = [];
  if (load?.refresh) facts.push(`refresh ${escapeInline(load.refresh, 20)}`);
  if (load && load.rowsPerRefresh > 0) facts.push(`${formatCount(load.rowsPerRefresh)} rows per refresh`);
  if (load && load.rowsPerHour > 0) facts.push(`${formatCount(load.rowsPerHour)} rows/hour`);
  return `### ${name}` + (facts.length > 0 ? `\n\n<sub>${facts.join(' · ')}</sub>` : '');
}

// ---------------------------------------------------------------------------------------------
// The whole document at one level of detail

function renderAt(report: Report, opts: MarkdownOptions, detail: Detail): Rendered {
  const blocks: string[] = [
    ...(opts.marker ? [opts.marker] : []),
    heading(report, opts.title ?? 'dashboard-ci'),
    countsLine(report),
  ];
  for (const note of opts.notes ?? []) blocks.push(note);
  const pinned = blocks.length;
  const leftOut: string[] = [];

  const findings = [...report.findings].sort(compareFindings);
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  const infos = findings.filter((f) => f.severity === 'info');
  const byQuery = findingsByQuery(findings);

  // Per-dashboard tables.
  if (detail.tables) {
    let cleanHidden = 0;
    for (const [file, queries] of groupByFile(report.queries)) {
      const shown = detail.cleanRows ? queries : queries.filter((q) => !isClean(q, byQuery));
      const hidden = queries.length - shown.length;
      cleanHidden += hidden;
      const parts = [dashboardHeading(report, file, queries)];
      if (shown.length > 0) {
        const rows = [
          '| Panel | Query | Status | Rows | Granules read | Cost change |',
          '| --- | --- | --- | ---: | ---: | ---: |',
          ...shown.map(queryRow),
        ];
        parts.push(rows.join('\n'));
      }
      if (hidden > 0) {
        parts.push(
          shown.length > 0
            ? `_…and ${plural(hidden, 'more query', 'more queries')}, all ok._`
            : `_All ${plural(hidden, 'query', 'queries')} ok._`,
        );
      }
      blocks.push(parts.join('\n\n'));
    }
    if (cleanHidden > 0) leftOut.push(`the rows of ${plural(cleanHidden, 'clean query', 'clean queries')}`);
  } else if (report.queries.length > 0) {
    leftOut.push(`the per-dashboard tables (${plural(report.queries.length, 'query', 'queries')})`);
  }

  // Errors, with ClickHouse's own message for each invalid query.
  const failed = report.queries.filter((q) => q.status === 'invalid' && q.error);
  if (errors.length > 0 || failed.length > 0) {
    const cap = detail.maxErrors ?? Number.POSITIVE_INFINITY;
    const shownErrors = errors.slice(0, cap);
    const shownFailed = failed.slice(0, cap);
    const parts = [`### ❌ Errors (${errors.length})`];
    if (shownErrors.length > 0) parts.push(findingsTable(shownErrors, opts.blobUrl));
    if (shownFailed.length > 0) {
      parts.push('#### ClickHouse said');
      for (const q of shownFailed) parts.push(engineErrorBlock(q, opts.blobUrl));
    }
    const hiddenErrors = errors.length - shownErrors.length;
    const hiddenFailed = failed.length - shownFailed.length;
    if (hiddenErrors > 0) leftOut.push(plural(hiddenErrors, 'error finding'));
    if (hiddenFailed > 0) leftOut.push(plural(hiddenFailed, 'ClickHouse error message'));
    const hidden = Math.max(hiddenErrors, hiddenFailed);
    if (hidden > 0) parts.push(`_…and ${plural(hidden, 'more error')}._`);
    blocks.push(parts.join('\n\n'));
  }

  if (warnings.length > 0) {
    if (detail.warnings) {
      blocks.push(`### ⚠️ Warnings (${warnings.length})\n\n${findingsTable(warnings, opts.blobUrl)}`);
    } else {
      leftOut.push(plural(warnings.length, 'warning'));
    }
  }

  if (infos.length > 0) {
    if (detail.infos) {
      blocks.push(
        `<details><summary>ℹ️ Info (${infos.length})</summary>\n\n${findingsTable(infos, opts.blobUrl)}\n\n</details>`,
      );
    } else {
      leftOut.push(plural(infos.length, 'info finding'));
    }
  }

  // The interpolated SQL, collapsed.
  const withSql = report.queries.filter((q) => q.sql.length > 0);
  const sqlShown =
    detail.sql === 'all'
      ? withSql
      : detail.sql === 'failing'
        ? withSql.filter((q) => !isClean(q, byQuery))
        : [];
  if (sqlShown.length > 0) {
    blocks.push(`### SQL as EXPLAIN saw it\n\n${sqlShown.map(sqlBlock).join('\n\n')}`);
  }
  const sqlHidden = withSql.length - sqlShown.length;
  if (sqlHidden > 0) leftOut.push(`the SQL of ${plural(sqlHidden, 'query', 'queries')}`);

  if (opts.plan) {
    const plan = renderPlanSection(opts.plan, { diffs: detail.planDiffs !== false });
    blocks.push(plan.markdown);
    if (plan.diffsLeftOut > 0) leftOut.push(`the diffs of ${plural(plan.diffsLeftOut, 'planned update')}`);
  }
  for (const line of opts.appendix ?? []) blocks.push(line);
  if (opts.runUrl) blocks.push(`<sub>dashboard-ci · [workflow run](${opts.runUrl})</sub>`);

  return { blocks, pinned, leftOut, errorCount: Math.max(errors.length, failed.length) };
}

/**
 * The report as markdown, at most `maxChars` long (default 65,536, GitHub's comment limit), the
 * marker first. Over the limit, detail is dropped in stages (comment-truncate.ts) and a line says
 * what was left out.
 */
export function renderMarkdown(report: Report, opts: MarkdownOptions): string {
  const maxChars = opts.maxChars ?? GITHUB_COMMENT_LIMIT;
  const render = report.change ? renderVerdictAt : renderAt;
  return fitStaged((detail) => render(report, opts, detail), {
    maxChars,
    ...(opts.measure ? { measure: opts.measure } : {}),
    ...(opts.fullReportHint ? { fullReportHint: opts.fullReportHint } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// Provisioning (job summary on merge and dispatch)

const MAX_PROVISION_ROWS = 500;

export function renderProvisionMarkdown(result: ProvisionResult): string {
  const counts = new Map<string, number>();
  for (const item of result.items) counts.set(item.result, (counts.get(item.result) ?? 0) + 1);
  const icon = result.failures > 0 ? '❌' : '✅';
  const title = `## ${icon} Provisioning${result.dryRun ? ' (dry run: no writes)' : ''}`;
  const facts = [...counts.entries()].map(([k, v]) => `**${v}** ${k}`);
  facts.push(`**${result.requests}** requests`, `**${result.writes}** writes`);
  if (result.grafanaVersion) facts.push(`Grafana ${escapeInline(result.grafanaVersion, 40)}`);
  const lines = [title, '', facts.join(' · ')];
  const interesting = result.items.filter((i) => i.result !== 'unchanged' || i.drift);
  if (interesting.length > 0) {
    lines.push(
      '',
      '| Kind | UID | Title | Action | Result | Detail |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const item of interesting.slice(0, MAX_PROVISION_ROWS)) {
      const detail = item.error
        ? `${item.error.status ?? ''} ${escapeInline(item.error.message, MAX_MESSAGE)}`.trim()
        : item.drift
          ? 'drift: changed in Grafana since dashboard-ci wrote it'
          : '';
      const result = item.result === 'failed' ? '❌ failed' : item.result;
      lines.push(
        `| ${item.kind} | ${escapeInline(item.uid, 80)} | ${escapeInline(item.title ?? '', 120)} | ${item.action} | ${result} | ${detail} |`,
      );
    }
    if (interesting.length > MAX_PROVISION_ROWS) {
      lines.push('', `_…and ${interesting.length - MAX_PROVISION_ROWS} more._`);
    }
  }
  const unchanged = result.items.length - interesting.length;
  if (unchanged > 0) lines.push('', `_${plural(unchanged, 'object')} unchanged._`);
  return lines.join('\n') + '\n';
}

export { formatCount, formatPercent };
