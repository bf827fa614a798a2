import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../core/types.js';
import { buildDashboard, isObject, type DashboardModel } from './model.js';
import { JsonSyntaxError, SourceDoc } from './source.js';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export interface LoadResult {
  dashboards: DashboardModel[];
  /** json-syntax, schema (root not an object) and file-too-large findings; the rest are the linter's. */
  findings: Finding[];
  /** One line each: a path that does not exist, a folder without dashboards, a file that cannot be read. */
  usageErrors: string[];
  /** Dashboard files looked at, broken ones included. */
  files: number;
}

export interface LoadOptions {
  cwd: string;
  maxBytes?: number;
}

/** Path relative to cwd with forward slashes, as reports and annotations expect. */
export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file) || path.basename(file);
  return rel.split(path.sep).join('/');
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export interface ParsedDashboard {
  dashboard?: DashboardModel;
  findings: Finding[];
}

/**
 * Parses one dashboard file's text. `file` is the display path. Accepts a plain dashboard and
 * Grafana's API shape `{ "dashboard": {...}, "meta": {...} }` (also the POST body shape).
 */
export function parseDashboard(file: string, text: string): ParsedDashboard {
  // Editors on Windows save a BOM; JSON.parse and momoa reject it.
  const body = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  let doc: SourceDoc;
  try {
    doc = SourceDoc.parse(file, body);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      return {
        findings: [
          {
            rule: 'json-syntax',
            severity: 'error',
            message: `invalid JSON: ${err.message}`,
            file,
            line: err.position.line,
            column: err.position.column,
          },
        ],
      };
    }
    // The parser is recursive: absurd nesting ends in a RangeError, still one finding for this file only.
    return {
      findings: [
        {
          rule: 'json-syntax',
          severity: 'error',
          message: `cannot parse as JSON: ${(err as Error).message}`,
          file,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const root = doc.value;
  if (!isObject(root)) {
    const at = doc.locate([]);
    return {
      findings: [
        {
          rule: 'schema',
          severity: 'error',
          message: `dashboard must be a JSON object, found ${describeType(root)}`,
          file,
          line: at.line,
          column: at.column,
        },
      ],
    };
  }
  if (isObject(root.dashboard) && !('panels' in root) && !('title' in root)) {
    return { dashboard: buildDashboard(file, doc, root.dashboard, ['dashboard']), findings: [] };
  }
  return { dashboard: buildDashboard(file, doc, root), findings: [] };
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errorCode(err: unknown): string {
  return (err as { code?: string }).code ?? (err as Error).message;
}

/**
 * Files under `dir` whose name ends in one of `exts`, recursively, sorted by path. Hidden folders and
 * node_modules are skipped: they hold tooling, never dashboards.
 */
export async function walkFiles(dir: string, exts: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      out.push(...(await walkFiles(full, exts)));
    } else if ((e.isFile() || e.isSymbolicLink()) && exts.some((x) => e.name.toLowerCase().endsWith(x))) {
      out.push(full);
    }
  }
  return out;
}

export interface ResolvedFiles {
  files: string[];
  usageErrors: string[];
}

/**
 * Expands files and folders into a sorted, de-duplicated list of absolute file paths. A file named
 * explicitly is taken whatever its extension; a folder contributes files ending in `exts`.
 * `optional` paths that do not exist (or hold no such file) are silently skipped.
 */
export async function resolveFiles(
  paths: readonly string[],
  opts: { cwd: string; exts: readonly string[]; what: string; optional?: boolean },
): Promise<ResolvedFiles> {
  const usageErrors: string[] = [];
  const seen = new Set<string>();
  const files: string[] = [];
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      if (opts.optional) continue;
      usageErrors.push(
        isNotFound(err) ? `${p}: no such file or directory` : `${p}: cannot read (${errorCode(err)})`,
      );
      continue;
    }
    if (st.isDirectory()) {
      let found: string[];
      try {
        found = await walkFiles(abs, opts.exts);
      } catch (err) {
        usageErrors.push(`${p}: cannot read folder (${errorCode(err)})`);
        continue;
      }
      if (found.length === 0) {
        if (!opts.optional)
          usageErrors.push(`${p}: no ${opts.what} files (${opts.exts.map((x) => '*' + x).join(', ')}) found`);
        continue;
      }
      found.forEach(add);
    } else {
      add(abs);
    }
  }
  return { files, usageErrors };
}

function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

type FileOutcome = { dashboard?: DashboardModel; findings: Finding[]; usageError?: string };

async function loadOne(abs: string, display: string, maxBytes: number): Promise<FileOutcome> {
  let size: number;
  try {
    size = (await stat(abs)).size;
  } catch (err) {
    return { findings: [], usageError: `${display}: cannot read (${errorCode(err)})` };
  }
  // Decided from stat alone: a 50 MB file is never read, let alone parsed into a position-keeping AST.
  if (size > maxBytes) {
    return {
      findings: [
        {
          rule: 'file-too-large',
          severity: 'error',
          message: `file is ${formatMegabytes(size)}, over the ${formatMegabytes(maxBytes)} limit for a dashboard`,
          file: display,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    return { findings: [], usageError: `${display}: cannot read (${errorCode(err)})` };
  }
  return parseDashboard(display, text);
}

/** Reads a few files at a time: parallel enough to hide I/O latency, bounded for 1,000-file repos. */
const READ_CONCURRENCY = 16;

/**
 * Loads dashboard files and folders (`*.json`, recursively, sorted). Each broken file becomes a
 * finding or a usage error line; it never stops the others.
 */
export async function loadDashboards(paths: string[], opts: LoadOptions): Promise<LoadResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const resolved = await resolveFiles(paths, { cwd: opts.cwd, exts: ['.json'], what: 'dashboard' });
  const usageErrors = [...resolved.usageErrors];
  const outcomes: FileOutcome[] = new Array(resolved.files.length);
  let next = 0;
  const worker = async () => {
    while (next < resolved.files.length) {
      const i = next++;
      const abs = resolved.files[i]!;
      outcomes[i] = await loadOne(abs, displayPath(opts.cwd, abs), maxBytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, resolved.files.length) }, worker));

  const dashboards: DashboardModel[] = [];
  const findings: Finding[] = [];
  for (const o of outcomes) {
    if (o.dashboard) dashboards.push(o.dashboard);
    findings.push(...o.findings);
    if (o.usageError) usageErrors.push(o.usageError);
  }
  return { dashboards, findings, usageErrors, files: resolved.files.length };
}
