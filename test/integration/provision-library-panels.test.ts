// Library panels through /api/library-elements against the Grafana double as 10.4, 11.2, 11.6 and 12.1
// (test/support/grafana-double.ts follows pkg/services/libraryelements/api.go and database.go): written
// before the dashboards that use them, idempotent (a re-run writes nothing), updated at the version read,
// a failed library panel holds back its dashboards, and prune removes only what dashboard-ci wrote.
// The two files are the shapes check reads (test/fixtures/formats/SOURCES.md, "Library panels"): a
// library element as GET /api/library-elements/:uid answers it, and a LibraryPanel resource.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { provision } from '../../src/grafana/provision.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { TOKEN, copyFixture, provisionOptions, type TempRepo } from '../fixtures/provision/repo.js';

const VERSIONS = ['10.4.3', '11.2.2', '11.6.1', '12.1.0'] as const;

let grafana: GrafanaDouble;
let repo: TempRepo;

const REQUESTS = {
  result: {
    uid: 'lib-requests',
    name: 'Requests by event',
    kind: 1,
    type: 'timeseries',
    folderUid: 'shared',
    model: {
      type: 'timeseries',
      title: 'Requests',
      description: 'Requests per minute.',
      datasource: { type: 'grafana-clickhouse-datasource', uid: 'clickhouse-main' },
      targets: [
        {
          refId: 'A',
          datasource: { type: 'grafana-clickhouse-datasource', uid: 'clickhouse-main' },
          rawSql:
            'SELECT $__timeInterval(timestamp) AS t, count() FROM frontend_events WHERE $__timeFilter(timestamp) GROUP BY t',
        },
      ],
    },
    version: 3,
  },
};

const LATENCY = `apiVersion: dashboard.grafana.app/v0alpha1
kind: LibraryPanel
metadata:
  name: lib-latency
spec:
  type: timeseries
  title: Latency (library)
  panelTitle: Latency
  datasource: { type: grafana-clickhouse-datasource, uid: clickhouse-main }
  targets:
    - refId: A
      rawSql: SELECT avg(response_time_ms) FROM frontend_events WHERE $__timeFilter(timestamp)
`;

const dashboardUsing = (uid: string, libs: string[]) => ({
  uid,
  title: `Uses ${libs.join(', ')}`,
  schemaVersion: 39,
  panels: libs.map((lib, i) => ({
    id: i + 1,
    gridPos: { x: 0, y: i * 8, w: 24, h: 8 },
    libraryPanel: { uid: lib, name: lib },
  })),
});

const options = (over: Partial<ProvisionOptions> = {}) => {
  const o = provisionOptions(
    { cwd: repo.dir, grafanaUrl: grafana.url },
    { commit: { sha: 'abcdef1234567890', subject: 'Library panels' }, ...over },
  );
  o.config.grafana.folders = [{ uid: 'shared', title: 'Shared' }];
  return o;
};

const item = (r: ProvisionResult, kind: string, uid: string) =>
  r.items.find((i) => i.kind === kind && i.uid === uid);
const writes = () => grafana.writes().map((w) => `${w.method} ${w.path}`);

describe.each(VERSIONS)('against Grafana %s', (version) => {
  beforeEach(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version });
    repo = await copyFixture('basic');
    await repo.write('library-panels/requests.json', REQUESTS);
    await repo.write('library-panels/latency.yaml', LATENCY);
    await repo.write('dashboards/shop.json', dashboardUsing('shop', ['lib-requests', 'lib-latency']));
  });
  afterEach(async () => {
    await grafana.close();
    await repo.dispose();
  });

  it('creates library panels before the dashboards that use them, then re-runs with 0 writes', async () => {
    const first = await provision(options());
    expect(first.failures).toBe(0);
    const w = grafana.writes();
    const shop = w.findIndex(
      (x) =>
        x.path === '/api/dashboards/db' &&
        (x.body as { dashboard: { uid: string } }).dashboard.uid === 'shop',
    );
    const libs = w.flatMap((x, i) => (x.path === '/api/library-elements' && x.method === 'POST' ? [i] : []));
    expect(libs).toHaveLength(2);
    expect(Math.max(...libs)).toBeLessThan(shop);
    expect(item(first, 'library-panel', 'lib-requests')).toMatchObject({
      action: 'create',
      result: 'created',
    });
    const requests = grafana.libraryElement('lib-requests')!;
    expect(requests).toMatchObject({ name: 'Requests by event', folderUid: 'shared', version: 1 });
    expect(requests.model).toMatchObject({ title: 'Requests', dashboard_ci: 'managed' });
    // A LibraryPanel resource: the library's name is spec.title, the panel's title spec.panelTitle.
    const latency = grafana.libraryElement('lib-latency')!;
    expect(latency).toMatchObject({ name: 'Latency (library)', folderUid: '' });
    expect(latency.model.title).toBe('Latency');
    expect(latency.model).not.toHaveProperty('panelTitle');
    // Grafana connected them to the dashboard that uses them.
    expect(latency.connections).toBe(1);

    grafana.clearLog();
    const again = await provision(options());
    expect(again.failures).toBe(0);
    expect(writes()).toEqual([]);
    expect(again.items.filter((i) => i.kind === 'library-panel').map((i) => i.result)).toEqual([
      'unchanged',
      'unchanged',
    ]);
  });

  it('updates a changed library panel once, at the version Grafana holds, without touching the dashboards', async () => {
    await provision(options());
    await repo.write('library-panels/requests.json', {
      result: { ...REQUESTS.result, model: { ...REQUESTS.result.model, title: 'Requests per minute' } },
    });
    grafana.clearLog();
    const r = await provision(options());
    expect(r.failures).toBe(0);
    expect(writes()).toEqual(['PATCH /api/library-elements/lib-requests']);
    expect(grafana.requests.find((x) => x.method === 'PATCH')!.body).toMatchObject({
      version: 1,
      folderUid: 'shared',
    });
    expect(item(r, 'library-panel', 'lib-requests')!.diff).toEqual([
      'model.title: "Requests" → "Requests per minute"',
    ]);
    expect(grafana.libraryElement('lib-requests')!.version).toBe(2);
  });

  it('writes back a library panel edited in Grafana, and says it was', async () => {
    await provision(options());
    grafana.editLibraryElementAsUser('lib-latency', (m) => (m.title = 'Latency (edited)'));
    const r = await provision(options());
    const step = item(r, 'library-panel', 'lib-latency')!;
    expect(step).toMatchObject({ action: 'update', result: 'updated' });
    expect(step.warning).toMatch(/not written by dashboard-ci \(or edited in Grafana since\)/);
    expect(grafana.libraryElement('lib-latency')!.model).toMatchObject({
      title: 'Latency',
      dashboard_ci: 'managed',
    });
  });

  it('holds back the dashboards of a library panel Grafana refused, and names the panel', async () => {
    grafana.failNext({
      method: 'POST',
      path: '/api/library-elements',
      status: 400,
      body: { message: 'bad request data' },
    });
    const r = await provision(options());
    const failed = r.items.filter((i) => i.result === 'failed');
    expect(failed.map((i) => [i.kind, i.uid, i.error?.code])).toEqual([
      ['library-panel', expect.stringMatching(/^lib-/), 'invalid'],
      ['dashboard', 'shop', 'dependency'],
    ]);
    expect(failed[1]!.error!.message).toMatch(
      /not written because its library panel lib-\w+ failed \(invalid\)/,
    );
    expect(grafana.dashboard('shop')).toBeUndefined();
    // The other dashboards went on.
    expect(item(r, 'dashboard', 'prov-overview')!.result).toBe('created');
  });

  it('refuses a library panel whose name another one holds in the folder, naming its uid', async () => {
    grafana.seedFolder({ uid: 'shared', title: 'Shared' });
    grafana.seedLibraryElement({
      uid: 'theirs',
      name: 'Requests by event',
      folderUid: 'shared',
      model: { type: 'stat' },
    });
    const r = await provision(options());
    expect(item(r, 'library-panel', 'lib-requests')).toMatchObject({
      result: 'failed',
      error: { code: 'name-conflict' },
    });
    expect(item(r, 'library-panel', 'lib-requests')!.error!.message).toContain(
      'with uid theirs in folder shared',
    );
    expect(
      grafana.requests.some(
        (x) =>
          x.method === 'POST' &&
          x.path === '/api/library-elements' &&
          (x.body as { uid?: string }).uid === 'lib-requests',
      ),
    ).toBe(false);
  });

  it('prunes a library panel it wrote once the dashboards using it are gone, and nothing else', async () => {
    grafana.seedLibraryElement({ uid: 'hand-made', name: 'Hand made', model: { type: 'text' } });
    await provision(options());
    await repo.remove('library-panels/latency.yaml');
    await repo.write('dashboards/shop.json', dashboardUsing('shop', ['lib-requests']));
    // Still used by a dashboard dashboard-ci does not manage: Grafana refuses to delete it (403).
    await repo.write('library-panels/kept.json', {
      uid: 'lib-kept',
      name: 'Kept',
      model: { type: 'stat', title: 'Kept' },
    });
    await provision(options());
    grafana.seedDashboard(dashboardUsing('theirs', ['lib-kept']), { user: 'alice' });
    await repo.remove('library-panels/kept.json');

    grafana.clearLog();
    const r = await provision(options({ prune: true }));
    expect(r.failures).toBe(0);
    expect(item(r, 'library-panel', 'lib-latency')).toMatchObject({ action: 'delete', result: 'deleted' });
    expect(item(r, 'library-panel', 'lib-kept')).toMatchObject({ action: 'skip', result: 'skipped' });
    expect(item(r, 'library-panel', 'lib-kept')!.warning).toMatch(/a dashboard still uses it/);
    expect(grafana.libraryElement('lib-latency')).toBeUndefined();
    expect(grafana.libraryElement('hand-made')).toBeDefined();
    expect(grafana.libraryElement('lib-kept')).toBeDefined();
    expect(item(r, 'library-panel', 'hand-made')).toBeUndefined();
  });
});
