import { describe, expect, it } from 'vitest';
import { parseVerdict, serializeVerdict } from '../../../src/action/cache.js';
import { planPullRequest, type PlanInput } from '../../../src/action/plan.js';
import { parseConfig } from '../../../src/config/load.js';
import type { ProvisionOptions, ProvisionResult } from '../../../src/grafana/types.js';
import { sampleChangeReport } from './sample-report.js';

const BASE_CONFIG = `grafana:
  url: https://grafana.example
environments:
  production:
    url: https://grafana.example
    orgId: 2
    credentials: { token: PROD_GRAFANA_TOKEN }
`;

function input(headYaml: string, over: Partial<PlanInput> = {}) {
  const calls: ProvisionOptions[] = [];
  const i: PlanInput = {
    cwd: '/ws',
    config: parseConfig('dashboard-ci.yml', headYaml),
    baseConfigText: BASE_CONFIG,
    token: 'glsa_plan_read_only',
    paths: [],
    prune: false,
    env: { GRAFANA_TOKEN: 'glsa_WRITE', PROD_GRAFANA_TOKEN: 'glsa_PROD_WRITE', CLICKHOUSE_HOST: 'ch' },
    log: () => undefined,
    provision: async (o) => {
      calls.push(o);
      const r: ProvisionResult = {
        dryRun: o.dryRun,
        grafanaUrl: o.grafanaUrl,
        items: [],
        failures: 0,
        requests: 1,
        writes: 0,
      };
      if (o.environment) r.environment = o.environment;
      return r;
    },
    ...over,
  };
  return { i, calls };
}

describe('the deploy plan of a pull request', () => {
  it('sends the plan token only where the base says, never the write tokens', async () => {
    // The pull request points production at its own server and adds an environment.
    const head = `grafana:
  url: https://evil.example
environments:
  production:
    url: https://evil.example
    orgId: 9
    credentials: { token: SOME_OTHER_VAR }
    paths: [dashboards/exec]
  sneaky:
    url: https://evil.example
`;
    const { i, calls } = input(head);
    const plans = await planPullRequest(i);
    expect(calls).toHaveLength(1);
    const o = calls[0]!;
    expect(o).toMatchObject({
      grafanaUrl: 'https://grafana.example',
      dryRun: true,
      environment: 'production',
    });
    expect(o.auth).toEqual({ token: 'glsa_plan_read_only' });
    expect(o.config.grafana.orgId).toBe(2);
    // What is deployed is the head's.
    expect(o.config.paths).toEqual(['dashboards/exec']);
    // No write credential reaches the run; the variable production names holds the plan token.
    expect(o.env.GRAFANA_TOKEN).toBeUndefined();
    expect(o.env.PROD_GRAFANA_TOKEN).toBe('glsa_plan_read_only');
    expect(o.env.SOME_OTHER_VAR).toBeUndefined();
    expect(o.env.CLICKHOUSE_HOST).toBe('ch');
    expect(plans.map((p) => [p.environment, p.grafanaUrl, p.error])).toEqual([
      ['production', 'https://grafana.example', undefined],
      [
        'sneaky',
        undefined,
        'environment "sneaky" is new in this pull request: its Grafana is planned once it is merged',
      ],
    ]);
  });

  it('without environments: the base’s grafana.url, or the workflow’s grafana-url input', async () => {
    const head = 'grafana:\n  url: https://evil.example\n';
    const a = input(head, { baseConfigText: 'grafana:\n  url: https://grafana.example\n  orgId: 3\n' });
    await planPullRequest(a.i);
    expect(a.calls[0]).toMatchObject({
      grafanaUrl: 'https://grafana.example',
      auth: { token: 'glsa_plan_read_only' },
    });
    expect(a.calls[0]!.config.grafana.orgId).toBe(3);
    const b = input(head, { baseConfigText: undefined, grafanaUrl: 'https://g.example' });
    await planPullRequest(b.i);
    expect(b.calls[0]!.grafanaUrl).toBe('https://g.example');
    const c = input(head, { baseConfigText: undefined });
    expect(await planPullRequest(c.i)).toEqual([
      {
        environment: '',
        error:
          'no Grafana URL: set grafana.url in dashboard-ci.yml on the base branch, or the grafana-url input',
      },
    ]);
    expect(c.calls).toEqual([]);
  });

  it('a base dashboard-ci.yml that cannot be read plans nothing', async () => {
    const { i, calls } = input('{}', { baseConfigText: 'grafana: [' });
    const [p] = await planPullRequest(i);
    expect(p!.error).toMatch(/^the base's dashboard-ci.yml cannot be read: /);
    expect(calls).toEqual([]);
  });
});

describe('a verdict restored from the cache', () => {
  const sha = 'a'.repeat(40);
  it('round-trips, keeping only what a verdict is read for', () => {
    const report = sampleChangeReport();
    report.findings[0]!.fix = { range: [0, 1], text: 'x' };
    const v = parseVerdict(serializeVerdict({ commit: sha, context: 'ctx', report }), sha)!;
    expect(v.commit).toBe(sha);
    expect(v.report.queries).toHaveLength(report.queries.length);
    expect(v.report.findings[0]!.fix).toBeUndefined();
    expect(v.report.queries[1]!.cost!.tables).toEqual([]);
  });
  it('refuses another commit, another format, and drops malformed entries', () => {
    const text = serializeVerdict({ commit: sha, context: 'ctx', report: sampleChangeReport() });
    expect(parseVerdict(text, 'b'.repeat(40))).toBeUndefined();
    expect(parseVerdict(text.replace('"format":1', '"format":9'), sha)).toBeUndefined();
    expect(parseVerdict('not json', sha)).toBeUndefined();
    const hostile = JSON.parse(text);
    hostile.report.queries.push(
      { file: 1, sql: {} },
      { ...hostile.report.queries[0], cost: { rows: 'many' } },
    );
    hostile.report.findings.push({
      rule: 'x',
      severity: 'fatal',
      message: 'm',
      file: 'f',
      line: 1,
      column: 1,
    });
    const v = parseVerdict(JSON.stringify(hostile), sha)!;
    expect(v.report.queries).toHaveLength(sampleChangeReport().queries.length);
    expect(v.report.findings).toHaveLength(sampleChangeReport().findings.length);
  });
});
