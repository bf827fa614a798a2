// Altinity's whole-query macros against the plugin's own golden expansions: Altinity/clickhouse-grafana
// pkg/eval/testdata/corpus/ @ 4b2383b447cbc5091fe9120dfa64b84e4a0485dc (MIT), expanded in the corpus
// test's fixed context (pkg/eval/corpus_test.go expandForCorpus: default.test_grafana, DATETIME
// event_time, Date event_date, interval 30s, 2025-01-02 03:04:05 to 04:05:06 UTC).

import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../src/sql/interpolate.js';
import type { InterpolationContext } from '../../../src/sql/types.js';
import { expandWholeQueryMacro } from '../../../src/sql/altinity-query-macros.js';

const target = {
  database: 'default',
  table: 'test_grafana',
  dateTimeType: 'DATETIME',
  dateTimeColDataType: 'event_time',
  dateColDataType: 'event_date',
  interval: '30s',
  intervalFactor: 1,
};
const ctx: InterpolationContext = {
  fromMs: Date.UTC(2025, 0, 2, 3, 4, 5),
  toMs: Date.UTC(2025, 0, 2, 4, 5, 6),
  intervalMs: 30_000,
  variables: [],
  target,
};
const expand = (q: string, t: Record<string, unknown> = target) =>
  interpolate(
    q,
    { ...ctx, target: t as InterpolationContext['target'] & object },
    {
      plugin: 'vertamedia-clickhouse-datasource',
      origin: 'panel',
    },
  );

const FILTER =
  'event_date >= toDate(1735787045) AND event_date <= toDate(1735790706) AND event_time >= toDateTime(1735787045) AND event_time <= toDateTime(1735790706)';

describe("Altinity whole-query macros, as the plugin's golden corpus expands them", () => {
  it('$columns (columns_macro.sql → columns_macro.expanded.golden.sql)', () => {
    const r = expand(
      '$columns(service_name, sum(agg_value) as value) FROM $table WHERE $timeFilter GROUP BY service_name\n',
    );
    expect(r.problems).toEqual([]);
    expect(r.sql).toBe(
      `SELECT t, groupArray((service_name, value)) AS groupArr FROM ( SELECT (intDiv(toUInt32(event_time), 30) * 30) * 1000 AS t, service_name, sum(agg_value) as value FROM default.test_grafana WHERE ${FILTER} AND ${FILTER} GROUP BY service_name ORDER BY t, service_name) GROUP BY t ORDER BY t`,
    );
  });

  it('$rate with arguments over several lines (the corpus case reading mysql_bob and postgres)', () => {
    const r = expand(
      "$rate(\n    countIf(service_name = 'mysql' AND from_user = 'bob') AS mysql_bob,\n    countIf(service_name = 'postgres') AS postgres\n) FROM $table\nWHERE from_user IN ('bob','alice')",
    );
    expect(r.problems).toEqual([]);
    expect(r.sql).toBe(
      "SELECT t, mysql_bob/runningDifference(t/1000) mysql_bobRate, postgres/runningDifference(t/1000) postgresRate FROM ( SELECT (intDiv(toUInt32(event_time), 30) * 30) * 1000 AS t, countIf(service_name = 'mysql' AND from_user = 'bob') AS mysql_bob, countIf(service_name = 'postgres') AS postgres FROM default.test_grafana\n" +
        `WHERE ${FILTER} AND from_user IN ('bob','alice')\n GROUP BY t\n ORDER BY t)`,
    );
  });

  it('keeps comments before the macro, and maps positions in the rebuilt query back to the macro', () => {
    const q = '/* top */\n$perSecond(bytes) FROM $table';
    const r = expand(q);
    expect(r.sql.startsWith('/* top */\nSELECT t, if(runningDifference(max_0) < 0, nan,')).toBe(true);
    expect(r.sql).toContain(
      'SELECT (intDiv(toUInt32(event_time), 30) * 30) * 1000 AS t, max(bytes) AS max_0 FROM default.test_grafana WHERE ',
    );
    expect(r.mapOffset(r.sql.indexOf('runningDifference'))).toBe(q.indexOf('$perSecond'));
  });

  it('splits GROUP BY, HAVING and ORDER BY out of $columns, and refuses them out of order as the plugin does', () => {
    const r = expandWholeQueryMacro(
      '$columns(k, count() c) FROM t WHERE x = 1 GROUP BY k HAVING c > 1 ORDER BY k',
      {
        windowFunctions: false,
      },
    );
    expect(r).toMatchObject({ kind: 'expanded' });
    expect(r.kind === 'expanded' && r.sql).toBe(
      'SELECT t, groupArray((k, c)) AS groupArr FROM ( SELECT $timeSeries AS t, k, count() c FROM t WHERE $timeFilter AND x = 1 GROUP BY k HAVING c > 1 ORDER BY k) GROUP BY t ORDER BY t',
    );
    expect(
      expandWholeQueryMacro('$columns(k, count() c) FROM t ORDER BY k GROUP BY k', {
        windowFunctions: false,
      }),
    ).toMatchObject({
      kind: 'error',
      message: '$columns: GROUP BY clause shall be before ORDER BY',
    });
  });

  it('uses window functions when the target asks for them', () => {
    const r = expandWholeQueryMacro('$rate(count() c) FROM t', { windowFunctions: true });
    expect(r.kind === 'expanded' && r.sql).toBe(
      'SELECT t, c/((t - lagInFrame(t,1,0) OVER ())/1000) cRate FROM ( SELECT $timeSeries AS t, count() c FROM t WHERE $timeFilter\n GROUP BY t\n ORDER BY t)',
    );
  });

  it('is an error Grafana shows too when an argument has no alias or no FROM follows', () => {
    const r = expand('$rate(count()) FROM $table');
    expect(r.problems).toEqual([
      {
        offset: 0,
        message:
          "the Altinity plugin refuses this query: $rate: argument count() can't be used without an alias",
        kind: 'macro-arguments',
        blocking: true,
      },
    ]);
    expect(expandWholeQueryMacro('$delta(x) WHERE 1', { windowFunctions: false })).toMatchObject({
      kind: 'error',
    });
  });
});

// The plugin saves its own expansion of a target in `rawQuery`. Altinity/clickhouse-grafana
// docker/grafana/dashboards/delta_deltaColumns_increase_increaseColumns.json @ a9facca8 (MIT) holds
// four; the same target and time range give the same SQL here. (The range is read back from the
// saved SQL; maxDataPoints is the one that gives the interval the plugin used.)
describe('the expansions the plugin saved in rawQuery', () => {
  const saved = (query: string, from: number, to: number, maxDataPoints: number) =>
    interpolate(
      query,
      {
        fromMs: from * 1000,
        toMs: to * 1000,
        intervalMs: 0,
        maxDataPoints,
        variables: [],
        target: {
          database: 'default',
          table: 'test_rate_and_per_seconds',
          dateColDataType: '',
          dateTimeColDataType: 'd',
          dateTimeType: 'DATETIME',
          interval: '',
          intervalFactor: 1,
          round: '0s',
        },
      },
      { plugin: 'vertamedia-clickhouse-datasource', origin: 'panel' },
    ).sql;

  it.each([
    [
      '$deltaColumns(category AS category, counter)\nFROM $table',
      1669117084,
      1669138684,
      1080,
      'SELECT t, groupArray((category, max_0_Delta)) AS groupArr FROM ( SELECT t, category, if(neighbor(category,-1,category) != category, 0, runningDifference(max_0)) AS max_0_Delta FROM ( SELECT (intDiv(toUInt32("d"), 20) * 20) * 1000 AS t, category AS category, max(counter) AS max_0 FROM default.test_rate_and_per_seconds WHERE "d" >= toDateTime(1669117084) AND "d" <= toDateTime(1669138684) GROUP BY t, category ORDER BY category, t)) GROUP BY t ORDER BY t',
    ],
    [
      '$increaseColumns(category AS category, counter)\nFROM $table',
      1669117225,
      1669138825,
      1080,
      'SELECT t, groupArray((category, max_0_Increase)) AS groupArr FROM ( SELECT t, category, if(runningDifference(max_0) < 0 OR neighbor(category,-1,category) != category, 0, runningDifference(max_0)) AS max_0_Increase FROM ( SELECT (intDiv(toUInt32("d"), 20) * 20) * 1000 AS t, category AS category, max(counter) AS max_0 FROM default.test_rate_and_per_seconds WHERE "d" >= toDateTime(1669117225) AND "d" <= toDateTime(1669138825) GROUP BY t, category ORDER BY category, t)) GROUP BY t ORDER BY t',
    ],
    [
      '$delta(counter)\nFROM $table',
      1669117168,
      1669138768,
      1080,
      'SELECT t, runningDifference(max_0) AS max_0_Delta FROM ( SELECT (intDiv(toUInt32("d"), 20) * 20) * 1000 AS t, max(counter) AS max_0 FROM default.test_rate_and_per_seconds WHERE "d" >= toDateTime(1669117168) AND "d" <= toDateTime(1669138768) GROUP BY t ORDER BY t)',
    ],
    [
      '$increase(counter)\nFROM $table',
      1669100930,
      1669103000,
      1035,
      'SELECT t, if(runningDifference(max_0) < 0, 0, runningDifference(max_0)) AS max_0_Increase FROM ( SELECT (intDiv(toUInt32("d"), 2) * 2) * 1000 AS t, max(counter) AS max_0 FROM default.test_rate_and_per_seconds WHERE "d" >= toDateTime(1669100930) AND "d" <= toDateTime(1669103000) GROUP BY t ORDER BY t)',
    ],
  ])('%s', (query, from, to, points, want) => {
    expect(saved(query, from, to, points)).toBe(want);
  });
});
