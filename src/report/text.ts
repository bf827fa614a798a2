import pc from 'picocolors';
import type { Finding, Report, Severity } from '../core/types.js';

export interface TextOptions {
  color: boolean;
  /** Show per-query cost lines (verbose). */
  queries?: boolean;
}

const LABEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };

// Everything a report holds may come from a file a pull request controls: titles, messages (which quote
// SQL and ClickHouse errors), paths. A terminal or a CI log reads escape sequences in it (colours,
// cursor moves, OSC 8 hyperlinks, window titles, OSC 52 clipboard writes) and bidi overrides reorder what
// the reader sees. So every such string goes through `terminalSafe` before our own colours wrap it.
/* eslint-disable no-control-regex -- escape sequences and controls are exactly what must not reach the terminal */
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[\s\S]?)/g;
// C0, DEL, C1, and Unicode's bidi and line controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;
/* eslint-enable no-control-regex */

/** Text from a file as one printable line: escape sequences removed, other controls become one space. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, ' ');
}

/** Findings grouped by file with line:column, like compilers print them, then one summary line. */
export function renderText(report: Report, opts: TextOptions): string {
  const c = pc.createColors(opts.color);
  const paint: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.blue };
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const out: string[] = [];
  for (const [file, findings] of byFile) {
    out.push(c.underline(terminalSafe(file)));
    const width = Math.max(...findings.map((f) => `${f.line}:${f.column}`.length));
    for (const f of findings) {
      const pos = `${f.line}:${f.column}`.padEnd(width);
      out.push(
        `  ${c.dim(pos)}  ${paint[f.severity](LABEL[f.severity].padEnd(7))}  ${oneLine(f.message)}  ${c.dim(terminalSafe(f.rule))}`,
      );
    }
    out.push('');
  }
  if (opts.queries) {
    for (const q of report.queries) {
      const where = c.dim(`${terminalSafe(q.file)}:${q.line}`);
      const what = [
        q.panelId !== undefined ? `panel ${q.panelId}` : q.origin,
        q.panelTitle ? `"${oneLine(q.panelTitle)}"` : '',
        terminalSafe(q.refId ?? ''),
      ]
        .filter(Boolean)
        .join(' ');
      let detail = terminalSafe(q.reason ?? (q.error ? `${q.error.code} ${q.error.name}` : ''));
      if (q.cost) {
        const t = q.cost.tables;
        const pruned = t.length
          ? `, partition ${t.every((x) => x.partitionPruned) ? 'pruned' : 'NOT pruned'}, primary key ${t.every((x) => x.primaryKeyPruned) ? 'pruned' : 'NOT pruned'}`
          : '';
        detail = `rows ${q.cost.rows}, granules ${q.cost.granules.selected}/${q.cost.granules.total}, parts ${q.cost.parts}${pruned}`;
        if (q.costChange !== undefined)
          detail += `, ${q.costChange >= 0 ? '+' : ''}${Math.round(q.costChange * 100)}% vs base`;
      }
      const status =
        q.status === 'ok' ? c.green(q.status) : q.status === 'skipped' ? c.dim(q.status) : c.red(q.status);
      out.push(`${where}  ${what}  ${status}  ${detail}`);
    }
    if (report.queries.length) out.push('');
  }
  out.push(summaryLine(report, c));
  return out.join('\n') + '\n';
}

function oneLine(s: string): string {
  return terminalSafe(s.replace(/\s*\n\s*/g, ' '));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(report: Report, c = pc.createColors(false)): string {
  const s = report.summary;
  const ok = report.queries.filter((q) => q.status === 'ok').length;
  const parts = [
    plural(s.dashboards, 'dashboard'),
    plural(s.panels, 'panel'),
    `${plural(s.queries, 'query').replace('querys', 'queries')}${s.queries ? ` (${ok} ok)` : ''}`,
  ];
  const verdict = [
    s.errors ? c.red(plural(s.errors, 'error')) : c.green('0 errors'),
    s.warnings ? c.yellow(plural(s.warnings, 'warning')) : '0 warnings',
  ];
  return `${parts.join(', ')}: ${verdict.join(', ')}`;
}
