import pc from 'picocolors';
import type { Finding, Report, Severity } from '../core/types.js';
import { safeText } from '../core/safe-text.js';

export interface TextOptions {
  color: boolean;
  /** Show per-query cost lines (verbose). */
  queries?: boolean;
}

const LABEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'info' };

/** Text from a file as one printable line (core/safe-text.ts: the one filter every edge uses). */
export function terminalSafe(text: string): string {
  return safeText(text);
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
