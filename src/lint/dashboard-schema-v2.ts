// The project's own JSON Schema (draft-07) of a schema v2 dashboard spec (dashboard.grafana.app
// v2alpha1, v2beta1, v2), read from the Foundation SDK's v2beta1 schema (shared/reference/grafana/
// jsonschema/dashboardv2beta1.jsonschema.json) and Grafana's v2alpha1 → v2beta1 conversion. Tolerant
// where versions differ (a query's `kind` is the datasource type in v2alpha1 and "DataQuery" with a
// `group` in v2beta1; unknown keys are allowed) and strict where Grafana cannot load the dashboard: the
// kinds, the element references, the types of the keys it reads.

const string = { type: 'string' } as const;
const integer = { type: 'integer' } as const;
const boolean = { type: 'boolean' } as const;
const object = { type: 'object' } as const;

const kind = (name: string) => ({ type: 'string', const: name }) as const;

const dataQuery = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: string,
    group: string,
    version: string,
    datasource: { type: 'object', properties: { name: string } },
    spec: { description: 'an object or null', type: ['object', 'null'] },
  },
} as const;

const datasourceRef = { type: 'object', properties: { type: string, uid: string } } as const;

const panelQuery = {
  type: 'object',
  required: ['kind', 'spec'],
  properties: {
    kind: kind('PanelQuery'),
    spec: {
      type: 'object',
      required: ['query', 'refId'],
      properties: { query: dataQuery, refId: string, hidden: boolean, datasource: datasourceRef },
    },
  },
} as const;

const panelKind = {
  type: 'object',
  required: ['kind', 'spec'],
  properties: {
    kind: kind('Panel'),
    spec: {
      type: 'object',
      required: ['id', 'data', 'vizConfig'],
      properties: {
        id: { type: 'number' },
        title: string,
        description: string,
        transparent: boolean,
        links: { type: 'array', items: object },
        data: {
          type: 'object',
          required: ['kind', 'spec'],
          properties: {
            kind: kind('QueryGroup'),
            spec: {
              type: 'object',
              required: ['queries'],
              properties: {
                queries: { type: 'array', items: panelQuery },
                transformations: { type: 'array', items: object },
                queryOptions: {
                  type: 'object',
                  properties: {
                    timeFrom: string,
                    timeShift: string,
                    interval: string,
                    maxDataPoints: integer,
                    cacheTimeout: string,
                    queryCachingTTL: integer,
                    hideTimeOverride: boolean,
                  },
                },
              },
            },
          },
        },
        vizConfig: {
          type: 'object',
          required: ['kind', 'spec'],
          properties: {
            kind: string,
            group: string,
            version: string,
            spec: {
              type: 'object',
              properties: { options: { type: ['object', 'null'] }, fieldConfig: object },
            },
          },
        },
      },
    },
  },
} as const;

const libraryPanelKind = {
  type: 'object',
  required: ['kind', 'spec'],
  properties: {
    kind: kind('LibraryPanel'),
    spec: {
      type: 'object',
      required: ['libraryPanel'],
      properties: {
        id: { type: 'number' },
        title: string,
        libraryPanel: { type: 'object', required: ['uid'], properties: { uid: string, name: string } },
      },
    },
  },
} as const;

const elementRef = {
  type: 'object',
  required: ['kind', 'name'],
  properties: { kind: kind('ElementReference'), name: string },
} as const;

const repeat = { type: 'object', properties: { mode: string, value: string } } as const;

const layouts = ['GridLayout', 'AutoGridLayout', 'RowsLayout', 'TabsLayout'] as const;

const layout = {
  description: `a layout (${layouts.join(', ')})`,
  type: 'object',
  required: ['kind', 'spec'],
  properties: { kind: { type: 'string', enum: [...layouts] }, spec: object },
  allOf: [
    {
      if: { properties: { kind: { const: 'GridLayout' } } },
      then: {
        properties: {
          spec: {
            type: 'object',
            required: ['items'],
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kind', 'spec'],
                  properties: {
                    kind: kind('GridLayoutItem'),
                    spec: {
                      type: 'object',
                      required: ['x', 'y', 'width', 'height', 'element'],
                      properties: {
                        x: integer,
                        y: integer,
                        width: integer,
                        height: integer,
                        element: elementRef,
                        repeat,
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    {
      if: { properties: { kind: { const: 'AutoGridLayout' } } },
      then: {
        properties: {
          spec: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kind', 'spec'],
                  properties: {
                    kind: kind('AutoGridLayoutItem'),
                    spec: {
                      type: 'object',
                      required: ['element'],
                      properties: { element: elementRef, repeat },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    {
      if: { properties: { kind: { const: 'RowsLayout' } } },
      then: {
        properties: {
          spec: {
            type: 'object',
            required: ['rows'],
            properties: {
              rows: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kind', 'spec'],
                  properties: {
                    kind: kind('RowsLayoutRow'),
                    spec: {
                      type: 'object',
                      required: ['layout'],
                      properties: {
                        title: string,
                        collapse: boolean,
                        layout: { $ref: '#/definitions/layout' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    {
      if: { properties: { kind: { const: 'TabsLayout' } } },
      then: {
        properties: {
          spec: {
            type: 'object',
            required: ['tabs'],
            properties: {
              tabs: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['kind', 'spec'],
                  properties: {
                    kind: kind('TabsLayoutTab'),
                    spec: {
                      type: 'object',
                      required: ['layout'],
                      properties: { title: string, layout: { $ref: '#/definitions/layout' } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  ],
} as const;

const variableKinds = [
  'QueryVariable',
  'TextVariable',
  'ConstantVariable',
  'DatasourceVariable',
  'IntervalVariable',
  'CustomVariable',
  'GroupByVariable',
  'AdhocVariable',
  'SwitchVariable',
] as const;

const variable = {
  type: 'object',
  required: ['kind', 'spec'],
  properties: {
    kind: { type: 'string', enum: [...variableKinds] },
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: string,
        label: string,
        hide: string,
        refresh: string,
        multi: boolean,
        includeAll: boolean,
        current: object,
        options: { type: 'array', items: object },
        query: {},
      },
    },
  },
  if: { properties: { kind: { const: 'QueryVariable' } } },
  then: { properties: { spec: { type: 'object', required: ['query'], properties: { query: dataQuery } } } },
} as const;

export const dashboardSchemaV2 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://dashboard-ci.dev/schemas/dashboard-v2.json',
  title: 'Grafana dashboard spec (schema v2), as dashboard-ci checks it',
  type: 'object',
  required: ['title', 'elements', 'layout'],
  definitions: { layout },
  properties: {
    title: string,
    description: string,
    tags: { type: 'array', items: string },
    editable: boolean,
    liveNow: boolean,
    preload: boolean,
    cursorSync: { type: 'string', enum: ['Off', 'Crosshair', 'Tooltip'] },
    elements: {
      type: 'object',
      additionalProperties: {
        description: 'a Panel or a LibraryPanel element',
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string', enum: ['Panel', 'LibraryPanel'] } },
        allOf: [
          { if: { properties: { kind: { const: 'Panel' } } }, then: panelKind },
          { if: { properties: { kind: { const: 'LibraryPanel' } } }, then: libraryPanelKind },
        ],
      },
    },
    layout: { $ref: '#/definitions/layout' },
    variables: { type: 'array', items: variable },
    annotations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'spec'],
        properties: {
          kind: kind('AnnotationQuery'),
          spec: {
            type: 'object',
            required: ['name'],
            properties: { name: string, enable: boolean, hide: boolean, iconColor: string, query: dataQuery },
          },
        },
      },
    },
    links: { type: 'array', items: object },
    timeSettings: {
      type: 'object',
      properties: {
        from: string,
        to: string,
        timezone: string,
        autoRefresh: string,
        autoRefreshIntervals: { type: 'array', items: string },
        hideTimepicker: boolean,
        fiscalYearStartMonth: integer,
        weekStart: string,
        nowDelay: string,
      },
    },
  },
} as const;
