import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { Finding, JsonPath, Position } from '../core/types.js';
import { isObject } from './model.js';
import { DEFAULT_MAX_BYTES, displayPath, resolveFiles } from './load.js';

// Grafana's file-provisioning formats (datasources/*.yaml and alerting/*.yaml), read with positions so
// a finding about a datasource or an alert query points at its line.

const YAML_EXTS = ['.yaml', '.yml'] as const;

/** A YAML document that remembers where each node came from (the YAML twin of SourceDoc). */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly text: string,
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly value: unknown,
  ) {}

  /** Parses `text`; YAML errors (syntax, duplicate keys, bad indentation) become yaml-syntax findings. */
  static parse(file: string, text: string): { source?: YamlSource; findings: Finding[] } {
    const lines = new LineCounter();
    // logLevel 'error': the library's warnings (a template's `{{ .Values.x }}` read as a map key, ...)
    // would go to the process's stderr as Node warnings, outside the report.
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, logLevel: 'error' });
    if (doc.errors.length > 0) {
      // One broken construct often yields several errors on one line: keep the first of each line.
      const seenLines = new Set<number>();
      const findings = doc.errors.flatMap((e): Finding[] => {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        if (seenLines.has(pos.line)) return [];
        seenLines.add(pos.line);
        // The pretty message repeats the position and quotes the source line: keep the first sentence.
        const message = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return [
          {
            rule: 'yaml-syntax',
            severity: 'error',
            message: `invalid YAML: ${message}`,
            file,
            line: pos.line,
            column: pos.col,
          },
        ];
      });
      return { findings };
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Alias bombs and similar: refused by the yaml library, reported at the top of the file.
      return {
        findings: [
          {
            rule: 'yaml-syntax',
            severity: 'error',
            message: `invalid YAML: ${(err as Error).message}`,
            file,
            line: 1,
            column: 1,
          },
        ],
      };
    }
    return { source: new YamlSource(file, text, doc, lines, value), findings: [] };
  }

  private nodeAt(path: JsonPath): Node | null {
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair || !pair.value) break;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) break;
        node = item;
      } else {
        break;
      }
    }
    return (node as Node | null) ?? null;
  }

  /** Start of the key `key` in the mapping at `path` (for "unknown key" messages); else the mapping's start. */
  locateKey(path: JsonPath, key: string): Position {
    const node = this.nodeAt(path);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      const k = pair?.key as Node | undefined;
      if (k?.range) return this.pos(k.range[0]);
    }
    return this.locate(path);
  }

  private pos(offset: number): Position {
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /** Start of the node at `path` (or of its deepest existing ancestor); 1:1 for an empty document. */
  locate(path: JsonPath): Position {
    const node = this.nodeAt(path);
    if (!node?.range) return { line: 1, column: 1 };
    return this.pos(node.range[0]);
  }

  /**
   * Where the text of the scalar at `path` starts, so that line N (0-based) of the value is line
   * `start.line + N` of the file. For a block scalar (`rawSql: |`) that is the line after the `|`
   * indicator (leading blank lines are part of the value), at the block's indentation; for a quoted
   * scalar, the character after the quote.
   */
  locateText(path: JsonPath): Position {
    const node = this.nodeAt(path);
    if (!node?.range) return { line: 1, column: 1 };
    if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
      const nl = this.text.indexOf('\n', node.range[0]);
      if (nl >= 0 && nl + 1 < node.range[1]) {
        const line = this.pos(nl + 1).line;
        // The indentation is that of the first non-blank line of the block.
        const m = /^[ \t]*(?:\r?\n[ \t]*)*/.exec(this.text.slice(nl + 1, node.range[1]));
        const lastBreak = m ? m[0].lastIndexOf('\n') : -1;
        const indent = m ? m[0].length - (lastBreak + 1) : 0;
        return { line, column: indent + 1 };
      }
    }
    if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
      return this.pos(node.range[0] + 1);
    }
    return this.pos(node.range[0]);
  }
}

/** Helper for callers holding only a YamlSource: the position of a node path. */
export function locateYaml(source: YamlSource, path: JsonPath): Position {
  return source.locate(path);
}

type Raw = Record<string, unknown>;

export interface ProvisionedDatasource {
  file: string;
  line: number;
  column: number;
  raw: Raw;
  uid?: string;
  /** True when the file gives no uid and `uid` is the one Grafana's provisioning derives from the name. */
  uidFromName?: boolean;
  name?: string;
  type?: string;
  /** `isDefault: true`: the datasource of panels and queries that name none. */
  isDefault?: boolean;
}

/**
 * The uid Grafana's datasource provisioning gives a datasource whose file sets none: `P` and the first
 * 8 bytes of sha256(name) in upper-case hex (grafana/grafana pkg/services/provisioning/datasources/
 * types.go `safeUIDFromName`, called by `createInsertCommand` when `UID == ""`; @ 165304a3). Dashboards
 * exported from such a Grafana reference it.
 */
export function provisionedUidFromName(name: string): string {
  return 'P' + createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 16).toUpperCase();
}

export interface AlertQueryFile {
  refId: string;
  datasourceUid: string;
  model: Raw;
  line: number;
  column: number;
  /** Where the query text starts: `model.rawSql`, else `model.query`, when a string. */
  rawSqlLine?: number;
  rawSqlColumn?: number;
}

export interface AlertRuleFile {
  uid?: string;
  title?: string;
  line: number;
  column: number;
  raw: Raw;
  queries: AlertQueryFile[];
}

export interface AlertGroupFile {
  file: string;
  line: number;
  column: number;
  orgId?: number;
  name: string;
  folder: string;
  /** As written (`1m`, `60s`); Grafana requires it. Empty when missing (a schema finding says so). */
  interval: string;
  raw: Raw;
  rules: AlertRuleFile[];
}

export interface ProvisioningLoadOptions {
  cwd: string;
  /** True for the config defaults (`datasources`, `alerts`): a repo without them is fine. */
  optional?: boolean;
  maxBytes?: number;
}

interface ParsedFile {
  file: string;
  source?: YamlSource;
  findings: Finding[];
  usageError?: string;
}

async function readYamlFiles(
  paths: readonly string[],
  what: string,
  opts: ProvisioningLoadOptions,
): Promise<{ parsed: ParsedFile[]; usageErrors: string[] }> {
  const resolved = await resolveFiles(paths, {
    cwd: opts.cwd,
    exts: YAML_EXTS,
    what,
    ...(opts.optional ? { optional: true } : {}),
  });
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const parsed = await Promise.all(
    resolved.files.map(async (abs): Promise<ParsedFile> => {
      const file = displayPath(opts.cwd, abs);
      try {
        const { size } = await stat(abs);
        if (size > maxBytes) {
          return {
            file,
            findings: [
              {
                rule: 'file-too-large',
                severity: 'error',
                message: `file is over the ${Math.round(maxBytes / 1048576)} MB limit`,
                file,
                line: 1,
                column: 1,
              },
            ],
          };
        }
        const text = await readFile(abs, 'utf8');
        return { file, ...YamlSource.parse(file, text) };
      } catch (err) {
        return {
          file,
          findings: [],
          usageError: `${file}: cannot read (${(err as { code?: string }).code ?? (err as Error).message})`,
        };
      }
    }),
  );
  const usageErrors = [
    ...resolved.usageErrors,
    ...parsed.flatMap((p) => (p.usageError ? [p.usageError] : [])),
  ];
  return { parsed, usageErrors };
}

function shapeFinding(source: YamlSource, path: JsonPath, message: string): Finding {
  const at = source.locate(path);
  return { rule: 'schema', severity: 'error', message, file: source.file, line: at.line, column: at.column };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function describe(v: unknown): string {
  return v === null
    ? 'null'
    : Array.isArray(v)
      ? 'a list'
      : typeof v === 'object'
        ? 'a mapping'
        : `a ${typeof v}`;
}

/** The document root must be a mapping, and `key` (when present) a list of mappings. */
function listOf(source: YamlSource, key: string, findings: Finding[]): { items: [Raw, number][] } {
  const root = source.value;
  if (root === null || root === undefined) return { items: [] };
  if (!isObject(root)) {
    findings.push(shapeFinding(source, [], `provisioning file must be a mapping, found ${describe(root)}`));
    return { items: [] };
  }
  const list = root[key];
  if (list === undefined || list === null) return { items: [] };
  if (!Array.isArray(list)) {
    findings.push(shapeFinding(source, [key], `"${key}" must be a list, found ${describe(list)}`));
    return { items: [] };
  }
  const items: [Raw, number][] = [];
  list.forEach((item, i) => {
    if (isObject(item)) items.push([item as Raw, i]);
    else
      findings.push(
        shapeFinding(source, [key, i], `${key}[${i}] must be a mapping, found ${describe(item)}`),
      );
  });
  return { items };
}

/**
 * Datasources from Grafana provisioning files (`apiVersion: 1`, `datasources: [...]`). Entries under
 * `deleteDatasources` are not datasources the dashboards may use and are ignored.
 */
export async function loadDatasourceFiles(
  paths: string[],
  opts: ProvisioningLoadOptions,
): Promise<{ datasources: ProvisionedDatasource[]; findings: Finding[]; usageErrors: string[] }> {
  const { parsed, usageErrors } = await readYamlFiles(paths, 'datasource', opts);
  const datasources: ProvisionedDatasource[] = [];
  const findings: Finding[] = [];
  for (const p of parsed) {
    findings.push(...p.findings);
    const source = p.source;
    if (!source) continue;
    for (const [raw, i] of listOf(source, 'datasources', findings).items) {
      const at = source.locate(['datasources', i]);
      const ds: ProvisionedDatasource = { file: p.file, line: at.line, column: at.column, raw };
      const uid = str(raw.uid);
      const name = str(raw.name);
      const type = str(raw.type);
      if (uid !== undefined && uid !== '') ds.uid = uid;
      // A name from the environment (`${DS_NAME}`) is not known here: neither is the uid derived from it.
      else if (name && !name.includes('$')) {
        ds.uid = provisionedUidFromName(name);
        ds.uidFromName = true;
      }
      if (name !== undefined) ds.name = name;
      if (type !== undefined) ds.type = type;
      if (raw.isDefault === true) ds.isDefault = true;
      if (!name)
        findings.push(shapeFinding(source, ['datasources', i], `datasources[${i}] must have "name"`));
      if (!type)
        findings.push(shapeFinding(source, ['datasources', i], `datasources[${i}] must have "type"`));
      datasources.push(ds);
    }
  }
  return { datasources, findings, usageErrors };
}

/** Alert rule groups from Grafana's alerting provisioning files (`apiVersion: 1`, `groups: [...]`). */
export async function loadAlertFiles(
  paths: string[],
  opts: ProvisioningLoadOptions,
): Promise<{ groups: AlertGroupFile[]; findings: Finding[]; usageErrors: string[] }> {
  const { parsed, usageErrors } = await readYamlFiles(paths, 'alert rule', opts);
  const groups: AlertGroupFile[] = [];
  const findings: Finding[] = [];
  for (const p of parsed) {
    findings.push(...p.findings);
    const source = p.source;
    if (!source) continue;
    for (const [raw, gi] of listOf(source, 'groups', findings).items) {
      const gPath: JsonPath = ['groups', gi];
      const at = source.locate(gPath);
      const group: AlertGroupFile = {
        file: p.file,
        line: at.line,
        column: at.column,
        name: str(raw.name) ?? '',
        folder: str(raw.folder) ?? '',
        interval: typeof raw.interval === 'number' ? `${raw.interval}s` : (str(raw.interval) ?? ''),
        raw,
        rules: [],
      };
      if (typeof raw.orgId === 'number') group.orgId = raw.orgId;
      for (const key of ['name', 'folder', 'interval'] as const) {
        if (!group[key]) findings.push(shapeFinding(source, gPath, `groups[${gi}] must have "${key}"`));
      }
      const rules = raw.rules;
      if (rules !== undefined && !Array.isArray(rules)) {
        findings.push(
          shapeFinding(
            source,
            [...gPath, 'rules'],
            `groups[${gi}].rules must be a list, found ${describe(rules)}`,
          ),
        );
      }
      (Array.isArray(rules) ? rules : []).forEach((r, ri) => {
        const rPath: JsonPath = [...gPath, 'rules', ri];
        if (!isObject(r)) {
          findings.push(
            shapeFinding(source, rPath, `groups[${gi}].rules[${ri}] must be a mapping, found ${describe(r)}`),
          );
          return;
        }
        const rat = source.locate(rPath);
        const rule: AlertRuleFile = { line: rat.line, column: rat.column, raw: r as Raw, queries: [] };
        const uid = str(r.uid);
        const title = str(r.title);
        if (uid !== undefined) rule.uid = uid;
        if (title !== undefined) rule.title = title;
        if (!title)
          findings.push(shapeFinding(source, rPath, `groups[${gi}].rules[${ri}] must have "title"`));
        const data = r.data;
        if (!Array.isArray(data)) {
          findings.push(
            shapeFinding(source, rPath, `groups[${gi}].rules[${ri}] must have "data", a list of queries`),
          );
        }
        (Array.isArray(data) ? data : []).forEach((q, qi) => {
          const qPath: JsonPath = [...rPath, 'data', qi];
          if (!isObject(q)) {
            findings.push(shapeFinding(source, qPath, `data[${qi}] must be a mapping, found ${describe(q)}`));
            return;
          }
          const qat = source.locate(qPath);
          const model = isObject(q.model) ? (q.model as Raw) : {};
          const query: AlertQueryFile = {
            refId: str(q.refId) ?? '',
            datasourceUid: str(q.datasourceUid) ?? '',
            model,
            line: qat.line,
            column: qat.column,
          };
          if (!query.refId) findings.push(shapeFinding(source, qPath, `data[${qi}] must have "refId"`));
          if (!query.datasourceUid)
            findings.push(shapeFinding(source, qPath, `data[${qi}] must have "datasourceUid"`));
          const textKey =
            typeof model.rawSql === 'string'
              ? 'rawSql'
              : typeof model.query === 'string'
                ? 'query'
                : undefined;
          if (textKey) {
            const t = source.locateText([...qPath, 'model', textKey]);
            query.rawSqlLine = t.line;
            query.rawSqlColumn = t.column;
          }
          rule.queries.push(query);
        });
        group.rules.push(rule);
      });
      groups.push(group);
    }
  }
  return { groups, findings, usageErrors };
}
