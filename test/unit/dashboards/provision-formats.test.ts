// Whatever `check` accepts, `provision` deploys: the desired state reads dashboards through the same
// loader. v0/v1 resources go to the classic API under metadata.name and their folder annotation; an
// export for sharing has its `${…}` inputs filled from the provisioned datasources, as Grafana's import
// fills them; a vendored file is left out by exclude:; schema v2 goes to Grafana 12's resource API as written.

import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/defaults.js';
import type { Config } from '../../../src/config/types.js';
import { loadDashboards } from '../../../src/dashboards/load.js';
import { applySharingInputs, inputPlaceholder, resolveSharingInputs } from '../../../src/dashboards/inputs.js';
import { MARKER_TAG, loadDesiredState, type DesiredState } from '../../../src/grafana/desired.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/formats', import.meta.url));

let dir: string;
let state: DesiredState;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dci-prov-formats-'));
  await cp(FIXTURE, dir, { recursive: true });
  const config: Config = {
    ...defaultConfig(),
    file: 'dashboard-ci.yml',
    paths: ['clickhouse'],
    datasources: ['datasources.yaml'],
    alerts: [],
    exclude: ['vendor/'],
  };
  state = await loadDesiredState({ cwd: dir, paths: [], config, env: {} });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('provision reads every format check reads', () => {
  it('deploys classic, envelope, shared export, v0/v1 and v2 resources (JSON and YAML) under their uids', () => {
    expect(state.dashboards.map((d) => [d.file, d.uid, d.folderUid, d.resource?.apiVersion])).toEqual([
      ['clickhouse/classic.json', 'fmt-classic', '', undefined],
      ['clickhouse/envelope.json', 'fmt-envelope', 'checkout', undefined],
      ['clickhouse/shared-export.json', 'fmt-shared', '', undefined],
      ['clickhouse/v0alpha1.yaml', 'fmt-v0-yaml', 'checkout', undefined],
      ['clickhouse/v1beta1.json', 'fmt-v1-json', 'checkout', undefined],
      ['clickhouse/v1beta1.yaml', 'fmt-v1-yaml', 'checkout', undefined],
      ['clickhouse/v2alpha1.json', 'fmt-v2alpha1', 'checkout', 'dashboard.grafana.app/v2alpha1'],
      ['clickhouse/v2beta1.json', 'fmt-v2-json', 'checkout', 'dashboard.grafana.app/v2beta1'],
      ['clickhouse/v2beta1.yaml', 'fmt-v2-yaml', 'checkout', 'dashboard.grafana.app/v2beta1'],
    ]);
    // A v1 resource is posted as the classic dashboard it holds, uid from metadata.name.
    const v1 = state.dashboards.find((d) => d.uid === 'fmt-v1-yaml')!.dashboard;
    expect(v1.uid).toBe('fmt-v1-yaml');
    expect(v1.title).toBe('Checkout latency');
    expect(v1).not.toHaveProperty('apiVersion');
    expect(v1).not.toHaveProperty('spec');
    // A v2 resource is sent as its spec, through the resource API, with the marker tag.
    const v2 = state.dashboards.find((d) => d.uid === 'fmt-v2-yaml')!.dashboard;
    expect(v2).toHaveProperty('elements');
    expect(v2).toHaveProperty('layout');
    expect(v2.tags).toContain(MARKER_TAG);
  });

  it("fills an export's inputs with the provisioned datasource's uid, names with '-' and spaces included", () => {
    const shared = state.dashboards.find((d) => d.uid === 'fmt-shared')!.dashboard;
    const text = JSON.stringify(shared);
    expect(text).not.toContain('${DS_CLICK-HOUSE PROD}');
    expect(shared).not.toHaveProperty('__inputs');
    const panels = shared.panels as { datasource: { uid: string }; targets: { datasource: { uid: string } }[] }[];
    expect(panels.map((p) => [p.datasource.uid, p.targets[0]!.datasource.uid])).toEqual([
      ['clickhouse', 'clickhouse'],
      ['clickhouse', 'clickhouse'],
    ]);
  });

  it('reads every file without a problem, and leaves the vendored file out', () => {
    expect(state.problems).toEqual([]);
    expect([...state.problems, ...state.notes].join('\n')).not.toContain('vendor');
  });
});

describe('sharing inputs', () => {
  it('resolve by plugin type, by dashboard-ci.yml inputs:, and say why when they cannot', async () => {
    const loaded = await loadDashboards(['clickhouse/shared-export.json'], { cwd: dir });
    const d = loaded.dashboards[0]!;
    const ch = { uid: 'clickhouse', name: 'ClickHouse', type: 'grafana-clickhouse-datasource' };
    expect([...resolveSharingInputs(d, [ch]).values]).toEqual([['${DS_CLICK-HOUSE PROD}', 'clickhouse']]);
    const two = [ch, { ...ch, uid: 'clickhouse-eu', name: 'EU' }];
    // Several fit: the first (as Grafana's import form preselects), a warning naming it; the default wins.
    const ambiguous = resolveSharingInputs(d, two);
    expect([...ambiguous.values]).toEqual([['${DS_CLICK-HOUSE PROD}', 'clickhouse']]);
    expect(ambiguous.problems.map((p) => [p.severity, p.message])).toEqual([
      [
        'warning',
        'input DS_CLICK-HOUSE PROD could be any of 2 provisioned grafana-clickhouse-datasource datasources (clickhouse, clickhouse-eu): dashboard-ci deploys it with clickhouse (the first); choose one under inputs: in dashboard-ci.yml',
      ],
    ]);
    const withDefault = resolveSharingInputs(d, [ch, { ...two[1]!, isDefault: true }]);
    expect([...withDefault.values]).toEqual([['${DS_CLICK-HOUSE PROD}', 'clickhouse-eu']]);
    expect(withDefault.problems[0]!.message).toContain('deploys it with clickhouse-eu (the default)');
    expect([...resolveSharingInputs(d, two, { 'DS_CLICK-HOUSE PROD': 'clickhouse-eu' }).values]).toEqual([
      ['${DS_CLICK-HOUSE PROD}', 'clickhouse-eu'],
    ]);
    const none = resolveSharingInputs(d, []).problems[0]!;
    expect(none.severity).toBe('error');
    expect(none.message).toMatch(/no provisioned datasource has that type/);
    // Only `${name}` of a declared input is replaced; other `${…}` (dashboard variables) stay.
    const out = applySharingInputs(
      { a: '${DS_CLICK-HOUSE PROD}', b: 'x ${event} y', __inputs: [] },
      new Map([['${DS_CLICK-HOUSE PROD}', 'clickhouse']]),
    );
    expect(out).toEqual({ a: 'clickhouse', b: 'x ${event} y' });
  });
});

describe('input placeholders', () => {
  it('read ${NAME} with any characters but } as an import input, as the importer does', () => {
    expect(inputPlaceholder('${DS_CK-LOGS}')).toBe('DS_CK-LOGS');
    expect(inputPlaceholder(' ${DS_MY CLICKHOUSE} ')).toBe('DS_MY CLICKHOUSE');
    expect(inputPlaceholder('${DS.PROD}')).toBe('DS.PROD');
    expect(inputPlaceholder('${DS:LOGS}')).toBe('DS:LOGS');
    expect(inputPlaceholder('x${DS}')).toBeUndefined();
    expect(inputPlaceholder('${}')).toBeUndefined();
    expect(inputPlaceholder('${A}${B}')).toBeUndefined();
  });
});
