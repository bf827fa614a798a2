// The change filter with query variables that have no stored value. Their queries run only on an
// engine the check starts anyway, so what is judged is decided first on SQL with stand-ins, on the base
// and the head alike, each with the raw queries of the variables the stand-ins stand for: a PR that
// changes no SQL still starts no engine, and a PR that changes a variable's query changes the queries
// that read it. Once the engine runs, the head and the base (for the cost diff) are both resolved by
// running their variables' queries on the same test data.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeContext, type BaseVerdict } from '../../src/check/change.js';
import { runCheck } from '../../src/check/run.js';
import type { CheckOptions } from '../../src/check/types.js';
import { loadConfig } from '../../src/config/load.js';
import { baseRepo, dashboardText, panel, SQL, write } from '../support/change-repo.js';

let root: string;
let n = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dci-change-vars-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DS = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };
const EVT = 'SELECT DISTINCT event_type FROM frontend_events ORDER BY event_type';
const BY_TABLE =
  "SELECT $__timeInterval(timestamp) AS time, count() AS events FROM ${tbl} WHERE $__timeFilter(timestamp) AND event_type = '${evt}' GROUP BY time ORDER BY time";

function text(opts: { evt?: string; title?: string; sql?: string } = {}): string {
  const templating = {
    list: [
      { name: 'evt', type: 'query', datasource: DS, query: opts.evt ?? EVT, current: {}, options: [] },
      { name: 'tbl', type: 'query', datasource: DS, query: 'SHOW TABLES', current: {}, options: [] },
    ],
  };
  return dashboardText(
    [panel(1, opts.title ?? 'By table', opts.sql ?? BY_TABLE, 0), panel(2, 'Events', SQL.events, 8)],
    { templating },
  );
}

async function check(head: string, withVerdict = false) {
  const dir = join(root, `r${n++}`);
  const base = baseRepo(dir, { 'dashboards/ops.json': text() });
  const config = await loadConfig({ cwd: dir });
  const extra: Partial<CheckOptions> = {};
  if (withVerdict) {
    // The base's own verdict: everything judged, variables resolved (the Action's run on main).
    const run = await runCheck({ cwd: dir, paths: [], config, explain: true, engineCacheDir: false });
    const verdict: BaseVerdict = {
      commit: base,
      context: await changeContext(dir, config, config.clickhouse.schema, config.clickhouse.seed),
      report: run.report,
    };
    extra.baseVerdict = verdict;
  }
  write(dir, 'dashboards/ops.json', head);
  let engineAsked = 0;
  const result = await runCheck({
    cwd: dir,
    paths: [],
    config,
    explain: true,
    base,
    filter: 'changed',
    engineCacheDir: false,
    chdbPath: async () => {
      engineAsked++;
      return join(import.meta.dirname, '../../node_modules/chdb');
    },
    ...extra,
  });
  expect(result.usageErrors).toEqual([]);
  const r = result.report;
  return { engineAsked, report: r, query: (id: number) => r.queries.find((q) => q.panelId === id)! };
}

describe('filter changed, with query variables that have no stored value', () => {
  it('a PR that changes no SQL starts no engine: base and head compare with stand-ins', async () => {
    const { engineAsked, report, query } = await check(text({ title: 'By the table' }));
    expect(engineAsked).toBe(0);
    expect(report.engine).toBe('none');
    expect(report.findings).toEqual([]);
    // Its infos (no engine, so no value) are the base's too: listed, not counted.
    expect((report.baseFindings ?? []).map((f) => f.rule)).toEqual([
      'variable-unresolved',
      'variable-unresolved',
    ]);
    expect(query(1)).toMatchObject({ change: 'unchanged', status: 'skipped' });
    expect(query(2)).toMatchObject({ change: 'unchanged', status: 'skipped' });
    expect(report.change?.queries).toEqual({ new: 0, changed: 0, unchanged: 4 });
  });

  it("with the base's verdict at hand, a query the verdict's run resolved takes its verdict although this run kept stand-ins", async () => {
    const { engineAsked, report, query } = await check(text({ title: 'By the table' }), true);
    expect(engineAsked).toBe(0);
    expect(query(1)).toMatchObject({ change: 'unchanged', status: 'ok', verdictFrom: expect.any(String) });
    expect(query(1).sql).toContain('FROM frontend_events WHERE');
    expect(query(1).standIns).toBeUndefined();
    expect(query(1).cost?.rows).toBeGreaterThan(0);
    expect(report.findings).toEqual([]);
  });

  it("a PR that changes a variable's query changes the queries that read it, judged with its new value", async () => {
    const { engineAsked, report, query } = await check(text({ evt: `${EVT} DESC` }));
    expect(engineAsked).toBe(1);
    // Panel 1's stand-in SQL is the same as on the base; the query of $evt it stands for is not.
    expect(query(1).change).toBe('changed');
    expect(query(1).sql).toContain('FROM frontend_events WHERE timestamp >= toDateTime(');
    expect(query(1).sql).toContain("event_type = 'view'");
    expect(query(1).status).toBe('ok');
    // The base, resolved with its own $evt (chat) on the same test data, has a cost to compare with.
    expect(query(1).baseRows).toBeGreaterThan(0);
    expect(query(2)).toMatchObject({ change: 'unchanged', status: 'skipped' });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a PR that edits a query reading variables judges it, and the cost diff compares resolved SQL', async () => {
    const sql = BY_TABLE.replace('GROUP BY', 'AND user_id < 250 GROUP BY');
    const { engineAsked, query } = await check(text({ sql }));
    expect(engineAsked).toBe(1);
    expect(query(1)).toMatchObject({ change: 'changed', status: 'ok' });
    expect(query(1).sql).toContain("event_type = 'chat' AND user_id < 250");
    // Without the runner the base's `FROM ${tbl}` would have no SQL to explain, hence no base rows.
    expect(query(1).baseRows).toBeGreaterThan(0);
    expect(query(1).costChange).toBeLessThanOrEqual(0);
  });
});
