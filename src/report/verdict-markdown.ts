// The verdict of a change (a report judged against a base: Report.change) as the comment a reviewer
// wants: the queries the change touched, each once, cost regressions first, each with its before →
// after cost, its columns and what ClickHouse said, its SQL collapsed; the unchanged queries as one
// count; the other findings of the change; the deploy plan; what was already on the base, collapsed.

import { groupByFile, queriesOfFinding } from '../core/finding-query.js';
import { formatChange, formatCount } from '../core/format.js';
import {
  compareFindings,
  type Finding,
  type QueryColumn,
  type QueryRecord,
  type Report,
} from '../core/types.js';
import type { Detail, Rendered } from './comment-truncate.js';
import type { MarkdownOptions } from './markdown.js';
import {
  codeSpan,
  engineErrorText,
  escapeHtml,
  escapeInline,
  fileLink,
  findingsTable,
  MAX_MESSAGE,
  panelLabel,
  plural,
  ruleCell,
  sqlBlock,
  STATUS,
} from './md.js';
import { renderPlanSection } from './plan-markdown.js';

/** At most this many rows of the "already on the base" list (it is collapsed, and never counts). */
const MAX_BASE_ROWS = 100;
const SEVERITY_ICON = { error: '❌', warning: '⚠️', info: 'ℹ️' } as const;

function short(ref: string): string {
  return /^[0-9a-f]{40}$/i.test(ref) ? ref.slice(0, 7) : ref;
}

interface Section {
  q: QueryRecord;
  findings: Finding[];
  worst: 'regression' | 'error' | 'warning' | 'info' | 'none';
}

const RANK: Record<Section['worst'], number> = { regression: 0, error: 1, warning: 2, info: 3, none: 4 };

function worstOf(q: QueryRecord, findings: readonly Finding[]): Section['worst'] {
  if (q.regression) return 'regression';
  for (const s of ['error', 'warning', 'info'] as const) if (findings.some((f) => f.severity === s)) return s;
  return 'none';
}

/** The finding's message without the location its section heading already says. */
function bareMessage(f: Finding): string {
  const marker = f.refId !== undefined ? `query ${f.refId}: ` : undefined;
  const at = marker ? f.message.indexOf(marker) : -1;
  return at >= 0 && at < 300 ? f.message.slice(at + marker!.length) : f.message;
}

function columnsText(cols: readonly QueryColumn[]): string {
  return cols.map((c) => `${codeSpan(c.name, 80)} ${escapeInline(c.type, 80)}`).join(', ');
}

/**
 * `rate` renamed to `ratio`, `x` removed, `y` Float64 added, `n` UInt32 → UInt64: a changed column set,
 * or undefined. A column gone and another of the same type new at the same position is a rename (the
 * usual cause: an alias dropped or changed); whatever named the old one in the panel no longer finds it.
 */
export function columnChange(
  before: readonly QueryColumn[],
  after: readonly QueryColumn[],
): string | undefined {
  const was = new Map(before.map((c) => [c.name, c.type]));
  const now = new Map(after.map((c) => [c.name, c.type]));
  const parts: string[] = [];
  const name = (n: string) => codeSpan(n, 80);
  const renamed = new Map<string, string>();
  before.forEach((c, i) => {
    const at = after[i];
    if (!now.has(c.name) && at && !was.has(at.name) && at.type === c.type) renamed.set(c.name, at.name);
  });
  const renamedTo = new Set(renamed.values());
  for (const [from, to] of renamed) parts.push(`${name(from)} renamed to ${name(to)}`);
  for (const [n] of was) if (!now.has(n) && !renamed.has(n)) parts.push(`${name(n)} removed`);
  for (const [n, t] of now)
    if (!was.has(n) && !renamedTo.has(n)) parts.push(`${name(n)} ${escapeInline(t, 80)} added`);
  for (const [n, t] of now)
    if (was.has(n) && was.get(n) !== t)
      parts.push(`${name(n)} ${escapeInline(was.get(n)!, 80)} → ${escapeInline(t, 80)}`);
  if (parts.length === 0) return undefined;
  const gone = [...was.keys()].filter((n) => !now.has(n));
  const note =
    gone.length > 0
      ? `. Overrides, transformations and links naming ${gone.slice(0, 3).map(name).join(', ')}${gone.length > 3 ? ', …' : ''} no longer apply`
      : '';
  return parts.join(', ') + note;
}

function granules(g: { selected: number; total: number } | undefined): string {
  return g ? `${formatCount(g.selected)}\u00a0/\u00a0${formatCount(g.total)}` : '—';
}

/** `1.2k → 15.3k (+1150% 🔺 regression)`: rows read before and after. */
function rowsChange(q: QueryRecord): string {
  const after = q.cost ? formatCount(q.cost.rows) : '—';
  if (q.change === 'new') return `${after} (new query)`;
  if (q.baseRows === undefined) return after;
  const delta = q.costChange !== undefined && Number.isFinite(q.costChange) ? formatChange(q.costChange) : '';
  const flag = q.regression ? ` **${delta}** 🔺 regression` : delta ? ` ${delta}` : '';
  return `${formatCount(q.baseRows)} → ${after}${flag ? ` (${flag.trim()})` : ''}`;
}

function sectionOf(s: Section, opts: MarkdownOptions, withSql: boolean): string {
  const q = s.q;
  const icon = s.worst === 'regression' ? '🔺' : s.worst === 'none' ? '✅' : SEVERITY_ICON[s.worst];
  const what = q.change === 'new' ? 'new query' : q.change === 'changed' ? 'SQL changed' : 'same SQL';
  const lines = [
    `### ${icon} ${escapeInline(panelLabel(q))}${q.refId ? ` · query ${escapeInline(q.refId, 60)}` : ''}`,
    `${fileLink(q.file, q.line, q.column, opts.blobUrl)} · ${what} · ${STATUS[q.status]}`,
  ];
  const facts: string[] = [];
  if (q.cost || q.baseRows !== undefined) facts.push(`**Rows read:** ${rowsChange(q)}`);
  if (q.cost) {
    const before = q.baseGranules && q.change !== 'new' ? `${granules(q.baseGranules)} → ` : '';
    facts.push(`**Granules:** ${before}${granules(q.cost.granules)}`);
  }
  if (facts.length > 0) lines.push(facts.join(' · '));
  if (q.columns) lines.push(`**Columns:** ${columnsText(q.columns)}`);
  const changed = q.columns && q.baseColumns ? columnChange(q.baseColumns, q.columns) : undefined;
  if (changed) lines.push(`**Column set changed:** ${changed}`);
  const [title, ...rest] = lines;
  const parts = [`${title}\n${rest.join('  \n')}`];
  // ClickHouse's message is shown as it said it, below: not twice.
  const shownError = q.status === 'invalid' && q.error !== undefined;
  const bullets = s.findings.filter((f) => !(shownError && f.rule === 'sql-invalid'));
  if (bullets.length > 0)
    parts.push(
      bullets
        .map(
          (f) =>
            `- ${SEVERITY_ICON[f.severity]} ${ruleCell(f.rule)} ${escapeInline(bareMessage(f), MAX_MESSAGE)}`,
        )
        .join('\n'),
    );
  if (q.status === 'invalid' && q.error) parts.push(engineErrorText(q.error));
  if (withSql && q.sql) parts.push(sqlBlock(q));
  return parts.join('\n\n');
}

function heading(report: Report, opts: MarkdownOptions): string {
  const { errors, warnings } = report.summary;
  const name = escapeInline(opts.title ?? 'dashboard-ci', 80);
  const where = report.change?.filter === 'file' ? 'in the changed files' : 'in this change';
  if (errors > 0) return `## ❌ ${name}: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} ${where}`;
  if (warnings > 0) return `## ⚠️ ${name}: ${plural(warnings, 'warning')} ${where}`;
  return `## ✅ ${name}: no problems ${where}`;
}

function countsLine(report: Report, baseLabel: string): string {
  const s = report.summary;
  const c = report.change!;
  const parts = [
    `**${s.dashboards}** ${s.dashboards === 1 ? 'dashboard' : 'dashboards'}`,
    `**${s.queries}** ${s.queries === 1 ? 'query' : 'queries'}: **${c.queries.changed}** changed, **${c.queries.new}** new, **${c.queries.unchanged}** unchanged`,
    `**${s.errors}** ${s.errors === 1 ? 'error' : 'errors'}`,
    `**${s.warnings}** ${s.warnings === 1 ? 'warning' : 'warnings'}`,
  ];
  const regressions = report.queries.filter((q) => q.regression).length;
  if (regressions > 0)
    parts.push(`**${regressions}** cost ${regressions === 1 ? 'regression' : 'regressions'} 🔺`);
  const onBase = report.baseFindings?.length ?? 0;
  if (onBase > 0) parts.push(`**${onBase}** already on ${baseLabel}`);
  const engine = report.engine ? ` · engine: ${escapeInline(report.engine, 120)}` : '';
  return parts.join(' · ') + engine;
}

function unchangedLine(
  report: Report,
  unchanged: readonly QueryRecord[],
  baseLabel: string,
): string | undefined {
  if (unchanged.length === 0) return undefined;
  const c = report.change!;
  if (c.contextChanged)
    return `_${plural(unchanged.length, 'unchanged query', 'unchanged queries')} judged again: the schema, seed or engine settings changed._`;
  const fromVerdict = unchanged.filter((q) => q.verdictFrom);
  const head = `_${plural(unchanged.length, 'unchanged query', 'unchanged queries')} (the same SQL as on ${baseLabel}): not judged again`;
  if (fromVerdict.length === 0) return `${head}._`;
  const byStatus = new Map<string, number>();
  for (const q of fromVerdict) byStatus.set(q.status, (byStatus.get(q.status) ?? 0) + 1);
  const tally = [...byStatus].map(([k, n]) => `${n} ${k}`).join(', ');
  return `${head}; ${baseLabel}'s verdict (${escapeInline(short(c.verdictFrom ?? fromVerdict[0]!.verdictFrom!), 60)}): ${tally}._`;
}

export function renderVerdictAt(report: Report, opts: MarkdownOptions, detail: Detail): Rendered {
  const c = report.change!;
  const baseLabel = escapeInline(opts.baseLabel ?? short(c.base), 80);
  const blocks: string[] = [
    ...(opts.marker ? [opts.marker] : []),
    heading(report, opts),
    countsLine(report, baseLabel),
  ];
  for (const note of opts.notes ?? []) blocks.push(note);
  const pinned = blocks.length;
  const leftOut: string[] = [];

  // Each counted finding goes to the query it is about, else to the other findings.
  const byFile = groupByFile(report.queries);
  const attached = new Map<QueryRecord, Finding[]>();
  const others: Finding[] = [];
  for (const f of [...report.findings].sort(compareFindings)) {
    const about = queriesOfFinding(f, byFile);
    if (about.length === 0) others.push(f);
    for (const q of about) attached.set(q, [...(attached.get(q) ?? []), f]);
  }
  const sections: Section[] = [];
  const cleanChanged: QueryRecord[] = [];
  const unchanged: QueryRecord[] = [];
  for (const q of report.queries) {
    const findings = attached.get(q) ?? [];
    const worst = worstOf(q, findings);
    if (worst === 'regression' || worst === 'error' || worst === 'warning')
      sections.push({ q, findings, worst });
    else if (q.change === 'unchanged') unchanged.push(q);
    // A clean query whose column set the change altered gets its own section: what named the old
    // columns in the panel is what reviewers miss (only while the comment has room for tables).
    else if (detail.tables && q.columns && q.baseColumns && columnChange(q.baseColumns, q.columns))
      sections.push({ q, findings, worst });
    else cleanChanged.push(q);
  }
  sections.sort(
    (a, b) =>
      RANK[a.worst] - RANK[b.worst] ||
      (a.worst === 'regression' ? (b.q.costChange ?? 0) - (a.q.costChange ?? 0) : 0) ||
      a.q.file.localeCompare(b.q.file) ||
      a.q.line - b.q.line,
  );

  // The queries with a problem, regressions first; errors count against the error cap.
  const cap = detail.maxErrors ?? Number.POSITIVE_INFINITY;
  let errorsShown = 0;
  let hiddenErrors = 0;
  let hiddenWarnings = 0;
  let sqlHidden = 0;
  for (const s of sections) {
    const isError = s.worst === 'error' || s.findings.some((f) => f.severity === 'error');
    if (isError) {
      if (errorsShown >= cap) {
        hiddenErrors++;
        continue;
      }
      errorsShown++;
    } else if (!detail.warnings && s.worst === 'warning') {
      hiddenWarnings++;
      continue;
    }
    const withSql = detail.sql !== 'none';
    if (!withSql && s.q.sql) sqlHidden++;
    blocks.push(sectionOf(s, opts, withSql));
  }

  // The other queries the change touched: clean, one table.
  if (cleanChanged.length > 0) {
    if (detail.tables && detail.cleanRows) {
      const rows = [
        `### ✅ ${sections.length > 0 ? 'Other changed' : 'Changed'} queries (${cleanChanged.length})`,
        '',
        '| Panel | Query | Location | Rows read | Granules |',
        '| --- | --- | --- | ---: | ---: |',
        ...cleanChanged.map(
          (q) =>
            `| ${escapeInline(panelLabel(q))} | ${escapeInline(q.refId ?? '—', 60)} | ${fileLink(q.file, q.line, q.column, opts.blobUrl)} | ${rowsChange(q)} | ${q.baseGranules && q.change !== 'new' ? `${granules(q.baseGranules)} → ` : ''}${granules(q.cost?.granules)} |`,
        ),
      ];
      const parts = [rows.join('\n')];
      if (detail.sql === 'all') {
        const withSql = cleanChanged.filter((q) => q.sql);
        if (withSql.length > 0) parts.push(withSql.map(sqlBlock).join('\n\n'));
      } else sqlHidden += cleanChanged.filter((q) => q.sql).length;
      blocks.push(parts.join('\n\n'));
    } else {
      blocks.push(
        `_${plural(cleanChanged.length, 'other changed query', 'other changed queries')}, all ok._`,
      );
      leftOut.push(`the rows of ${plural(cleanChanged.length, 'clean query', 'clean queries')}`);
    }
  }
  const line = unchangedLine(report, unchanged, baseLabel);
  if (line) blocks.push(line);

  // Findings of the change that are not about a query (the linter's, the loader's...).
  const otherErrors = others.filter((f) => f.severity === 'error');
  const otherWarnings = others.filter((f) => f.severity === 'warning');
  const otherInfos = others.filter((f) => f.severity === 'info');
  if (otherErrors.length > 0) {
    const room = Math.max(0, cap - errorsShown);
    const shown = otherErrors.slice(0, room);
    hiddenErrors += otherErrors.length - shown.length;
    if (shown.length > 0)
      blocks.push(`### ❌ Errors (${otherErrors.length})\n\n${findingsTable(shown, opts.blobUrl)}`);
  }
  if (otherWarnings.length > 0) {
    if (detail.warnings)
      blocks.push(
        `### ⚠️ Warnings (${otherWarnings.length})\n\n${findingsTable(otherWarnings, opts.blobUrl)}`,
      );
    else hiddenWarnings += otherWarnings.length;
  }
  if (otherInfos.length > 0) {
    if (detail.infos)
      blocks.push(
        `<details><summary>ℹ️ Info (${otherInfos.length})</summary>\n\n${findingsTable(otherInfos, opts.blobUrl)}\n\n</details>`,
      );
    else leftOut.push(plural(otherInfos.length, 'info finding'));
  }
  if (hiddenErrors > 0) {
    blocks.push(`_…and ${plural(hiddenErrors, 'more error')}._`);
    leftOut.push(plural(hiddenErrors, 'error finding'));
  }
  if (hiddenWarnings > 0) leftOut.push(plural(hiddenWarnings, 'warning'));
  if (sqlHidden > 0) leftOut.push(`the SQL of ${plural(sqlHidden, 'query', 'queries')}`);

  if (opts.plan) {
    const plan = renderPlanSection(opts.plan, { diffs: detail.planDiffs !== false });
    blocks.push(plan.markdown);
    if (plan.diffsLeftOut > 0) leftOut.push(`the diffs of ${plural(plan.diffsLeftOut, 'planned update')}`);
  }

  const onBase = report.baseFindings ?? [];
  if (onBase.length > 0) {
    if (detail.baseFindings !== false) {
      const shown = onBase.slice(0, MAX_BASE_ROWS);
      const more = onBase.length - shown.length;
      blocks.push(
        `<details><summary>Already on ${escapeHtml(opts.baseLabel ?? short(c.base), 80)} (${onBase.length}): listed, not counted</summary>\n\n${findingsTable(shown, opts.blobUrl)}${more > 0 ? `\n\n_…and ${more} more._` : ''}\n\n</details>`,
      );
    } else {
      leftOut.push(`the list of ${plural(onBase.length, 'finding')} already on ${baseLabel}`);
    }
  }

  for (const l of opts.appendix ?? []) blocks.push(l);
  if (opts.runUrl) blocks.push(`<sub>dashboard-ci · [workflow run](${opts.runUrl})</sub>`);
  const errorUnits = sections.filter(
    (s) => s.worst === 'error' || s.findings.some((f) => f.severity === 'error'),
  ).length;
  return { blocks, pinned, leftOut, errorCount: errorUnits + otherErrors.length };
}
