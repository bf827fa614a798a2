// Issue 11: one loader for every dashboard format. The same broken ClickHouse query, kept in every format
// Grafana reads (test/fixtures/formats/clickhouse, SOURCES.md), is found by ClickHouse's own EXPLAIN at
// the right file, uid and line; no format gets a false schema or uid error; real output of the Foundation
// SDK and gcx loads with its uid, folder and queries; exclude keeps a vendored file out; library panels
// are checked and resolved.

import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, json } from '../support/cli.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Finding, Report } from '../../src/core/types.js';
import { Excludes } from '../../src/dashboards/files.js';
import { loadDashboards } from '../../src/dashboards/load.js';
import { lintDashboards } from '../../src/lint/engine.js';
import { extractDashboardQueries } from '../../src/sql/extract.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/formats', import.meta.url));
const CLI_FIXTURE = fileURLToPath(new URL('../fixtures/cli', import.meta.url));

let root: string;
let dir: string;
beforeAll(async () => {
  // The formats fixture reads its schema from the CLI fixture's (../cli/clickhouse/schema.sql).
  root = await mkdtemp(path.join(tmpdir(), 'dci-formats-'));
  dir = path.join(root, 'formats');
  await cp(FIXTURE, dir, { recursive: true });
  await cp(path.join(CLI_FIXTURE, 'clickhouse'), path.join(root, 'cli/clickhouse'), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function check(
  cwd: string,
  ...argv: string[]
): Promise<{ code: number; report: Report; stderr: string }> {
  const run = await cli(cwd, 'check', ...argv);
  return { code: run.code, report: json(run), stderr: run.stderr };
}

/** 1-based line and column of the first occurrence of `needle` in a fixture file. */
async function positionOf(file: string, needle: string): Promise<{ line: number; column: number }> {
  const text = await readFile(path.join(FIXTURE, file), 'utf8');
  const at = text.indexOf(needle);
  expect(at, `${needle} in ${file}`).toBeGreaterThanOrEqual(0);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

const FORMATS: [file: string, uid: string, folder?: string][] = [
  ['classic.json', 'fmt-classic'],
  ['envelope.json', 'fmt-envelope', 'checkout'],
  ['shared-export.json', 'fmt-shared'],
  ['v0alpha1.yaml', 'fmt-v0-yaml', 'checkout'],
  ['v1beta1.json', 'fmt-v1-json', 'checkout'],
  ['v1beta1.yaml', 'fmt-v1-yaml', 'checkout'],
  ['v2alpha1.json', 'fmt-v2alpha1', 'checkout'],
  ['v2beta1.json', 'fmt-v2-json', 'checkout'],
  ['v2beta1.yaml', 'fmt-v2-yaml', 'checkout'],
];

describe('the same broken query in every format', () => {
  let run: Awaited<ReturnType<typeof check>>;
  beforeAll(async () => {
    run = await check(dir, '--format', 'json');
  }, 60_000);

  it('is one run over every format: exit 1, no usage error, the vendored package.json excluded', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.report.summary).toMatchObject({ dashboards: FORMATS.length, files: FORMATS.length });
    expect(run.report.findings.filter((f) => f.file.includes('vendor'))).toEqual([]);
  });

  it.each(FORMATS)(
    '%s: found by EXPLAIN at the identifier, with its uid, panel and refId',
    async (file, uid) => {
      const mine = run.report.findings.filter((f) => f.file === `clickhouse/${file}`);
      const at = await positionOf(`clickhouse/${file}`, 'response_tme_ms');
      expect(mine.map((f) => `${f.rule} ${f.line}:${f.column}`)).toEqual([
        `sql-invalid ${at.line}:${at.column}`,
      ]);
      expect(mine[0]).toMatchObject({ dashboardUid: uid, panelId: 2, refId: 'A', severity: 'error' });
      expect(mine[0]!.message).toContain('47 UNKNOWN_IDENTIFIER');
      // Both panels and the query variable are read, in every format.
      const queries = run.report.queries.filter((q) => q.file === `clickhouse/${file}`);
      expect(queries.map((q) => [q.origin, q.panelId ?? null, q.status])).toEqual([
        ['panel', 1, 'ok'],
        ['panel', 2, 'invalid'],
        ['variable', null, 'ok'],
      ]);
    },
  );
});

describe('the loader', () => {
  it('gives each format one model: uid, title, folder, refresh, time, variables', async () => {
    const loaded = await loadDashboards(['clickhouse'], {
      cwd: dir,
      excludes: new Excludes([{ base: dir, patterns: ['vendor/'] }]),
    });
    expect(loaded.findings).toEqual([]);
    const byFile = new Map(loaded.dashboards.map((d) => [d.file.replace('clickhouse/', ''), d]));
    for (const [file, uid, folder] of FORMATS) {
      const d = byFile.get(file)!;
      expect(d, file).toBeDefined();
      expect([d.uid, d.title, d.folderUid, d.refresh, d.time], file).toEqual([
        uid,
        'Checkout latency',
        folder,
        '1m',
        { from: 'now-6h', to: 'now' },
      ]);
      expect(
        d.variables.map((v) => [v.name, v.type]),
        file,
      ).toEqual([['event', 'query']]);
      expect(
        d.panels.map((p) => [p.id, p.title, p.targets.map((t) => t.refId)]),
        file,
      ).toEqual([
        [1, 'Requests', ['A']],
        [2, 'Latency', ['A']],
      ]);
      // Findings about the refresh, a panel or the uid land on the lines the user wrote.
      const text = await readFile(path.join(FIXTURE, 'clickhouse', file), 'utf8');
      const lineOf = (pos: { line: number }) => text.split('\n')[pos.line - 1]!;
      expect(lineOf(d.doc.locate([...d.root, 'refresh']))).toMatch(/1m/);
      expect(lineOf(d.doc.locate(d.uidPath))).toContain(uid);
      expect(lineOf(d.doc.locate([...d.panels[1]!.path, 'title']))).toContain('Latency');
    }
    expect(byFile.get('v2beta1.yaml')!.format).toMatchObject({
      shape: 'resource-v2',
      syntax: 'yaml',
      apiVersion: 'dashboard.grafana.app/v2beta1',
    });
    expect(byFile.get('shared-export.json')!.format).toMatchObject({ shape: 'classic', sharedExport: true });
  });

  it('without exclude, the vendored package.json is one info line, never an error', async () => {
    const loaded = await loadDashboards(['clickhouse'], { cwd: dir });
    expect(loaded.findings.map((f) => [f.rule, f.severity, f.file])).toEqual([
      ['not-a-dashboard', 'info', 'clickhouse/vendor/package.json'],
    ]);
  });

  it('--exclude on the command line takes .gitignore-style patterns relative to the working directory', async () => {
    const run = await check(
      dir,
      '--no-explain',
      '--format',
      'json',
      '--exclude',
      'clickhouse/v2*',
      '--exclude',
      '*.yaml',
    );
    expect(run.report.summary.files).toBe(4);
    expect([...new Set(run.report.findings.map((f) => f.file))].every((f) => !/v2|\.yaml$/.test(f))).toBe(
      true,
    );
  });
});

describe('real output of the tools', () => {
  const lint = async (paths: string[]) => {
    const loaded = await loadDashboards(paths, { cwd: dir });
    const findings = lintDashboards(loaded.dashboards, { config: defaultConfig(), datasources: [] });
    return { loaded, findings };
  };
  const schemaOrUid = (findings: Finding[]) =>
    findings
      .filter((f) => f.rule === 'schema' || f.rule === 'uid-format')
      .map((f) => `${f.file}:${f.line} ${f.message}`);

  it('the Foundation SDK: a v1beta1 and a v2beta1 resource, read with their uid and every query', async () => {
    const { loaded, findings } = await lint(['sdk']);
    expect(loaded.findings).toEqual([]);
    expect(loaded.dashboards.map((d) => [d.file, d.format.shape, d.uid])).toEqual([
      ['sdk/red-method.v1beta1.json', 'resource-v1', 'example-red-method'],
      ['sdk/tabs-and-rows.v2beta1.json', 'resource-v2', 'example-dashboard-with-tabs-and-rows'],
    ]);
    expect(schemaOrUid(findings)).toEqual([]);
    const v2 = loaded.dashboards[1]!;
    // Four elements laid out in tabs, rows and auto grids: every one a panel with its query.
    const panels = v2.panels.filter((p) => p.type !== 'row');
    expect(panels.map((p) => [p.title, p.targets.length, p.targets[0]?.datasource])).toEqual(
      [1, 2, 3, 4].map((n) => [
        `New panel ${n}`,
        1,
        { type: 'testdata', uid: 'grafana-testdata-datasource' },
      ]),
    );
    // Each tab and row is a row of its own, so the grid rule judges each layout on its own.
    expect(v2.panels.filter((p) => p.type === 'row').map((p) => p.raw.title)).toContain('Row with tabs');
    // v2 keys panels by element name: the SDK's id 0 on every panel is no duplicate there (it is in the
    // classic red-method spec, where Grafana keys panel state and links by id).
    const v2Findings = findings.filter((f) => f.file === v2.file);
    expect(v2Findings.filter((f) => f.rule === 'grid-layout' || f.rule === 'unique-panel-ids')).toEqual([]);
    const red = loaded.dashboards[0]!;
    expect(red.panels.flatMap((p) => p.targets).length).toBeGreaterThan(0);
  });

  it('gcx: a v1beta1 JSON and a YAML resource; no false schema or uid error', async () => {
    const { loaded, findings } = await lint(['gcx']);
    expect(loaded.findings).toEqual([]);
    expect(loaded.dashboards.map((d) => [d.file, d.uid, d.title])).toEqual([
      ['gcx/test-dashboard.yaml', 'test-dashboard', 'Test Dashboard'],
      ['gcx/valid.v1beta1.json', 'test-dashboard', undefined],
    ]);
    // gcx's linter fixture has no title: Grafana refuses to save that (ErrDashboardTitleEmpty), and so
    // does provision; the check says so, at the spec. Nothing about schemaVersion or the uid.
    expect(schemaOrUid(findings)).toEqual([
      'gcx/valid.v1beta1.json:7 dashboard test-dashboard: spec must have "title"',
    ]);
    const target = loaded.dashboards[1]!.panels[0]!.targets[0]!;
    expect(target.raw.expr).toMatch(/process_start_time_seconds/);
  });
});

describe('library panels', () => {
  it('are checked in their own file and resolved into the dashboards that use them', async () => {
    const run = await check(path.join(dir, 'library'), '--format', 'json');
    expect(run.stderr).toBe('');
    const lines = run.report.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column}`);
    const latency = await positionOf('library/library-panels/latency.yaml', 'response_tme_ms');
    const user = await positionOf('library/library-panels/latency.yaml', '$user');
    const gone = await positionOf('library/dashboards/checkout.json', '"lib-gone"');
    expect(lines).toEqual([
      `library-panel-missing dashboards/checkout.json:${gone.line}:${gone.column}`,
      `sql-invalid library-panels/latency.yaml:${latency.line}:${latency.column}`,
      `undefined-variable library-panels/latency.yaml:${user.line}:${user.column}`,
    ]);
    expect(run.report.findings[2]!.message).toContain(
      '$user is not a variable of dashboard "Checkout (library panels)"',
    );
    // Both library panels' queries ran with the dashboard's variables ($event resolved): one ok, one invalid.
    expect(run.report.queries.map((q) => [q.file, q.status])).toEqual([
      ['library-panels/latency.yaml', 'invalid'],
      ['library-panels/requests.json', 'ok'],
    ]);
    expect(run.report.queries[1]!.sql).toContain("event_type = 'checkout'");
  }, 60_000);

  it('give provisioning what /api/library-elements takes', async () => {
    const loaded = await loadDashboards(['dashboards'], {
      cwd: path.join(dir, 'library'),
      libraryPanels: ['library-panels'],
    });
    expect(
      loaded.libraryPanels.map((l) => [l.uid, l.name, l.folderUid, l.usedBy.map((u) => u.panel.id)]),
    ).toEqual([
      ['lib-latency', 'Latency (library)', 'checkout', [2]],
      ['lib-requests', 'Requests by event', 'checkout', [1]],
    ]);
    const refs = loaded.dashboards[0]!.panels.map((p) => p.libraryPanel?.resolved?.uid);
    expect(refs).toEqual(['lib-requests', 'lib-latency', undefined]);
    // The SQL extraction reads a library panel's queries from its check model, at its own file.
    const sources = extractDashboardQueries(loaded.libraryPanels[0]!.check!, new Map());
    expect(sources.map((s) => [s.file, s.refId])).toEqual([['library-panels/latency.yaml', 'A']]);
  });
});
