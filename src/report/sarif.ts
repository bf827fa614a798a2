// SARIF 2.1.0, as github/codeql-action/upload-sarif takes it: rules with help text, results with
// a relative artifact URI and a 1-based region, and a fingerprint that survives line shifts (it is
// built from the dashboard/panel/query identity, not the line). With a base, each result's
// baselineState says whether the change brought it.

import { createHash } from 'node:crypto';
import { posix, relative, resolve, sep } from 'node:path';
import type * as Sarif from 'sarif';
import { compareFindings, type Finding, type Report, type Severity } from '../core/types.js';

export interface SarifRule {
  id: string;
  description: string;
  /** Plain text or markdown shown by code scanning for every alert of the rule. */
  help: string;
  helpUri?: string;
  severity: Severity;
}

export interface SarifOptions {
  toolVersion: string;
  /**
   * Absolute path of the repository root. With `cwd` (absolute working directory) it turns the
   * report's cwd-relative paths into repository-relative URIs; without it paths are used as they are.
   */
  repoRoot?: string;
  cwd?: string;
  toolName?: string;
  informationUri?: string;
}

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

function artifactUri(file: string, opts: SarifOptions): string {
  let path = file;
  if (opts.repoRoot && opts.cwd) path = relative(opts.repoRoot, resolve(opts.cwd, file));
  return path.split(sep).join(posix.sep);
}

function fingerprint(f: Finding, uri: string): string {
  // Identity of what the finding is about; the line is left out so an edit above it does not
  // make code scanning close one alert and open another.
  const identity = [f.rule, uri, f.dashboardUid ?? '', f.panelId ?? '', f.refId ?? '', f.message].join(
    '\u0000',
  );
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

/** A rule entry for a rule id the caller has no metadata for (still valid for code scanning). */
export function fallbackRule(id: string, severity: Severity): SarifRule {
  return {
    id,
    description: `dashboard-ci rule ${id}`,
    help: `See the dashboard-ci documentation of ${id}.`,
    severity,
  };
}

function toReportingDescriptor(rule: SarifRule): Sarif.ReportingDescriptor {
  const d: Sarif.ReportingDescriptor = {
    id: rule.id,
    name: rule.id
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(''),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.description },
    help: { text: rule.help, markdown: rule.help },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['dashboard-ci', 'grafana'] },
  };
  if (rule.helpUri) d.helpUri = rule.helpUri;
  return d;
}

/** The SARIF log object. */
export function buildSarifLog(report: Report, rules: readonly SarifRule[], opts: SarifOptions): Sarif.Log {
  const ruleList: SarifRule[] = [];
  const index = new Map<string, number>();
  const addRule = (r: SarifRule): void => {
    if (index.has(r.id)) return;
    index.set(r.id, ruleList.length);
    ruleList.push(r);
  };
  for (const r of rules) addRule(r);
  // Against a base (the change filter), every result says whether the change brought it (SARIF 2.1.0
  // §3.27.24 baselineState "new") or it was already there ("unchanged": listed, never counted).
  const baseline = report.change !== undefined;
  const onBase = new Set<Finding>(baseline ? (report.baseFindings ?? []) : []);
  const findings = [...report.findings, ...onBase].sort(compareFindings);
  for (const f of findings) if (!index.has(f.rule)) addRule(fallbackRule(f.rule, f.severity));

  const results: Sarif.Result[] = findings.map((f) => {
    const uri = artifactUri(f.file, opts);
    const result: Sarif.Result = {
      ruleId: f.rule,
      ruleIndex: index.get(f.rule)!,
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, uriBaseId: '%SRCROOT%' },
            region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) },
          },
        },
      ],
      partialFingerprints: { 'dashboardCiFinding/v1': fingerprint(f, uri) },
    };
    if (baseline) result.baselineState = onBase.has(f) ? 'unchanged' : 'new';
    const props: Record<string, unknown> = {};
    if (f.dashboardUid !== undefined) props.dashboardUid = f.dashboardUid;
    if (f.panelId !== undefined) props.panelId = f.panelId;
    if (f.refId !== undefined) props.refId = f.refId;
    if (Object.keys(props).length > 0) result.properties = props;
    return result;
  });

  const driver: Sarif.ToolComponent = {
    name: opts.toolName ?? 'dashboard-ci',
    version: opts.toolVersion,
    rules: ruleList.map(toReportingDescriptor),
  };
  if (/^\d+\.\d+\.\d+/.test(opts.toolVersion)) driver.semanticVersion = opts.toolVersion;
  if (opts.informationUri) driver.informationUri = opts.informationUri;

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

/** The SARIF log as a JSON document (2-space indent, trailing newline). */
export function renderSarif(report: Report, rules: readonly SarifRule[], opts: SarifOptions): string {
  return JSON.stringify(buildSarifLog(report, rules, opts), null, 2) + '\n';
}
