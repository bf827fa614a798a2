// Schema v2 dashboards through Grafana 12's resource API, against the Grafana double as 10.4, 11.6, 12.0
// and 12.1 (test/support/grafana-double.ts follows pkg/registry/apis/dashboard and its legacy storage):
// created with a POST, updated with a PUT at the resourceVersion read, a re-run writes nothing (the zero
// values Grafana's typed v2 structs add are not a change), an edit in Grafana is drift, the folder comes
// from grafana.app/folder, prune removes only what dashboard-ci wrote, and a Grafana without the API (or
// without that version of it) gets one line naming the dashboard.
// The dashboards are the v2 fixtures check reads (test/fixtures/formats, SOURCES.md).

import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GrafanaDouble, type GrafanaDoubleOptions } from '../support/grafana-double.js';
import { provision } from '../../src/grafana/provision.js';
import type { ProvisionOptions, ProvisionResult } from '../../src/grafana/types.js';
import { MARKER_TAG } from '../../src/grafana/desired.js';
import { TOKEN, copyFixture, provisionOptions, type TempRepo } from '../fixtures/provision/repo.js';

const FORMATS = fileURLToPath(new URL('../fixtures/formats/clickhouse', import.meta.url));

let grafana: GrafanaDouble;
let repo: TempRepo;

afterEach(async () => {
  await grafana.close();
  await repo.dispose();
});

/** The basic repository (datasources, classic dashboards, alerts) plus the v2 fixtures, folder `checkout` configured. */
async function setup(
  options: GrafanaDoubleOptions,
  files = ['v2beta1.json', 'v2alpha1.json'],
): Promise<void> {
  grafana = await GrafanaDouble.start({ token: TOKEN, ...options });
  repo = await copyFixture('basic');
  for (const f of files) await cp(path.join(FORMATS, f), path.join(repo.dir, 'dashboards', f));
}

const options = (
  over: Partial<ProvisionOptions> = {},
  grafanaOver: Partial<ProvisionOptions['config']['grafana']> = {},
) => {
  const o = provisionOptions(
    { cwd: repo.dir, grafanaUrl: grafana.url },
    { commit: { sha: 'abcdef1234567890', subject: 'v2 dashboards' }, ...over },
    grafanaOver,
  );
  o.config.grafana.folders = [{ uid: 'checkout', title: 'Checkout' }];
  return o;
};

const item = (r: ProvisionResult, uid: string) =>
  r.items.find((i) => i.kind === 'dashboard' && i.uid === uid);
const apisWrites = () => grafana.writes().filter((w) => w.path.startsWith('/apis/'));

async function fetchJson(
  p: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${grafana.url}${p}`, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Grafana 12.1 (dashboard.grafana.app v1beta1, v0alpha1, v2beta1, v2alpha1)', () => {
  it('creates each v2 dashboard at its own version, in its folder, marked; a re-run writes nothing', async () => {
    await setup({ version: '12.1.0' });
    const first = await provision(options());
    expect(first.failures).toBe(0);
    expect(item(first, 'fmt-v2-json')).toMatchObject({ action: 'create', result: 'created' });
    expect(item(first, 'fmt-v2alpha1')).toMatchObject({ action: 'create', result: 'created' });
    // Read back after the write (verify): the same spec and folder, so no warning.
    expect(first.items.filter((i) => i.warning)).toEqual([]);
    expect(apisWrites().map((w) => `${w.method} ${w.path} ${w.status}`)).toEqual(
      expect.arrayContaining([
        'POST /apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards 201',
        'POST /apis/dashboard.grafana.app/v2alpha1/namespaces/default/dashboards 201',
      ]),
    );
    // Nothing of v2 went through the classic API.
    const classic = grafana.writes().filter((w) => w.path === '/api/dashboards/db');
    expect(classic.map((w) => (w.body as { dashboard: { uid: string } }).dashboard.uid).sort()).toEqual([
      'prov-latency',
      'prov-overview',
      'prov-sales',
    ]);
    const stored = grafana.dashboard('fmt-v2-json')!;
    expect(stored).toMatchObject({ apiVersion: 'v2beta1', folderUid: 'checkout', version: 1 });
    expect(stored.dashboard.tags).toContain(MARKER_TAG);
    expect(stored.versions[0]!.message).toMatch(
      /^dashboard-ci: abcdef1 v2 dashboards \[content [0-9a-f]{16}\]$/,
    );
    // The spec as sent: elements and layout untouched.
    const file = JSON.parse(await readFile(path.join(FORMATS, 'v2beta1.json'), 'utf8'));
    expect(stored.dashboard.elements).toEqual(file.spec.elements);

    grafana.clearLog();
    const again = await provision(options());
    expect(again.failures).toBe(0);
    expect(grafana.writes()).toEqual([]);
    expect(item(again, 'fmt-v2-json')).toMatchObject({ action: 'unchanged', result: 'unchanged' });
    // The read back did carry zero values never sent (typed structs): they are not a change.
    const read = await fetchJson(
      '/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/fmt-v2-json',
    );
    const spec = read.body.spec as { elements: Record<string, { spec: { links?: unknown } }> };
    expect(Object.values(spec.elements)[0]!.spec.links).toEqual([]);
  });

  it('updates once, at the resourceVersion read, for a repository change; an edit in Grafana is drift', async () => {
    await setup({ version: '12.1.0' }, ['v2beta1.json']);
    await provision(options());
    const file = JSON.parse(await readFile(path.join(FORMATS, 'v2beta1.json'), 'utf8'));
    file.spec.title = 'Checkout latency (p95)';
    await repo.write('dashboards/v2beta1.json', file);
    grafana.clearLog();
    const r = await provision(options({}, { drift: 'fail' }));
    expect(r.failures).toBe(0);
    expect(apisWrites().map((w) => `${w.method} ${w.path}`)).toEqual([
      'PUT /apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/fmt-v2-json',
    ]);
    expect(apisWrites()[0]!.body).toMatchObject({ metadata: { name: 'fmt-v2-json', resourceVersion: '1' } });
    expect(item(r, 'fmt-v2-json')).toMatchObject({ action: 'update', result: 'updated' });
    expect(item(r, 'fmt-v2-json')!.diff).toEqual([
      'spec.title: "Checkout latency" → "Checkout latency (p95)"',
    ]);
    expect(item(r, 'fmt-v2-json')!.drift).toBeUndefined();

    // Someone saves it in Grafana (the UI's own PUT, its message).
    const current = await fetchJson(
      '/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/fmt-v2-json',
    );
    const metadata = current.body.metadata as {
      resourceVersion: string;
      annotations: Record<string, string>;
    };
    const edited = await fetchJson(
      '/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/fmt-v2-json',
      {
        method: 'PUT',
        body: JSON.stringify({
          apiVersion: 'dashboard.grafana.app/v2beta1',
          kind: 'Dashboard',
          metadata: {
            name: 'fmt-v2-json',
            resourceVersion: metadata.resourceVersion,
            annotations: { ...metadata.annotations, 'grafana.app/message': 'tweaked the colours' },
          },
          spec: { ...(current.body.spec as object), description: 'edited in the UI' },
        }),
      },
    );
    expect(edited.status).toBe(200);
    grafana.clearLog();
    const drifted = await provision(options({}, { drift: 'fail' }));
    expect(item(drifted, 'fmt-v2-json')).toMatchObject({
      drift: true,
      result: 'failed',
      error: { code: 'drift' },
    });
    expect(apisWrites()).toEqual([]);
  });

  it('a write that meets a change made since the plan read is one failure (409 Conflict), not an overwrite', async () => {
    await setup({ version: '12.1.0' }, ['v2beta1.json']);
    await provision(options());
    const file = JSON.parse(await readFile(path.join(FORMATS, 'v2beta1.json'), 'utf8'));
    file.spec.title = 'Renamed';
    await repo.write('dashboards/v2beta1.json', file);
    grafana.failNext({
      method: 'PUT',
      path: /^\/apis\/dashboard\.grafana\.app\/v2beta1\/namespaces\/default\/dashboards\/fmt-v2-json$/,
      status: 409,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'Operation cannot be fulfilled on dashboards.dashboard.grafana.app "fmt-v2-json": the object has been modified; please apply your changes to the latest version and try again',
        reason: 'Conflict',
        details: { name: 'fmt-v2-json', group: 'dashboard.grafana.app', kind: 'dashboards' },
        code: 409,
      },
    });
    const r = await provision(options());
    expect(item(r, 'fmt-v2-json')).toMatchObject({
      result: 'failed',
      error: { status: 409, code: 'version-mismatch' },
    });
    expect(item(r, 'fmt-v2-json')!.error!.message).toMatch(/409 Conflict: Operation cannot be fulfilled/);
    expect(r.failures).toBe(1);
  });

  it('replaces a classic dashboard of the same uid with the repository v2 one', async () => {
    await setup({ version: '12.1.0' }, ['v2beta1.json']);
    grafana.seedFolder({ uid: 'checkout', title: 'Checkout' });
    grafana.seedDashboard(
      { uid: 'fmt-v2-json', title: 'Old classic', panels: [] },
      { folderUid: 'checkout' },
    );
    const r = await provision(options());
    expect(item(r, 'fmt-v2-json')).toMatchObject({ action: 'update', result: 'updated' });
    expect(item(r, 'fmt-v2-json')!.diff![0]).toMatch(/^stored as v0alpha1 .* → v2beta1$/);
    expect(grafana.dashboard('fmt-v2-json')).toMatchObject({ apiVersion: 'v2beta1', version: 2 });
  });

  it('prunes a v2 dashboard it wrote, through the resource API, and keeps a tagged one it did not', async () => {
    await setup({ version: '12.1.0' });
    await provision(options());
    // Someone else's v2 dashboard carrying the marker tag (made by copying a file): not dashboard-ci's.
    const theirs = await fetchJson('/apis/dashboard.grafana.app/v2alpha1/namespaces/default/dashboards', {
      method: 'POST',
      body: JSON.stringify({
        apiVersion: 'dashboard.grafana.app/v2alpha1',
        kind: 'Dashboard',
        metadata: { name: 'theirs-v2', annotations: { 'grafana.app/folder': 'checkout' } },
        spec: {
          title: 'Theirs',
          tags: [MARKER_TAG],
          elements: {},
          layout: { kind: 'GridLayout', spec: { items: [] } },
        },
      }),
    });
    expect(theirs.status).toBe(201);
    await repo.remove('dashboards/v2alpha1.json');
    grafana.clearLog();
    const r = await provision(options({ prune: true }));
    expect(r.failures).toBe(0);
    expect(r.items.find((i) => i.uid === 'fmt-v2alpha1' && i.action === 'delete')).toMatchObject({
      result: 'deleted',
    });
    expect(grafana.writes().map((w) => `${w.method} ${w.path}`)).toEqual([
      'DELETE /apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/fmt-v2alpha1',
    ]);
    expect(grafana.dashboard('fmt-v2alpha1')).toBeUndefined();
    expect(grafana.dashboard('theirs-v2')).toBeDefined();
    expect(r.items.find((i) => i.uid === 'theirs-v2')!.warning).toMatch(
      /no version of it was written by dashboard-ci/,
    );
  });

  it('uses the namespace Grafana names (stacks-<id> on Grafana Cloud, org-<id> for another org)', async () => {
    await setup({ version: '12.1.0', stackId: '4242' }, ['v2beta1.json']);
    const r = await provision(options());
    expect(r.failures).toBe(0);
    expect(apisWrites().map((w) => w.path)).toEqual([
      '/apis/dashboard.grafana.app/v2beta1/namespaces/stacks-4242/dashboards',
    ]);
    await grafana.close();
    await repo.dispose();
    await setup({ version: '12.1.0', orgs: [1, 2] }, ['v2beta1.json']);
    grafana.seedFolder({ uid: 'checkout', title: 'Checkout' }, 2);
    const org2 = await provision(options({}, { orgId: 2 }));
    expect(item(org2, 'fmt-v2-json')!.result).toBe('created');
    expect(apisWrites().map((w) => w.path)).toEqual([
      '/apis/dashboard.grafana.app/v2beta1/namespaces/org-2/dashboards',
    ]);
    expect(grafana.dashboard('fmt-v2-json', 2)).toBeDefined();
  });

  it('a dry run plans the v2 dashboards with GETs only', async () => {
    await setup({ version: '12.1.0' });
    const r = await provision(options({ dryRun: true }));
    expect(r.writes).toBe(0);
    expect(item(r, 'fmt-v2-json')).toMatchObject({ action: 'create', result: 'planned' });
  });
});

describe('Grafana 12.0 (v1alpha1, v0alpha1, v2alpha1)', () => {
  it('deploys a v2alpha1 dashboard and names the v2beta1 one this Grafana cannot take', async () => {
    await setup({ version: '12.0.2' });
    const r = await provision(options());
    expect(item(r, 'fmt-v2alpha1')!.result).toBe('created');
    expect(item(r, 'fmt-v2-json')).toMatchObject({ result: 'failed', error: { code: 'v2-unsupported' } });
    expect(item(r, 'fmt-v2-json')!.error!.message).toBe(
      'dashboard "Checkout latency" (uid fmt-v2-json, dashboards/v2beta1.json): a schema v2 dashboard (dashboard.grafana.app/v2beta1): Grafana 12.0 serves dashboard.grafana.app v1alpha1, v0alpha1, v2alpha1, not v2beta1; not deployed',
    );
    expect(r.failures).toBe(1);
  });
});

describe.each<[string, Partial<GrafanaDoubleOptions>]>([
  ['10.4.3', {}],
  ['11.6.1', {}],
  ['11.6.1', { dashboardApiVersions: ['v0alpha1'] }],
])('Grafana %s %o without a v2 dashboard API', (version, extra) => {
  it('deploys everything else, and says in one line per v2 dashboard that this Grafana cannot take it', async () => {
    await setup({ version, ...extra });
    const r = await provision(options());
    const failed = r.items.filter((i) => i.result === 'failed');
    expect(failed.map((i) => [i.uid, i.error?.code])).toEqual([
      ['fmt-v2alpha1', 'v2-unsupported'],
      ['fmt-v2-json', 'v2-unsupported'],
    ]);
    const [major, minor] = version.split('.');
    expect(failed[1]!.error!.message).toBe(
      'dashboardApiVersions' in extra
        ? `dashboard "Checkout latency" (uid fmt-v2-json, dashboards/v2beta1.json): a schema v2 dashboard (dashboard.grafana.app/v2beta1): Grafana ${major}.${minor} serves dashboard.grafana.app v0alpha1, not v2beta1; not deployed`
        : `dashboard "Checkout latency" (uid fmt-v2-json, dashboards/v2beta1.json): a schema v2 dashboard (dashboard.grafana.app/v2beta1): Grafana ${major}.${minor} does not serve the /apis/dashboard.grafana.app API that stores schema v2 dashboards (Grafana 12 does); not deployed`,
    );
    expect(item(r, 'prov-sales')!.result).toBe('created');
    expect(grafana.writes().filter((w) => w.path.startsWith('/apis'))).toEqual([]);
    expect(r.failures).toBe(2);
  });
});
