import type { Finding, QueryRecord } from './types.js';

/**
 * The queries of a report a finding is about: same file, panel id and refId (a finding without either,
 * from a variable or an alert rule, by its line); narrowed to the finding's line when that tells
 * several apart. A dashboard's SQL is one JSON string, so on one line: a finding located inside the
 * query text is on the query's line.
 */
export function queriesOfFinding(
  f: Finding,
  byFile: ReadonlyMap<string, readonly QueryRecord[]>,
): QueryRecord[] {
  const inFile = byFile.get(f.file) ?? [];
  let found =
    f.panelId !== undefined || f.refId !== undefined
      ? inFile.filter((q) => q.panelId === f.panelId && q.refId === f.refId)
      : inFile.filter((q) => q.panelId === undefined && q.line === f.line);
  if (found.length > 1) {
    const onLine = found.filter((q) => q.line === f.line);
    if (onLine.length > 0) found = onLine;
  }
  return found;
}

/** Queries by file, in report order: what queriesOfFinding looks in. */
export function groupByFile(queries: readonly QueryRecord[]): Map<string, QueryRecord[]> {
  const out = new Map<string, QueryRecord[]>();
  for (const q of queries) {
    const list = out.get(q.file);
    if (list) list.push(q);
    else out.set(q.file, [q]);
  }
  return out;
}
