// Staged truncation of a markdown report. GitHub rejects an issue comment over 65,536 characters
// with a 422, and a step summary over 1 MiB; instead of cutting mid-table, detail is dropped in
// stages, least useful first, and one line says what was left out.

/** GitHub's limit on an issue or PR comment body (a longer POST/PATCH gets 422 "body is too long"). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** GitHub's limit on one step's job summary, in bytes. */
export const GITHUB_SUMMARY_LIMIT_BYTES = 1_048_576;

/** How much detail a render includes. Stages move from full detail towards counts only. */
export interface Detail {
  /** SQL blocks: all queries, only those with a problem, or none. */
  sql: 'all' | 'failing' | 'none';
  /** Per-query table rows of clean queries (ok, no finding, no regression). */
  cleanRows: boolean;
  /** Per-query table rows at all (false: counts only). */
  tables: boolean;
  infos: boolean;
  warnings: boolean;
  /** At most this many error findings (and ClickHouse error blocks); undefined = all. */
  maxErrors?: number;
  /** The collapsed list of findings already on the base (a judged change); undefined = shown. */
  baseFindings?: boolean;
  /** The diffs of the deploy plan's updates; undefined = shown. */
  planDiffs?: boolean;
}

export const FULL_DETAIL: Detail = { sql: 'all', cleanRows: true, tables: true, infos: true, warnings: true };

/** One render at a given detail: the markdown blocks, and what this detail level left out. */
export interface Rendered {
  /** Blocks joined with blank lines. The first `pinned` blocks are never dropped (marker, heading, counts). */
  blocks: string[];
  pinned: number;
  /** Human phrases, e.g. `the SQL of 41 queries`; empty when nothing was left out. */
  leftOut: string[];
  /** Number of error findings the report holds (for the error-capping stage). */
  errorCount: number;
}

export interface FitOptions {
  maxChars: number;
  /** Measures a candidate; defaults to string length (UTF-16 units ≥ code points, so safe for GitHub). */
  measure?: (text: string) => number;
  /** Appended to the left-out line, e.g. where the full report is. */
  fullReportHint?: string;
}

const DROPPED: Detail = { ...FULL_DETAIL, sql: 'none', baseFindings: false, planDiffs: false };

/** Stages, in the order they are tried after full detail. */
const STAGES: Detail[] = [
  { ...FULL_DETAIL, sql: 'failing' },
  // What was already on the base never counts, and a plan's diffs are detail: both go before the SQL.
  { ...FULL_DETAIL, sql: 'failing', baseFindings: false },
  { ...FULL_DETAIL, sql: 'failing', baseFindings: false, planDiffs: false },
  { ...FULL_DETAIL, sql: 'none', baseFindings: false, planDiffs: false },
  { ...DROPPED, cleanRows: false },
  { ...DROPPED, cleanRows: false, infos: false },
  { ...DROPPED, cleanRows: false, infos: false, warnings: false },
];

export function leftOutLine(leftOut: readonly string[], maxChars: number, hint?: string): string {
  const what = leftOut.length > 0 ? leftOut.join('; ') : 'the end of the report';
  const limit = maxChars.toLocaleString('en-US');
  return `> ✂️ **Left out** to stay within ${limit} characters: ${what}.${hint ? ` ${hint}` : ''}`;
}

function assemble(r: Rendered, opts: FitOptions): string {
  if (r.leftOut.length === 0) return r.blocks.join('\n\n') + '\n';
  const line = leftOutLine(r.leftOut, opts.maxChars, opts.fullReportHint);
  const blocks = [...r.blocks.slice(0, r.pinned), line, ...r.blocks.slice(r.pinned)];
  return blocks.join('\n\n') + '\n';
}

/**
 * Renders at full detail and, while the result is over `maxChars`, at less detail: first the SQL
 * blocks of clean queries go, then the list of findings already on the base and the deploy plan's
 * diffs, then all SQL, then the rows of clean queries, then info findings, then warnings, then errors
 * beyond what fits, then the per-query tables; as a last resort trailing blocks are dropped. The
 * pinned blocks (the marker first) always survive.
 */
export function fitStaged(render: (detail: Detail) => Rendered, opts: FitOptions): string {
  const measure = opts.measure ?? ((t: string) => t.length);
  const fits = (t: string): boolean => measure(t) <= opts.maxChars;

  let last = render(FULL_DETAIL);
  let text = assemble(last, opts);
  if (fits(text)) return text;

  let detail: Detail = FULL_DETAIL;
  for (const stage of STAGES) {
    detail = stage;
    last = render(detail);
    text = assemble(last, opts);
    if (fits(text)) return text;
  }

  // Keep as many errors as fit: binary search over the error cap.
  const noWarnings = STAGES[STAGES.length - 1]!;
  let lo = 0;
  let hi = last.errorCount;
  let best: string | undefined;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const candidate = assemble(render({ ...noWarnings, maxErrors: mid }), opts);
    if (fits(candidate)) {
      best = candidate;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (best !== undefined) return best;

  detail = { ...noWarnings, maxErrors: 0, tables: false };
  last = render(detail);
  text = assemble(last, opts);
  if (fits(text)) return text;

  // Last resort: drop trailing blocks, keeping the pinned ones, and say so.
  const blocks = [...last.blocks];
  const leftOut = [...last.leftOut];
  let dropped = 0;
  while (blocks.length > last.pinned) {
    blocks.pop();
    dropped++;
    const candidate = assemble(
      { ...last, blocks, leftOut: [...leftOut, `${dropped} trailing section(s)`] },
      opts,
    );
    if (fits(candidate)) return candidate;
  }
  // Even the pinned blocks are too long (a tiny limit): cut at a line boundary.
  const pinnedText = assemble(
    { ...last, blocks, leftOut: [...leftOut, 'everything after the counts'] },
    opts,
  );
  return hardCut(pinnedText, opts.maxChars, measure);
}

/** Cuts at the last line break that fits. The first line (the marker) is kept whole when it fits. */
export function hardCut(
  text: string,
  maxChars: number,
  measure: (t: string) => number = (t) => t.length,
): string {
  if (measure(text) <= maxChars) return text;
  let end = Math.min(text.length, maxChars);
  while (end > 0 && measure(text.slice(0, end)) > maxChars) end--;
  const nl = text.lastIndexOf('\n', end);
  const cut = nl > 0 ? text.slice(0, nl + 1) : text.slice(0, end);
  // Never leave half a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
