import type { Severity } from '../core/types.js';
import type { Rule, RuleScope } from './create-rule.js';
import { EXTERNAL_RULES } from './external-rules.js';
import clickhouseTargetNoSql from './rules/clickhouse-target-no-sql.js';
import datasourceExists from './rules/datasource-exists.js';
import duplicateRefId from './rules/duplicate-ref-id.js';
import gridLayout from './rules/grid-layout.js';
import libraryPanelMissing from './rules/library-panel-missing.js';
import panelDescription from './rules/panel-description.js';
import panelNoTargets from './rules/panel-no-targets.js';
import panelTitle from './rules/panel-title.js';
import redisWriteCommand from './rules/redis-write-command.js';
import refreshFloor from './rules/refresh-floor.js';
import schema from './rules/schema.js';
import sharedExportInput from './rules/shared-export-input.js';
import uidFormat from './rules/uid-format.js';
import undefinedVariable from './rules/undefined-variable.js';
import uniqueDashboardUid from './rules/unique-dashboard-uid.js';
import uniquePanelIds from './rules/unique-panel-ids.js';
import unusedVariable from './rules/unused-variable.js';

/** Every lint rule, sorted by id. Explicit on purpose: no directory scanning, and the bundle sees each import. */
export const RULES: readonly Rule[] = [
  clickhouseTargetNoSql,
  datasourceExists,
  duplicateRefId,
  gridLayout,
  libraryPanelMissing,
  panelDescription,
  panelNoTargets,
  panelTitle,
  redisWriteCommand,
  refreshFloor,
  schema,
  sharedExportInput,
  uidFormat,
  undefinedVariable,
  uniqueDashboardUid,
  uniquePanelIds,
  unusedVariable,
];

export interface RuleInfo {
  id: string;
  description: string;
  /** Default severity before dashboard-ci.yml. */
  severity: Severity;
  /** Longer help text (SARIF `help`). */
  help: string;
  /** Documentation page relative to the repository root. */
  docs: string;
  /** Lint scope, or who else produces the findings. */
  scope: RuleScope | 'loader' | 'sql';
}

let infos: RuleInfo[] | undefined;

/** Metadata of every rule id dashboard-ci can report, sorted by id (docs index, SARIF rules, config validation). */
export function ruleMetadata(): readonly RuleInfo[] {
  infos ??= [
    ...RULES.map((r) => ({
      id: r.id,
      description: r.meta.description,
      severity: r.meta.severity,
      help: r.meta.help ?? r.meta.description,
      docs: r.meta.docs ?? `docs/rules/${r.id}.md`,
      scope: r.scope,
    })),
    ...EXTERNAL_RULES.map((r) => ({
      id: r.id,
      description: r.description,
      severity: r.severity,
      help: r.help,
      docs: `docs/rules/${r.id}.md`,
      scope: r.source,
    })),
  ].sort((a, b) => (a.id < b.id ? -1 : 1));
  return infos;
}

/** Every known rule id (lint rules, loader and SQL checker ids), sorted. */
export function ruleIds(): string[] {
  return ruleMetadata().map((r) => r.id);
}

export function ruleInfo(id: string): RuleInfo | undefined {
  return ruleMetadata().find((r) => r.id === id);
}
