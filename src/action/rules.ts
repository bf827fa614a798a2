// SARIF rule metadata for the rules a report mentions: from the rule registry (lint rules and the
// loader/SQL ids it knows), else from the table below, else a generic entry.

import type { Report, Severity } from '../core/types.js';
import { fallbackRule, type SarifRule } from '../report/sarif.js';

/** The shape of src/lint/registry.ts ruleMetadata() entries (only what SARIF needs). */
export interface RuleInfo {
  id: string;
  description: string;
  severity: Severity;
  help?: string;
  /** Documentation page relative to the repository root. */
  docs?: string;
}

const STAGE_RULES: Record<string, { description: string; severity: Severity; help: string }> = {
  'json-syntax': {
    description: 'The dashboard file is valid JSON',
    severity: 'error',
    help: 'The file could not be parsed as JSON; the finding points at the line of the break. Grafana cannot import it.',
  },
  'sql-invalid': {
    description: "ClickHouse accepts the panel's SQL (EXPLAIN after Grafana interpolation)",
    severity: 'error',
    help: "ClickHouse's EXPLAIN rejected the query after Grafana's macros and variables were expanded. The message is ClickHouse's own (code and name, e.g. 47 UNKNOWN_IDENTIFIER). The panel would show an error in Grafana.",
  },
  'sql-cost': {
    description: 'The query stays within the cost budget of dashboard-ci.yml',
    severity: 'error',
    help: 'EXPLAIN ESTIMATE / EXPLAIN indexes=1 says the query reads more rows or granules than the budget allows, or a table that must be pruned by partition is not. The message names the index that failed to prune.',
  },
};

/**
 * @param docsBase `https://github.com/<action repo>/blob/<ref>`: helpUri of each rule's docs page.
 */
export function sarifRulesFor(report: Report, registry: readonly RuleInfo[], docsBase?: string): SarifRule[] {
  // Findings already on the base are results too (baselineState "unchanged"): their rules are described.
  const all = [...report.findings, ...(report.baseFindings ?? [])];
  const ids = [...new Set(all.map((f) => f.rule))].sort();
  const byId = new Map(registry.map((r) => [r.id, r]));
  return ids.map((id) => {
    const info = byId.get(id);
    const docs = info?.docs ?? `docs/rules/${id}.md`;
    const stage = STAGE_RULES[id];
    let rule: SarifRule;
    if (info) {
      rule = {
        id,
        description: info.description,
        help: info.help ?? info.description,
        severity: info.severity,
      };
    } else if (stage) {
      rule = { id, ...stage };
    } else {
      rule = fallbackRule(id, report.findings.find((f) => f.rule === id)?.severity ?? 'warning');
    }
    if (docsBase) rule.helpUri = `${docsBase}/${docs}`;
    return rule;
  });
}
