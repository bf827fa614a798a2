// field-reference, one panel at a time, on columns as EXPLAIN reports them (end to end on the engine:
// test/integration/panel-data-shape.test.ts). Valid rows are what Grafana does apply, and what
// dashboard-ci cannot know (names made by a transformation it does not model, label values).

import { describe, expect, it } from 'vitest';
import { fieldReference } from '../../../src/check/rules/field-reference.js';
import { ALTINITY, cols, knownPanel, type PanelCase } from '../../support/known-panel.js';

type Case = PanelCase & { name: string };

const byName = (name: string) => ({ matcher: { id: 'byName', options: name }, properties: [] });
const TS = cols('t DateTime, requests UInt64, latency Float64');
const TABLE = cols('service String, requests UInt64');

const invalid: (Case & { says: string; at?: (string | number)[] })[] = [
  {
    name: 'an override on a misspelled field',
    panel: { type: 'timeseries', fieldConfig: { overrides: [byName('latncy')] } },
    columns: [TS],
    says: 'override 1 (byName) names field "latncy", which is not among the fields the panel gets (t, requests, latency), so it does not apply. Maybe you meant "latency"',
    at: ['fieldConfig', 'overrides', 0, 'matcher', 'options'],
  },
  {
    name: 'byNames',
    panel: {
      type: 'timeseries',
      fieldConfig: {
        overrides: [
          { matcher: { id: 'byNames', options: { mode: 'include', names: ['requests', 'errors'] } } },
        ],
      },
    },
    columns: [TS],
    says: 'override 1 (byNames) names field "errors"',
  },
  {
    name: 'a regexp that matches nothing',
    panel: {
      type: 'timeseries',
      fieldConfig: { overrides: [{ matcher: { id: 'byRegexp', options: '/^p9[59]/' } }] },
    },
    columns: [TS],
    says: 'names the pattern "/^p9[59]/"',
  },
  {
    name: 'a name after the rename that made it disappear',
    panel: {
      type: 'table',
      transformations: [
        { id: 'organize', options: { renameByName: { requests: 'Requests' } } },
        { id: 'sortBy', options: { sort: [{ field: 'Requets' }] } },
      ],
    },
    columns: [TABLE],
    says: 'transformation 2 (sortBy) names field "Requets"',
  },
  {
    name: 'organize naming several columns gone: one warning',
    panel: {
      type: 'table',
      transformations: [
        {
          id: 'organize',
          options: { excludeByName: { host: true }, indexByName: { host: 0, region: 1, service: 2 } },
        },
      ],
    },
    columns: [TABLE],
    says: 'transformation 1 (organize) names fields "host", "region", which are not among the fields the panel gets (service, requests), so those parts do not apply',
    at: ['transformations', 0, 'options', 'excludeByName', 'host'],
  },
  {
    name: 'calculateField operands',
    panel: {
      type: 'table',
      transformations: [
        {
          id: 'calculateField',
          options: {
            mode: 'binary',
            binary: { left: 'errors', operator: '/', right: 'requests' },
            alias: 'ratio',
          },
        },
      ],
    },
    columns: [TABLE],
    says: 'transformation 1 (calculateField) names field "errors"',
  },
  {
    name: 'joinByField on a field a query lacks',
    panel: {
      type: 'timeseries',
      transformations: [{ id: 'joinByField', options: { byField: 'ts', mode: 'outer' } }],
    },
    columns: [TS, cols('t DateTime, p95 Float64')],
    says: 'names field "ts"',
  },
  {
    name: 'reduceOptions.fields',
    panel: { type: 'stat', options: { reduceOptions: { fields: '/^errors$/', calcs: ['lastNotNull'] } } },
    columns: [TABLE],
    says: 'reduceOptions.fields names the pattern "/^errors$/"',
  },
  {
    name: 'a table sort',
    panel: { type: 'table', options: { sortBy: [{ displayName: 'Service', desc: true }] } },
    columns: [TABLE],
    says: 'the table sort names field "Service"',
  },
  {
    name: 'a data link',
    panel: {
      type: 'table',
      fieldConfig: {
        defaults: {
          links: [{ title: 'x', url: '/d/x?var-host=${__data.fields.host}&s=${__data.fields["service"]}' }],
        },
      },
    },
    columns: [TABLE],
    says: 'a data link names field "host"',
  },
  {
    name: 'byFrameRefID on a query the panel lacks',
    panel: {
      type: 'timeseries',
      fieldConfig: { overrides: [{ matcher: { id: 'byFrameRefID', options: 'C' } }] },
    },
    columns: [TS, TS],
    says: 'override 1 (byFrameRefID) names query "C", which the panel does not have (A, B)',
  },
];

const valid: Case[] = [
  {
    name: 'an override on a field of the second query',
    panel: {
      type: 'timeseries',
      transformations: [{ id: 'merge', options: {} }],
      fieldConfig: { overrides: [byName('p95')] },
    },
    columns: [TS, cols('t DateTime, p95 Float64')],
  },
  {
    name: 'a renamed field, by its new name, later',
    panel: {
      type: 'table',
      transformations: [
        { id: 'organize', options: { renameByName: { requests: 'Requests' } } },
        { id: 'sortBy', options: { sort: [{ field: 'Requests' }] } },
      ],
      fieldConfig: { overrides: [byName('Requests')] },
    },
    columns: [TABLE],
  },
  {
    name: 'a calculated field by its alias',
    panel: {
      type: 'table',
      transformations: [
        {
          id: 'calculateField',
          options: {
            mode: 'binary',
            binary: { left: 'requests', operator: '*', right: '2' },
            alias: 'double',
          },
        },
      ],
      fieldConfig: { overrides: [byName('double')] },
    },
    columns: [TABLE],
  },
  {
    name: 'names after a transformation not modelled (reduce)',
    panel: {
      type: 'table',
      transformations: [{ id: 'reduce', options: {} }],
      fieldConfig: { overrides: [byName('Max')] },
    },
    columns: [TABLE],
  },
  {
    name: 'a calculated field without alias',
    panel: {
      type: 'table',
      transformations: [{ id: 'calculateField', options: { mode: 'reduceRow', reduce: { reducer: 'sum' } } }],
      fieldConfig: { overrides: [byName('Total')] },
    },
    columns: [TABLE],
  },
  {
    name: 'a matching regexp, Grafana-style (whole name without slashes)',
    panel: {
      type: 'timeseries',
      fieldConfig: { overrides: [{ matcher: { id: 'byRegexp', options: 'lat.*' } }] },
    },
    columns: [TS],
  },
  {
    name: 'a display name set by another override',
    panel: {
      type: 'timeseries',
      fieldConfig: {
        overrides: [
          {
            matcher: { id: 'byName', options: 'latency' },
            properties: [{ id: 'displayName', value: 'Latency' }],
          },
          byName('Latency'),
        ],
      },
    },
    columns: [TS],
  },
  {
    name: 'row values as names ("all values" pie chart)',
    panel: {
      type: 'piechart',
      options: { reduceOptions: { values: true, fields: '/^requests$/' } },
      fieldConfig: { overrides: [byName('checkout')] },
    },
    columns: [TABLE],
  },
  {
    name: 'labels from text columns in time series format',
    panel: {
      type: 'timeseries',
      targets: [{ refId: 'A', format: 0 }],
      fieldConfig: { overrides: [byName('checkout')] },
    },
    columns: [cols('t DateTime, service String, requests UInt64')],
  },
  {
    name: 'Altinity time series (series named after values)',
    panel: { type: 'timeseries', fieldConfig: { overrides: [byName('checkout')] } },
    columns: [TS],
    datasource: ALTINITY,
  },
  {
    name: 'a query without known columns',
    panel: { type: 'timeseries', fieldConfig: { overrides: [byName('nope')] } },
    columns: [TS, null],
  },
  {
    name: 'a variable in the name',
    panel: { type: 'timeseries', fieldConfig: { overrides: [byName('${metric}')] } },
    columns: [TS],
  },
  {
    name: '"Time" for the time field',
    panel: { type: 'timeseries', fieldConfig: { overrides: [byName('Time')] } },
    columns: [TS],
  },
  {
    name: 'a data link by index',
    panel: {
      type: 'table',
      fieldConfig: { defaults: { links: [{ url: '/x?v=${__data.fields[0]}&s=${__data.fields.service}' }] } },
    },
    columns: [TABLE],
  },
  {
    name: 'byFrameRefID on the second query',
    panel: {
      type: 'timeseries',
      fieldConfig: { overrides: [{ matcher: { id: 'byFrameRefID', options: 'B' } }] },
    },
    columns: [TS, TS],
  },
  {
    name: 'a disabled transformation is not read',
    panel: {
      type: 'table',
      transformations: [{ id: 'organize', disabled: true, options: { excludeByName: { gone: true } } }],
    },
    columns: [TABLE],
  },
];

/** Where the path under the panel is in the case's dashboard, as the loader locates it. */
function at(c: PanelCase, under: (string | number)[]) {
  const kp = knownPanel(c)[0]!;
  return kp.dashboard.doc.locate([...kp.panel.path, ...under]);
}

describe('field-reference', () => {
  it.each(invalid)('flags $name', (c) => {
    const f = fieldReference(knownPanel(c));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'field-reference', severity: 'warning', panelId: 1, file: 'd.json' });
    expect(f[0]!.message).toContain(c.says);
    if (c.at) expect([f[0]!.line, f[0]!.column]).toEqual(Object.values(at(c, c.at)));
  });

  it.each(valid)('says nothing of $name', (c) => {
    expect(fieldReference(knownPanel(c))).toEqual([]);
  });
});
