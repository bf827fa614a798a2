import { describe, expect, it } from 'vitest';
import { buildDashboard, type DashboardModel, type JsonObject } from '../../../src/dashboards/model.js';
import { SourceDoc } from '../../../src/dashboards/source.js';
import { extractDashboardQueries, interpolateSource } from '../../../src/sql/extract.js';
import {
  filterOptions,
  resolveVariables,
  sortOptions,
  variableRegex,
  type VariableOption,
  type VariableQueryRunner,
} from '../../../src/sql/resolve-variables.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const CH = { type: 'grafana-clickhouse-datasource', uid: 'ch' };

function dashboard(raw: JsonObject): DashboardModel {
  const doc = SourceDoc.parse('d.json', JSON.stringify(raw, null, 2));
  return buildDashboard('d.json', doc, doc.value as JsonObject);
}

// The chain of grafana.com dashboard 22037 (NGINX logs): $project from `show tables` (regex keeps the
// *access tables), $server_ip from $project, $uri from both; none has a stored value.
const chained = dashboard({
  uid: 'nginx',
  title: 'NGINX',
  time: { from: 'now-1h', to: 'now' },
  templating: {
    list: [
      {
        name: 'uri',
        type: 'query',
        datasource: CH,
        current: {},
        options: [],
        query: 'SELECT path FROM ${project} WHERE server_ip IN (${server_ip}) GROUP BY path',
      },
      {
        name: 'server_ip',
        type: 'query',
        datasource: CH,
        multi: true,
        includeAll: true,
        current: {},
        options: [],
        query: 'SELECT DISTINCT server_ip FROM $project',
      },
      {
        name: 'project',
        type: 'query',
        datasource: CH,
        current: {},
        options: [],
        regex: '/.*access$/',
        query: 'show tables',
      },
    ],
  },
  panels: [
    {
      id: 1,
      type: 'stat',
      datasource: CH,
      targets: [{ refId: 'A', rawSql: 'SELECT count() FROM ${project} WHERE server_ip IN (${server_ip})' }],
    },
  ],
});

const opts = (...values: string[]): VariableOption[] => values.map((v) => ({ text: v, value: v }));

describe('resolveVariables', () => {
  it('runs variable queries in dependency order, each with the values resolved before it', async () => {
    const seen: string[] = [];
    const run: VariableQueryRunner = async ({ sql, variable }) => {
      seen.push(`${variable}: ${sql}`);
      if (variable === 'project') return opts('errors', 'nginx_access', 'zz_access');
      if (variable === 'server_ip') return opts('10.0.0.2', '10.0.0.1');
      return opts('/index.html');
    };
    const r = await resolveVariables(chained, NOW, new Map(), run);
    expect(r.order).toEqual(['project', 'server_ip', 'uri']);
    expect(r.unresolved).toEqual([]);
    expect(seen).toEqual([
      'project: show tables',
      'server_ip: SELECT DISTINCT server_ip FROM nginx_access',
      // All is selected for a variable that includes it: every option, as the plugin formats a list.
      "uri: SELECT path FROM nginx_access WHERE server_ip IN ('10.0.0.2','10.0.0.1') GROUP BY path",
    ]);
    const panel = extractDashboardQueries(chained).find((q) => q.origin === 'panel')!;
    expect(interpolateSource(panel, NOW, r.variables).sql).toBe(
      "SELECT count() FROM nginx_access WHERE server_ip IN ('10.0.0.2','10.0.0.1')",
    );
    // The stored dashboard is untouched.
    expect((chained.raw.templating as { list: JsonObject[] }).list[2]!.current).toEqual({});
  });

  it('without a runner leaves them unresolved, dependencies saying what they wait for', async () => {
    const r = await resolveVariables(chained, NOW, new Map());
    expect(r.unresolved).toEqual([
      { name: 'project', reason: 'not-run' },
      { name: 'server_ip', reason: 'depends', detail: 'project' },
      { name: 'uri', reason: 'depends', detail: 'project' },
    ]);
    const panel = extractDashboardQueries(chained).find((q) => q.origin === 'panel')!;
    const out = interpolateSource(panel, NOW, r.variables);
    expect(out.problems.map((p) => [p.kind, p.variable])).toEqual([['unresolved-variable', 'project']]);
    expect(out.unresolved?.sort()).toEqual(['project', 'server_ip']);
  });

  it('says no-rows when the query gives nothing the regex keeps, and failed when it throws', async () => {
    const none = await resolveVariables(chained, NOW, new Map(), async () => opts('errors'));
    expect(none.unresolved[0]).toEqual({
      name: 'project',
      reason: 'no-rows',
      detail: 'its regex /.*access$/ kept none of 1',
    });
    const boom = await resolveVariables(chained, NOW, new Map(), async () => {
      throw new Error('Code: 60. Unknown table');
    });
    expect(boom.unresolved[0]).toEqual({
      name: 'project',
      reason: 'failed',
      detail: 'Code: 60. Unknown table',
    });
  });

  it("says other-datasource for a variable whose query is another datasource's (Grafana runs it there)", async () => {
    const d = dashboard({
      uid: 'p',
      title: 'P',
      templating: {
        list: [
          {
            name: 'namespace',
            type: 'query',
            datasource: { type: 'prometheus', uid: 'prom' },
            query: 'label_values(kube_pod_info, namespace)',
          },
        ],
      },
    });
    const r = await resolveVariables(d, NOW, new Map(), async () => opts('x'));
    expect(r.unresolved).toEqual([{ name: 'namespace', reason: 'other-datasource' }]);
  });

  it('finds cycles', async () => {
    const d = dashboard({
      uid: 'c',
      title: 'C',
      templating: {
        list: [
          { name: 'a', type: 'query', datasource: CH, query: 'SELECT x FROM t WHERE y = $b' },
          { name: 'b', type: 'query', datasource: CH, query: 'SELECT y FROM t WHERE x = $a' },
        ],
      },
    });
    const r = await resolveVariables(d, NOW, new Map(), async () => opts('1'));
    expect(r.unresolved).toEqual([
      { name: 'a', reason: 'cycle' },
      { name: 'b', reason: 'cycle' },
    ]);
  });

  it('never runs a variable that has a stored value', async () => {
    const d = dashboard({
      uid: 's',
      title: 'S',
      templating: {
        list: [
          { name: 'a', type: 'query', datasource: CH, query: 'SELECT 1', current: { text: 'x', value: 'x' } },
        ],
      },
    });
    let calls = 0;
    const r = await resolveVariables(d, NOW, new Map(), async () => {
      calls++;
      return opts('y');
    });
    expect(calls).toBe(0);
    expect(r.unresolved).toEqual([]);
  });
});

describe("Grafana's option handling", () => {
  it('reads /pattern/flags regexes, keeping capture groups and named text/value groups', () => {
    expect(variableRegex('/.*access$/')?.test('nginx_access')).toBe(true);
    expect(variableRegex('/ACCESS/i')?.test('access')).toBe(true);
    expect(variableRegex('')).toBeUndefined();
    expect(filterOptions(opts('a_access', 'b', 'a_access'), '/.*access$/')).toEqual(opts('a_access'));
    expect(filterOptions(opts('host=web1', 'host=web2'), '/host=(.*)/')).toEqual(opts('web1', 'web2'));
    expect(filterOptions(opts('id=1 name=one'), '/id=(?<value>\\d+) name=(?<text>\\w+)/')).toEqual([
      { text: 'one', value: '1' },
    ]);
  });

  it('sorts alphabetically, numerically and case-insensitively, both ways', () => {
    const o = opts('b10', 'a2', 'B1');
    expect(sortOptions(o, 0).map((x) => x.value)).toEqual(['b10', 'a2', 'B1']);
    expect(sortOptions(o, 1).map((x) => x.value)).toEqual(['B1', 'a2', 'b10']);
    expect(sortOptions(o, 2).map((x) => x.value)).toEqual(['b10', 'a2', 'B1']);
    expect(sortOptions(o, 3).map((x) => x.value)).toEqual(['B1', 'a2', 'b10']);
    expect(sortOptions(o, 4).map((x) => x.value)).toEqual(['b10', 'a2', 'B1']);
    expect(sortOptions(o, 5).map((x) => x.value)).toEqual(['a2', 'B1', 'b10']);
  });
});
