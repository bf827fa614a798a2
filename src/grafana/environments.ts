// Environments (dashboard-ci.yml `environments:`): one repository deployed to several Grafanas (dev,
// staging, production; several orgs), each with its URL, org, credentials' variable names, what goes
// there, and its datasource uids — a dashboard written against `ch-main` deploys against
// `ch-prod-eu` in production. The core never reads process.env: the edges pass `env` in.

import { UsageError } from '../core/types.js';
import type { Config, EnvironmentConfig } from '../config/types.js';
import type { DesiredState } from './desired.js';
import type { GrafanaAuth, ProvisionOptions, ProvisionResult } from './types.js';

export interface ResolvedEnvironment {
  name: string;
  /** The config as this environment sees it (paths, alerts, datasources, folders, org...). */
  config: Config;
  grafanaUrl?: string;
  auth?: GrafanaAuth;
  /** Why there are no credentials (the variable names looked at). */
  missingCredentials?: string;
  datasourceUids: Record<string, string>;
}

export function environmentNames(config: Config): string[] {
  return Object.keys(config.environments ?? {}).sort();
}

/** The named environment overlaid on the config; an unknown name is a usage error listing the known ones. */
export function resolveEnvironment(
  config: Config,
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedEnvironment {
  const e: EnvironmentConfig | undefined = config.environments?.[name];
  if (!e) {
    const known = environmentNames(config);
    throw new UsageError(
      `environment "${name}" is not defined in ${config.file ?? 'dashboard-ci.yml'}${known.length ? ` (defined: ${known.join(', ')})` : ' (no environments: section)'}`,
    );
  }
  const overlaid: Config = {
    ...config,
    paths: e.paths ?? config.paths,
    alerts: e.alerts ?? config.alerts,
    datasources: e.datasources ?? config.datasources,
    grafana: {
      ...config.grafana,
      ...(e.url ? { url: e.url } : {}),
      ...(e.orgId !== undefined ? { orgId: e.orgId } : {}),
      ...(e.folders ? { folders: e.folders } : {}),
      ...(e.drift ? { drift: e.drift } : {}),
      ...(e.disableProvenance !== undefined ? { disableProvenance: e.disableProvenance } : {}),
    },
  };
  const tokenVar = e.credentials?.token ?? 'GRAFANA_TOKEN';
  const userVar = e.credentials?.user ?? 'GRAFANA_USER';
  const passwordVar = e.credentials?.password ?? 'GRAFANA_PASSWORD';
  const out: ResolvedEnvironment = {
    name,
    config: overlaid,
    datasourceUids: { ...(e.datasourceUids ?? {}) },
  };
  const url = overlaid.grafana.url;
  if (url) out.grafanaUrl = url;
  if (env[tokenVar]) out.auth = { token: env[tokenVar]! };
  else if (env[userVar] && env[passwordVar]) out.auth = { user: env[userVar]!, password: env[passwordVar]! };
  else out.missingCredentials = `${tokenVar} (or ${userVar} and ${passwordVar})`;
  return out;
}

const DS_KEYS = new Set(['datasource', 'datasourceUid', 'datasourceUID']);

/**
 * A datasource reference mapped, everything else kept: `{type, uid}`, schema v2beta1's `{name}` (the
 * DataQuery's datasource, whose `name` is the uid), a bare uid string, or `datasourceUid`.
 */
function mapRefs(value: unknown, map: Record<string, string>, key?: string): unknown {
  if (typeof value === 'string')
    return key && DS_KEYS.has(key) && Object.hasOwn(map, value) ? map[value] : value;
  if (Array.isArray(value)) return value.map((v) => mapRefs(v, map));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 'datasource' && v && typeof v === 'object' && !Array.isArray(v)) {
        const ref = { ...(mapRefs(v, map) as Record<string, unknown>) };
        for (const idKey of ['uid', 'name'] as const) {
          const id = (v as Record<string, unknown>)[idKey];
          if (typeof id === 'string' && Object.hasOwn(map, id)) ref[idKey] = map[id];
        }
        out[k] = ref;
      } else out[k] = mapRefs(v, map, k);
    }
    return out;
  }
  return value;
}

/** Rewrites every datasource uid of the desired state through the environment's map. */
export function mapDatasourceUids(state: DesiredState, map: Record<string, string>): void {
  if (Object.keys(map).length === 0) return;
  for (const d of state.datasources) if (Object.hasOwn(map, d.uid)) d.uid = map[d.uid]!;
  for (const d of state.dashboards) d.dashboard = mapRefs(d.dashboard, map) as Record<string, unknown>;
  for (const p of state.libraryPanels) p.model = mapRefs(p.model, map) as Record<string, unknown>;
  for (const g of state.ruleGroups)
    for (const r of g.rules)
      for (const q of r.data) {
        if (Object.hasOwn(map, q.datasourceUid)) q.datasourceUid = map[q.datasourceUid]!;
        q.model = mapRefs(q.model, map) as Record<string, unknown>;
      }
}

export interface EnvironmentPlan {
  environment: string;
  grafanaUrl?: string;
  /** The dry run's result; absent when the environment could not be planned (see error). */
  result?: ProvisionResult;
  error?: string;
}

export interface PlanAllOptions extends Omit<ProvisionOptions, 'grafanaUrl' | 'auth' | 'dryRun' | 'config'> {
  config: Config;
  /** Environments to plan (default: all of them). */
  only?: string[];
}

/**
 * `provision --dry-run` for every environment, one after the other, as plain JSON-serialisable data
 * (for one PR comment that shows what each environment would get). An environment without a URL or
 * credentials is an entry with an error, not a thrown exception.
 */
export async function planAllEnvironments(
  opts: PlanAllOptions,
  run: (o: ProvisionOptions) => Promise<ProvisionResult>,
): Promise<EnvironmentPlan[]> {
  const out: EnvironmentPlan[] = [];
  for (const name of opts.only ?? environmentNames(opts.config)) {
    let env: ResolvedEnvironment;
    try {
      env = resolveEnvironment(opts.config, name, opts.env);
    } catch (err) {
      out.push({ environment: name, error: (err as Error).message });
      continue;
    }
    if (!env.grafanaUrl) {
      out.push({ environment: name, error: `environment "${name}" has no url (and grafana.url is not set)` });
      continue;
    }
    if (!env.auth) {
      out.push({
        environment: name,
        grafanaUrl: env.grafanaUrl,
        error: `environment "${name}": no credentials: set ${env.missingCredentials}`,
      });
      continue;
    }
    const { only: _only, ...rest } = opts;
    try {
      const result = await run({
        ...rest,
        config: env.config,
        grafanaUrl: env.grafanaUrl,
        auth: env.auth,
        dryRun: true,
        environment: name,
        datasourceUids: env.datasourceUids,
      });
      out.push({ environment: name, grafanaUrl: result.grafanaUrl ?? env.grafanaUrl, result });
    } catch (err) {
      out.push({ environment: name, grafanaUrl: env.grafanaUrl, error: (err as Error).message });
    }
  }
  return JSON.parse(JSON.stringify(out)) as EnvironmentPlan[];
}
