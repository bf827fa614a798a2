import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../core/types.js';
import {
  discoverFiles,
  displayPath,
  readTextFile,
  type Discovered,
  type DiscoverOptions,
  type Excludes,
  type FoundFile,
} from './files.js';
import { recognise } from './formats.js';
import { resolveLibraryPanels } from './library-panels.js';
import { DEFAULT_MAX_BYTES, MAX_DEPTH, jsonDepthExceeded, tooDeep, tooLarge } from './limits.js';
import type { DashboardModel, LibraryPanelModel } from './model.js';
import { JsonSyntaxError, SourceDoc, type SourceDocument } from './source.js';
import { parseYaml } from './yaml-doc.js';

export { DEFAULT_MAX_BYTES } from './limits.js';
export { displayPath } from './files.js';

// The one loader `check` and `provision` share: files and folders → every dashboard and library panel
// they hold, whatever the format (classic JSON, API envelope, shared export, dashboard.grafana.app
// resources v0alpha1 … v2, JSON or YAML), each as one model that keeps positions into its file.

/** How a dashboard read from standard input (`check -`) is named in reports. */
export const STDIN_FILE = '<stdin>';

/** Extensions a folder contributes: dashboards are JSON (classic, exports, resources) or YAML (gcx, grafanactl). */
export const DASHBOARD_EXTS = ['.json', '.yaml', '.yml'] as const;

export interface LoadResult {
  dashboards: DashboardModel[];
  /** Library panels (library-panels/ and `__elements` of exports), resolved against the dashboards. */
  libraryPanels: LibraryPanelModel[];
  /**
   * Findings of the files themselves: json-syntax, yaml-syntax, json-too-deep, file-too-large,
   * not-a-dashboard, file-skipped, unreadable-path…; the rest are the linter's.
   */
  findings: Finding[];
  /** One line each: a path that does not exist, a folder without dashboards. */
  usageErrors: string[];
  /** Dashboard files looked at, broken ones included. */
  files: number;
}

export interface LoadOptions {
  cwd: string;
  maxBytes?: number;
  /** `exclude:` of dashboard-ci.yml and `--exclude`. */
  excludes?: Excludes;
  /** Library panel files or folders (library-panels/); those that do not exist are skipped. */
  libraryPanels?: readonly string[];
  /** Injected directory reader (tests). */
  readdir?: DiscoverOptions['readdir'];
  /**
   * Standard input, when `-` was given: one more dashboard file (any format, told by content), named
   * `<stdin>`. The edge passes the stream in; it is read here under the same size limit as a file.
   */
  stdin?: AsyncIterable<Buffer | string>;
}

export interface ParsedFile {
  dashboards: DashboardModel[];
  libraryPanels: LibraryPanelModel[];
  findings: Finding[];
}

export interface ParsedDashboard {
  dashboard?: DashboardModel;
  findings: Finding[];
}

function syntaxOf(file: string, text: string): 'json' | 'yaml' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  // Named explicitly with another extension: JSON starts with a bracket, anything else is YAML.
  return /^\s*[[{]/.test(text) ? 'json' : 'yaml';
}

function notADashboard(file: string, what: string, doc?: SourceDocument): Finding {
  const at = doc ? doc.locate([]) : { line: 1, column: 1 };
  return {
    rule: 'not-a-dashboard',
    severity: 'info',
    message: `not a dashboard in any format Grafana reads (${what}): not checked`,
    file,
    line: at.line,
    column: at.column,
  };
}

function parseJson(file: string, text: string): { doc?: SourceDoc; findings: Finding[] } {
  // Before anything recursive (JSON.parse is iterative in V8, momoa and every walk after it are not).
  const deep = jsonDepthExceeded(text, MAX_DEPTH);
  if (deep) return { findings: [tooDeep(file, deep, MAX_DEPTH)] };
  try {
    return { doc: SourceDoc.parse(file, text), findings: [] };
  } catch (err) {
    const e = err instanceof JsonSyntaxError ? err : undefined;
    return {
      findings: [
        {
          rule: 'json-syntax',
          severity: 'error',
          message: e ? `invalid JSON: ${e.message}` : `cannot parse as JSON: ${(err as Error).message}`,
          file,
          line: e?.position.line ?? 1,
          column: e?.position.column ?? 1,
        },
      ],
    };
  }
}

/**
 * Every dashboard and library panel of one file's text, told apart by content. `file` is the display
 * path; a file that is no dashboard at all is one `not-a-dashboard` info finding.
 */
export function parseDashboardFile(file: string, text: string): ParsedFile {
  // Editors on Windows save a BOM; JSON.parse and momoa reject it.
  const body = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  const out: ParsedFile = { dashboards: [], libraryPanels: [], findings: [] };
  const syntax = syntaxOf(file, body);
  const docs: SourceDocument[] = [];
  if (syntax === 'json') {
    const parsed = parseJson(file, body);
    out.findings.push(...parsed.findings);
    if (parsed.doc) docs.push(parsed.doc);
  } else {
    const parsed = parseYaml(file, body);
    out.findings.push(...parsed.findings);
    docs.push(...parsed.docs);
  }
  const multi = docs.length > 1;
  docs.forEach((doc, i) => {
    const r = recognise(file, doc, syntax, multi ? i : undefined);
    if (r.kind === 'dashboard') {
      out.dashboards.push(r.dashboard);
      out.libraryPanels.push(...r.libraryPanels);
    } else if (r.kind === 'library-panel') {
      out.libraryPanels.push(r.libraryPanel);
    } else if (r.kind === 'invalid') {
      out.findings.push(...r.findings);
    } else {
      out.findings.push(notADashboard(file, r.what, doc));
    }
  });
  resolveLibraryPanels(
    out.dashboards,
    out.libraryPanels.filter((lp) => lp.format.shape === 'export-element'),
  );
  return out;
}

/** The first dashboard of a file's text (the rule tests' and the base revision's entry point). */
export function parseDashboard(file: string, text: string): ParsedDashboard {
  const parsed = parseDashboardFile(file, text);
  const r: ParsedDashboard = { findings: parsed.findings };
  if (parsed.dashboards[0]) r.dashboard = parsed.dashboards[0];
  return r;
}

export interface ResolvedFiles {
  files: string[];
  usageErrors: string[];
}

/**
 * Expands files and folders into a sorted, de-duplicated list of absolute file paths (the provisioning
 * file loaders' entry point). A file named explicitly is taken whatever its extension; a folder
 * contributes files ending in `exts`; non-regular files are never returned. `optional` paths that do
 * not exist (or hold no such file) are silently skipped.
 */
export async function resolveFiles(
  paths: readonly string[],
  opts: { cwd: string; exts: readonly string[]; what: string; optional?: boolean; excludes?: Excludes },
): Promise<ResolvedFiles> {
  const found = await discoverFiles(paths, opts);
  const usageErrors = [...found.usageErrors];
  for (const f of found.findings) if (f.severity === 'error') usageErrors.push(`${f.file}: ${f.message}`);
  const files: string[] = [];
  for (const f of found.files) {
    // Callers read these with readFile: a FIFO or a device named explicitly would block it.
    const regular = await stat(f.abs).then((s) => s.isFile(), () => true);
    if (regular) files.push(f.abs);
    else usageErrors.push(`${displayPath(opts.cwd, f.abs)}: not a regular file, not read`);
  }
  return { files, usageErrors };
}

/** Reads a few files at a time: parallel enough to hide I/O latency, bounded for 1,000-file repos. */
const READ_CONCURRENCY = 16;

async function readAll(found: FoundFile[], cwd: string, maxBytes: number): Promise<ParsedFile[]> {
  const outcomes: ParsedFile[] = new Array(found.length);
  let next = 0;
  const worker = async () => {
    while (next < found.length) {
      const i = next++;
      const display = displayPath(cwd, found[i]!.abs);
      const read = await readTextFile(found[i]!.abs, display, maxBytes);
      outcomes[i] =
        'text' in read
          ? parseDashboardFile(display, read.text)
          : { dashboards: [], libraryPanels: [], findings: [read.finding] };
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, found.length) }, worker));
  return outcomes;
}

/**
 * Loads dashboard files and folders (`*.json`, `*.yaml`, `*.yml`, recursively, sorted) and the library
 * panels, and resolves the panels' library references. Each broken file becomes a finding (or, for a
 * missing path, a usage error line); it never stops the others.
 */
export async function loadDashboards(paths: readonly string[], opts: LoadOptions): Promise<LoadResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const discover = (list: readonly string[], optional: boolean): Promise<Discovered> =>
    discoverFiles(list, {
      cwd: opts.cwd,
      exts: DASHBOARD_EXTS,
      what: 'dashboard',
      optional,
      ...(opts.excludes ? { excludes: opts.excludes } : {}),
      ...(opts.readdir ? { readdir: opts.readdir } : {}),
    });
  const found = await discover(paths, false);
  const libraryFound = opts.libraryPanels?.length ? await discover(opts.libraryPanels, true) : undefined;
  const seen = new Set(found.files.map((f) => f.abs));
  const libraryFiles = libraryFound ? libraryFound.files.filter((f) => !seen.has(f.abs)) : [];

  const result: LoadResult = {
    dashboards: [],
    libraryPanels: [],
    findings: [...found.findings, ...(libraryFound?.findings ?? [])],
    usageErrors: [...found.usageErrors],
    files: found.files.length,
  };
  for (const parsed of await readAll(found.files, opts.cwd, maxBytes)) {
    result.dashboards.push(...parsed.dashboards);
    result.libraryPanels.push(...parsed.libraryPanels);
    result.findings.push(...parsed.findings);
  }
  if (opts.stdin) {
    result.files++;
    const read = await readStream(opts.stdin, maxBytes);
    const parsed =
      'text' in read
        ? parseDashboardFile(STDIN_FILE, read.text)
        : { dashboards: [], libraryPanels: [], findings: [tooLarge(STDIN_FILE, read.tooLarge, maxBytes)] };
    result.dashboards.push(...parsed.dashboards);
    result.libraryPanels.push(...parsed.libraryPanels);
    result.findings.push(...parsed.findings);
  }
  for (const parsed of await readAll(libraryFiles, opts.cwd, maxBytes)) {
    // A library panel folder holds library panels; a dashboard there is still a dashboard.
    result.dashboards.push(...parsed.dashboards);
    result.libraryPanels.push(...parsed.libraryPanels);
    result.findings.push(...parsed.findings);
  }
  resolveLibraryPanels(result.dashboards, result.libraryPanels);
  return result;
}

/** A stream's text, or its size once it passes `maxBytes` (reading stops there: a pipe may not end). */
async function readStream(
  stream: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<{ text: string } | { tooLarge: number }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    chunks.push(buf);
    total += buf.length;
    if (total > maxBytes) return { tooLarge: total };
  }
  return { text: Buffer.concat(chunks, total).toString('utf8') };
}
