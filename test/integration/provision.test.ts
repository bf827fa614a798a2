// provision() over real HTTP against the Grafana double: create, idempotent re-run, updates with
// diffs, dry run, drift, prune, bad input, auth and org.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { provision, provisionJson, renderProvisionText } from '../../src/grafana/provision.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { defaultConfig } from '../../src/config/defaults.js';
import { UsageError } from '../../src/core/types.js';
import { MARKER_TAG, derivedFolderUid } from '../../src/grafana/desired.js';
import { ENV, TOKEN, copyFixture, type TempRepo } from '../fixtures/provision/repo.js';

let grafana: GrafanaDouble;
let repo: TempRepo;
let lines: string[];

beforeEach(async () => {
  grafana = await GrafanaDouble.start({ token: TOKEN, version: '11.6.1' });
  repo = await copyFixture('basic');
  lines = [];
});
afterEach(async () => {
  await grafana.close();
  await repo.dispose();
});

function options(
  over: Partial<ProvisionOptions> = {},
  grafanaOver: Partial<ProvisionOptions['config']['grafana']> = {},
): ProvisionOptions {
  const config = defaultConfig();
  config.grafana = { ...config.grafana, orgId: 1, ...grafanaOver };
  return {
    cwd: repo.dir,
    paths: [],
    config,
    grafanaUrl: grafana.url,
    auth: { token: TOKEN },
    dryRun: false,
    prune: false,
    env: { ...ENV },
    commit: { sha: 'abcdef1234567890', subject: 'Add the sales dashboards' },
    log: (l) => lines.push(l),
    ...over,
  };
}

const item = (r: ProvisionResult, kind: string, uid: string) =>
  r.items.find((i) => i.kind === kind && i.uid === uid);
const TEAM_A = derivedFolderUid('team-a');
const TEAM_A_OPS = derivedFolderUid('team-a/ops');

describe('first run and re-run', () => {
  it('creates everything, then an immediate re-run makes zero writes', async () => {
    const first = await provision(options());
    expect(first.failures).toBe(0);
    expect(first.grafanaVersion).toBe('11.6.1');
    expect(first.items.map((i) => `${i.kind}:${i.uid}:${i.result}`).sort()).toEqual(
      [
        'datasource:clickhouse-main:created',
        'datasource:redis-live:created',
        `folder:${TEAM_A}:created`,
        `folder:${TEAM_A_OPS}:created`,
        'dashboard:prov-overview:created',
        'dashboard:prov-sales:created',
        'dashboard:prov-latency:created',
        `alert-rule-group:${TEAM_A}/service-health:created`,
      ].sort(),
    );

    // Folders from the subfolders, nested parents first; dashboards in them; root dashboard at the root.
    expect(grafana.org().folders.get(TEAM_A)).toMatchObject({ title: 'team-a', parentUid: '' });
    expect(grafana.org().folders.get(TEAM_A_OPS)).toMatchObject({ title: 'ops', parentUid: TEAM_A });
    expect(grafana.dashboard('prov-sales')!.folderUid).toBe(TEAM_A);
    expect(grafana.dashboard('prov-latency')!.folderUid).toBe(TEAM_A_OPS);
    expect(grafana.dashboard('prov-overview')!.folderUid).toBe('');

    // The marker, the version message, id stripped (Grafana's own id, not the file's 42).
    const overview = grafana.dashboard('prov-overview')!;
    expect(overview.dashboard.tags).toEqual(['product', MARKER_TAG]);
    expect(overview.dashboard.id).not.toBe(42);
    expect(overview.versions.at(-1)!.message).toMatch(
      /^dashboard-ci: abcdef1 Add the sales dashboards \[content [0-9a-f]{16}\]$/,
    );

    // Every dashboard write sets folderUid explicitly (root = "") and overwrite.
    const posts = grafana.writes().filter((w) => w.path === '/api/dashboards/db');
    expect(posts).toHaveLength(3);
    for (const p of posts) {
      const body = p.body as { folderUid?: unknown; overwrite?: unknown };
      expect(typeof body.folderUid).toBe('string');
      expect(body.overwrite).toBe(true);
    }

    // Secrets are stored in Grafana, never returned.
    expect(grafana.datasourceSecret('clickhouse-main', 'password')).toBe(ENV.CLICKHOUSE_PASSWORD);
    const dsGets = grafana.requests.filter(
      (r) => r.method === 'GET' && r.path.startsWith('/api/datasources/uid/'),
    );
    expect(dsGets.length).toBeGreaterThan(0);

    // Verify: each written dashboard read back after its write, each datasource's health.
    const lastPost = grafana.requests.findLastIndex((r) => r.path === '/api/dashboards/db');
    const readBacks = grafana.requests
      .slice(lastPost)
      .filter((r) => r.method === 'GET' && /^\/api\/dashboards\/uid\/prov-/.test(r.path));
    expect(readBacks).toHaveLength(3);
    expect(
      grafana.requests.filter((r) => r.path.endsWith('/health') && r.path.startsWith('/api/datasources')),
    ).toHaveLength(2);

    // Alert rules: whole group, provenance api, `for` printed canonically, model defaults filled.
    const rule = grafana.org().rules.get('prov-high-error-rate')!;
    expect(rule).toMatchObject({
      folderUID: TEAM_A,
      ruleGroup: 'service-health',
      for: '5m',
      provenance: 'api',
    });
    expect(rule.data[0]!.model).toMatchObject({ maxDataPoints: 43200, intervalMs: 1000 });
    expect(first.writes).toBe(8);

    grafana.clearLog();
    const second = await provision(options());
    expect(second.failures).toBe(0);
    expect(second.writes).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(second.items.every((i) => i.result === 'unchanged')).toBe(true);
    expect(second.items).toHaveLength(8);
  });

  it('reports an update with a readable diff and writes only that dashboard', async () => {
    await provision(options());
    const sales = JSON.parse(
      await import('node:fs/promises').then((fs) =>
        fs.readFile(`${repo.dir}/dashboards/team-a/sales.json`, 'utf8'),
      ),
    );
    sales.panels[0].title = 'Orders per hour';
    sales.refresh = '5m';
    await repo.write('dashboards/team-a/sales.json', sales);
    grafana.clearLog();

    const r = await provision(options());
    expect(r.failures).toBe(0);
    const sales2 = item(r, 'dashboard', 'prov-sales')!;
    expect(sales2).toMatchObject({ action: 'update', result: 'updated' });
    expect(sales2.drift).toBeUndefined();
    expect(sales2.diff).toEqual(['refresh: "1m" → "5m"', 'panels[id=1].title: "Orders" → "Orders per hour"']);
    expect(grafana.writes().map((w) => w.path)).toEqual(['/api/dashboards/db']);
    expect(renderProvisionText(r)).toContain('panels[id=1].title: "Orders" → "Orders per hour"');
  });

  it('moves a dashboard whose file moved to another folder', async () => {
    await provision(options());
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(`${repo.dir}/dashboards/overview.json`, 'utf8');
    await repo.remove('dashboards/overview.json');
    await repo.write('dashboards/team-a/overview.json', text);
    const r = await provision(options());
    expect(item(r, 'dashboard', 'prov-overview')).toMatchObject({
      action: 'update',
      diff: [`folder: "(root)" → ${JSON.stringify(TEAM_A)}`],
    });
    expect(grafana.dashboard('prov-overview')!.folderUid).toBe(TEAM_A);
  });
  it('plans the same with the search lookup, with fewer requests on a first apply', async () => {
    const viaSearch = await provision(options(), { lookup: 'search' });
    expect(viaSearch.failures).toBe(0);
    expect(
      grafana.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/dashboards/uid/')).length,
    ).toBe(3); // read-backs only
    const other = await GrafanaDouble.start({ token: TOKEN });
    try {
      const viaGet = await provision(options({ grafanaUrl: other.url }));
      expect(viaGet.items.map((i) => [i.uid, i.result])).toEqual(
        viaSearch.items.map((i) => [i.uid, i.result]),
      );
      expect(viaGet.requests).toBeGreaterThan(viaSearch.requests);
    } finally {
      await other.close();
    }
    grafana.clearLog();
    expect((await provision(options(), { lookup: 'search' })).writes).toBe(0);
    expect(grafana.writes()).toEqual([]);
  });
});

describe('dry run', () => {
  it('plans everything against an empty Grafana and writes nothing', async () => {
    const r = await provision(options({ dryRun: true }));
    expect(r.dryRun).toBe(true);
    expect(r.failures).toBe(0);
    expect(r.writes).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(r.items).toHaveLength(8);
    expect(r.items.every((i) => i.result === 'planned' && i.action === 'create')).toBe(true);
    expect(renderProvisionText(r)).toContain('dry run');
  });

  it('writes nothing with updates, alert rules and prune pending either', async () => {
    await provision(options());
    await repo.write('dashboards/team-a/new.json', { uid: 'prov-new', title: 'New' });
    await repo.remove('dashboards/team-a/ops');
    const alerts = (await import('node:fs/promises')).readFile(`${repo.dir}/alerts/alerts.yaml`, 'utf8');
    await repo.write('alerts/alerts.yaml', (await alerts).replace('interval: 1m', 'interval: 2m'));
    grafana.clearLog();

    const r = await provision(options({ dryRun: true, prune: true }));
    expect(grafana.writes()).toEqual([]);
    expect(r.writes).toBe(0);
    expect(item(r, 'dashboard', 'prov-new')).toMatchObject({ action: 'create', result: 'planned' });
    expect(item(r, 'dashboard', 'prov-latency')).toMatchObject({ action: 'delete', result: 'planned' });
    expect(item(r, 'folder', TEAM_A_OPS)).toMatchObject({ action: 'delete', result: 'planned' });
    expect(item(r, 'alert-rule-group', `${TEAM_A}/service-health`)).toMatchObject({
      action: 'update',
      result: 'planned',
      diff: ['interval: 60 → 120'],
    });
    expect(grafana.dashboard('prov-latency')).toBeDefined();
  });
});

describe('drift', () => {
  const edit = () =>
    grafana.editDashboardAsUser(
      'prov-sales',
      (d) => {
        d.description = 'edited by hand';
      },
      { user: 'alice' },
    );

  it('reports a dashboard changed in Grafana and overwrites it by default', async () => {
    await provision(options());
    edit();
    const r = await provision(options());
    const s = item(r, 'dashboard', 'prov-sales')!;
    expect(s).toMatchObject({ action: 'update', result: 'updated', drift: true });
    expect(s.warning).toMatch(/changed in Grafana since dashboard-ci last wrote it \(version 2 by alice/);
    expect(s.diff).toEqual(['description: "edited by hand" → (absent)']);
    expect(grafana.dashboard('prov-sales')!.dashboard.description).toBeUndefined();
    expect(r.failures).toBe(0);
  });

  it('skips a drifted dashboard with drift: skip', async () => {
    await provision(options());
    edit();
    grafana.clearLog();
    const r = await provision(options({}, { drift: 'skip' }));
    expect(item(r, 'dashboard', 'prov-sales')).toMatchObject({
      action: 'skip',
      result: 'skipped',
      drift: true,
    });
    expect(grafana.writes()).toEqual([]);
    expect(grafana.dashboard('prov-sales')!.dashboard.description).toBe('edited by hand');
    expect(r.failures).toBe(0);
  });

  it('fails a drifted dashboard with drift: fail, and still applies the rest', async () => {
    await provision(options());
    edit();
    await repo.write('dashboards/overview.json', { uid: 'prov-overview', title: 'Overview 2' });
    const r = await provision(options({}, { drift: 'fail' }));
    expect(item(r, 'dashboard', 'prov-sales')).toMatchObject({
      result: 'failed',
      drift: true,
      error: { code: 'drift' },
    });
    expect(item(r, 'dashboard', 'prov-sales')!.error!.message).toContain('dashboard "Sales" (uid prov-sales');
    expect(item(r, 'dashboard', 'prov-overview')).toMatchObject({ result: 'updated' });
    expect(r.failures).toBe(1);
    expect(grafana.dashboard('prov-sales')!.dashboard.description).toBe('edited by hand');
  });

  it('reads the versions list in the pre-11.6 bare-array shape too', async () => {
    await grafana.close();
    grafana = await GrafanaDouble.start({ token: TOKEN, versionsShape: 'array' });
    await provision(options());
    edit();
    const r = await provision(options());
    expect(item(r, 'dashboard', 'prov-sales')).toMatchObject({ drift: true });
  });

  it('a repository change alone is not drift', async () => {
    await provision(options());
    await repo.write('dashboards/overview.json', { uid: 'prov-overview', title: 'Overview renamed' });
    const r = await provision(options({}, { drift: 'fail' }));
    expect(item(r, 'dashboard', 'prov-overview')).toMatchObject({ result: 'updated' });
    expect(item(r, 'dashboard', 'prov-overview')!.drift).toBeUndefined();
  });
});

describe('prune', () => {
  async function seedStrangers() {
    grafana.seedDashboard({ uid: 'hand-made', title: 'Made by hand', tags: ['ops'] });
    grafana.seedFolder({ uid: derivedFolderUid('old-team'), title: 'old-team' });
    grafana.seedDashboard(
      { uid: 'old-managed', title: 'Old managed', tags: [MARKER_TAG] },
      { folderUid: derivedFolderUid('old-team'), message: 'dashboard-ci: 1234567 old' },
    );
    grafana.seedFolder({ uid: 'people-folder', title: 'People' });
  }

  it('deletes only managed objects gone from the repository', async () => {
    await seedStrangers();
    const withoutPrune = await provision(options());
    expect(withoutPrune.items.filter((i) => i.action === 'delete')).toEqual([]);
    expect(grafana.dashboard('old-managed')).toBeDefined();

    const r = await provision(options({ prune: true }));
    expect(r.failures).toBe(0);
    expect(item(r, 'dashboard', 'old-managed')).toMatchObject({ action: 'delete', result: 'deleted' });
    expect(item(r, 'folder', derivedFolderUid('old-team'))).toMatchObject({
      action: 'delete',
      result: 'deleted',
    });
    expect(grafana.dashboard('old-managed')).toBeUndefined();
    expect(grafana.org().folders.has(derivedFolderUid('old-team'))).toBe(false);
    // Not carrying the marker: untouched.
    expect(grafana.dashboard('hand-made')).toBeDefined();
    expect(grafana.org().folders.has('people-folder')).toBe(true);
    expect(
      grafana
        .writes()
        .filter((w) => w.method === 'DELETE')
        .map((w) => w.path)
        .sort(),
    ).toEqual(['/api/dashboards/uid/old-managed', `/api/folders/${derivedFolderUid('old-team')}`].sort());
  });

  it('keeps a derived folder that still holds a dashboard it does not manage', async () => {
    await seedStrangers();
    grafana.seedDashboard({ uid: 'visitor', title: 'Visitor' }, { folderUid: derivedFolderUid('old-team') });
    const r = await provision(options({ prune: true }));
    expect(item(r, 'folder', derivedFolderUid('old-team'))).toMatchObject({
      action: 'skip',
      result: 'skipped',
    });
    expect(grafana.dashboard('visitor')).toBeDefined();
    expect(grafana.dashboard('old-managed')).toBeUndefined();
  });

  it('refuses to prune with a subset of the dashboard paths', async () => {
    await expect(provision(options({ prune: true, paths: ['dashboards/team-a'] }))).rejects.toThrow(
      UsageError,
    );
    expect(grafana.requests).toEqual([]);
  });

  it('honours deleteDatasources only with --prune', async () => {
    grafana.seedDatasource({ uid: 'legacy-ds', name: 'Legacy', type: 'prometheus', url: 'http://prom:9090' });
    const yaml = await (
      await import('node:fs/promises')
    ).readFile(`${repo.dir}/datasources/datasources.yaml`, 'utf8');
    await repo.write(
      'datasources/datasources.yaml',
      `${yaml}\ndeleteDatasources:\n  - name: Legacy\n    orgId: 1\n`,
    );
    await provision(options());
    expect(grafana.org().datasources.has('legacy-ds')).toBe(true);
    const r = await provision(options({ prune: true }));
    expect(item(r, 'datasource', 'legacy-ds')).toMatchObject({ action: 'delete', result: 'deleted' });
    expect(grafana.org().datasources.has('legacy-ds')).toBe(false);
  });
});

describe('bad input', () => {
  it('expands an unset variable to "" as Grafana does, with a warning naming it', async () => {
    const env: Record<string, string | undefined> = { ...ENV };
    delete env.CLICKHOUSE_PASSWORD;
    const r = await provision(options({ env }));
    expect(r.failures).toBe(0);
    expect(item(r, 'datasource', 'clickhouse-main')).toMatchObject({ result: 'created' });
    expect(item(r, 'datasource', 'clickhouse-main')!.warning).toMatch(
      /environment variable CLICKHOUSE_PASSWORD not set: expanded to "" as Grafana does/,
    );
    expect(grafana.datasourceSecret('clickhouse-main', 'password')).toBe('');
  });

  it('with strictVariables, fails the datasource whose variable is unset, naming it and the file, and applies the rest', async () => {
    const env: Record<string, string | undefined> = { ...ENV };
    delete env.CLICKHOUSE_PASSWORD;
    const r = await provision(options({ env }, { strictVariables: true }));
    const ds = item(r, 'datasource', 'clickhouse-main')!;
    expect(ds.result).toBe('failed');
    expect(ds.error!.message).toBe(
      'datasources/datasources.yaml:4: datasource "ClickHouse": environment variable CLICKHOUSE_PASSWORD is not set (grafana.strictVariables: true)',
    );
    expect(lines.some((l) => l.includes('CLICKHOUSE_PASSWORD is not set'))).toBe(true);
    expect(item(r, 'datasource', 'redis-live')!.result).toBe('created');
    expect(r.items.filter((i) => i.kind === 'dashboard').every((i) => i.result === 'created')).toBe(true);
    expect(r.failures).toBe(1);
    expect(grafana.org().datasources.has('clickhouse-main')).toBe(false);
  });

  it('lists a broken dashboard file as a failure and provisions the others', async () => {
    await repo.write('dashboards/broken.json', '{ "uid": "x", ');
    // An array is no dashboard in any format: a note, like check's not-a-dashboard info line.
    await repo.write('dashboards/array.json', '[]');
    await repo.write('dashboards/no-uid.json', { title: 'No uid', panels: [] });
    const r = await provision(options());
    expect(r.failures).toBe(2);
    const failed = r.items.filter((i) => i.result === 'failed').map((i) => i.error!.message);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dashboards\/broken\.json:1:\d+: invalid JSON/),
        expect.stringMatching(/^dashboards\/no-uid\.json: has no uid/),
      ]),
    );
    expect(r.items.filter((i) => i.kind === 'dashboard' && i.result === 'created')).toHaveLength(3);
  });
});

describe('auth, org and failures of whole runs', () => {
  it('works with basic auth', async () => {
    await grafana.close();
    grafana = await GrafanaDouble.start({ basic: { user: 'admin', password: 'adm1n-pa55' } });
    const r = await provision(options({ auth: { user: 'admin', password: 'adm1n-pa55' } }));
    expect(r.failures).toBe(0);
    expect(grafana.requests.filter((q) => q.path !== '/api/health').every((q) => q.auth === 'basic')).toBe(
      true,
    );
    expect(grafana.dashboard('prov-sales')!.versions[0]!.createdBy).toBe('admin');
  });

  it('sends X-Grafana-Org-Id from config on every request and provisions into that org', async () => {
    await grafana.close();
    grafana = await GrafanaDouble.start({ token: TOKEN, orgs: [1, 2] });
    const r = await provision(options({}, { orgId: 2 }));
    expect(grafana.requests.every((q) => q.orgId === '2')).toBe(true);
    expect(grafana.dashboard('prov-sales', 2)).toBeDefined();
    expect(grafana.org(1).dashboards.size).toBe(0);
    // The fixture's files say orgId: 1; a run provisions one org, so those objects fail, clearly.
    expect(r.items.filter((i) => i.result === 'failed').map((i) => i.error!.message)).toEqual([
      'datasources/datasources.yaml:4: datasource "ClickHouse": orgId 1 differs from the configured org (grafana.orgId: 2); dashboard-ci provisions one org per run',
      'alerts/alerts.yaml:4: alert rule group "service-health": orgId 1 differs from the configured org (grafana.orgId: 2); dashboard-ci provisions one org per run',
    ]);
    expect(item(r, 'datasource', 'redis-live')!.result).toBe('created');
  });

  it('stops at once, with one clear failure, when Grafana refuses the token', async () => {
    const r = await provision(options({ auth: { token: 'glsa_wrong_token_abcdef' } }));
    expect(r.fatal?.message).toMatch(/Grafana refused the credentials \(401/);
    expect(r.failures).toBe(1);
    expect(r.items).toEqual([]);
    expect(r.writes).toBe(0);
    expect(renderProvisionText(r)).not.toContain('glsa_wrong_token_abcdef');
  });

  it('fails fast when Grafana is unhealthy, with its version', async () => {
    grafana.healthy = false;
    const r = await provision(options());
    expect(r.fatal?.message).toBe(
      `Grafana 11.6.1 at ${grafana.url} is not available: its database is failing (GET /api/health → 503)`,
    );
    expect(r.failures).toBe(1);
    expect(grafana.requests.filter((q) => q.path !== '/api/health')).toEqual([]);
  });

  it('fails fast, without retrying, when nothing listens at the URL', async () => {
    const url = grafana.url;
    await grafana.close();
    const started = Date.now();
    const r = await provision(options({ grafanaUrl: url }));
    expect(r.fatal?.message).toMatch(/connection refused \(ECONNREFUSED\)/);
    expect(r.requests).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    grafana = await GrafanaDouble.start({ token: TOKEN });
  });
});

describe('datasources and alert rules', () => {
  it('reports a read-only (file-provisioned) datasource as its own outcome', async () => {
    grafana.seedDatasource(
      { uid: 'redis-live', name: 'Redis', type: 'redis-datasource', url: 'redis://old:6379' },
      { readOnly: true },
    );
    const r = await provision(options());
    const ds = item(r, 'datasource', 'redis-live')!;
    expect(ds).toMatchObject({
      action: 'update',
      result: 'failed',
      error: { status: 403, code: 'read-only' },
    });
    expect(ds.error!.message).toContain('datasource "Redis" (uid redis-live');
    expect(r.failures).toBe(1);
    expect(item(r, 'dashboard', 'prov-sales')!.result).toBe('created');
  });

  it('compares a datasource by its non-secret fields and secret keys, never the values', async () => {
    await provision(options());
    // A secret-only change is invisible (Grafana never returns secrets): unchanged...
    const rotated = { ...ENV, CLICKHOUSE_PASSWORD: 'a-n3w-secret-value' };
    const same = await provision(options({ env: rotated }));
    expect(item(same, 'datasource', 'clickhouse-main')!.result).toBe('unchanged');
    // ...unless asked to re-send the secrets.
    const forced = await provision(options({ env: rotated, resendSecrets: true }));
    expect(item(forced, 'datasource', 'clickhouse-main')).toMatchObject({ result: 'updated' });
    expect(grafana.datasourceSecret('clickhouse-main', 'password')).toBe('a-n3w-secret-value');
    expect(JSON.stringify(forced)).not.toContain('a-n3w-secret-value');
    // A non-secret change shows in the diff.
    const moved = await provision(options({ env: { ...rotated, CLICKHOUSE_HOST: 'ch2.internal' } }));
    expect(item(moved, 'datasource', 'clickhouse-main')!.diff).toEqual([
      'jsonData.host: "clickhouse.internal" → "ch2.internal"',
    ]);
  });

  it('reports a failing datasource health check as a warning, not a failure', async () => {
    await provision(options());
    grafana.setDatasourceHealth('clickhouse-main', { ok: false, message: 'dial tcp: connection refused' });
    const r = await provision(options());
    expect(r.failures).toBe(0);
    expect(item(r, 'datasource', 'clickhouse-main')!.warning).toBe(
      'health check failed: dial tcp: connection refused',
    );
    expect(r.warnings).toBe(1);
  });

  it('sends X-Disable-Provenance when configured, and a provenance change is an update', async () => {
    const r = await provision(options({}, { disableProvenance: true }));
    expect(r.failures).toBe(0);
    const put = grafana.writes().find((w) => w.path.includes('/rule-groups/'))!;
    expect(put.headers['x-disable-provenance']).toBe('true');
    expect(grafana.ruleProvenance('prov-high-error-rate')).toBe('');
    grafana.clearLog();
    expect((await provision(options({}, { disableProvenance: true }))).writes).toBe(0);
    const back = await provision(options());
    expect(item(back, 'alert-rule-group', `${TEAM_A}/service-health`)).toMatchObject({
      result: 'updated',
      diff: ['provenance: "" → "api"'],
    });
    expect(grafana.ruleProvenance('prov-high-error-rate')).toBe('api');
  });

  it('replaces the whole rule group: a rule removed from the file is deleted', async () => {
    await provision(options());
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(`${repo.dir}/alerts/alerts.yaml`, 'utf8');
    await repo.write('alerts/alerts.yaml', text.slice(0, text.indexOf('      - uid: prov-traffic')));
    const r = await provision(options());
    expect(item(r, 'alert-rule-group', `${TEAM_A}/service-health`)).toMatchObject({ result: 'updated' });
    expect(item(r, 'alert-rule-group', `${TEAM_A}/service-health`)!.diff!.join('\n')).toContain(
      'rules[uid="prov-traffic"]',
    );
    expect(grafana.org().rules.has('prov-traffic')).toBe(false);
    expect(grafana.org().rules.has('prov-high-error-rate')).toBe(true);
  });
});

describe('alert group folders and verify', () => {
  const group = (folder: string, name = 'g') =>
    `apiVersion: 1\ngroups:\n  - name: ${name}\n    folder: ${folder}\n    interval: 1m\n    rules:\n      - uid: r-${name}\n        title: R ${name}\n        condition: A\n        data:\n          - refId: A\n            datasourceUid: clickhouse-main\n            relativeTimeRange: { from: 600, to: 0 }\n            model: { rawSql: SELECT 1 }\n`;

  it('resolves a group folder by title path, by an existing Grafana folder, or creates it', async () => {
    grafana.seedFolder({ uid: 'existing-uid', title: 'Existing by title' });
    grafana.seedFolder({ uid: 'by-uid', title: 'Whatever' });
    await repo.write('alerts/alerts.yaml', group('team-a/ops', 'a'));
    await repo.write('alerts/b.yaml', group('Existing by title', 'b'));
    await repo.write('alerts/c.yaml', group('by-uid', 'c'));
    await repo.write('alerts/d.yaml', group('Brand new', 'd'));
    const r = await provision(options());
    expect(r.failures).toBe(0);
    expect(grafana.org().rules.get('r-a')!.folderUID).toBe(TEAM_A_OPS);
    expect(grafana.org().rules.get('r-b')!.folderUID).toBe('existing-uid');
    expect(grafana.org().rules.get('r-c')!.folderUID).toBe('by-uid');
    const created = derivedFolderUid('Brand new');
    expect(grafana.org().folders.get(created)).toMatchObject({ title: 'Brand new', parentUid: '' });
    expect(grafana.org().rules.get('r-d')!.folderUID).toBe(created);
    expect((await provision(options())).writes).toBe(0);
  });

  it('raises a refresh below min_refresh_interval as Grafana does, says so, and re-runs with 0 writes', async () => {
    await grafana.close();
    grafana = await GrafanaDouble.start({ token: TOKEN, minRefreshInterval: '1m' });
    const r = await provision(options());
    expect(r.failures).toBe(0);
    expect(item(r, 'dashboard', 'prov-overview')!.warning).toBe(
      "refresh 30s is below Grafana's min_refresh_interval (1m): deployed as 1m",
    );
    expect(grafana.dashboard('prov-overview')!.dashboard.refresh).toBe('1m');
    expect(item(r, 'dashboard', 'prov-sales')!.warning).toBeUndefined();
    grafana.clearLog();
    expect((await provision(options())).writes).toBe(0);
  });

  it('fails a dashboard that cannot be read back after its write', async () => {
    grafana.failNext({
      method: 'GET',
      path: '/api/dashboards/uid/prov-sales',
      status: 404,
      times: 2,
      body: { message: 'Dashboard not found' },
    });
    const r = await provision(options());
    expect(item(r, 'dashboard', 'prov-sales')).toMatchObject({
      result: 'failed',
      error: { code: 'verify-failed', status: 404 },
    });
    expect(item(r, 'dashboard', 'prov-sales')!.error!.message).toMatch(
      /was written but cannot be read back: not found \(404/,
    );
    expect(r.failures).toBe(1);
  });

  it('does not prune while a dashboard file is unreadable (it would look gone)', async () => {
    await provision(options());
    await repo.write('dashboards/team-a/sales.json', '{ broken');
    const r = await provision(options({ prune: true }));
    expect(grafana.dashboard('prov-sales')).toBeDefined();
    expect(r.items.find((i) => i.error?.code === 'prune-blocked')!.error!.message).toMatch(
      /1 dashboard input\(s\) could not be read/,
    );
    expect(r.items.filter((i) => i.action === 'delete')).toEqual([]);
  });
});

describe('output', () => {
  it('renders JSON with each object’s kind, uid, action, result and error', async () => {
    const env: Record<string, string | undefined> = { ...ENV };
    delete env.REDIS_PASSWORD;
    const r = await provision(options({ env }, { strictVariables: true }));
    const doc = JSON.parse(provisionJson(r));
    expect(doc.summary).toMatchObject({ create: 7, failed: 1, failures: 1, writes: r.writes });
    const redis = doc.items.find((i: { uid: string }) => i.uid === 'redis-live');
    expect(redis).toMatchObject({
      kind: 'datasource',
      action: 'skip',
      result: 'failed',
      error: { code: 'invalid-file' },
    });
    expect(doc.items.find((i: { uid: string }) => i.uid === 'prov-sales')).toMatchObject({
      kind: 'dashboard',
      action: 'create',
      result: 'created',
      error: null,
    });
  });
});
