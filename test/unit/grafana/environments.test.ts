// environments: in dashboard-ci.yml (validated like every other key), folder paths as Grafana
// splits them, and the datasource uid mapping of a desired state.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { mapDatasourceUids } from '../../../src/grafana/environments.js';
import { splitFullpath } from '../../../src/grafana/plan.js';
import type { DesiredState } from '../../../src/grafana/desired.js';

describe('environments: in dashboard-ci.yml', () => {
  it('reads an environment', () => {
    const c = parseConfig(
      'dashboard-ci.yml',
      'environments:\n  prod:\n    url: https://g.example\n    orgId: 2\n    credentials: { token: PROD_TOKEN }\n    datasourceUids: { ch-main: ch-prod-eu }\n    refs: [refs/tags/v*]\n',
    );
    expect(c.environments.prod).toEqual({
      url: 'https://g.example',
      orgId: 2,
      credentials: { token: 'PROD_TOKEN' },
      datasourceUids: { 'ch-main': 'ch-prod-eu' },
      refs: ['refs/tags/v*'],
    });
  });

  it.each([
    [
      'environments:\n  prod:\n    url: https://admin:pw@g.example\n',
      /url must be a URL without credentials/,
    ],
    ['environments:\n  prod:\n    credentials: { token: glsa_0123-secret }\n', /token/],
    ['environments:\n  prod:\n    tokn: X\n', /unknown key "tokn"/],
    [
      'environments:\n  prod:\n    credentials: { password: X, secret: y }\n',
      /secrets never go in dashboard-ci.yml/,
    ],
  ])('refuses %j with one line', (text, message) => {
    expect(() => parseConfig('dashboard-ci.yml', text)).toThrow(message);
  });
});

describe('splitFullpath', () => {
  it.each([
    ['a/b', ['a', 'b']],
    [' a / b ', ['a', 'b']],
    ['a\\/b/c', ['a/b', 'c']],
    ['/a//b/', ['a', 'b']],
  ])('%j → %j', (text, parts) => {
    expect(splitFullpath(text)).toEqual(parts);
  });
});

describe('mapDatasourceUids', () => {
  it('maps datasource files, panel and target refs (v2 queries too), variables, library panels and alert queries; nothing else', () => {
    const state = {
      datasources: [{ uid: 'ch-main' }, { uid: 'redis' }],
      dashboards: [
        {
          dashboard: {
            uid: 'ch-main',
            panels: [
              {
                datasource: { type: 'ch', uid: 'ch-main' },
                targets: [{ datasource: { uid: 'ch-main' }, rawSql: 'ch-main' }],
              },
            ],
            templating: { list: [{ type: 'query', datasource: 'ch-main' }] },
          },
        },
        {
          // Schema v2beta1: a DataQuery's datasource is {name: <uid>}, its plugin in `group`.
          dashboard: {
            elements: {
              p: {
                kind: 'Panel',
                spec: {
                  data: {
                    spec: {
                      queries: [
                        {
                          spec: {
                            query: { kind: 'DataQuery', group: 'ch', datasource: { name: 'ch-main' } },
                          },
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        },
      ],
      libraryPanels: [{ model: { datasource: { type: 'ch', uid: 'ch-main' }, targets: [] } }],
      ruleGroups: [
        { rules: [{ data: [{ datasourceUid: 'ch-main', model: { datasource: { uid: 'ch-main' } } }] }] },
      ],
    } as unknown as DesiredState;
    mapDatasourceUids(state, { 'ch-main': 'ch-prod-eu' });
    expect(state.datasources.map((d) => d.uid)).toEqual(['ch-prod-eu', 'redis']);
    expect(state.dashboards[0]!.dashboard).toEqual({
      uid: 'ch-main',
      panels: [
        {
          datasource: { type: 'ch', uid: 'ch-prod-eu' },
          targets: [{ datasource: { uid: 'ch-prod-eu' }, rawSql: 'ch-main' }],
        },
      ],
      templating: { list: [{ type: 'query', datasource: 'ch-prod-eu' }] },
    });
    const v2 = JSON.stringify(state.dashboards[1]!.dashboard);
    expect(v2).toContain('"datasource":{"name":"ch-prod-eu"}');
    expect(v2).toContain('"group":"ch"');
    expect(state.libraryPanels[0]!.model.datasource).toEqual({ type: 'ch', uid: 'ch-prod-eu' });
    expect(state.ruleGroups[0]!.rules[0]!.data[0]).toEqual({
      datasourceUid: 'ch-prod-eu',
      model: { datasource: { uid: 'ch-prod-eu' } },
    });
  });
});
