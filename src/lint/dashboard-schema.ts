// The project's own JSON Schema (draft-07) of Grafana's classic dashboard model (schemaVersion ≤ 42).
// Tolerant where real exports vary (unknown keys, `__inputs`/`__requires`, legacy string datasources,
// `null` ids) and strict where Grafana itself would break: the types of the keys it reads, and the
// fields without which a panel, a variable or the time range cannot work.
// `description` on a union is the expectation the schema rule prints ("a string or false").

const integer = { type: 'integer' } as const;
const string = { type: 'string' } as const;
const boolean = { type: 'boolean' } as const;
const stringArray = { type: 'array', items: string } as const;
const objectArray = { type: 'array', items: { type: 'object' } } as const;

const datasourceRef = {
  description: 'a datasource reference: {"type", "uid"}, a datasource name, or null',
  type: ['object', 'string', 'null'],
  properties: { type: string, uid: string },
} as const;

const gridPos = {
  type: 'object',
  required: ['x', 'y', 'w', 'h'],
  properties: { x: integer, y: integer, w: integer, h: integer, static: boolean },
} as const;

const panel = {
  type: 'object',
  // A library panel reference ({id, gridPos, libraryPanel}) takes its type from the library.
  if: { properties: { libraryPanel: { type: 'object' } }, required: ['libraryPanel'] },
  else: { properties: { type: string }, required: ['type'] },
  properties: {
    type: string,
    // Grafana assigns panel ids on load (DashboardModel ensures unique ids): absent or null is fine.
    id: { type: ['integer', 'null'] },
    uid: { type: ['string', 'null'] },
    title: string,
    description: string,
    gridPos: { $ref: '#/definitions/gridPos' },
    datasource: { $ref: '#/definitions/datasourceRef' },
    targets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          refId: string,
          hide: boolean,
          datasource: { $ref: '#/definitions/datasourceRef' },
        },
      },
    },
    panels: { type: 'array', items: { $ref: '#/definitions/panel' } },
    collapsed: boolean,
    // `null` is how older exports say "no repeat".
    repeat: { type: ['string', 'null'] },
    repeatDirection: { type: 'string', enum: ['h', 'v'] },
    maxPerRow: integer,
    transparent: boolean,
    interval: { type: ['string', 'null'] },
    maxDataPoints: { type: ['integer', 'null'] },
    fieldConfig: { type: 'object', properties: { defaults: { type: 'object' }, overrides: objectArray } },
    options: { type: 'object' },
    links: objectArray,
    transformations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: { id: string, disabled: boolean, options: { type: 'object' } },
      },
    },
    libraryPanel: { type: 'object', properties: { uid: string, name: string } },
  },
} as const;

const variable = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: string,
    type: string,
    label: { type: ['string', 'null'] },
    description: { type: ['string', 'null'] },
    hide: integer,
    multi: boolean,
    includeAll: boolean,
    allValue: { type: ['string', 'null'] },
    datasource: { $ref: '#/definitions/datasourceRef' },
    query: { description: 'a string or an object', type: ['string', 'object'] },
    definition: string,
    regex: string,
    sort: integer,
    refresh: { description: 'an integer (0, 1, 2) or a boolean', type: ['integer', 'boolean'] },
    skipUrlSync: boolean,
    current: { type: 'object' },
    options: objectArray,
  },
} as const;

export const dashboardSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://dashboard-ci.dev/schemas/dashboard.json',
  title: 'Grafana dashboard (classic model), as dashboard-ci checks it',
  type: 'object',
  required: ['title', 'schemaVersion'],
  definitions: { panel, gridPos, datasourceRef },
  properties: {
    __inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'type'],
        properties: { name: string, type: string, pluginId: string },
      },
    },
    __requires: objectArray,
    __elements: { type: ['object', 'array'] },
    id: { type: ['integer', 'null'] },
    // null: Grafana generates a uid on import (uid-format says so).
    uid: { type: ['string', 'null'] },
    title: string,
    description: string,
    tags: stringArray,
    editable: boolean,
    graphTooltip: integer,
    timezone: string,
    weekStart: string,
    fiscalYearStartMonth: integer,
    liveNow: boolean,
    version: integer,
    schemaVersion: integer,
    gnetId: { type: ['integer', 'string', 'null'] },
    style: string,
    refresh: { description: 'a duration string (e.g. "30s") or false', anyOf: [string, { const: false }] },
    time: { type: 'object', required: ['from', 'to'], properties: { from: string, to: string } },
    timepicker: {
      type: 'object',
      properties: {
        refresh_intervals: stringArray,
        hidden: boolean,
        nowDelay: string,
        time_options: stringArray,
      },
    },
    templating: { type: 'object', properties: { list: { type: 'array', items: variable } } },
    annotations: {
      type: 'object',
      properties: {
        list: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: string,
              enable: boolean,
              hide: boolean,
              iconColor: string,
              datasource: { $ref: '#/definitions/datasourceRef' },
            },
          },
        },
      },
    },
    links: {
      type: 'array',
      items: {
        type: 'object',
        properties: { title: string, type: string, url: string, tags: stringArray, includeVars: boolean },
      },
    },
    panels: { type: 'array', items: { $ref: '#/definitions/panel' } },
    // schemaVersion < 16 keeps panels in rows; Grafana's DashboardMigrator moves them into panels on load.
    rows: {
      type: 'array',
      items: {
        type: 'object',
        properties: { panels: { type: 'array', items: { $ref: '#/definitions/panel' } } },
      },
    },
  },
} as const;
