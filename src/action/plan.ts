// The deploy plan on a pull request: `provision --dry-run` of every environment, with the read-only
// token given for it (grafana-plan-token), so the comment says what merging would change in Grafana.
//
// What the plan sends the token to must not be the pull request's to choose: the Grafana URLs, orgs
// and credential variable names come from dashboard-ci.yml as it is on the base (already merged),
// or from the workflow's grafana-url input, never from the head's dashboard-ci.yml. An environment
// the pull request adds is planned after it is merged. The write token is never read here: the
// environment the plan runs with holds no Grafana credential but the plan token.

import { parseConfig } from '../config/load.js';
import { defaultConfig } from '../config/defaults.js';
import type { Config, EnvironmentConfig } from '../config/types.js';
import { planAllEnvironments, type EnvironmentPlan } from '../grafana/environments.js';
import type { ProvisionOptions, ProvisionResult } from '../grafana/types.js';

export interface PlanInput {
  cwd: string;
  /** The head's config: what is deployed (paths, folders, datasources...). */
  config: Config;
  /** dashboard-ci.yml as it is on the base, or undefined when the base has none. */
  baseConfigText: string | undefined;
  token: string;
  /** The workflow's grafana-url input (trusted: not the pull request's files). */
  grafanaUrl?: string;
  paths: string[];
  prune: boolean;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
  provision: (o: ProvisionOptions) => Promise<ProvisionResult>;
}

const GRAFANA_CREDENTIALS = ['GRAFANA_TOKEN', 'GRAFANA_USER', 'GRAFANA_PASSWORD'];

function credentialNames(envs: Record<string, EnvironmentConfig>): string[] {
  return Object.values(envs).flatMap((e) =>
    [e.credentials?.token, e.credentials?.user, e.credentials?.password].filter((n): n is string => !!n),
  );
}

/** The plan of each environment (or of the one Grafana when there are no environments). */
export async function planPullRequest(input: PlanInput): Promise<EnvironmentPlan[]> {
  const file = input.config.file ?? 'dashboard-ci.yml';
  let trusted: Config;
  try {
    trusted = input.baseConfigText === undefined ? defaultConfig() : parseConfig(file, input.baseConfigText);
  } catch (err) {
    return [{ environment: '', error: `the base's ${file} cannot be read: ${(err as Error).message}` }];
  }
  const head = input.config;

  // No Grafana credential of the runner's environment may reach the plan: only the plan token.
  const env: Record<string, string | undefined> = { ...input.env };
  for (const name of [
    ...GRAFANA_CREDENTIALS,
    ...credentialNames(trusted.environments),
    ...credentialNames(head.environments),
  ])
    delete env[name];

  const planned: Record<string, EnvironmentConfig> = {};
  const out: EnvironmentPlan[] = [];
  for (const name of Object.keys(head.environments).sort()) {
    const base = trusted.environments[name];
    if (!base) {
      out.push({
        environment: name,
        error: `environment "${name}" is new in this pull request: its Grafana is planned once it is merged`,
      });
      continue;
    }
    // The head decides what goes there; the base decides where it goes and with which variable.
    const e: EnvironmentConfig = { ...head.environments[name]! };
    delete e.url;
    delete e.orgId;
    delete e.credentials;
    if (base.url) e.url = base.url;
    if (base.orgId !== undefined) e.orgId = base.orgId;
    if (base.credentials) e.credentials = { ...base.credentials };
    planned[name] = e;
    env[e.credentials?.token ?? 'GRAFANA_TOKEN'] = input.token;
  }

  const url = input.grafanaUrl ?? trusted.grafana.url;
  const config: Config = {
    ...head,
    grafana: { ...head.grafana, url, orgId: trusted.grafana.orgId },
    environments: planned,
  };
  if (url === undefined) delete config.grafana.url;
  if (trusted.grafana.orgId === undefined) delete config.grafana.orgId;

  if (Object.keys(head.environments).length > 0) {
    const plans = await planAllEnvironments(
      { cwd: input.cwd, paths: input.paths, config, prune: input.prune, env, log: input.log },
      input.provision,
    );
    return [...plans, ...out].sort((a, b) => a.environment.localeCompare(b.environment));
  }
  if (!url)
    return [
      {
        environment: '',
        error:
          'no Grafana URL: set grafana.url in dashboard-ci.yml on the base branch, or the grafana-url input',
      },
    ];
  try {
    const result = await input.provision({
      cwd: input.cwd,
      paths: input.paths,
      config,
      grafanaUrl: url,
      auth: { token: input.token },
      dryRun: true,
      prune: input.prune,
      env,
      log: input.log,
    });
    return [
      { environment: '', grafanaUrl: result.grafanaUrl ?? url, result: JSON.parse(JSON.stringify(result)) },
    ];
  } catch (err) {
    return [{ environment: '', grafanaUrl: url, error: (err as Error).message }];
  }
}
