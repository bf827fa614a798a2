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

/** An object with these required keys and these properties. */
const obj = <P extends object>(required: readonly string[], properties: P) =>
  ({ type: 'object', required: [...required], properties }) as const;

/** v2 wraps everything as `{kind, spec}`: this kind (any string when undefined) and this spec. */
const kindSpec = <S extends object>(kind: string | undefined, spec: S) =>
  obj(['kind', 'spec'], { kind: kind === undefined ? string : { type: 'string', const: kind }, spec });

/** `{kind, spec}` on a condition: `then` applies when `kind` is `name`. */
const when = <T extends object>(name: string, then: T) => ({
  if: { properties: { kind: { const: name } } },
  then,
});

const dataQuery = obj(['kind'], {
  kind: string,
  group: string,
  version: string,
  datasource: { type: 'object', properties: { name: string } },
  spec: { description: 'an object or null', type: ['object', 'null'] },
});

const datasourceRef = { type: 'object', properties: { type: string, uid: string } } as const;

const panelQuery = kindSpec(
  'PanelQuery',
  obj(['query', 'refId'], { query: dataQuery, refId: string, hidden: boolean, datasource: datasourceRef }),
);

const queryOptions = {
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
} as const;

const panelKind = kindSpec(
  'Panel',
  obj(['id', 'data', 'vizConfig'], {
    id: { type: 'number' },
    title: string,
    description: string,
    transparent: boolean,
    links: { type: 'array', items: object },
    data: kindSpec(
      'QueryGroup',
      obj(['queries'], {
        queries: { type: 'array', items: panelQuery },
        transformations: { type: 'array', items: object },
        queryOptions,
      }),
    ),
    vizConfig: obj(['kind', 'spec'], {
      kind: string,
      group: string,
      version: string,
      spec: { type: 'object', properties: { options: { type: ['object', 'null'] }, fieldConfig: object } },
    }),
  }),
);

const libraryPanelKind = kindSpec(
  'LibraryPanel',
  obj(['libraryPanel'], {
    id: { type: 'number' },
    title: string,
    libraryPanel: obj(['uid'], { uid: string, name: string }),
  }),
);

const elementRef = obj(['kind', 'name'], {
  kind: { type: 'string', const: 'ElementReference' },
  name: string,
});
const repeat = { type: 'object', properties: { mode: string, value: string } } as const;
const nested = { $ref: '#/definitions/layout' } as const;

const layouts = ['GridLayout', 'AutoGridLayout', 'RowsLayout', 'TabsLayout'] as const;

/** The spec of a layout: a list of `{kind, spec}` items under `key`. */
const listOf = <S extends object>(key: string, itemKind: string, itemSpec: S, required = true) =>
  ({
    properties: {
      spec: obj(required ? [key] : [], { [key]: { type: 'array', items: kindSpec(itemKind, itemSpec) } }),
    },
  }) as const;

const layout = {
  description: `a layout (${layouts.join(', ')})`,
  ...obj(['kind', 'spec'], { kind: { type: 'string', enum: [...layouts] }, spec: object }),
  allOf: [
    when(
      'GridLayout',
      listOf(
        'items',
        'GridLayoutItem',
        obj(['x', 'y', 'width', 'height', 'element'], {
          x: integer,
          y: integer,
          width: integer,
          height: integer,
          element: elementRef,
          repeat,
        }),
      ),
    ),
    when(
      'AutoGridLayout',
      listOf('items', 'AutoGridLayoutItem', obj(['element'], { element: elementRef, repeat }), false),
    ),
    when(
      'RowsLayout',
      listOf('rows', 'RowsLayoutRow', obj(['layout'], { title: string, collapse: boolean, layout: nested })),
    ),
    when('TabsLayout', listOf('tabs', 'TabsLayoutTab', obj(['layout'], { title: string, layout: nested }))),
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
  ...obj(['kind', 'spec'], {
    kind: { type: 'string', enum: [...variableKinds] },
    spec: obj(['name'], {
      name: string,
      label: string,
      hide: string,
      refresh: string,
      multi: boolean,
      includeAll: boolean,
      current: object,
      options: { type: 'array', items: object },
      query: {},
    }),
  }),
  ...when('QueryVariable', { properties: { spec: obj(['query'], { query: dataQuery }) } }),
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
        ...obj(['kind'], { kind: { type: 'string', enum: ['Panel', 'LibraryPanel'] } }),
        allOf: [when('Panel', panelKind), when('LibraryPanel', libraryPanelKind)],
      },
    },
    layout: nested,
    variables: { type: 'array', items: variable },
    annotations: {
      type: 'array',
      items: kindSpec(
        'AnnotationQuery',
        obj(['name'], { name: string, enable: boolean, hide: boolean, iconColor: string, query: dataQuery }),
      ),
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
