// Issue 12, no-data-on-seed: each panel query EXPLAIN accepted runs on the seed in the sandboxed engine;
// an empty result is reported only where the tables it reads have rows in its time range. The fixture's
// seed (test/fixtures/no-data) holds a week of chat events up to the pinned clock, models gpt-4o,
// gpt-4o-mini and claude-3.5-sonnet; its feedback table stays empty.
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/check/run.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import type { Report } from '../../src/core/types.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/no-data', import.meta.url));
const DS = { type: 'grafana-clickhouse-datasource', uid: 'clickhouse' };

/** Panels by id: each a list of [refId, rawSql] (extra panel fields after). */
const PANELS: [number, [string, string][], Record<string, unknown>?][] = [
  // 1: the misspelled model ('gpt-4o-mni' for 'gpt-4o-mini'): valid SQL, no rows.
  [
    1,
    [
      [
        'A',
        "SELECT $__timeInterval(timestamp) AS time, count() AS responses FROM chat_events WHERE $__timeFilter(timestamp) AND model = 'gpt-4o-mni' GROUP BY time ORDER BY time",
      ],
    ],
  ],
  // 2: the same, spelled right.
  [
    2,
    [
      [
        'A',
        "SELECT $__timeInterval(timestamp) AS time, count() AS responses FROM chat_events WHERE $__timeFilter(timestamp) AND model = 'gpt-4o-mini' GROUP BY time ORDER BY time",
      ],
    ],
  ],
  // 3: a misspelled event type without a time filter (the table has rows: that is enough).
  [
    3,
    [
      [
        'A',
        "SELECT model, count() AS n FROM chat_events WHERE event_type = 'response_recieved' GROUP BY model",
      ],
    ],
  ],
  // 4: the misspelled model a month back, where the seed has no rows: not the query's doing.
  [
    4,
    [
      [
        'A',
        "SELECT $__timeInterval(timestamp) AS time, count() AS responses FROM chat_events WHERE $__timeFilter(timestamp) AND model = 'gpt-4o-mni' GROUP BY time ORDER BY time",
      ],
    ],
    { timeShift: '30d' },
  ],
  // 5: the empty feedback table: nothing can be said.
  [
    5,
    [
      [
        'A',
        "SELECT model, avg(rating) AS rating FROM feedback WHERE $__timeFilter(timestamp) AND model = 'gpt-4o-mini' GROUP BY model",
      ],
    ],
  ],
  // 6: a window on the wall clock (now()), which moves past fixed seed dates: not judged.
  [
    6,
    [
      [
        'A',
        'SELECT model, count() AS n FROM chat_events WHERE timestamp > now() - INTERVAL 1 HOUR GROUP BY model',
      ],
    ],
  ],
  // 7: two misspelled queries in one panel; the exception in dashboard-ci.yml silences B only.
  [
    7,
    [
      [
        'A',
        "SELECT model, count() AS n FROM chat_events WHERE $__timeFilter(timestamp) AND model = 'claude-3.5' GROUP BY model",
      ],
      [
        'B',
        "SELECT model, count() AS n FROM chat_events WHERE $__timeFilter(timestamp) AND model = 'gpt-5' GROUP BY model",
      ],
    ],
  ],
  // 8: one row whatever the filter (count() without GROUP BY): Grafana shows 0, not "No data".
  [
    8,
    [['A', "SELECT count() AS n FROM chat_events WHERE $__timeFilter(timestamp) AND model = 'gpt-4o-mni'"]],
  ],
  // 9: a filter on a variable whose own query gives nothing on the seed: the query reads its stand-in,
  // so its empty result says nothing about the dashboard.
  [
    9,
    [
      [
        'A',
        "SELECT model, count() AS n FROM chat_events WHERE $__timeFilter(timestamp) AND model = '${model}' GROUP BY model",
      ],
    ],
  ],
];

function dashboard(): object {
  return {
    uid: 'no-data',
    title: 'No data',
    schemaVersion: 39,
    time: { from: 'now-24h', to: 'now' },
    templating: {
      list: [
        {
          name: 'model',
          type: 'query',
          datasource: DS,
          query: "SELECT DISTINCT model FROM chat_events WHERE model = 'none-such'",
          refresh: 1,
        },
      ],
    },
    annotations: { list: [] },
    panels: PANELS.map(([id, targets, extra], i) => ({
      id,
      type: 'timeseries',
      title: `Panel ${id}`,
      description: 'A panel of the no-data-on-seed tests.',
      gridPos: { x: 0, y: i * 8, w: 24, h: 8 },
      datasource: DS,
      targets: targets.map(([refId, rawSql]) => ({
        refId,
        datasource: DS,
        editorType: 'sql',
        format: 1,
        rawSql,
      })),
      ...extra,
    })),
  };
}

let dir: string;
let base: Config;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'dci-no-data-'));
  await cp(FIXTURE, dir, { recursive: true });
  await mkdir(path.join(dir, 'dashboards'));
  await writeFile(path.join(dir, 'dashboards/no-data.json'), JSON.stringify(dashboard(), null, 1));
  base = await loadConfig({ cwd: dir });
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function check(edit: (c: Config) => void = () => undefined): Promise<Report> {
  const config = structuredClone(base);
  config.clickhouse.cache = false;
  edit(config);
  const { report, usageErrors } = await runCheck({ cwd: dir, paths: [], config, explain: true });
  expect(usageErrors).toEqual([]);
  return report;
}

const noData = (r: Report) =>
  r.findings
    .filter((f) => f.rule === 'no-data-on-seed')
    .map((f) => `${f.panelId}${f.refId}`)
    .sort();

describe('no-data-on-seed', () => {
  let report: Report;
  beforeAll(async () => {
    report = await check((c) => {
      c.exceptions = [
        {
          rule: 'no-data-on-seed',
          dashboard: 'no-data',
          panel: 7,
          refId: 'B',
          reason: 'gpt-5 ships next month; the seed does not have it yet',
        },
      ];
    });
  }, 120_000);

  it('flags the misspelled filters where the data has rows, and nothing else', () => {
    expect(report.queries.filter((q) => q.origin === 'panel').map((q) => q.status)).toEqual(
      Array(10).fill('ok'),
    );
    expect(noData(report)).toEqual(['1A', '3A', '7A']);
    const first = report.findings.find((f) => f.rule === 'no-data-on-seed' && f.panelId === 1)!;
    expect(first).toMatchObject({ severity: 'warning', file: 'dashboards/no-data.json', refId: 'A' });
    expect(first.message).toContain('chat_events has rows in the query');
    const third = report.findings.find((f) => f.rule === 'no-data-on-seed' && f.panelId === 3)!;
    expect(third.message).toContain('chat_events has rows:');
  });

  it('records the real run beside the estimate', () => {
    const right = report.queries.find((q) => q.panelId === 2)!;
    expect(right.executed).toMatchObject({ rows: 1, truncated: true });
    expect(right.executed!.readRows).toBeGreaterThan(0);
    expect(right.executed!.readRows).toBeLessThanOrEqual(right.cost!.rows);
    expect(right.executed!.elapsedMs).toBeGreaterThanOrEqual(0);
    const wrong = report.queries.find((q) => q.panelId === 1)!;
    expect(wrong.executed).toMatchObject({ rows: 0, truncated: false });
    // Executed, empty, and still not flagged: no data in its range, an empty table, the wall clock.
    for (const id of [4, 5, 6]) expect(report.queries.find((q) => q.panelId === id)!.executed?.rows).toBe(0);
    expect(report.queries.find((q) => q.panelId === 8)!.executed?.rows).toBe(1);
  });

  it('is off with clickhouse.execute: false: nothing runs', async () => {
    const off = await check((c) => (c.clickhouse.execute = false));
    expect(noData(off)).toEqual([]);
    expect(off.queries.filter((q) => q.executed)).toEqual([]);
    expect(off.queries.find((q) => q.panelId === 1)?.status).toBe('ok');
  }, 120_000);

  it('is off without a seed (schema only): nothing runs', async () => {
    const schemaOnly = await check((c) => (c.clickhouse.seed = []));
    expect(noData(schemaOnly)).toEqual([]);
    expect(schemaOnly.queries.filter((q) => q.executed)).toEqual([]);
  }, 120_000);

  it('is silenced for one query by an exception with a reason (panel 7, refId B) and by none other', async () => {
    const all = await check();
    expect(noData(all)).toEqual(['1A', '3A', '7A', '7B']);
  }, 120_000);
});
