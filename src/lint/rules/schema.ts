import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonPath } from '../../core/types.js';
import { isObject, type DashboardShape } from '../../dashboards/model.js';
import { createRule } from '../create-rule.js';
import { dashboardSchema } from '../dashboard-schema.js';
import { dashboardSchemaV2 } from '../dashboard-schema-v2.js';

/** Which schema a document is checked against: the classic model, a v1 resource's spec, v2, one library panel. */
type SchemaKind = 'classic' | 'resource-v1' | 'v2' | 'library-panel';

const SCHEMAS: Record<SchemaKind, () => object> = {
  classic: () => dashboardSchema,
  // Grafana's resource API migrates a spec without schemaVersion (v0alpha1/validation.go reports a
  // version mismatch only when validation is forced); the title it still needs.
  'resource-v1': () => ({
    ...dashboardSchema,
    $id: 'https://dashboard-ci.dev/schemas/dashboard-resource-v1.json',
    required: dashboardSchema.required.filter((k) => k !== 'schemaVersion'),
  }),
  v2: () => dashboardSchemaV2,
  // The panel definition of the classic schema, on its own.
  'library-panel': () => ({
    $schema: dashboardSchema.$schema,
    $id: 'https://dashboard-ci.dev/schemas/library-panel.json',
    definitions: dashboardSchema.definitions,
    $ref: '#/definitions/panel',
  }),
};

const compiled = new Map<SchemaKind, ValidateFunction>();

/** Compiled on first use, once per process: compiling costs more than validating a thousand dashboards. */
function validator(kind: SchemaKind = 'classic'): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    v = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(
      SCHEMAS[kind](),
    );
    compiled.set(kind, v);
  }
  return v;
}

/**
 * Layout items whose element is not in `elements` (Grafana's v2 → v1 conversion fails on them: "panel
 * with uid … not found in the dashboard elements"). Paths are relative to the spec.
 */
function danglingElements(spec: unknown): { name: string; path: JsonPath }[] {
  if (!isObject(spec) || !isObject(spec.elements)) return [];
  const elements = spec.elements;
  const out: { name: string; path: JsonPath }[] = [];
  const stack: [unknown, JsonPath][] = [[spec.layout, ['layout']]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (Array.isArray(node)) node.forEach((v, i) => stack.push([v, [...path, i]]));
    else if (isObject(node)) {
      const element = node.element;
      if (isObject(element) && typeof element.name === 'string' && !(element.name in elements))
        out.push({ name: element.name, path: [...path, 'element', 'name'] });
      for (const [k, v] of Object.entries(node)) if (k !== 'element') stack.push([v, [...path, k]]);
    }
  }
  return out.sort((a, b) => (a.path.join('/') < b.path.join('/') ? -1 : 1));
}

function schemaKind(shape: DashboardShape): SchemaKind {
  if (shape === 'resource-v1') return 'resource-v1';
  if (shape === 'resource-v2') return 'v2';
  if (shape === 'library-panel') return 'library-panel';
  return 'classic';
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') {
    const s = v.length > 30 ? v.slice(0, 29) + '…' : v;
    return `string ${JSON.stringify(s)}`;
  }
  return `${typeof v} ${String(v)}`;
}

const ARTICLE: Record<string, string> = {
  integer: 'an integer',
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'a boolean',
  number: 'a number',
  null: 'null',
};

function expectType(types: string): string {
  return types
    .split(',')
    .map((t) => ARTICLE[t] ?? t)
    .join(' or ');
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$]*$/;

/** instancePath (`/panels/3/gridPos/w`) → document path with real array indexes, and `panels[3].gridPos.w`. */
function decodePath(instancePath: string, root: unknown): { path: JsonPath; label: string } {
  const path: (string | number)[] = [];
  let label = '';
  let node: unknown = root;
  if (instancePath === '') return { path, label };
  for (const rawSeg of instancePath.slice(1).split('/')) {
    const seg = rawSeg.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      path.push(i);
      label += `[${i}]`;
      node = node[i];
    } else {
      path.push(seg);
      label += SIMPLE_KEY.test(seg) ? (label ? '.' : '') + seg : `[${JSON.stringify(seg)}]`;
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return { path, label };
}

interface SchemaProblem {
  path: JsonPath;
  message: string;
}

/** Turns ajv errors into one readable problem per failing value. */
export function schemaProblems(value: unknown, kind: SchemaKind = 'classic'): SchemaProblem[] {
  const validate = validator(kind);
  if (validate(value)) return [];
  const errors = validate.errors ?? [];
  // A failed union reports each branch, then the union itself: keep the union's one message.
  const unions = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map((e) => e.schemaPath + '/');
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors as ErrorObject[]) {
    if (unions.some((u) => e.schemaPath.startsWith(u))) continue;
    // `if` only says which branch failed; the branch's own error says what is wrong.
    if (e.keyword === 'if') continue;
    const { path, label } = decodePath(e.instancePath, value);
    const where = label || (kind === 'library-panel' ? 'panel' : kind === 'classic' ? 'dashboard' : 'spec');
    const description = (e.parentSchema as { description?: string } | undefined)?.description;
    let message: string;
    switch (e.keyword) {
      case 'required':
        message = `${where} must have "${(e.params as { missingProperty: string }).missingProperty}"`;
        break;
      case 'type':
        message = `${where} must be ${description ?? expectType(String((e.params as { type: string }).type))}, found ${describeValue(e.data)}`;
        break;
      case 'anyOf':
      case 'oneOf':
        message = `${where} must be ${description ?? 'of another form'}, found ${describeValue(e.data)}`;
        break;
      case 'enum':
        message = `${where} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}, found ${describeValue(e.data)}`;
        break;
      default:
        message = `${where} ${e.message ?? 'is invalid'}`;
    }
    const key = `${e.instancePath}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message });
  }
  return problems;
}

/**
 * Values Grafana accepts and fixes silently when the dashboard loads: worth knowing (the stored JSON
 * is not what Grafana shows or saves back), never an error.
 */
export function silentFixes(value: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  const dash = value as Record<string, unknown>;
  const panels = (list: unknown, base: (string | number)[], label: string): void => {
    if (!Array.isArray(list)) return;
    list.forEach((p, i) => {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) return;
      const panel = p as Record<string, unknown>;
      const at = `${label}[${i}]`;
      const path = [...base, i];
      // A library panel reference takes its id from where it is placed like any other panel.
      if (panel.id === null)
        out.push({
          path: [...path, 'id'],
          message: `${at}.id is null: Grafana assigns the panel an id when the dashboard loads`,
        });
      if (panel.repeat === null)
        out.push({
          path: [...path, 'repeat'],
          message: `${at}.repeat is null: Grafana reads it as no repeat and drops it`,
        });
      panels(panel.panels, [...path, 'panels'], `${at}.panels`);
    });
  };
  panels(dash.panels, ['panels'], 'panels');
  if (Array.isArray(dash.rows) && dash.rows.length > 0) {
    out.push({
      path: ['rows'],
      message: `rows: the pre-5.0 layout (schemaVersion ${typeof dash.schemaVersion === 'number' ? dash.schemaVersion : '?'}); Grafana moves the rows' panels into panels when the dashboard loads`,
    });
    dash.rows.forEach((r, i) => {
      if (r !== null && typeof r === 'object' && !Array.isArray(r))
        panels((r as Record<string, unknown>).panels, ['rows', i, 'panels'], `rows[${i}].panels`);
    });
  }
  return out;
}

export default createRule({
  id: 'schema',
  scope: 'dashboard',
  meta: {
    description: 'The dashboard matches the dashboard model: types of known keys and required fields.',
    severity: 'error',
    messages: {
      invalid: '{{message}}',
      fixed: '{{message}}',
      dangling:
        'the layout places element "{{name}}", which is not in elements: Grafana cannot load the dashboard',
    },
    help:
      'Grafana reads these keys with fixed types: a panel without a type, a gridPos with a string width or a ' +
      'variable without a name breaks the dashboard when it loads. Unknown keys are allowed, and so is what ' +
      "Grafana's migrations accept (null panel ids and repeats, the old rows layout): those are an info saying " +
      'what Grafana does with them.',
  },
  create(context) {
    return (dashboard) => {
      const kind = schemaKind(dashboard.format.shape);
      // v2 is checked as written (its model is a classic rendering); v2 paths under spec are also the
      // model's fallback paths, so they locate as they are. A library panel is its one panel.
      const lp = dashboard.libraryPanel;
      const value = kind === 'v2' ? (dashboard.document?.spec ?? {}) : lp ? lp.raw : dashboard.raw;
      const base = kind === 'v2' ? [] : lp ? lp.path : dashboard.root;
      for (const p of schemaProblems(value, kind)) {
        context.report({ messageId: 'invalid', data: { message: p.message }, path: [...base, ...p.path] });
      }
      if (kind === 'v2') {
        for (const d of danglingElements(value))
          context.report({ messageId: 'dangling', data: { name: d.name }, path: d.path });
      }
      // What Grafana's migrations fix on load; a v2 spec has no such history, a library panel is not a dashboard.
      for (const p of kind === 'v2' || lp ? [] : silentFixes(dashboard.raw)) {
        context.report({
          messageId: 'fixed',
          data: { message: p.message },
          path: [...dashboard.root, ...p.path],
          severity: 'info',
        });
      }
    };
  },
});
