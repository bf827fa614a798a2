import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { Config } from '../../../src/config/types.js';
import {
  MARKER_TAG,
  derivedFolderUid,
  loadDesiredState,
  prepareDashboard,
} from '../../../src/grafana/desired.js';
import { loadDatasourceFiles } from '../../../src/dashboards/provisioning-files.js';
import { ENV, copyFixture, emptyRepo, type TempRepo } from '../../fixtures/provision/repo.js';

let repo: TempRepo;
afterEach(async () => repo?.dispose());

async function withDashboard(): Promise<TempRepo> {
  const r = await emptyRepo();
  await r.write('dashboards/d.json', { uid: 'd', title: 'D' });
  return r;
}

const load = (
  config: Config = defaultConfig(),
  env: Record<string, string | undefined> = ENV,
  paths: string[] = [],
) => loadDesiredState({ cwd: repo.dir, paths, config, env });

describe('dashboards and folders', () => {
  it('derives nested folders from subfolders, parents first, and strips server-side fields', async () => {
    repo = await copyFixture('basic');
    const s = await load();
    expect(s.problems).toEqual([]);
    expect(s.folders.map((f) => [f.uid, f.title, f.parentUid ?? ''])).toEqual([
      [derivedFolderUid('team-a'), 'team-a', ''],
      [derivedFolderUid('team-a/ops'), 'ops', derivedFolderUid('team-a')],
    ]);
    expect(Object.fromEntries(s.dashboards.map((d) => [d.uid, d.folderUid]))).toEqual({
      'prov-overview': '',
      'prov-sales': derivedFolderUid('team-a'),
      'prov-latency': derivedFolderUid('team-a/ops'),
    });
    const overview = s.dashboards.find((d) => d.uid === 'prov-overview')!.dashboard;
    expect(overview.id).toBeUndefined();
    expect(overview.version).toBeUndefined();
    expect(overview.tags).toEqual(['product', MARKER_TAG]);
  });

  it('derives folder uids deterministically, readable, at most 40 characters', () => {
    expect(derivedFolderUid('team-a')).toBe(derivedFolderUid('team-a'));
    expect(derivedFolderUid('team-a')).toMatch(/^dci-team-a-[0-9a-f]{8}$/);
    expect(derivedFolderUid('team a')).not.toBe(derivedFolderUid('team-a'));
    const long = derivedFolderUid('a-very-long-folder-name/with/many/levels/of/nesting/below');
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^[a-zA-Z0-9\-_]+$/);
  });

  it('adds the marker once and keeps the other tags', () => {
    const r = prepareDashboard({ uid: ' a ', title: ' T ', tags: ['x', MARKER_TAG, 'y'], id: 3, version: 9 });
    expect(r).toEqual({
      uid: 'a',
      title: 'T',
      dashboard: { uid: 'a', title: 'T', tags: ['x', 'y', MARKER_TAG] },
    });
  });

  it.each([
    [{ title: 'T' }, 'has no uid (dashboard-ci provisions dashboards by uid, so it needs a stable one)'],
    [{ uid: 'bad uid', title: 'T' }, 'uid "bad uid" may hold only letters, digits, - and _'],
    [{ uid: 'x'.repeat(41), title: 'T' }, `uid "${'x'.repeat(41)}" is longer than 40 characters`],
    [{ uid: 'a', title: '  ' }, 'has no title (Grafana refuses an empty title)'],
    [{ uid: 'a', title: 'T', tags: 'x' }, 'tags must be an array'],
  ])('refuses %j', (json, error) => {
    expect(prepareDashboard(json as Record<string, unknown>)).toEqual({ error });
  });

  it('maps folders from config by path, and derives below them', async () => {
    repo = await copyFixture('basic');
    const config = defaultConfig();
    config.grafana.folders = [
      { uid: 'sales-team', title: 'Sales team', path: 'dashboards/team-a' },
      { uid: 'home', title: 'Home', path: 'dashboards' },
    ];
    const s = await load(config);
    expect(Object.fromEntries(s.dashboards.map((d) => [d.uid, d.folderUid]))).toEqual({
      'prov-overview': 'home',
      'prov-sales': 'sales-team',
      'prov-latency': derivedFolderUid('team-a/ops'),
    });
    expect(s.folders.find((f) => f.uid === derivedFolderUid('team-a/ops'))!.parentUid).toBe('sales-team');
  });

  it('files given one by one land in the same folders as a full run, and mark the run partial', async () => {
    repo = await copyFixture('basic');
    const s = await load(defaultConfig(), ENV, ['dashboards/team-a/sales.json']);
    expect(s.dashboards.map((d) => [d.uid, d.folderUid])).toEqual([
      ['prov-sales', derivedFolderUid('team-a')],
    ]);
    expect(s.partial).toBe(true);
    expect((await load(defaultConfig(), ENV, ['dashboards'])).partial).toBe(false);
  });

  it('records one line per bad file and keeps the others', async () => {
    repo = await emptyRepo();
    await repo.write('dashboards/ok.json', { uid: 'ok', title: 'OK' });
    await repo.write('dashboards/a.json', { uid: 'ok', title: 'Duplicate' });
    await repo.write('dashboards/null.json', 'null');
    await repo.write('dashboards/shared.json', { __inputs: [], uid: 's', title: 'S' });
    const s = await load(defaultConfig(), ENV, ['dashboards', 'missing']);
    // An export for sharing deploys with its inputs filled (here: none); a file that is no dashboard is a note.
    expect(s.dashboards.map((d) => d.file)).toEqual(['dashboards/a.json', 'dashboards/shared.json']);
    expect(s.problems.map((p) => p.message)).toEqual([
      'missing: no such file or folder',
      'dashboards/ok.json: uid "ok" is already used by dashboards/a.json',
    ]);
    expect(s.notes).toContainEqual(expect.stringMatching(/^dashboards\/null\.json: not a dashboard/));
  });
});

describe('datasources', () => {
  it('expands $VAR and ${VAR}, fills defaults, and lists secrets to mask', async () => {
    repo = await copyFixture('basic');
    const s = await load();
    const ch = s.datasources.find((d) => d.uid === 'clickhouse-main')!;
    expect(ch.fields).toEqual({
      name: 'ClickHouse',
      type: 'grafana-clickhouse-datasource',
      access: 'proxy',
      url: '',
      user: '',
      database: '',
      basicAuth: false,
      basicAuthUser: '',
      withCredentials: false,
      isDefault: false,
      jsonData: {
        host: 'clickhouse.internal',
        port: 9000,
        protocol: 'native',
        username: 'dashboards',
        defaultDatabase: 'analytics',
      },
    });
    expect(ch.secureJsonData).toEqual({ password: ENV.CLICKHOUSE_PASSWORD });
    expect(s.datasources.find((d) => d.uid === 'redis-live')!.fields.url).toBe('redis://redis.internal:6379');
    expect(s.secrets.sort()).toEqual([ENV.CLICKHOUSE_PASSWORD, ENV.REDIS_PASSWORD].sort());
  });

  it('expands an unset variable to "" as Grafana does, and records it for a warning', async () => {
    repo = await copyFixture('basic');
    const s = await load(defaultConfig(), { ...ENV, REDIS_HOST: undefined });
    expect(s.problems).toEqual([]);
    const redis = s.datasources.find((d) => d.uid === 'redis-live')!;
    expect(redis.fields.url).toBe('redis://:6379');
    expect(redis.unset).toEqual(['REDIS_HOST']);
  });

  it('with strictVariables, fails only the datasource with an unset variable, naming it, the file and the line', async () => {
    repo = await copyFixture('basic');
    const config = defaultConfig();
    config.grafana.strictVariables = true;
    const s = await load(config, { ...ENV, REDIS_HOST: undefined });
    expect(s.datasources.map((d) => d.uid)).toEqual(['clickhouse-main']);
    expect(s.problems).toEqual([
      expect.objectContaining({
        kind: 'datasource',
        uid: 'redis-live',
        line: 16,
        message:
          'datasources/datasources.yaml:16: datasource "Redis": environment variable REDIS_HOST is not set (grafana.strictVariables: true)',
      }),
    ]);
  });

  it('reads $$ as a literal dollar, and $__env{} / $__file{}', async () => {
    repo = await withDashboard();
    await repo.write('secret.txt', 'from-a-file\n');
    await repo.write(
      'datasources/ds.yaml',
      [
        'apiVersion: 1',
        'datasources:',
        '  - name: A',
        '    type: prometheus',
        '    uid: a',
        '    url: http://$__env{REDIS_HOST}:9090',
        '    jsonData: { note: "costs $$5" }',
        '    secureJsonData:',
        '      token: $__file{secret.txt}',
      ].join('\n'),
    );
    const s = await load();
    expect(s.problems).toEqual([]);
    expect(s.datasources[0]!.fields.url).toBe('http://redis.internal:9090');
    expect(s.datasources[0]!.fields.jsonData).toEqual({ note: 'costs $5' });
    expect(s.datasources[0]!.secureJsonData).toEqual({ token: 'from-a-file' });
    expect(s.secrets).toContain('from-a-file');
  });

  it('derives the uid of a datasource without one as Grafana does, the same uid check resolves', async () => {
    repo = await withDashboard();
    await repo.write(
      'datasources/a.yaml',
      'apiVersion: 1\ndatasources:\n  - name: ClickHouse-official\n    type: grafana-clickhouse-datasource\n  - name: ${DS_NAME}\n    type: prometheus\n',
    );
    const s = await load(undefined, { DS_NAME: 'Prometheus' });
    expect(s.problems).toEqual([]);
    // P + upper-case hex of sha256(name)[:8] (safeUIDFromName), from the name after $VAR expansion.
    expect(s.datasources.map((d) => [d.fields.name, d.uid])).toEqual([
      ['ClickHouse-official', 'P5C0FA5C61C0F8586'],
      ['Prometheus', 'PBFA97CFB590B2093'],
    ]);
    const checked = await loadDatasourceFiles(['datasources'], { cwd: repo.dir });
    expect(checked.datasources[0]!.uid).toBe(s.datasources[0]!.uid);
  });

  it('refuses a YAML syntax error in one line', async () => {
    repo = await withDashboard();
    await repo.write('datasources/b.yaml', 'apiVersion: 1\ndatasources: [\n');
    const s = await load();
    expect(s.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^datasources\/b\.yaml:\d+:\d+: not valid YAML/),
    ]);
  });

  it('reads deleteDatasources, but never deletes a name that is also provisioned', async () => {
    repo = await withDashboard();
    await repo.write(
      'datasources/a.yaml',
      'apiVersion: 1\ndeleteDatasources:\n  - name: Old\n    orgId: 1\n  - name: Kept\ndatasources:\n  - { name: Kept, type: prometheus, uid: kept }\n',
    );
    const s = await load();
    expect(s.datasourceDeletes).toEqual([{ name: 'Old', orgId: 1, file: 'datasources/a.yaml', line: 3 }]);
  });
});

describe('alert rule groups', () => {
  it('maps the file-provisioning format to the API body', async () => {
    repo = await copyFixture('basic');
    const s = await load();
    expect(s.ruleGroups).toHaveLength(1);
    const g = s.ruleGroups[0]!;
    expect(g).toMatchObject({
      name: 'service-health',
      folder: 'team-a',
      intervalSeconds: 60,
      file: 'alerts/alerts.yaml',
      line: 4,
    });
    const [high, traffic] = g.rules;
    expect(high).toMatchObject({
      uid: 'prov-high-error-rate',
      condition: 'C',
      for: '5m',
      noDataState: 'NoData',
      execErrState: 'Error',
      isPaused: false,
    });
    // Annotations and models are taken raw: template text and macros stay.
    expect(high!.annotations.summary).toBe('Error rate is {{ $values.B }} over 5 %');
    expect(high!.data[0]!.model.rawSql).toContain('$__timeFilter(timestamp)');
    expect(high!.data[0]!.relativeTimeRange).toEqual({ from: 600, to: 0 });
    // Grafana's file-provisioning defaults.
    expect(traffic).toMatchObject({
      for: '10m',
      noDataState: 'NoData',
      execErrState: 'Alerting',
      annotations: {},
    });
  });

  it('turns dashboardUid/panelId into the API annotations, and checks the condition', async () => {
    repo = await withDashboard();
    const rule = (extra: string) =>
      `apiVersion: 1\ngroups:\n  - name: g\n    folder: f\n    interval: 30s\n    rules:\n      - uid: r1\n        title: R\n        condition: A\n        dashboardUid: dash\n        panelId: 4\n        data:\n          - refId: A\n            datasourceUid: ds\n            relativeTimeRange: { from: 60, to: 0 }\n            model: {}\n${extra}`;
    await repo.write('alerts/a.yaml', rule(''));
    await repo.write(
      'alerts/b.yaml',
      rule('')
        .replace('condition: A', 'condition: Z')
        .replace(/name: g/, 'name: h'),
    );
    const s = await load();
    expect(s.ruleGroups[0]!.rules[0]!.annotations).toEqual({ __dashboardUid__: 'dash', __panelId__: '4' });
    expect(s.problems.map((p) => p.message)).toEqual([
      'alerts/b.yaml:3: alert rule group "h": rule "R": condition "Z" is not the refId of any of its queries',
    ]);
  });

  it.each([
    ['interval: soon', 'interval "soon" is not a duration such as 1m'],
    ['interval: 1m\n    rules: []', 'has no rules'],
    [
      'interval: 1m\n    orgId: 3',
      'orgId 3 differs from the configured org (grafana.orgId: 1); dashboard-ci provisions one org per run',
    ],
  ])('refuses a group with %s', async (line, message) => {
    repo = await withDashboard();
    await repo.write('alerts/a.yaml', `apiVersion: 1\ngroups:\n  - name: g\n    folder: f\n    ${line}\n`);
    const config = defaultConfig();
    config.grafana.orgId = 1;
    const s = await load(config);
    expect(s.problems.map((p) => p.message)).toEqual([`alerts/a.yaml:3: alert rule group "g": ${message}`]);
  });
});

describe('contact points', () => {
  it("reads contactPoints and deleteContactPoints of Grafana's alert file format, expanding settings as Grafana does", async () => {
    repo = await withDashboard();
    await repo.write('secret.txt', '  from-a-file  \n');
    await repo.write(
      'alerts/cp.yaml',
      `apiVersion: 1
contactPoints:
  - orgId: 1
    name: $TEAM-alerts
    receivers:
      - uid: hook-1
        type: webhook
        disableResolveMessage: $QUIET
        settings:
          url: https://hooks.example/$$HOME
          password: $__file{secret.txt}
          maxAlerts: 5
          title: '{{ .CommonLabels.alertname }} costs $$5'
deleteContactPoints:
  - orgId: 1
    uid: $OLD_UID
`,
    );
    const s = await load(defaultConfig(), { TEAM: 'ops', QUIET: 'true', OLD_UID: 'gone-1' });
    expect(s.problems).toEqual([]);
    expect(s.contactPoints).toEqual([
      {
        uid: 'hook-1',
        name: 'ops-alerts',
        type: 'webhook',
        disableResolveMessage: true,
        settings: {
          url: 'https://hooks.example/$HOME',
          password: 'from-a-file',
          maxAlerts: 5,
          title: '{{ .CommonLabels.alertname }} costs $5',
        },
        file: 'alerts/cp.yaml',
        line: 3,
        orgId: 1,
      },
    ]);
    expect(s.contactPointDeletes).toEqual([{ uid: 'gone-1', file: 'alerts/cp.yaml', line: 15 }]);
    // What expanded into the settings is secret (masked everywhere); the name is not.
    expect(s.secrets).toContain('from-a-file');
    expect(s.secrets).not.toContain('ops');
    expect(s.notes.join('\n')).not.toContain('contactPoints');
  });

  it('refuses, one line each, a receiver without uid or type, a uid used twice, the marker key, another org', async () => {
    repo = await withDashboard();
    const receiver = (uid: string, extra = '') =>
      `      - uid: ${uid}\n        type: email\n        settings: { addresses: a@b.c${extra} }\n`;
    await repo.write(
      'alerts/a.yaml',
      `apiVersion: 1\ncontactPoints:\n  - name: a\n    receivers:\n${receiver('dup')}      - type: email\n        uid: ''\n  - name: b\n    receivers:\n${receiver('mark', ', dashboard_ci: managed')}`,
    );
    await repo.write(
      'alerts/b.yaml',
      `apiVersion: 1\ncontactPoints:\n  - name: c\n    receivers:\n${receiver('dup')}  - name: d\n    orgId: 2\n    receivers:\n${receiver('other-org')}`,
    );
    const config = defaultConfig();
    config.grafana.orgId = 1;
    const s = await load(config);
    expect(s.contactPoints.map((c) => c.uid)).toEqual(['dup']);
    expect(s.problems.map((p) => p.message)).toEqual([
      'alerts/a.yaml:3: contact point "a": receiver #2 has no uid (dashboard-ci finds receivers by uid)',
      'alerts/a.yaml:10: contact point "b": receiver mark: settings.dashboard_ci is dashboard-ci\'s ownership marker and cannot be set in a file',
      'alerts/b.yaml:3: contact point "c": receiver uid "dup" is already used by alerts/a.yaml:3',
      'alerts/b.yaml:8: contact point "d": orgId 2 differs from the configured org (grafana.orgId: 1); dashboard-ci provisions one org per run',
    ]);
    expect(s.problems.every((p) => p.kind === 'contact-point')).toBe(true);
  });
});
