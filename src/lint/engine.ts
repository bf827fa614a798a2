import { datasourceTypeMap } from '../sql/extract.js';
import type { Config, RuleException } from '../config/types.js';
import { compareFindings, type Finding, type Fix, type JsonPath, type Severity } from '../core/types.js';
import type { DashboardModel } from '../dashboards/model.js';
import type { SourceDocument } from '../dashboards/source.js';
import type {
  DashboardRuleContext,
  FixDescriptor,
  ProjectRuleContext,
  ReportDescriptor,
  Rule,
  RuleScope,
} from './create-rule.js';
import { DashboardFacts } from './facts.js';
import { locationOf, withLocation } from './location.js';
import { RULES } from './registry.js';
import type { LintOptions } from './types.js';

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

function formatMessage(
  template: string,
  data: Readonly<Record<string, string | number>> | undefined,
): string {
  if (!data) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in data ? String(data[name]) : whole));
}

function defaultPath(d: ReportDescriptor<string>, dashboard: DashboardModel): JsonPath {
  return d.path ?? d.target?.path ?? d.panel?.path ?? d.variable?.path ?? dashboard.root;
}

function toFinding(rule: Rule, d: ReportDescriptor<string>, dashboard: DashboardModel): Finding {
  const template = rule.meta.messages[d.messageId];
  if (template === undefined) throw new Error(`rule ${rule.id}: unknown messageId "${d.messageId}"`);
  const path = defaultPath(d, dashboard);
  const at =
    d.offset !== undefined
      ? dashboard.doc.locateInString(path, d.offset)
      : dashboard.doc.locate(path, d.key ? { key: true } : {});
  const where: Parameters<typeof locationOf>[1] = {};
  if (d.panel) where.panel = d.panel;
  if (d.target) where.target = d.target;
  if (d.variable) where.variable = d.variable;
  const finding: Finding = {
    rule: rule.id,
    severity: d.severity ?? rule.meta.severity,
    message: withLocation(locationOf(dashboard, where), formatMessage(template, d.data)),
    file: dashboard.file,
    line: at.line,
    column: at.column,
  };
  if (dashboard.uid !== undefined) finding.dashboardUid = dashboard.uid;
  const panel = d.panel ?? d.target?.panel;
  if (panel?.id !== undefined) finding.panelId = panel.id;
  if (d.target?.refId !== undefined) finding.refId = d.target.refId;
  const fix = d.fix && fixOf(dashboard.doc, d.fix);
  if (fix) finding.fix = fix;
  return finding;
}

/** The edit of the file's text a fix descriptor stands for; undefined when it cannot be made in place. */
export function fixOf(doc: SourceDocument, d: FixDescriptor): Fix | undefined {
  return 'value' in d ? doc.replaceValue(d.path, d.value) : doc.insertInString(d.path, d.at, d.insert);
}

type Handler = (node: never) => void;

/** A rule that throws is a bug in dashboard-ci: say which rule and which file, keep the cause. */
function guarded<T>(rule: Rule, file: string, fn: (node: T) => void): (node: T) => void {
  return (node) => {
    try {
      fn(node);
    } catch (err) {
      throw new Error(`rule ${rule.id} failed on ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
}

/**
 * Runs every rule (config `off` ones skipped) over the dashboards, then applies config severities and
 * exceptions. Findings come back sorted by file, line, column.
 */
export function lintDashboards(dashboards: DashboardModel[], options: LintOptions): Finding[] {
  const { config } = options;
  const only = options.only ? new Set(options.only) : undefined;
  const active = RULES.filter((r) => config.rules[r.id] !== 'off' && (!only || only.has(r.id)));
  const findings: Finding[] = [];
  const facts = new Map<DashboardModel, DashboardFacts>();
  const datasourceTypes = datasourceTypeMap(options.datasources);
  const factsOf = (d: DashboardModel): DashboardFacts => {
    let f = facts.get(d);
    if (!f) facts.set(d, (f = new DashboardFacts(d, datasourceTypes)));
    return f;
  };
  const base = {
    config,
    datasources: options.datasources,
    datasourcesKnown: options.datasources.length > 0,
    factsOf,
  };

  for (const rule of active) {
    if (rule.scope !== 'project') continue;
    const context: ProjectRuleContext<string> = {
      ...base,
      id: rule.id,
      report(d) {
        if (!d.dashboard) throw new Error(`rule ${rule.id}: a project-scope report must name its dashboard`);
        findings.push(toFinding(rule, d, d.dashboard));
      },
    };
    guarded(rule, 'the project', rule.create(context) as (n: readonly DashboardModel[]) => void)(dashboards);
  }

  const perDashboard = active.filter((r) => r.scope !== 'project');
  for (const dashboard of dashboards) {
    const handlers: Record<Exclude<RuleScope, 'project'>, Handler[]> = {
      dashboard: [],
      panel: [],
      target: [],
      variable: [],
    };
    const dashboardFacts = factsOf(dashboard);
    for (const rule of perDashboard) {
      const context: DashboardRuleContext<string> = {
        ...base,
        id: rule.id,
        dashboard,
        facts: dashboardFacts,
        report(d) {
          findings.push(toFinding(rule, d, d.dashboard ?? dashboard));
        },
      };
      handlers[rule.scope as Exclude<RuleScope, 'project'>].push(
        guarded(rule, dashboard.file, rule.create(context) as (n: never) => void),
      );
    }
    for (const h of handlers.dashboard) (h as (n: DashboardModel) => void)(dashboard);
    if (handlers.panel.length > 0 || handlers.target.length > 0) {
      for (const panel of dashboard.panels) {
        for (const h of handlers.panel) (h as (n: typeof panel) => void)(panel);
        for (const target of panel.targets) {
          for (const h of handlers.target) (h as (n: typeof target) => void)(target);
        }
      }
    }
    for (const variable of dashboard.variables) {
      // A library panel's check model borrows its dashboard's variables: they are that dashboard's to lint.
      if (variable.borrowed) continue;
      for (const h of handlers.variable) (h as (n: typeof variable) => void)(variable);
    }
  }

  return applyRuleSettings(findings, config, dashboards);
}

/** How specific an exception is: a query's beats a panel's beats a dashboard's beats a rule-wide one. */
function specificity(e: RuleException): number {
  return (
    (e.dashboard !== undefined ? 1 : 0) + (e.panel !== undefined ? 2 : 0) + (e.refId !== undefined ? 4 : 0)
  );
}

/**
 * Applies dashboard-ci.yml to findings from anywhere (the linter, the loader, the SQL and cost checks):
 * `rules: { id: off | error | warning | info }`, then the most specific matching exception
 * (`dashboard` = uid or file path, optional `panel` id and query `refId`) which drops the finding or
 * sets its severity.
 * Returns a new sorted list; the input is not changed.
 */
export function applyRuleSettings(
  findings: readonly Finding[],
  config: Pick<Config, 'rules' | 'exceptions'>,
  dashboards: readonly DashboardModel[] = [],
): Finding[] {
  const uidByFile = new Map<string, string>();
  for (const d of dashboards) if (d.uid !== undefined) uidByFile.set(d.file, d.uid);
  const byRule = new Map<string, RuleException[]>();
  for (const e of config.exceptions) {
    const list = byRule.get(e.rule) ?? [];
    list.push(e);
    byRule.set(e.rule, list);
  }
  const out: Finding[] = [];
  for (const f of findings) {
    const setting = config.rules[f.rule];
    if (setting === 'off') continue;
    let severity: Severity = setting ?? f.severity;
    const candidates = byRule.get(f.rule);
    if (candidates) {
      const uid = f.dashboardUid ?? uidByFile.get(f.file);
      let best: RuleException | undefined;
      for (const e of candidates) {
        if (e.dashboard !== undefined && e.dashboard !== uid && e.dashboard !== f.file) continue;
        if (e.panel !== undefined && e.panel !== f.panelId) continue;
        if (e.refId !== undefined && e.refId !== f.refId) continue;
        if (!best || specificity(e) > specificity(best)) best = e;
      }
      if (best) {
        if (best.severity === undefined || best.severity === 'off') continue;
        severity = best.severity;
      }
    }
    out.push(severity === f.severity ? f : { ...f, severity });
  }
  return out.sort(compareFindings);
}
