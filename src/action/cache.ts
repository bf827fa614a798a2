// The Action's own use of the GitHub Actions cache (@actions/cache), so a workflow needs no cache
// step: the installed engine (chdb in the tool cache), its prepared data (schema + seed loaded), and
// the verdict of each default-branch commit (what a pull request's "already on main" reuses).
//
// Caching is an optimisation, never a requirement: without a cache service (a local run, GHES
// without Actions cache, cache-mode none) or when it fails, the run goes on without it and says so
// in one line.

import { createHash } from 'node:crypto';
import type { Finding, QueryRecord, Report } from '../core/types.js';
import type { BaseVerdict } from '../check/change.js';

export interface CacheService {
  /** False without a cache service (no ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL). */
  available(): Promise<boolean>;
  /** The key restored (a hit), or undefined (a miss, or a failure already logged). */
  restore(paths: string[], key: string, restoreKeys?: string[]): Promise<string | undefined>;
  /** True when saved; false when the key is taken, writes are denied, or it failed (logged). */
  save(paths: string[], key: string): Promise<boolean>;
}

/** No cache: local runs and tests that do not exercise it. */
export const NO_CACHE: CacheService = {
  available: async () => false,
  restore: async () => undefined,
  save: async () => false,
};

export interface CachePlatform {
  platform: string;
  arch: string;
}

/** `dashboard-ci-chdb-3.4.0-linux-x64`: one engine install per chdb version, OS and architecture. */
export function engineCacheKey(version: string, p: CachePlatform): string {
  return `dashboard-ci-chdb-${version}-${p.platform}-${p.arch}`;
}

/** The prepared data depends on the statements and the engine: keyed by both. */
export function dataCacheKey(version: string, p: CachePlatform, statements: readonly string[]): string {
  const h = createHash('sha256');
  for (const s of statements) h.update(`${s}\0`);
  return `dashboard-ci-data-${version}-${p.platform}-${p.arch}-${h.digest('hex').slice(0, 24)}`;
}

const VERDICT_FORMAT = 1;

/** One verdict per commit; the format in the key so a newer Action never reads an older layout. */
export function verdictCacheKey(sha: string): string {
  return `dashboard-ci-verdict-v${VERDICT_FORMAT}-${sha}`;
}

export const VERDICT_FILE = 'verdict.json';

export function serializeVerdict(v: BaseVerdict): string {
  return JSON.stringify({ format: VERDICT_FORMAT, ...v });
}

// A restored verdict is untrusted input (any job that can save to a readable scope could have
// written it): it is checked field by field and only what passes is used. It can only ever mark
// unchanged queries (whose findings never count), so at worst it mislabels what is listed.
const MAX_VERDICT_QUERIES = 200_000;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = <T>(v: unknown, is: (x: unknown) => x is T) => v === undefined || is(v);

function validFinding(f: unknown): boolean {
  return (
    isObj(f) &&
    str(f.rule) &&
    ['error', 'warning', 'info'].includes(f.severity as string) &&
    str(f.message) &&
    str(f.file) &&
    num(f.line) &&
    num(f.column) &&
    optional(f.panelId, num) &&
    optional(f.refId, str) &&
    optional(f.dashboardUid, str)
  );
}

function validCost(c: unknown): boolean {
  return (
    isObj(c) &&
    num(c.rows) &&
    num(c.marks) &&
    num(c.parts) &&
    isObj(c.granules) &&
    num(c.granules.selected) &&
    num(c.granules.total) &&
    Array.isArray(c.tables)
  );
}

function validQuery(q: unknown): boolean {
  return (
    isObj(q) &&
    str(q.file) &&
    str(q.sql) &&
    num(q.line) &&
    num(q.column) &&
    ['panel', 'variable', 'alert'].includes(q.origin as string) &&
    ['ok', 'invalid', 'over-budget', 'skipped'].includes(q.status as string) &&
    optional(q.panelId, num) &&
    optional(q.refId, str) &&
    optional(q.panelTitle, str) &&
    optional(q.reason, str) &&
    (q.cost === undefined || validCost(q.cost)) &&
    (q.error === undefined ||
      (isObj(q.error) && num(q.error.code) && str(q.error.name) && str(q.error.message)))
  );
}

/** The verdict in a restored file, or undefined when it is not one (wrong format, commit, or shape). */
export function parseVerdict(text: string, expectedCommit: string): BaseVerdict | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObj(v) || v.format !== VERDICT_FORMAT || v.commit !== expectedCommit || !str(v.context))
    return undefined;
  const r = v.report;
  if (!isObj(r) || !Array.isArray(r.queries) || !Array.isArray(r.findings)) return undefined;
  if (r.queries.length > MAX_VERDICT_QUERIES) return undefined;
  const report: Report = {
    summary: { dashboards: 0, panels: 0, queries: 0, errors: 0, warnings: 0, infos: 0, files: 0 },
    findings: r.findings.filter(validFinding).map(cleanFinding),
    queries: r.queries.filter(validQuery).map(cleanQuery),
    load: [],
  };
  if (Array.isArray(r.baseFindings))
    report.baseFindings = r.baseFindings.filter(validFinding).map(cleanFinding);
  return { commit: v.commit as string, context: v.context, report };
}

/** Only the fields a verdict is read for: nothing else of a restored file travels on. */
function cleanFinding(x: unknown): Finding {
  const f = x as Finding;
  const out: Finding = {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
  };
  if (f.panelId !== undefined) out.panelId = f.panelId;
  if (f.refId !== undefined) out.refId = f.refId;
  if (f.dashboardUid !== undefined) out.dashboardUid = f.dashboardUid;
  return out;
}

function cleanQuery(x: unknown): QueryRecord {
  const q = x as QueryRecord;
  const out: QueryRecord = {
    file: q.file,
    line: q.line,
    column: q.column,
    origin: q.origin,
    datasourceType: typeof q.datasourceType === 'string' ? q.datasourceType : '',
    sql: q.sql,
    status: q.status,
  };
  if (q.panelId !== undefined) out.panelId = q.panelId;
  if (q.refId !== undefined) out.refId = q.refId;
  if (q.panelTitle !== undefined) out.panelTitle = q.panelTitle;
  if (q.reason !== undefined) out.reason = q.reason;
  if (q.error) out.error = { code: q.error.code, name: q.error.name, message: q.error.message };
  if (q.cost) {
    const c = q.cost;
    out.cost = {
      rows: c.rows,
      marks: c.marks,
      parts: c.parts,
      granules: { selected: c.granules.selected, total: c.granules.total },
      tables: [],
    };
  }
  if (Array.isArray(q.columns) && q.columns.every((c) => isObj(c) && str(c.name) && str(c.type)))
    out.columns = q.columns.map((c) => ({ name: c.name, type: c.type }));
  return out;
}
