import type { JsonPath } from '../core/types.js';
import { isObject, str, type DashboardModel, type Json, type JsonObject } from './model.js';

// A dashboard "exported for sharing externally" names its datasources `${DS_…}` and lists them in
// `__inputs`; Grafana's import fills each from the user's choice. Provisioning fills them from the
// repository's datasources, and the check resolves them the same way, so a PR that passes is a PR
// that deploys. Grafana's own evaluation (pkg/services/dashboardimport/utils/dash_template_evaluator.go):
// every `__inputs` entry must get a value, `${name}` is replaced wherever it appears in a string
// (`\$\{.+?\}`: names may hold `-` or spaces), `__inputs` itself is dropped, `__expr__` inputs stay
// `__expr__`.

/** One provisioned datasource, as the resolution needs it. */
export interface InputDatasource {
  uid?: string | undefined;
  name?: string | undefined;
  type?: string | undefined;
  isDefault?: boolean | undefined;
}

export interface InputProblem {
  name: string;
  /** Document path of the `__inputs` entry. */
  path: JsonPath;
  message: string;
  /**
   * error: the input gets no value, so the deploy would fail. warning: it gets one, but only by a choice
   * dashboard-ci made among several datasources that fit; the deploy goes on with it.
   */
  severity: 'error' | 'warning';
}

export interface ResolvedInputs {
  /** `${name}` → value. */
  values: Map<string, string>;
  problems: InputProblem[];
}

const EXPR = '__expr__';
const PLACEHOLDER = /\$\{.+?\}/g;
const WHOLE_PLACEHOLDER = /^\$\{([^}]+)\}$/;

/**
 * The input name when `text` is exactly one `${…}` placeholder. Names may hold any character but `}`
 * (`-`, spaces, `.`, `:`): the importer's `\$\{.+?\}` ends a placeholder at the first `}`.
 */
export function inputPlaceholder(text: string | undefined): string | undefined {
  return text === undefined ? undefined : WHOLE_PLACEHOLDER.exec(text.trim())?.[1];
}

function list(names: readonly string[]): string {
  return names.length > 4 ? `${names.slice(0, 4).join(', ')}, …` : names.join(', ');
}

/**
 * Values for every `__inputs` entry: the uid given in dashboard-ci.yml `inputs:`, else the one
 * provisioned datasource of the input's plugin type; a constant's default value.
 */
export function resolveSharingInputs(
  dashboard: DashboardModel,
  datasources: readonly InputDatasource[],
  mapping: Readonly<Record<string, string>> = {},
): ResolvedInputs {
  const values = new Map<string, string>();
  const problems: InputProblem[] = [];
  const inputs = dashboard.raw.__inputs;
  if (!Array.isArray(inputs)) return { values, problems };
  inputs.forEach((input, i) => {
    if (!isObject(input)) return;
    const name = str(input.name);
    if (name === undefined) return;
    const path = [...dashboard.root, '__inputs', i];
    const mapped = mapping[name];
    const type = str(input.type);
    const pluginId = str(input.pluginId);
    if (type === 'datasource' && pluginId === EXPR) {
      values.set(`\${${name}}`, EXPR);
    } else if (mapped !== undefined) {
      values.set(`\${${name}}`, mapped);
    } else if (type === 'datasource') {
      const fits = datasources.filter((d) => d.type !== undefined && d.type === pluginId && d.uid);
      if (fits.length === 1) values.set(`\${${name}}`, fits[0]!.uid!);
      else if (fits.length === 0)
        problems.push({
          name,
          path,
          severity: 'error',
          message: `input ${name} needs a datasource of type ${pluginId ?? '(none given)'}, and no provisioned datasource has that type`,
        });
      else {
        // Grafana's import form preselects the default datasource, else the first of the type: the
        // dashboard works with either, so the deploy takes the same one and says which.
        const chosen = fits.find((d) => d.isDefault) ?? fits[0]!;
        values.set(`\${${name}}`, chosen.uid!);
        problems.push({
          name,
          path,
          severity: 'warning',
          message: `input ${name} could be any of ${fits.length} provisioned ${pluginId} datasources (${list(fits.map((d) => d.uid!))}): dashboard-ci deploys it with ${chosen.uid} (${chosen.isDefault ? 'the default' : 'the first'}); choose one under inputs: in dashboard-ci.yml`,
        });
      }
    } else if (type === 'constant' && typeof input.value === 'string') {
      values.set(`\${${name}}`, input.value);
    } else {
      problems.push({
        name,
        path,
        severity: 'error',
        message: `input ${name} (${type ?? 'no type'}) has no value: give one under inputs: in dashboard-ci.yml`,
      });
    }
  });
  return { values, problems };
}

function replaceIn(v: Json, values: ReadonlyMap<string, string>): Json {
  if (typeof v === 'string') return v.replace(PLACEHOLDER, (m) => values.get(m) ?? m);
  if (Array.isArray(v)) return v.map((x) => replaceIn(x, values));
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (k !== '__inputs') out[k] = replaceIn(x, values);
    return out;
  }
  return v;
}

/** The dashboard as Grafana's import would store it: placeholders replaced, `__inputs` dropped. */
export function applySharingInputs(raw: JsonObject, values: ReadonlyMap<string, string>): JsonObject {
  return replaceIn(raw, values) as JsonObject;
}
