import type { Finding, JsonPath, Severity } from '../core/types.js';
import type { Config } from '../config/types.js';
import type { DashboardModel, PanelModel, TargetModel, VariableModel } from '../dashboards/model.js';

/** A datasource known to the repository (from datasources/*.yaml). */
export interface KnownDatasource {
  uid?: string;
  /** The uid was not written but derived from the name, as Grafana's provisioning does. */
  uidFromName?: boolean;
  name?: string;
  type?: string;
  /** `isDefault: true`: shared-export inputs prefer it among several of a type, as Grafana's import form does. */
  isDefault?: boolean;
}

export interface LintOptions {
  config: Config;
  /**
   * Datasources from the provisioning files. An empty list means none is known: datasource-exists
   * then checks only references to template variables.
   */
  datasources: readonly KnownDatasource[];
  /** Run only these rule ids (tests, or a caller that wants a subset); default every rule. */
  only?: readonly string[];
}

export type { Finding, JsonPath, Severity, DashboardModel, PanelModel, TargetModel, VariableModel };
