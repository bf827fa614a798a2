// `dashboard-ci check --fix` on copies of fixture dashboards in a temporary folder, with the real
// embedded engine: the fixes are written in place (the rest of the file byte for byte as it was), the
// fixed file parses and no longer has the findings, a second run changes nothing, files out of the
// working directory are never written, and with --base --filter changed only the change is fixed.

import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Report } from '../../src/core/types.js';
import { baseRepo, dashboardText, git, panel, SQL, write } from '../support/change-repo.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/cli', import.meta.url));
const FIXED_RULES = ['uid-format', 'refresh-floor', 'unique-panel-ids', 'sql-cost'];
// A --fix run starts the engine once per pass (check, fix, check again): four starts in the first test.
const ENGINE_TIMEOUT = 120_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dci-fix-'));
  await cp(FIXTURE, dir, { recursive: true });
  // The fixture's events table is partitioned by toDate(timestamp): a panel that reads all of it breaks this.
  const config = await readFile(path.join(dir, 'dashboard-ci.yml'), 'utf8');
  await writeFile(
    path.join(dir, 'dashboard-ci.yml'),
    config + 'budgets:\n  default:\n    requirePartitionPruning: [events]\n',
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['check', ...argv, '--quiet'], {
    cwd,
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const UNFILTERED =
  'SELECT $__timeInterval(timestamp) AS time, count() AS events\\nFROM events\\nGROUP BY time';

// Hand-formatted on purpose (a compact panel on one line, odd spacing): only the fixed values may change.
const JSON_DASHBOARD = `{
  "uid":   "cli fix/é",
  "title": "CLI fix",
  "schemaVersion": 39,
  "refresh" :"1s",
  "time": { "from": "now-24h", "to": "now" },
  "panels": [
    {"id": 4, "type": "text", "title": "Notes", "description": "Read me.", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 4}},
    {
      "id": 4,
      "type": "timeseries",
      "title": "Events",
      "description": "Events over the selected range.",
      "gridPos": { "x": 12, "y": 0, "w": 12, "h": 8 },
      "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhouse" },
      "targets": [
        {
          "refId": "A",
          "datasource": { "type": "grafana-clickhouse-datasource", "uid": "clickhouse" },
          "editorType": "sql",
          "format": 0,
          "rawSql": "${UNFILTERED}"
        }
      ]
    }
  ]
}
`;

const JSON_FIXED = JSON_DASHBOARD.replace('"cli fix/é"', '"cli-fix"')
  .replace('"1s"', '"5s"')
  .replace('{\n      "id": 4,', '{\n      "id": 5,')
  .replace('\\nFROM events\\n', '\\nFROM events\\nWHERE $__timeFilter(timestamp)\\n');

const YAML_DASHBOARD = `# A dashboard resource, as gcx writes them; comments and layout must survive.
apiVersion: dashboard.grafana.app/v1beta1
kind: Dashboard
metadata:
  name: yaml.fix   # the uid
spec:
  title: YAML fix
  schemaVersion: 39
  refresh: '2s'
  time: { from: now-24h, to: now }
  panels:
    - id: 7
      type: stat
      title: Events
      description: Events over the selected range.
      gridPos: { x: 0, y: 0, w: 12, h: 8 }
      datasource: { type: grafana-clickhouse-datasource, uid: clickhouse }
      targets:
        - refId: A
          rawSql: |-
            SELECT count() AS events
            FROM events
            WHERE event_type = 'chat'
    - id: 7
      type: text
      title: Notes
      description: Read me.
      gridPos: { x: 12, y: 0, w: 12, h: 8 }
`;

const YAML_FIXED = YAML_DASHBOARD.replace('name: yaml.fix ', 'name: yaml-fix ')
  .replace("'2s'", "'5s'")
  .replace('WHERE event_type', 'WHERE $__timeFilter(timestamp) AND event_type')
  .replace('    - id: 7\n      type: text', '    - id: 8\n      type: text');

describe('check --fix', () => {
  it(
    'fixes a JSON dashboard in place, and a second run changes nothing',
    async () => {
      const file = path.join(dir, 'dashboards/fix.json');
      await writeFile(file, JSON_DASHBOARD);
      const before = await cli(dir, '--format', 'json', 'dashboards/fix.json');
      const found = (JSON.parse(before.stdout) as Report).findings.map((f) => f.rule).sort();
      expect(found).toEqual([...FIXED_RULES].sort());

      const run = await cli(dir, '--fix', '--format', 'json', 'dashboards/fix.json');
      expect(run.stderr).toContain('dashboard-ci: fixed 4 findings in 1 file\n');
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as Report).findings).toEqual([]);
      const text = await readFile(file, 'utf8');
      expect(text).toBe(JSON_FIXED);
      expect(() => JSON.parse(text) as unknown).not.toThrow();

      const again = await cli(dir, '--fix', 'dashboards/fix.json');
      expect(again.stderr).toContain('dashboard-ci: fixed 0 findings in 0 files\n');
      expect(await readFile(file, 'utf8')).toBe(JSON_FIXED);
    },
    ENGINE_TIMEOUT,
  );

  it('keeps a byte order mark and CRLF line ends', async () => {
    const file = path.join(dir, 'dashboards/bom.json');
    const crlf = (t: string) => '\ufeff' + t.replace(/\n/g, '\r\n');
    await writeFile(file, crlf(JSON_DASHBOARD));
    const run = await cli(dir, '--fix', '--no-explain', 'dashboards/bom.json');
    expect(run.stderr).toContain('dashboard-ci: fixed 3 findings in 1 file\n');
    expect(await readFile(file, 'utf8')).toBe(
      crlf(
        JSON_DASHBOARD.replace('"cli fix/é"', '"cli-fix"')
          .replace('"1s"', '"5s"')
          .replace('{\n      "id": 4,', '{\n      "id": 5,'),
      ),
    );
  });

  it(
    'fixes a YAML resource in place, comments and layout kept',
    async () => {
      const file = path.join(dir, 'dashboards/fix.yaml');
      await writeFile(file, YAML_DASHBOARD);
      const run = await cli(dir, '--fix', '--format', 'json', 'dashboards/fix.yaml');
      expect(run.stderr).toContain('dashboard-ci: fixed 4 findings in 1 file\n');
      expect((JSON.parse(run.stdout) as Report).findings).toEqual([]);
      const text = await readFile(file, 'utf8');
      expect(text).toBe(YAML_FIXED);
      expect((YAML.parse(text) as { metadata: { name: string } }).metadata.name).toBe('yaml-fix');
    },
    ENGINE_TIMEOUT,
  );

  it('leaves files it did not check alone, and never writes through a link out of the working directory', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'dci-fix-outside-'));
    try {
      await writeFile(path.join(outside, 'x.json'), JSON_DASHBOARD);
      await symlink(path.join(outside, 'x.json'), path.join(dir, 'dashboards/linked.json'));
      await writeFile(path.join(dir, 'dashboards/other.json'), JSON_DASHBOARD);
      const run = await cli(dir, '--fix', '--no-explain', 'dashboards/linked.json');
      expect(run.stderr).toContain('dashboards/linked.json: not fixed: it is outside the working directory');
      expect(run.stderr).toContain('fixed 0 findings in 0 files');
      expect(run.code).toBe(1);
      expect(await readFile(path.join(outside, 'x.json'), 'utf8')).toBe(JSON_DASHBOARD);
      expect(await readFile(path.join(dir, 'dashboards/other.json'), 'utf8')).toBe(JSON_DASHBOARD);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('refuses - (standard input): there is no file to write', async () => {
    const run = await cli(dir, '--fix', '-');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--fix');
  });
});

describe('check --fix --base --filter changed', () => {
  it('fixes only what the change brought, not what was already on the base', async () => {
    const repo = path.join(dir, 'repo');
    const panels = [panel(1, 'Events', SQL.events, 0), panel(2, 'Error rate', SQL.errorRate, 8)];
    const sha = baseRepo(repo, { 'dashboards/ops.json': dashboardText(panels, { refresh: '2s' }) });
    // The pull request adds a panel with the id of panel 2; the 2s refresh was already on the base.
    const head = dashboardText([...panels, panel(2, 'Copy', SQL.events, 16)], { refresh: '2s' });
    write(repo, 'dashboards/ops.json', head);
    git(repo, 'commit', '-qam', 'add a panel');

    const run = await cli(repo, '--fix', '--base', sha, '--filter', 'changed', '--no-explain');
    expect(run.stderr).toContain('fixed 1 finding in 1 file');
    const text = await readFile(path.join(repo, 'dashboards/ops.json'), 'utf8');
    const d = JSON.parse(text) as { refresh: string; panels: { id: number }[] };
    expect(d.panels.map((p) => p.id)).toEqual([1, 2, 3]);
    expect(d.refresh).toBe('2s');
    expect(run.code).toBe(0);
  });
});
