import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  YamlSource,
  loadAlertFiles,
  loadDatasourceFiles,
  provisionedUidFromName,
  locateYaml,
} from '../../../src/dashboards/provisioning-files.js';

let cwd: string;
const repo = path.resolve(import.meta.dirname, '../../..');

const DATASOURCES = `apiVersion: 1

deleteDatasources:
  - name: Old
    orgId: 1

datasources:
  - name: ClickHouse
    uid: clickhouse
    type: grafana-clickhouse-datasource
    jsonData:
      host: localhost
    secureJsonData:
      password: $CLICKHOUSE_PASSWORD
  - name: Redis
    uid: redis
    type: redis-datasource
`;

const ALERTS = `apiVersion: 1
groups:
  - orgId: 1
    name: frontend
    folder: Alerts
    interval: 1m
    rules:
      - uid: high-error-rate
        title: High error rate
        condition: C
        data:
          - refId: A
            datasourceUid: clickhouse
            relativeTimeRange: { from: 600, to: 0 }
            model:
              editorType: sql
              rawSql: |

                SELECT count() FROM frontend_events
                WHERE $__timeFilter(timestamp)
          - refId: B
            datasourceUid: clickhouse
            model:
              rawSql: "SELECT 1"
          - refId: C
            datasourceUid: __expr__
            model: { type: threshold, expression: A }
  - name: broken
    rules:
      - title: no data
`;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'dci-prov-'));
  await mkdir(path.join(cwd, 'datasources'));
  await mkdir(path.join(cwd, 'alerts'));
  await mkdir(path.join(cwd, 'empty'));
  await writeFile(path.join(cwd, 'datasources/datasources.yaml'), DATASOURCES);
  await writeFile(
    path.join(cwd, 'datasources/more.yml'),
    'apiVersion: 1\ndatasources:\n  - uid: nameless\n    type: x\n',
  );
  await writeFile(path.join(cwd, 'alerts/alerts.yaml'), ALERTS);
  await writeFile(path.join(cwd, 'bad.yaml'), 'apiVersion: 1\ndatasources:\n  - name: A\n     type: b\n');
  await writeFile(path.join(cwd, 'list.yaml'), '- a\n- b\n');
});

afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

describe('loadDatasourceFiles', () => {
  it('reads datasources with their positions from .yaml and .yml, ignoring deleteDatasources', async () => {
    const r = await loadDatasourceFiles(['datasources'], { cwd });
    expect(r.usageErrors).toEqual([]);
    expect(r.datasources.map((d) => [d.file, d.line, d.column, d.uid, d.name, d.type])).toEqual([
      ['datasources/datasources.yaml', 8, 5, 'clickhouse', 'ClickHouse', 'grafana-clickhouse-datasource'],
      ['datasources/datasources.yaml', 15, 5, 'redis', 'Redis', 'redis-datasource'],
      ['datasources/more.yml', 3, 5, 'nameless', undefined, 'x'],
    ]);
    expect(r.datasources[0]!.raw.jsonData).toEqual({ host: 'localhost' });
    expect(r.findings.map((f) => [f.rule, f.file, f.line, f.message])).toEqual([
      ['schema', 'datasources/more.yml', 3, 'datasources[0] must have "name"'],
    ]);
  });

  it('reports YAML syntax errors at their line, and a root that is not a mapping', async () => {
    const r = await loadDatasourceFiles(['bad.yaml', 'list.yaml', 'datasources/more.yml'], { cwd });
    expect(r.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['yaml-syntax', 'bad.yaml', 3],
      ['schema', 'list.yaml', 1],
      ['schema', 'datasources/more.yml', 3],
    ]);
    expect(r.findings[0]!.message).toMatch(/^invalid YAML: /);
    expect(r.findings[0]!.message).not.toContain('\n');
    expect(r.datasources.map((d) => d.uid)).toEqual(['nameless']);
  });

  it('treats missing default paths as fine when optional, and as usage errors otherwise', async () => {
    const optional = await loadDatasourceFiles(['nowhere', 'empty'], { cwd, optional: true });
    expect(optional).toEqual({ datasources: [], findings: [], usageErrors: [] });
    const strict = await loadDatasourceFiles(['nowhere', 'empty'], { cwd });
    expect(strict.usageErrors).toEqual([
      'nowhere: no such file or directory',
      'empty: no datasource files (*.yaml, *.yml) found',
    ]);
  });

  it("reads the ClickHouse plugin's own provisioning example", async () => {
    const r = await loadDatasourceFiles(['test/fixtures/grafana/clickhouse.datasource-provisioning.yml'], {
      cwd: repo,
    });
    expect(r.findings).toEqual([]);
    expect(r.datasources.map((d) => d.uid)).toEqual([
      'clickhouse-e2e',
      'clickhouse-e2e-single-logs',
      'clickhouse-e2e-single-traces',
    ]);
  });
  it("gives a datasource without a uid the uid Grafana's provisioning derives from its name", async () => {
    // ethpandaops/xatu deploy/local/docker-compose/grafana/datasources/datasources.yaml @ fc20a343 names
    // its datasources only; its dashboards reference them as P5C0FA5C61C0F8586 and P7C0E9263B64B2A80.
    expect(provisionedUidFromName('ClickHouse-official')).toBe('P5C0FA5C61C0F8586');
    expect(provisionedUidFromName('ClickHouse-vert')).toBe('P7C0E9263B64B2A80');
    expect(provisionedUidFromName('Prometheus')).toBe('PBFA97CFB590B2093');
    const file = path.join(cwd, 'nouid.yaml');
    await writeFile(
      file,
      'apiVersion: 1\ndatasources:\n  - name: ClickHouse-official\n    type: grafana-clickhouse-datasource\n    isDefault: true\n  - name: Kept\n    uid: kept\n    type: x\n  - name: Empty uid\n    uid: ""\n    type: x\n',
    );
    const r = await loadDatasourceFiles(['nouid.yaml'], { cwd });
    expect(r.datasources.map((d) => [d.name, d.uid, d.uidFromName === true, d.isDefault === true])).toEqual([
      ['ClickHouse-official', 'P5C0FA5C61C0F8586', true, true],
      ['Kept', 'kept', false, false],
      ['Empty uid', provisionedUidFromName('Empty uid'), true, false],
    ]);
  });
});

describe('loadAlertFiles', () => {
  it('reads groups, rules and queries with positions; the SQL position is where the text starts', async () => {
    const r = await loadAlertFiles(['alerts'], { cwd });
    expect(r.usageErrors).toEqual([]);
    const [g, broken] = r.groups;
    expect(g).toMatchObject({
      file: 'alerts/alerts.yaml',
      line: 3,
      column: 5,
      orgId: 1,
      name: 'frontend',
      folder: 'Alerts',
      interval: '1m',
    });
    const rule = g!.rules[0]!;
    expect(rule).toMatchObject({ uid: 'high-error-rate', title: 'High error rate', line: 8, column: 9 });
    expect(
      rule.queries.map((q) => [q.refId, q.datasourceUid, q.line, q.column, q.rawSqlLine, q.rawSqlColumn]),
    ).toEqual([
      // Line 18 is the blank first line of the block: the value starts with it.
      ['A', 'clickhouse', 12, 13, 18, 17],
      ['B', 'clickhouse', 21, 13, 24, 24],
      ['C', '__expr__', 25, 13, undefined, undefined],
    ]);
    expect(rule.queries[0]!.model.rawSql).toBe(
      '\nSELECT count() FROM frontend_events\nWHERE $__timeFilter(timestamp)\n',
    );
    expect(broken).toMatchObject({ name: 'broken', folder: '', interval: '' });
    expect(r.findings.map((f) => [f.rule, f.line, f.message])).toEqual([
      ['schema', 28, 'groups[1] must have "folder"'],
      ['schema', 28, 'groups[1] must have "interval"'],
      ['schema', 30, 'groups[1].rules[0] must have "data", a list of queries'],
    ]);
  });

  it('is optional like datasources', async () => {
    expect((await loadAlertFiles(['alerts-missing'], { cwd, optional: true })).usageErrors).toEqual([]);
    expect((await loadAlertFiles(['alerts-missing'], { cwd })).usageErrors).toEqual([
      'alerts-missing: no such file or directory',
    ]);
  });
});

describe('YamlSource', () => {
  it('locates node paths, keys and the text of block and quoted scalars', () => {
    const { source } = YamlSource.parse('x.yaml', 'a:\n  b: [1, 2]\n  c: "q"\n  d: >\n    folded\n');
    expect(locateYaml(source!, ['a', 'b', 1])).toEqual({ line: 2, column: 10 });
    expect(source!.locateKey(['a'], 'c')).toEqual({ line: 3, column: 3 });
    expect(source!.locateText(['a', 'c'])).toEqual({ line: 3, column: 7 });
    expect(source!.locateText(['a', 'd'])).toEqual({ line: 5, column: 5 });
    expect(source!.locate(['a', 'missing'])).toEqual({ line: 2, column: 3 });
  });

  it('reads a Helm template of a provisioning file without writing a Node warning to stderr', () => {
    // antrea-io/theia build/charts/theia/provisioning/datasources/datasource_provider.yaml @ bc06ff0a:
    // `port: {{ .Values... }}` is a map key to YAML, which the library would warn about on the process.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const saved = process.emitWarning;
    process.emitWarning = ((w: string | Error) => {
      warnings.push(String(w));
    }) as typeof process.emitWarning;
    try {
      const { source, findings } = YamlSource.parse(
        'ds.yaml',
        'apiVersion: 1\ndatasources:\n  - name: ClickHouse\n    type: grafana-clickhouse-datasource\n' +
          '    jsonData:\n      port: {{ .Values.clickhouse.service.tcpPort }}\n',
      );
      expect(findings).toEqual([]);
      expect(source?.value).toMatchObject({ datasources: [{ name: 'ClickHouse' }] });
    } finally {
      process.emitWarning = saved;
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });

  it('refuses duplicate keys like Grafana does', () => {
    const { source, findings } = YamlSource.parse('x.yaml', 'a: 1\na: 2\n');
    expect(source).toBeUndefined();
    expect(findings.map((f) => [f.rule, f.line])).toEqual([['yaml-syntax', 2]]);
  });
});
