// Markdown pieces shared by the PR comment, the job summary and the deploy plan. Everything that
// comes from a dashboard, a PR, ClickHouse or Grafana (titles, refIds, SQL, file names, messages) is
// untrusted: escaped for the place it lands (table cell, HTML, code fence).

import { formatCount, formatPercent } from '../core/format.js';
import { safeText } from '../core/safe-text.js';
import type { Finding, QueryRecord } from '../core/types.js';

// Caps on single untrusted pieces, so one giant title or message cannot eat the whole budget.
export const MAX_CELL = 300;
export const MAX_MESSAGE = 1_000;
export const MAX_ENGINE_MESSAGE = 2_000;
export const MAX_SQL = 20_000;

// ---------------------------------------------------------------------------------------------
// Escaping

export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + '…';
}

/** Breaks @mentions (a title must not notify people) with a zero-width space. */
function defuseMentions(text: string): string {
  return text.replace(/@/g, '@\u200b');
}

/** Untrusted text for HTML contexts (`<summary>`, where markdown escapes would show literally). */
export function escapeHtml(text: string, max = MAX_CELL): string {
  const oneLine = safeText(clip(text, max));
  return defuseMentions(oneLine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/**
 * Untrusted text for a markdown table cell or inline text: one line, HTML neutralised, every
 * markdown-active punctuation backslash-escaped (pipes included, which GFM needs even in code).
 */
export function escapeInline(text: string, max = MAX_CELL): string {
  const oneLine = safeText(clip(text, max));
  const html = oneLine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // `$` too: GitHub renders $…$ as math, and Grafana titles are full of $variables.
  return defuseMentions(html.replace(/[\\`*_[\]|~!$]/g, '\\$&'));
}

/**
 * Text as an inline code span: one line, clipped, its backticks made quotes so it cannot close the
 * span. Nothing else is escaped: inside a code span GitHub renders backslashes, `<` and `@` literally.
 */
export function codeSpan(text: string, max = MAX_CELL): string {
  return `\`${safeText(clip(text, max)).replace(/`/g, "'")}\``;
}

/** A fence longer than any backtick run inside `code`, so the code cannot close it. */
export function fenceFor(code: string): string {
  let longest = 0;
  for (const m of code.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

export function codeBlock(code: string, lang = ''): string {
  // Lines kept, every other control (bidi overrides that reorder the SQL a reviewer reads) made inert.
  const safe = safeText(code, { lines: true });
  const fence = fenceFor(safe);
  const body = safe.replace(/\n+$/, '');
  return `${fence}${lang}\n${body}\n${fence}`;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const STATUS: Record<QueryRecord['status'], string> = {
  ok: '✅ ok',
  invalid: '❌ invalid',
  'over-budget': '⚠️ over budget',
  skipped: '⏭️ skipped',
};

export function panelLabel(q: QueryRecord): string {
  const name = q.panelTitle ?? (q.origin === 'panel' ? 'untitled panel' : q.origin);
  return q.panelId !== undefined ? `${name} (#${q.panelId})` : name;
}

export function fileLink(file: string, line: number, column: number, blobUrl?: string): string {
  const label = escapeInline(`${file}:${line}:${column}`);
  if (!blobUrl) return label;
  const href = `${blobUrl}/${file.split('/').map(encodeURIComponent).join('/')}#L${line}`;
  return `[${label}](${href.replace(/\(/g, '%28').replace(/\)/g, '%29')})`;
}

export function granulesCell(q: QueryRecord): string {
  const g = q.cost?.granules;
  if (!g) return '—';
  // No-break spaces: the cell stays on one line in GitHub's narrow tables.
  const frac = g.total > 0 ? `\u00a0(${formatPercent(g.selected / g.total)})` : '';
  return `${formatCount(g.selected)}\u00a0/\u00a0${formatCount(g.total)}${frac}`;
}

export function statusCell(q: QueryRecord): string {
  const base = STATUS[q.status];
  if (q.status === 'invalid' && q.error)
    return `${base}: ${escapeInline(q.error.name || String(q.error.code), 60)}`;
  if (q.status === 'skipped' && q.reason) return `${base}: ${escapeInline(q.reason, 120)}`;
  return base;
}

export function ruleCell(rule: string): string {
  return /^[a-z0-9][a-z0-9-]{0,79}$/.test(rule) ? `\`${rule}\`` : escapeInline(rule, 80);
}

export function findingsTable(findings: readonly Finding[], blobUrl?: string): string {
  const lines = ['| Location | Rule | Message |', '| --- | --- | --- |'];
  for (const f of findings) {
    lines.push(
      `| ${fileLink(f.file, f.line, f.column, blobUrl)} | ${ruleCell(f.rule)} | ${escapeInline(f.message, MAX_MESSAGE)} |`,
    );
  }
  return lines.join('\n');
}

export function engineErrorBlock(q: QueryRecord, blobUrl?: string): string {
  const e = q.error!;
  const where = `${fileLink(q.file, q.line, q.column, blobUrl)} · ${escapeInline(panelLabel(q))}${q.refId ? ` · ${escapeInline(q.refId, 60)}` : ''}`;
  return `${where}\n\n${engineErrorText(e)}`;
}

/** ClickHouse's own words, in a fence: `Code: 47. UNKNOWN_IDENTIFIER: …`. */
export function engineErrorText(e: { code: number; name: string; message: string }): string {
  return codeBlock(`Code: ${e.code}. ${e.name}: ${clip(e.message, MAX_ENGINE_MESSAGE)}`, 'text');
}

export function costChangeCell(q: QueryRecord): string {
  if (q.costChange === undefined) return q.baseRows === undefined ? '—' : '±0%';
  if (!Number.isFinite(q.costChange)) return q.regression ? 'new 🔺' : 'new';
  const sign = q.costChange > 0 ? '+' : '';
  const text = `${sign}${formatPercent(q.costChange)}`;
  return q.regression ? `**${text}** 🔺 regression` : text;
}

export function sqlBlock(q: QueryRecord): string {
  const summary = `${escapeHtml(q.file)} · ${escapeHtml(panelLabel(q))}${q.refId ? ` · ${escapeHtml(q.refId, 60)}` : ''} — ${STATUS[q.status]}`;
  let sql = q.sql;
  if (sql.length > MAX_SQL) {
    sql = `${clip(sql, MAX_SQL)}\n-- … ${formatCount(q.sql.length - MAX_SQL)} more characters`;
  }
  return `<details><summary>${summary}</summary>\n\n${codeBlock(sql, 'sql')}\n\n</details>`;
}
