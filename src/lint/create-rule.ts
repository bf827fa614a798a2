import type { Config } from '../config/types.js';
import type { JsonPath, Severity } from '../core/types.js';
import type { DashboardModel, PanelModel, TargetModel, VariableModel } from '../dashboards/model.js';
import type { DashboardFacts } from './facts.js';
import type { KnownDatasource } from './types.js';

/** What a rule's handler is called with: all dashboards once, or each dashboard / panel / target / variable. */
export type RuleScope = 'project' | 'dashboard' | 'panel' | 'target' | 'variable';

export interface ScopeNodes {
  project: readonly DashboardModel[];
  dashboard: DashboardModel;
  panel: PanelModel;
  target: TargetModel;
  variable: VariableModel;
}

export interface RuleMeta<M extends string = string> {
  /** One line: what the rule checks (docs index, SARIF shortDescription). */
  description: string;
  /** Default severity; dashboard-ci.yml `rules:` and `exceptions:` override it. */
  severity: Severity;
  /** Message templates by id; `{{name}}` is replaced from the report's data. */
  messages: Record<M, string>;
  /** Why it matters and how to fix it (SARIF help text). */
  help?: string;
  /** Documentation page, relative to the repository root; default `docs/rules/<id>.md`. */
  docs?: string;
}

/**
 * A rule's mechanical fix, in the document's terms (the engine turns it into an edit of the file's text,
 * Finding.fix): a new value for the scalar at `path`, or `insert` put into the string at `path` before
 * its character `at`. Only for a repair that is certain: the PR review offers it as a suggested change
 * and `check --fix` applies it without asking.
 */
export type FixDescriptor =
  { path: JsonPath; value: string | number } | { path: JsonPath; insert: string; at: number };

export interface ReportDescriptor<M extends string> {
  messageId: M;
  data?: Readonly<Record<string, string | number>>;
  /** Which dashboard (required in project scope; defaults to the dashboard being linted). */
  dashboard?: DashboardModel;
  panel?: PanelModel;
  target?: TargetModel;
  variable?: VariableModel;
  /** Document path of the offending value; default the target's, panel's, variable's or dashboard's own. */
  path?: JsonPath;
  /** 0-based offset inside the string at `path`: the finding points at that character. */
  offset?: number;
  /** Point at the key of `path` instead of its value (e.g. a duplicate `"id"`). */
  key?: boolean;
  /** Overrides meta.severity for this report (a rule with an error and a milder warning case). */
  severity?: Severity;
  /** The mechanical fix, when there is one; it is dropped when it cannot be written in place. */
  fix?: FixDescriptor;
}

interface BaseContext<M extends string> {
  readonly id: string;
  readonly config: Config;
  readonly datasources: readonly KnownDatasource[];
  /** False when no datasource provisioning file was found (datasources is then empty). */
  readonly datasourcesKnown: boolean;
  factsOf(dashboard: DashboardModel): DashboardFacts;
  report(descriptor: ReportDescriptor<M>): void;
}

export interface DashboardRuleContext<M extends string> extends BaseContext<M> {
  readonly dashboard: DashboardModel;
  readonly facts: DashboardFacts;
}

export type ProjectRuleContext<M extends string> = BaseContext<M>;

export type RuleContext<S extends RuleScope, M extends string> = S extends 'project'
  ? ProjectRuleContext<M>
  : DashboardRuleContext<M>;

export interface RuleDefinition<S extends RuleScope, M extends string> {
  id: string;
  meta: RuleMeta<M>;
  scope: S;
  /** Called once per dashboard (once per run in project scope); returns the handler for each node. */
  create(context: RuleContext<S, M>): (node: ScopeNodes[S]) => void;
}

/** The erased form the engine and the registry hold. */
export interface Rule {
  readonly id: string;
  readonly meta: RuleMeta;
  readonly scope: RuleScope;
  create(context: ProjectRuleContext<string> | DashboardRuleContext<string>): (node: never) => void;
}

export function createRule<S extends RuleScope, M extends string>(definition: RuleDefinition<S, M>): Rule {
  return definition as unknown as Rule;
}
