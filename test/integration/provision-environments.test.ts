// Environments: one repository deployed to two Grafanas (staging and production doubles), each with
// its URL, credentials' variable names and datasource uids (`clickhouse-main` in the repository is
// `ch-prod-eu` in production); `provision --env NAME`; a dry-run plan of every environment.

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { runCli } from '../../src/cli/run.js';
import { loadConfig } from '../../src/config/load.js';
import { planAllEnvironments, resolveEnvironment } from '../../src/grafana/environments.js';
import { provision } from '../../src/grafana/provision.js';
import { ENV, copyFixture, type TempRepo } from '../fixtures/provision/repo.js';

const STAGING_TOKEN = 'glsa_staging_token_0123456789';
const PROD_TOKEN = 'glsa_production_token_9876543210';
let staging: GrafanaDouble;
let production: GrafanaDouble;
let repo: TempRepo;

beforeEach(async () => {
  staging = await GrafanaDouble.start({ token: STAGING_TOKEN, version: '11.6.1' });
  production = await GrafanaDouble.start({ token: PROD_TOKEN, version: '12.1.0' });
  repo = await copyFixture('basic');
  await repo.write(
    'dashboard-ci.yml',
    [
      'grafana:',
      '  orgId: 1',
      'environments:',
      '  staging:',
      `    url: ${staging.url}`,
      '    credentials: { token: STAGING_GRAFANA_TOKEN }',
      '  production:',
      `    url: ${production.url}`,
      '    credentials: { token: PROD_GRAFANA_TOKEN }',
      '    datasourceUids: { clickhouse-main: ch-prod-eu }',
      '    paths: [dashboards/team-a]',
      '    refs: [refs/tags/v*]',
      '',
    ].join('\n'),
  );
});
afterEach(async () => {
  await staging.close();
  await production.close();
  await repo.dispose();
});

const secrets = { STAGING_GRAFANA_TOKEN: STAGING_TOKEN, PROD_GRAFANA_TOKEN: PROD_TOKEN };

async function cli(env: Record<string, string>, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['provision', ...argv], {
    cwd: repo.dir,
    env: { ...ENV, ...env },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** Re-runs of both environments write nothing in either. */
async function expectNoWritesOnRerun(): Promise<void> {
  staging.clearLog();
  production.clearLog();
  expect((await cli(secrets, '--env', 'staging')).code).toBe(0);
  expect((await cli(secrets, '--env', 'production')).code).toBe(0);
  expect(staging.writes()).toEqual([]);
  expect(production.writes()).toEqual([]);
}

const panelUids = (d: Record<string, unknown>) =>
  (d.panels as { datasource?: { uid?: string }; targets?: { datasource?: { uid?: string } }[] }[]).flatMap(
    (p) => [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)].filter(Boolean),
  );

describe('provision --env', () => {
  it('deploys the same dashboards to two environments, each with its own datasource uids', async () => {
    const s = await cli(secrets, '--env', 'staging');
    expect(s.code).toBe(0);
    const p = await cli(secrets, '--env', 'production', '--format', 'json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout).environment).toBe('production');

    // Staging: the repository's uids.
    expect(staging.org().datasources.has('clickhouse-main')).toBe(true);
    expect(new Set(panelUids(staging.dashboard('prov-sales')!.dashboard))).toEqual(
      new Set(['clickhouse-main']),
    );
    expect(staging.dashboard('prov-overview')).toBeDefined();

    // Production: ch-main → ch-prod-eu everywhere (datasource, panels, targets, alert queries), and
    // only what the environment's paths name.
    expect(production.org().datasources.has('ch-prod-eu')).toBe(true);
    expect(production.org().datasources.has('clickhouse-main')).toBe(false);
    expect(new Set(panelUids(production.dashboard('prov-sales')!.dashboard))).toEqual(
      new Set(['ch-prod-eu']),
    );
    expect(production.dashboard('prov-overview')).toBeUndefined();
    const rule = production.org().rules.get('prov-high-error-rate')!;
    expect(rule.data[0]!.datasourceUid).toBe('ch-prod-eu');

    // Each used its own credentials only.
    expect(staging.requests.filter((r) => r.path !== '/api/health').every((r) => r.auth === 'bearer')).toBe(
      true,
    );
    expect(production.requests.some((r) => r.status === 401)).toBe(false);

    await expectNoWritesOnRerun();
  });

  it("deploys one shared export to two environments: inputs filled from the datasources, then each environment's uids", async () => {
    // A real export for sharing (grafana.com 17284 as kept in ZJUSCT/obs, see test/corpus/real-dashboards/
    // SOURCES.md): its input `DS_CLICKHOUSE_- INTEGRATIONS` names the datasource of every panel,
    // target and query variable. And a library panel of the repository, on the same datasource.
    const exported = await readFile(
      new URL('../corpus/real-dashboards/dashboards/ZJUSCT__obs__17284_rev1.json', import.meta.url),
      'utf8',
    );
    await repo.write('dashboards/team-a/kube-logs.json', exported);
    await repo.write('library-panels/errors.json', {
      uid: 'lib-errors',
      name: 'Errors',
      model: {
        type: 'stat',
        title: 'Errors',
        datasource: { type: 'grafana-clickhouse-datasource', uid: 'clickhouse-main' },
        targets: [{ refId: 'A', rawSql: 'SELECT count() FROM frontend_events' }],
      },
    });
    expect((await cli(secrets, '--env', 'staging')).code).toBe(0);
    expect((await cli(secrets, '--env', 'production')).code).toBe(0);

    const uids = (d: Record<string, unknown>) => {
      const found = new Set<string>();
      JSON.stringify(d, (k, v: unknown) => {
        if (k === 'datasource' && v && typeof v === 'object' && 'uid' in v)
          found.add(String((v as { uid: unknown }).uid));
        return v;
      });
      return found;
    };
    const st = staging.dashboard('FKiA2oH4z')!.dashboard;
    const pr = production.dashboard('FKiA2oH4z')!.dashboard;
    // Grafana's built-in annotation datasource stays as it is.
    expect(uids(st)).toEqual(new Set(['-- Grafana --', 'clickhouse-main']));
    expect(uids(pr)).toEqual(new Set(['-- Grafana --', 'ch-prod-eu']));
    for (const d of [st, pr]) {
      expect(JSON.stringify(d)).not.toContain('${DS_');
      expect(d).not.toHaveProperty('__inputs');
    }
    // The query variables too (where Grafana's import put the input's value).
    const variables = (pr.templating as { list: { datasource: { uid: string } }[] }).list;
    expect(variables.map((v) => v.datasource.uid)).toEqual(variables.map(() => 'ch-prod-eu'));
    expect(staging.libraryElement('lib-errors')!.model.datasource).toMatchObject({ uid: 'clickhouse-main' });
    expect(production.libraryElement('lib-errors')!.model.datasource).toMatchObject({ uid: 'ch-prod-eu' });

    await expectNoWritesOnRerun();
  });

  it('exits 2 with one line for an unknown environment or missing credentials', async () => {
    const unknown = await cli(secrets, '--env', 'qa');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'dashboard-ci: environment "qa" is not defined in dashboard-ci.yml (defined: production, staging)\n',
    );
    const noToken = await cli({ STAGING_GRAFANA_TOKEN: STAGING_TOKEN }, '--env', 'production');
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/needs PROD_GRAFANA_TOKEN \(or GRAFANA_USER and GRAFANA_PASSWORD\)/);
    expect(production.requests).toEqual([]);
  });
});

describe('planAllEnvironments', () => {
  it('dry-runs every environment into plain JSON, naming the one that cannot be planned', async () => {
    const config = await loadConfig({ cwd: repo.dir });
    const plans = await planAllEnvironments(
      {
        cwd: repo.dir,
        paths: [],
        config,
        prune: false,
        env: { ...ENV, STAGING_GRAFANA_TOKEN: STAGING_TOKEN },
      },
      provision,
    );
    expect(plans.map((p) => p.environment)).toEqual(['production', 'staging']);
    expect(plans[0]).toEqual({
      environment: 'production',
      grafanaUrl: production.url,
      error:
        'environment "production": no credentials: set PROD_GRAFANA_TOKEN (or GRAFANA_USER and GRAFANA_PASSWORD)',
    });
    const st = plans[1]!.result!;
    expect(st.dryRun).toBe(true);
    expect(st.environment).toBe('staging');
    expect(st.items.some((i) => i.uid === 'prov-sales' && i.result === 'planned')).toBe(true);
    expect(staging.writes()).toEqual([]);
    expect(JSON.parse(JSON.stringify(plans))).toEqual(plans);
  });

  it('resolves an environment over the config (url, org, paths, refs) without reading process.env', async () => {
    const config = await loadConfig({ cwd: repo.dir });
    const prod = resolveEnvironment(config, 'production', { PROD_GRAFANA_TOKEN: PROD_TOKEN });
    expect(prod).toMatchObject({
      name: 'production',
      grafanaUrl: production.url,
      auth: { token: PROD_TOKEN },
      datasourceUids: { 'clickhouse-main': 'ch-prod-eu' },
    });
    expect(prod.config.paths).toEqual(['dashboards/team-a']);
    expect(config.environments.production!.refs).toEqual(['refs/tags/v*']);
  });
});
