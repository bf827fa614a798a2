import { describe, expect, it } from 'vitest';
import { parseDashboardFile } from '../../../src/dashboards/load.js';

const one = (file: string, text: string) => {
  const parsed = parseDashboardFile(file, text);
  return { ...parsed, dashboard: parsed.dashboards[0] };
};

describe('recognising formats by content', () => {
  it.each([
    ['package.json', '{ "name": "x", "version": "1.0.0", "scripts": {} }', 'an object without panels, title or schemaVersion'],
    ['tsconfig.json', '{ "compilerOptions": { "strict": true } }', 'an object without panels, title or schemaVersion'],
    ['schema.json', '{ "$schema": "http://json-schema.org/draft-07/schema#", "title": "X", "type": "object" }', 'an object without panels, title or schemaVersion'],
    ['folder.yaml', 'apiVersion: folder.grafana.app/v1beta1\nkind: Folder\nmetadata: { name: foo }\nspec: { title: Foo }\n', 'a Folder resource (folder.grafana.app/v1beta1)'],
    ['operator.yaml', 'apiVersion: grafana.integreatly.org/v1beta1\nkind: GrafanaDashboard\nmetadata: { name: x }\nspec: {}\n', 'a GrafanaDashboard resource (grafana.integreatly.org/v1beta1)'],
    ['list.json', '[1, 2]', 'a JSON array'],
  ])('%s is not a dashboard: one info line', (file, text, what) => {
    const r = parseDashboardFile(file, text);
    expect(r.dashboards).toEqual([]);
    expect(r.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ['not-a-dashboard', 'info', `not a dashboard in any format Grafana reads (${what}): not checked`],
    ]);
  });

  it('a dashboard resource of an unknown version, or without spec, is a schema error at its line', () => {
    const v3 = parseDashboardFile('v3.yaml', 'apiVersion: dashboard.grafana.app/v3alpha0\nkind: Dashboard\nmetadata: { name: x }\nspec: {}\n');
    expect(v3.findings.map((f) => [f.rule, f.line])).toEqual([['schema', 1]]);
    expect(v3.findings[0]!.message).toMatch(/apiVersion "dashboard.grafana.app\/v3alpha0" is not a dashboard version/);
    const noSpec = parseDashboardFile('n.json', '{"apiVersion":"dashboard.grafana.app/v1beta1","kind":"Dashboard","metadata":{"name":"n"}}');
    expect(noSpec.findings.map((f) => [f.rule, f.message])).toEqual([['schema', 'Dashboard resource has no "spec" object']]);
  });

  it('v1 resources: uid from metadata.name, folder from the annotation, paths into spec', () => {
    const { dashboard: d } = one(
      'r.json',
      JSON.stringify(
        {
          apiVersion: 'dashboard.grafana.app/v1',
          kind: 'Dashboard',
          metadata: { name: 'res', annotations: { 'grafana.app/folder': 'team-a' } },
          spec: { title: 'R', uid: 'ignored', panels: [{ id: 1, type: 'stat', targets: [{ refId: 'A' }] }] },
        },
        null,
        2,
      ),
    );
    expect([d!.uid, d!.folderUid, d!.format.shape, d!.root, d!.uidPath]).toEqual([
      'res',
      'team-a',
      'resource-v1',
      ['spec'],
      ['metadata', 'name'],
    ]);
    expect(d!.panels[0]!.targets[0]!.path).toEqual(['spec', 'panels', 0, 'targets', 0]);
    expect(d!.doc.locate(d!.uidPath)).toEqual({ line: 5, column: 13 });
  });

  it('library panels: a library element, its API answer and a LibraryPanel resource', () => {
    const element = parseDashboardFile('e.json', '{ "uid": "lp", "name": "LP", "kind": 1, "model": { "type": "stat" } }');
    expect(element.libraryPanels.map((l) => [l.uid, l.name, l.path, l.format.shape])).toEqual([
      ['lp', 'LP', ['model'], 'library-element'],
    ]);
    const answer = parseDashboardFile('a.json', '{ "result": { "uid": "lp2", "name": "LP2", "model": { "type": "stat" } } }');
    expect(answer.libraryPanels.map((l) => [l.uid, l.path])).toEqual([['lp2', ['result', 'model']]]);
    const resource = parseDashboardFile(
      'r.yaml',
      'apiVersion: dashboard.grafana.app/v0alpha1\nkind: LibraryPanel\nmetadata: { name: lp3 }\nspec: { type: stat, title: Lib }\n',
    );
    expect(resource.libraryPanels.map((l) => [l.uid, l.name, l.path, l.format.shape])).toEqual([
      ['lp3', 'Lib', ['spec'], 'resource'],
    ]);
    expect(element.dashboards).toEqual([]);
    expect(element.findings).toEqual([]);
  });

  it("an export's __elements are library panels, resolved against its own references", () => {
    const r = parseDashboardFile(
      'x.json',
      JSON.stringify({
        __inputs: [],
        __elements: { abc: { uid: 'abc', name: 'Shared', kind: 1, model: { type: 'stat', targets: [{ refId: 'A' }] } } },
        title: 'X',
        panels: [{ id: 1, libraryPanel: { uid: 'abc', name: 'Shared' } }],
      }),
    );
    expect(r.libraryPanels.map((l) => [l.uid, l.format.shape, l.path])).toEqual([
      ['abc', 'export-element', ['__elements', 'abc', 'model']],
    ]);
  });
});

describe('schema v2 into the classic model', () => {
  const v2 = (version: string, spec: object) =>
    one(
      'v2.json',
      JSON.stringify({ apiVersion: `dashboard.grafana.app/${version}`, kind: 'Dashboard', metadata: { name: 'v' }, spec }, null, 2),
    ).dashboard!;

  const element = (id: number, query: object) => ({
    kind: 'Panel',
    spec: {
      id,
      title: `P${id}`,
      data: { kind: 'QueryGroup', spec: { queries: [{ kind: 'PanelQuery', spec: { refId: 'A', query } }], queryOptions: { interval: '1m', maxDataPoints: 200 } } },
      vizConfig: { kind: 'VizConfig', group: 'stat', spec: {} },
    },
  });
  const dq = (sql: string) => ({ kind: 'DataQuery', group: 'grafana-clickhouse-datasource', datasource: { name: 'ch' }, spec: { rawSql: sql } });
  const item = (name: string, x: number, y: number) => ({
    kind: 'GridLayoutItem',
    spec: { x, y, width: 12, height: 4, element: { kind: 'ElementReference', name } },
  });

  it('rows and tabs become row panels whose panels are laid out on their own grid', () => {
    const d = v2('v2beta1', {
      title: 'T',
      elements: { a: element(1, dq('SELECT 1')), b: element(2, dq('SELECT 2')), c: element(3, dq('SELECT 3')), orphan: element(4, dq('SELECT 4')) },
      layout: {
        kind: 'RowsLayout',
        spec: {
          rows: [
            { kind: 'RowsLayoutRow', spec: { title: 'R1', layout: { kind: 'GridLayout', spec: { items: [item('a', 0, 0), item('b', 12, 0)] } } } },
            {
              kind: 'RowsLayoutRow',
              spec: {
                title: 'R2',
                collapse: true,
                layout: { kind: 'TabsLayout', spec: { tabs: [{ kind: 'TabsLayoutTab', spec: { title: 'Tab', layout: { kind: 'AutoGridLayout', spec: { items: [{ kind: 'AutoGridLayoutItem', spec: { element: { kind: 'ElementReference', name: 'c' } } }] } } } }] } },
              },
            },
          ],
        },
      },
    });
    expect(d.panels.map((p) => [p.type, p.raw.title, p.row?.raw.title ?? null, p.nested])).toEqual([
      ['row', 'R1', null, false],
      ['stat', 'P1', 'R1', true],
      ['stat', 'P2', 'R1', true],
      ['row', 'R2', null, false],
      ['row', 'Tab', null, false],
      ['stat', 'P3', 'Tab', true],
      ['stat', 'P4', 'Tab', false],
    ]);
    // The SQL is read as a classic target, with its datasource, refId and the panel's query options.
    const p1 = d.panels[1]!;
    expect(p1.targets[0]!.raw).toMatchObject({ rawSql: 'SELECT 1', refId: 'A' });
    expect(p1.targets[0]!.datasource).toEqual({ type: 'grafana-clickhouse-datasource', uid: 'ch' });
    expect([p1.raw.interval, p1.raw.maxDataPoints, p1.raw.gridPos]).toEqual(['1m', 200, { x: 0, y: 0, w: 12, h: 4 }]);
    // Classic paths locate into the v2 document: gridPos.w is the item's width, the target its query spec.
    const text = d.doc.text.split('\n');
    expect(text[d.doc.locate([...p1.path, 'gridPos', 'w']).line - 1]).toContain('"width": 12');
    expect(text[d.doc.locate([...p1.targets[0]!.path, 'rawSql']).line - 1]).toContain('"rawSql": "SELECT 1"');
    expect(text[d.doc.locate([...p1.targets[0]!.path, 'refId']).line - 1]).toContain('"refId": "A"');
    expect(text[d.doc.locate([...p1.targets[0]!.path, 'datasource']).line - 1]).toContain('"datasource"');
  });

  it('v2alpha1: the query kind is the datasource type, the datasource sits beside the query', () => {
    const d = v2('v2alpha1', {
      title: 'T',
      elements: {
        a: {
          kind: 'Panel',
          spec: {
            id: 1,
            title: 'A',
            data: { kind: 'QueryGroup', spec: { queries: [{ kind: 'PanelQuery', spec: { refId: 'A', datasource: { type: 'grafana-clickhouse-datasource', uid: 'ch' }, query: { kind: 'grafana-clickhouse-datasource', spec: { rawSql: 'SELECT 1' } } } }] } },
            vizConfig: { kind: 'timeseries', spec: {} },
          },
        },
      },
      layout: { kind: 'GridLayout', spec: { items: [item('a', 0, 0)] } },
    });
    expect(d.panels[0]!.type).toBe('timeseries');
    expect(d.panels[0]!.targets[0]!.datasource).toEqual({ type: 'grafana-clickhouse-datasource', uid: 'ch' });
  });

  it('variables as kinds become templating.list, with numbers where Grafana 1 had them', () => {
    const d = v2('v2beta1', {
      title: 'T',
      elements: {},
      layout: { kind: 'GridLayout', spec: { items: [] } },
      timeSettings: { from: 'now-24h', to: 'now', autoRefresh: '30s', timezone: 'utc' },
      variables: [
        { kind: 'QueryVariable', spec: { name: 'host', hide: 'hideLabel', refresh: 'onTimeRangeChanged', sort: 'alphabeticalAsc', multi: true, query: dq('SELECT host FROM t') } },
        { kind: 'QueryVariable', spec: { name: 'legacy', query: { kind: 'DataQuery', group: 'prometheus', spec: { __legacyStringValue: 'label_values(up, job)' } } } },
        { kind: 'DatasourceVariable', spec: { name: 'ds', pluginId: 'grafana-clickhouse-datasource' } },
        { kind: 'CustomVariable', spec: { name: 'env', query: 'prod,dev' } },
      ],
    });
    expect(d.variables.map((v) => [v.name, v.type, v.datasource ?? null])).toEqual([
      ['host', 'query', { type: 'grafana-clickhouse-datasource', uid: 'ch' }],
      ['legacy', 'query', { type: 'prometheus' }],
      ['ds', 'datasource', null],
      ['env', 'custom', null],
    ]);
    expect(d.variables.map((v) => v.raw.query)).toEqual([{ rawSql: 'SELECT host FROM t' }, 'label_values(up, job)', 'grafana-clickhouse-datasource', 'prod,dev']);
    expect([d.variables[0]!.raw.hide, d.variables[0]!.raw.refresh, d.variables[0]!.raw.sort]).toEqual([1, 2, 1]);
    expect([d.refresh, d.time, d.timezone]).toEqual(['30s', { from: 'now-24h', to: 'now' }, 'utc']);
    const text = d.doc.text.split('\n');
    expect(text[d.doc.locate([...d.root, 'refresh']).line - 1]).toContain('"autoRefresh": "30s"');
    expect(text[d.doc.locate([...d.variables[0]!.path, 'query', 'rawSql']).line - 1]).toContain('SELECT host FROM t');
  });
});
