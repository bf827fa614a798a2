// provision() against the Grafana double behaving as 10.4, 11.2, 11.6 and 12.1 (issue 10, "Done
// when"): a no-change re-run makes 0 writes (alert groups included), a repository change to one
// dashboard is exactly 1 write and no drift, an edit in Grafana is drift, a title clash is refused
// where Grafana would overwrite, prune removes a deleted alert group and nothing it does not own.
// Each behaviour of the double cites the Grafana source it follows (test/support/grafana-double.ts).

import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GrafanaDouble } from '../support/grafana-double.js';
import { provision } from '../../src/grafana/provision.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { derivedFolderUid, MARKER_TAG } from '../../src/grafana/desired.js';
import { TOKEN, copyFixture, provisionOptions, type TempRepo } from '../fixtures/provision/repo.js';

const TEAM_A = derivedFolderUid('team-a');
const VERSIONS = ['10.4.3', '11.2.2', '11.6.1', '12.1.0'] as const;
const clashes = (v: string) => v.startsWith('10.') || v.startsWith('11.2');

let grafana: GrafanaDouble;
let repo: TempRepo;

afterEach(async () => {
  await grafana.close();
  await repo.dispose();
});

const options = (
  over: Partial<ProvisionOptions> = {},
  grafanaOver: Partial<ProvisionOptions['config']['grafana']> = {},
) =>
  provisionOptions(
    { cwd: repo.dir, grafanaUrl: grafana.url },
    { commit: { sha: 'abcdef1234567890', subject: 'Dashboards' }, ...over },
    grafanaOver,
  );

const item = (r: ProvisionResult, kind: string, uid: string) =>
  r.items.find((i) => i.kind === kind && i.uid === uid);

const extraGroup = (name: string) =>
  `apiVersion: 1\ngroups:\n  - name: ${name}\n    folder: team-a\n    interval: 1m\n    rules:\n      - uid: r-${name}\n        title: R ${name}\n        condition: A\n        keepFiringFor: 2m\n        data:\n          - refId: A\n            datasourceUid: clickhouse-main\n            relativeTimeRange: { from: 600, to: 0 }\n            model: { rawSql: SELECT 1 }\n`;

describe.each(VERSIONS)('against Grafana %s', (version) => {
  beforeEach(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version });
    repo = await copyFixture('basic');
  });

  it('re-runs with 0 writes, alert groups included', async () => {
    await repo.write('alerts/extra.yaml', extraGroup('latency'));
    const first = await provision(options());
    expect(first.failures).toBe(0);
    grafana.clearLog();
    const again = await provision(options());
    expect(again.failures).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(again.writes).toBe(0);
    expect(again.items.every((i) => i.result === 'unchanged')).toBe(true);
    // The group GET never carries provenance: it was read rule by rule.
    expect(
      grafana.requests.some((r) => r.path === '/api/v1/provisioning/alert-rules/prov-high-error-rate'),
    ).toBe(true);
    // keep_firing_for is the API's name; only Grafana 12 keeps it, and older ones are not compared.
    const kept = grafana.org().rules.get('r-latency')!.keep_firing_for;
    if (version.startsWith('12.')) expect(kept).toBe('2m');
    else {
      expect(kept).toBeUndefined();
      expect(item(again, 'alert-rule-group', `${TEAM_A}/latency`)!.warning).toMatch(
        /keepFiringFor of r-latency is not kept by this Grafana/,
      );
    }
  });

  it('writes exactly once for a repository change to one dashboard, with no drift (first save listed as "Initial save")', async () => {
    await provision(options());
    const versions = await fetch(`${grafana.url}/api/dashboards/uid/prov-sales/versions`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.json() as Promise<{ message: string }[] | { versions: { message: string }[] }>);
    const list = Array.isArray(versions) ? versions : versions.versions;
    expect(list[0]?.message).toBe('Initial save');

    const sales = JSON.parse(await readFile(`${repo.dir}/dashboards/team-a/sales.json`, 'utf8'));
    sales.panels[0].title = 'Orders per hour';
    await repo.write('dashboards/team-a/sales.json', sales);
    grafana.clearLog();
    const r = await provision(options({}, { drift: 'fail' }));
    expect(r.failures).toBe(0);
    expect(grafana.writes().map((w) => `${w.method} ${w.path}`)).toEqual(['POST /api/dashboards/db']);
    const s = item(r, 'dashboard', 'prov-sales')!;
    expect(s).toMatchObject({ action: 'update', result: 'updated' });
    expect(s.drift).toBeUndefined();
    expect(s.warning).toBeUndefined();
  });

  it('reports an edit made in Grafana as drift', async () => {
    await provision(options());
    grafana.editDashboardAsUser('prov-sales', (d) => {
      d.description = 'edited in the UI';
    });
    const r = await provision(options({}, { drift: 'fail' }));
    expect(item(r, 'dashboard', 'prov-sales')).toMatchObject({
      drift: true,
      result: 'failed',
      error: { code: 'drift' },
    });
    expect(grafana.dashboard('prov-sales')!.dashboard.description).toBe('edited in the UI');
  });

  it(
    clashes(version)
      ? 'refuses a dashboard whose title clashes with another in its folder (Grafana would take it over)'
      : 'creates a dashboard beside another of the same title (this Grafana keeps both)',
    async () => {
      grafana.seedDashboard({ uid: 'hand-made', title: 'Overview', tags: ['ops'] }, { user: 'alice' });
      const r = await provision(options());
      const o = item(r, 'dashboard', 'prov-overview')!;
      if (clashes(version)) {
        expect(o).toMatchObject({ result: 'failed', error: { code: 'title-clash' } });
        expect(o.error!.message).toMatch(/Grafana already has dashboard "Overview" \(uid hand-made\)/);
        expect(grafana.dashboard('prov-overview')).toBeUndefined();
        expect(grafana.dashboard('hand-made')!.dashboard.tags).toEqual(['ops']);
        expect(r.failures).toBe(1);
      } else {
        expect(o.result).toBe('created');
        expect(grafana.dashboard('hand-made')!.dashboard.tags).toEqual(['ops']);
      }
    },
  );

  it('prunes a rule group removed from the repository, and nothing it does not own', async () => {
    await repo.write('alerts/extra.yaml', extraGroup('latency'));
    await provision(options());
    // A group someone else provisioned through the API in the same folder (no dashboard-ci marker).
    const put = await fetch(`${grafana.url}/api/v1/provisioning/folder/${TEAM_A}/rule-groups/theirs`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        title: 'theirs',
        interval: 60,
        rules: [
          {
            uid: 'their-rule',
            title: 'Theirs',
            condition: 'A',
            noDataState: 'NoData',
            execErrState: 'Error',
            for: '1m',
            data: [{ refId: 'A', datasourceUid: 'x', relativeTimeRange: { from: 60, to: 0 }, model: {} }],
          },
        ],
      }),
    });
    expect(put.status).toBe(200);
    await repo.remove('alerts/extra.yaml');

    const withoutPrune = await provision(options());
    expect(grafana.org().rules.has('r-latency')).toBe(true);
    expect(withoutPrune.items.filter((i) => i.action === 'delete')).toEqual([]);

    grafana.clearLog();
    const r = await provision(options({ prune: true }));
    expect(r.failures).toBe(0);
    expect(item(r, 'alert-rule-group', `${TEAM_A}/latency`)).toMatchObject({
      action: 'delete',
      result: 'deleted',
    });
    expect(grafana.org().rules.has('r-latency')).toBe(false);
    expect(grafana.org().rules.has('their-rule')).toBe(true);
    expect(grafana.org().rules.has('prov-high-error-rate')).toBe(true);
    expect(grafana.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'DELETE /api/v1/provisioning/alert-rules/r-latency',
    ]);
    grafana.clearLog();
    expect((await provision(options({ prune: true }))).writes).toBe(0);
  });

  it('never deletes a file-provisioned dashboard, nor a "Save as" copy of a managed one', async () => {
    await provision(options());
    grafana.saveAsCopy('prov-sales', { uid: 'sales-copy', title: 'Sales copy' });
    expect(grafana.dashboard('sales-copy')!.dashboard.tags).toContain(MARKER_TAG);
    grafana.seedDashboard(
      { uid: 'from-file', title: 'From file', tags: [MARKER_TAG] },
      { provisioned: true },
    );
    const r = await provision(options({ prune: true }));
    expect(r.failures).toBe(0);
    expect(grafana.dashboard('sales-copy')).toBeDefined();
    expect(grafana.dashboard('from-file')).toBeDefined();
    expect(item(r, 'dashboard', 'sales-copy')!.warning).toMatch(
      /no version of it was written by dashboard-ci/,
    );
    expect(item(r, 'dashboard', 'from-file')!.warning).toMatch(/provisioned from a file/);
    expect(grafana.writes().filter((w) => w.method === 'DELETE')).toEqual([]);
  });

  it('names the permission alert provisioning needs when the token lacks it', async () => {
    await grafana.close();
    grafana = await GrafanaDouble.start({ token: TOKEN, version, permissions: ['dashboards:write'] });
    const r = await provision(options());
    const g = item(r, 'alert-rule-group', `${TEAM_A}/service-health`)!;
    expect(g).toMatchObject({ result: 'failed', error: { status: 403, code: 'forbidden' } });
    expect(g.error!.message).toContain('Permissions needed:');
    expect(g.error!.message).toContain('alert.provisioning:write');
    if (version.startsWith('10.') || version.startsWith('11.0') || version.startsWith('11.1'))
      expect(g.error!.message).toMatch(/before 11\.2\) needs alert\.provisioning:write/);
    expect(item(r, 'dashboard', 'prov-sales')!.result).toBe('created');
  });
});

describe('Grafana 12 only', () => {
  beforeEach(async () => {
    grafana = await GrafanaDouble.start({ token: TOKEN, version: '12.1.0' });
    repo = await copyFixture('basic');
  });

  it('says plainly that a dashboard stored as v2 cannot be handled through /api (406), and leaves it', async () => {
    await provision(options());
    grafana.markV2('prov-sales');
    const r = await provision(options());
    const s = item(r, 'dashboard', 'prov-sales')!;
    expect(s).toMatchObject({ result: 'failed', error: { status: 406, code: 'v2-dashboard' } });
    expect(s.error!.message).toMatch(/v2 schema/);
    expect(grafana.writes().filter((w) => w.path === '/api/dashboards/db')).toHaveLength(3);
  });
});
