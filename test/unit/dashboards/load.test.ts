import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboards, parseDashboard } from '../../../src/dashboards/load.js';
import { extractDashboardQueries } from '../../../src/sql/extract.js';

let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'dci-load-'));
  await mkdir(path.join(cwd, 'dashboards/team/nested'), { recursive: true });
  await mkdir(path.join(cwd, 'dashboards/.hidden'), { recursive: true });
  await mkdir(path.join(cwd, 'empty'), { recursive: true });
  await writeFile(path.join(cwd, 'empty/readme.txt'), 'no dashboards');
  await writeFile(path.join(cwd, 'dashboards/b.json'), '{ "uid": "b", "title": "B", "panels": [] }');
  await writeFile(path.join(cwd, 'dashboards/a.json'), '{ "uid": "a", "title": "A" }');
  await writeFile(path.join(cwd, 'dashboards/team/nested/c.json'), '{ "uid": "c", "title": "C" }');
  await writeFile(path.join(cwd, 'dashboards/team/notes.md'), '# not a dashboard');
  await writeFile(path.join(cwd, 'dashboards/.hidden/x.json'), '{ "uid": "x", "title": "hidden" }');
  await writeFile(path.join(cwd, 'broken.json'), '{\n  "uid": "x",\n  "title": "T"\n  "panels": []\n}');
  await writeFile(path.join(cwd, 'array.json'), '[\n  { "uid": "x" }\n]');
  await writeFile(path.join(cwd, 'string.json'), '"just a string"');
  await writeFile(path.join(cwd, 'bom.json'), '\ufeff{ "uid": "bom", "title": "BOM" }');
  await writeFile(path.join(cwd, 'dashboard.txt'), '{ "uid": "txt", "title": "named explicitly" }');
  // Sparse: 50 MB on paper, nothing on disk, and never read by the loader.
  await writeFile(path.join(cwd, 'huge.json'), '');
  await truncate(path.join(cwd, 'huge.json'), 50 * 1024 * 1024);
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('loadDashboards', () => {
  it('walks folders recursively, sorted, skipping hidden folders and files that are neither JSON nor YAML', async () => {
    const r = await loadDashboards(['dashboards'], { cwd });
    expect(r.dashboards.map((d) => d.file)).toEqual([
      'dashboards/a.json',
      'dashboards/b.json',
      'dashboards/team/nested/c.json',
    ]);
    expect(r.files).toBe(3);
    expect(r.findings).toEqual([]);
    expect(r.usageErrors).toEqual([]);
  });

  it('reports a missing path and an empty folder as usage errors, and still loads the rest', async () => {
    const r = await loadDashboards(['nope', 'empty', 'dashboards/a.json'], { cwd });
    expect(r.usageErrors).toEqual([
      'nope: no such file or directory',
      'empty: no dashboard files (*.json, *.yaml, *.yml) found',
    ]);
    expect(r.dashboards.map((d) => d.uid)).toEqual(['a']);
  });

  it('reports invalid JSON at the line and column of the break, and keeps checking other files', async () => {
    const r = await loadDashboards(['broken.json', 'dashboards/a.json'], { cwd });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      rule: 'json-syntax',
      severity: 'error',
      file: 'broken.json',
      line: 4,
      column: 3,
    });
    expect(r.findings[0]!.message).toMatch(/^invalid JSON: /);
    expect(r.dashboards.map((d) => d.uid)).toEqual(['a']);
    expect(r.files).toBe(2);
  });

  it('reports a root that is no dashboard as one info line at 1:1, never an error', async () => {
    const r = await loadDashboards(['array.json', 'string.json'], { cwd });
    expect(r.findings.map((f) => [f.rule, f.severity, f.file, f.line, f.column, f.message])).toEqual([
      [
        'not-a-dashboard',
        'info',
        'array.json',
        1,
        1,
        'not a dashboard in any format Grafana reads (a JSON array): not checked',
      ],
      [
        'not-a-dashboard',
        'info',
        'string.json',
        1,
        1,
        'not a dashboard in any format Grafana reads (a string): not checked',
      ],
    ]);
    expect(r.dashboards).toEqual([]);
  });

  it('reports a file over the size limit without parsing it', async () => {
    const r = await loadDashboards(['huge.json', 'dashboards/a.json'], { cwd });
    expect(r.findings).toEqual([
      expect.objectContaining({
        rule: 'file-too-large',
        file: 'huge.json',
        line: 1,
        column: 1,
        message: expect.stringContaining('50 MB'),
      }),
    ]);
    expect(r.dashboards).toHaveLength(1);
    const small = await loadDashboards(['dashboards/b.json'], { cwd, maxBytes: 10 });
    expect(small.findings.map((f) => f.rule)).toEqual(['file-too-large']);
  });

  it('accepts an explicitly named file whatever its extension, a BOM, absolute paths; de-duplicates', async () => {
    const r = await loadDashboards(['dashboard.txt', path.join(cwd, 'bom.json'), 'bom.json'], { cwd });
    expect(r.findings).toEqual([]);
    expect(r.dashboards.map((d) => [d.file, d.uid])).toEqual([
      ['dashboard.txt', 'txt'],
      ['bom.json', 'bom'],
    ]);
  });
});

describe('parseDashboard', () => {
  it("unwraps Grafana's API shape and prefixes model paths so positions stay right", () => {
    const text = `{
  "dashboard": {
    "uid": "w",
    "title": "Wrapped",
    "panels": [
      { "id": 1, "type": "stat", "targets": [{ "refId": "A" }] }
    ],
    "templating": { "list": [{ "name": "v", "type": "custom" }] }
  },
  "meta": { "slug": "wrapped", "folderUid": "f" }
}`;
    const d = parseDashboard('w.json', text).dashboard!;
    expect(d.root).toEqual(['dashboard']);
    expect(d.title).toBe('Wrapped');
    expect(d.panels[0]!.path).toEqual(['dashboard', 'panels', 0]);
    expect(d.doc.locate([...d.panels[0]!.path, 'id'])).toEqual({ line: 6, column: 15 });
    expect(d.doc.locate(d.panels[0]!.targets[0]!.path)).toEqual({ line: 6, column: 46 });
    expect(d.doc.locate(d.variables[0]!.path)).toEqual({ line: 8, column: 30 });
  });

  it('does not unwrap a dashboard that merely has a "dashboard" key next to its own fields', () => {
    const d = parseDashboard('d.json', '{ "title": "T", "panels": [], "dashboard": { "title": "inner" } }')
      .dashboard!;
    expect(d.root).toEqual([]);
    expect(d.title).toBe('T');
  });

  it('walks the panels of the pre-5.0 rows layout (schemaVersion < 16) where they are written, so their SQL is checked at its line', () => {
    const text = `{
  "uid": "old",
  "title": "Old rows",
  "schemaVersion": 14,
  "panels": [{ "id": 9, "type": "text", "title": "on top" }],
  "rows": [
    {
      "title": "Traffic",
      "collapse": true,
      "panels": [
        {
          "id": 1, "type": "graph", "title": "Requests", "span": 6,
          "datasource": { "type": "grafana-clickhouse-datasource", "uid": "ch" },
          "targets": [{ "refId": "A", "rawSql": "SELECT count() FROM requests" }]
        }
      ]
    },
    { "title": "copy", "repeatIteration": 1700000000000, "panels": [{ "id": 2, "type": "graph", "targets": [{ "refId": "A", "rawSql": "SELECT 2" }] }] }
  ]
}`;
    const d = parseDashboard('old.json', text).dashboard!;
    // After the panels already there, as Grafana's migration appends them; a repeat's copy is skipped.
    expect(d.panels.map((p) => [p.id, p.path])).toEqual([
      [9, ['panels', 0]],
      [1, ['rows', 0, 'panels', 0]],
    ]);
    const queries = extractDashboardQueries(d);
    expect(queries.map((q) => [q.panel?.id, q.refId, q.text, q.line])).toEqual([
      [1, 'A', 'SELECT count() FROM requests', 14],
    ]);
    // From schemaVersion 16 on Grafana no longer migrates rows: their panels are not shown, nor checked.
    const v16 = parseDashboard('new.json', text.replace('"schemaVersion": 14', '"schemaVersion": 16')).dashboard!;
    expect(v16.panels.map((p) => p.id)).toEqual([9]);
  });

  it("types a target whose datasource is only an export input's ${…}, whatever characters its name holds", () => {
    const inputs = ['DS_CK-LOGS', 'DS MY CH', 'DS.PROD', 'DS:LOGS'];
    const dashboard = {
      __inputs: inputs.map((name) => ({ name, type: 'datasource', pluginId: 'grafana-clickhouse-datasource' })),
      uid: 'exp',
      title: 'Export',
      panels: inputs.map((name, i) => ({
        id: i + 1,
        type: 'table',
        // No `type` next to the uid: the plugin comes from __inputs only (padded once, as editors leave it).
        datasource: { uid: i === 3 ? ` \${${name}} ` : `\${${name}}` },
        targets: [{ refId: 'A', rawSql: `SELECT ${i + 1}` }],
      })),
    };
    const d = parseDashboard('exp.json', JSON.stringify(dashboard)).dashboard!;
    expect(extractDashboardQueries(d).map((q) => [q.panel?.id, q.datasourceType, q.text])).toEqual(
      inputs.map((_, i) => [i + 1, 'grafana-clickhouse-datasource', `SELECT ${i + 1}`]),
    );
  });
});
