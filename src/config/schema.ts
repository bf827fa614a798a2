import { DURATION_PATTERN } from '../lint/durations.js';

// JSON Schema (draft-07) of dashboard-ci.yml. Every object is closed (additionalProperties: false) so
// a typo is an error naming the key, not a setting silently ignored. Rule ids are checked after the
// schema, against the registry, so the message can name the unknown id.

const severity = { type: 'string', enum: ['error', 'warning', 'info'] } as const;
const ruleSetting = { type: 'string', enum: ['error', 'warning', 'info', 'off'] } as const;
const stringList = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const positiveInteger = { type: 'integer', minimum: 1 } as const;
const nonNegativeInteger = { type: 'integer', minimum: 0 } as const;

const grafanaFolders = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['uid', 'title'],
    properties: {
      uid: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[a-zA-Z0-9_-]+$' },
      title: { type: 'string', minLength: 1 },
      parentUid: { type: 'string', minLength: 1 },
      path: { type: 'string', minLength: 1 },
    },
  },
} as const;
const grafanaUrl = {
  type: 'string',
  pattern: '^https?://[^\\s@]+$',
  description: 'Grafana URL without credentials in it.',
} as const;
const envVarName = {
  type: 'string',
  pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
  description: 'The name of an environment variable (never the secret itself).',
} as const;
const uid = { type: 'string', minLength: 1, maxLength: 40, pattern: '^[a-zA-Z0-9_-]+$' } as const;

const budgetProperties = {
  maxRows: { type: 'number', minimum: 0, description: 'Max rows EXPLAIN ESTIMATE may report for one query.' },
  maxGranuleFraction: {
    type: 'number',
    minimum: 0,
    maximum: 1,
    description: "Max fraction (0..1) of a table's granules one query may read.",
  },
  requirePartitionPruning: {
    ...stringList,
    description: 'Tables every query reading them must prune by partition.',
  },
  maxProjectedRows: {
    type: 'number',
    minimum: 0,
    description: 'Max rows at production scale (budgets.productionRows × fraction of granules read).',
  },
} as const;

export const configSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://dashboard-ci.dev/schemas/dashboard-ci.json',
  title: 'dashboard-ci.yml',
  description:
    'Settings for dashboard-ci. Never put secrets here: there is no password or token key. Credentials ' +
    '(ClickHouse password, Grafana token, Redis password) come from the environment or the Action inputs.',
  type: 'object',
  additionalProperties: false,
  properties: {
    paths: {
      ...stringList,
      description:
        'Dashboard files or folders (*.json, *.yaml, *.yml, recursively; every format by content).',
    },
    exclude: {
      ...stringList,
      description:
        'Files and folders to leave out: .gitignore-style patterns relative to this file (vendor/, **/package.json).',
    },
    libraryPanels: {
      ...stringList,
      description: 'Library panel files or folders (default library-panels/).',
    },
    inputs: {
      type: 'object',
      description:
        'Values of the ${…} inputs of dashboards exported for sharing, by input name (a datasource uid, a constant).',
      additionalProperties: { type: 'string', minLength: 1 },
    },
    alerts: { ...stringList, description: 'Alert rule provisioning files or folders (*.yaml, *.yml).' },
    datasources: { ...stringList, description: 'Datasource provisioning files or folders (*.yaml, *.yml).' },
    rules: {
      type: 'object',
      description: 'Rule id → error | warning | info | off.',
      additionalProperties: ruleSetting,
    },
    exceptions: {
      type: 'array',
      description: 'Per-dashboard (and per-panel) exclusions or downgrades; each needs a reason.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'reason'],
        // A refId names a query within a panel: without the panel it would name queries everywhere.
        dependencies: { refId: ['panel'] },
        properties: {
          rule: { type: 'string', minLength: 1 },
          dashboard: { type: 'string', minLength: 1, description: 'Dashboard uid or file path.' },
          panel: { type: 'integer', description: 'Panel id within the dashboard.' },
          refId: {
            type: 'string',
            minLength: 1,
            description: 'One query of the panel (its refId, e.g. A); needs panel.',
          },
          severity: {
            ...ruleSetting,
            description: 'Report at this severity instead of excluding (off = exclude).',
          },
          reason: { type: 'string', minLength: 1, pattern: '\\S' },
        },
      },
    },
    now: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$',
      description:
        "A fixed clock (ISO 8601 with a zone) for the dashboards' default time range, so cost estimates on " +
        'seed data with fixed dates are the same on every run. Default: the real time.',
    },
    filter: {
      type: 'string',
      enum: ['changed', 'file', 'all'],
      description:
        'Which findings count against a base (check --base REF, the Action on pull requests and pushes): ' +
        'changed = only those about what the change touched (a query whose SQL differs, a panel or variable ' +
        'added or edited, a new file, a cost regression); file = every finding of a changed file; all = every ' +
        'finding. Findings already on the base are listed, never counted. Default: changed in the Action, all in the CLI.',
    },
    minRefresh: {
      type: 'string',
      pattern: DURATION_PATTERN,
      description: 'Refresh floor for the refresh-floor rule, e.g. 10s, 1m.',
    },
    clickhouse: {
      type: 'object',
      additionalProperties: false,
      properties: {
        engine: {
          type: 'string',
          pattern: '^(embedded|https?://[^\\s@]+)$',
          description: 'embedded, or an http(s) URL without credentials in it.',
        },
        user: {
          type: 'string',
          minLength: 1,
          description: 'User name only; the password comes from the environment.',
        },
        schema: { ...stringList, description: 'DDL files applied to the test instance.' },
        seed: { ...stringList, description: 'Data statements applied after the schema.' },
        maxExecutionTime: { type: 'number', exclusiveMinimum: 0, description: 'Seconds, per EXPLAIN.' },
        maxRowsToRead: positiveInteger,
        workers: nonNegativeInteger,
        clusters: {
          ...stringList,
          description:
            "Cluster names the embedded engine reads as its own node: cluster('name', db, t) reads the local db.t.",
        },
        cache: {
          type: 'boolean',
          description:
            "Keep the embedded engine's prepared schema + seed between runs (node_modules/.cache/dashboard-ci). Default true.",
        },
        execute: {
          type: 'boolean',
          description:
            'Run each panel query on the seed data (sandboxed, read-only, bounded) to report queries whose result is empty ' +
            'where the data has rows (no-data-on-seed). Only with a seed. Default true; false for a seed that is not representative.',
        },
      },
    },
    budgets: {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: { type: 'object', additionalProperties: false, properties: budgetProperties },
        overrides: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['dashboard'],
            properties: {
              dashboard: { type: 'string', minLength: 1 },
              panel: { type: 'integer' },
              ...budgetProperties,
            },
          },
        },
        severity,
        productionRows: {
          type: 'object',
          description: 'Production row count per table (db.table or table).',
          additionalProperties: { type: 'number', minimum: 0 },
        },
        regressionThreshold: { type: 'number', minimum: 0 },
      },
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: {
          type: 'string',
          pattern: '^rediss?://[^\\s:@]*@?[^\\s@]+$',
          description: 'redis:// URL without a password.',
        },
      },
    },
    grafana: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: grafanaUrl,
        orgId: positiveInteger,
        folders: grafanaFolders,
        drift: { type: 'string', enum: ['overwrite', 'skip', 'fail'] },
        disableProvenance: { type: 'boolean' },
        concurrency: positiveInteger,
        retryBudgetMs: nonNegativeInteger,
        strictVariables: {
          type: 'boolean',
          description:
            'An unset $VAR in a provisioning file fails the object (default: "" with a warning, as Grafana).',
        },
      },
    },
    environments: {
      type: 'object',
      description: 'Named deployment targets for `provision --env NAME` and the Action input environment.',
      propertyNames: { pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          url: grafanaUrl,
          orgId: positiveInteger,
          credentials: {
            type: 'object',
            additionalProperties: false,
            description: 'Names of the environment variables holding the credentials.',
            properties: { token: envVarName, user: envVarName, password: envVarName },
          },
          datasourceUids: {
            type: 'object',
            description: 'Datasource uid in the repository → uid in this environment.',
            propertyNames: { maxLength: 40, pattern: '^[a-zA-Z0-9_-]+$' },
            additionalProperties: uid,
          },
          paths: { ...stringList, description: 'Dashboard files or folders deployed to this environment.' },
          alerts: { ...stringList, description: 'Alert rule files or folders deployed to this environment.' },
          datasources: { ...stringList, description: 'Datasource files deployed to this environment.' },
          folders: grafanaFolders,
          drift: { type: 'string', enum: ['overwrite', 'skip', 'fail'] },
          disableProvenance: { type: 'boolean' },
          refs: {
            ...stringList,
            description:
              'Git refs (globs: refs/tags/v*, refs/heads/release/*) whose pushes provision this environment.',
          },
        },
      },
    },
  },
} as const;

/** Keys that look like secrets: refused with a message that says where secrets go instead. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'token',
  'apiKey',
  'apikey',
  'secret',
  'secureJsonData',
  'basicAuthPassword',
]);
