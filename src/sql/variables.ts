// Grafana template-variable interpolation (CONTRACTS.md D): what a reference is and which names need
// no variable (the linter's undefined-variable and unused-variable rules judge by these too), the
// format registry, multi-value and All, built-in variables, and the datasources' own formatters (C.4, C.6).

import { isObject, type Json, type JsonObject } from '../dashboards/model.js';
import { OffsetMap, Rewriter, regionKindAt, regionsOf, type RegionKind } from './lexer.js';
import { calculateIntervalMs, formatMoment, intervalToMs, secondsToHms } from './time.js';
import type { InterpolationContext, InterpolationProblem, SqlOrigin } from './types.js';
import { altinityVariableText, type AltinityVariable } from './altinity-variables.js';

export const ALL_VARIABLE_VALUE = '$__all';
export const ALL_VARIABLE_TEXT = 'All';
export const AUTO_VARIABLE_VALUE = '$__auto';

/** Grafana's VARIABLE_REGEX (scenes constants.ts). */
export const VARIABLE_REGEX =
  /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)((?:\.[^:^{}[\]]+|\["[^"]*"\]|\['[^']*'\]|\[[^\]"']*\])*)(?::([^}]+))?}/g;

// A private copy: a global regex carries lastIndex, and the exported one is anyone's to use.
const SCAN_REGEX = new RegExp(VARIABLE_REGEX.source, 'g');

export type VariableSyntax = '$' | '${}' | '[[]]';

/** A template-variable reference as Grafana finds it: `$var`, `${var}`, `${var:format}`, `${var.field}`, `[[var]]`, `[[var:format]]`. */
export interface VariableRef {
  name: string;
  /** 0-based offset of the reference's first character (`$` or `[`) in the text. */
  offset: number;
  length: number;
  syntax: VariableSyntax;
  format?: string;
  /** `.field` path of `${var.field}`, as written (leading `.` included). */
  fieldPath?: string;
}

const NUMERIC = /^\d+$/;

function hasVariableSyntax(s: string): boolean {
  return s.includes('$') || s.includes('[[');
}

/**
 * Every variable reference in `text`, in order. `$var` takes the longest \w+ run, so `$service_name`
 * never refers to `service`. Purely numeric names (`$1` in a regex replacement) are not variables:
 * Grafana finds no variable for them and leaves them as they are.
 */
export function findVariableRefs(text: string): VariableRef[] {
  if (!hasVariableSyntax(text)) return [];
  const out: VariableRef[] = [];
  SCAN_REGEX.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = SCAN_REGEX.exec(text)) !== null) {
    let ref: VariableRef;
    if (m[1] !== undefined) {
      ref = { name: m[1], offset: m.index, length: m[0].length, syntax: '$' };
    } else if (m[2] !== undefined) {
      ref = { name: m[2], offset: m.index, length: m[0].length, syntax: '[[]]' };
      if (m[3] !== undefined) ref.format = m[3];
    } else {
      ref = { name: m[4]!, offset: m.index, length: m[0].length, syntax: '${}' };
      if (m[5]) ref.fieldPath = m[5];
      if (m[6] !== undefined) ref.format = m[6];
    }
    if (!NUMERIC.test(ref.name)) out.push(ref);
  }
  return out;
}

/** `$ds`, `${ds}`, `${ds:raw}`, `[[ds]]` as a whole string (a datasource uid or legacy name): the variable name. */
export function wholeVariableRef(text: string): string | undefined {
  const refs = findVariableRefs(text);
  const first = refs[0];
  if (refs.length === 1 && first && first.offset === 0 && first.length === text.length) return first.name;
  return undefined;
}

/** Placeholders for the signed-in user and org: CI has no session. */
export const CI_USER = {
  id: '1',
  login: 'dashboard-ci',
  email: 'dashboard-ci@localhost',
  name: 'dashboard-ci',
};
export const CI_ORG = { id: '1', name: 'Main Org.' };

export type VarValue = string | number | string[];

/** A template variable as interpolation sees it, read once per dashboard. */
export interface ResolvedVariable {
  name: string;
  type: string;
  raw: JsonObject;
  multi: boolean;
  includeAll: boolean;
  /** The selected value as stored: `$__all` / [`$__all`] when All is selected. */
  current: string | string[];
  /** Display text of the selection (`text` format). */
  text: string;
  isAll: boolean;
  /** The custom all value, when All is selected and one is set. */
  allValue?: string;
  /** Values of every option (All excluded): what All means without a custom all value. */
  optionValues: string[];
  /**
   * A query variable with no stored value and no options: Grafana would run its query when the
   * dashboard loads; here a stand-in takes its place (variableStandIn).
   */
  unresolved: boolean;
}

export interface VariableIndex {
  byName: ReadonlyMap<string, ResolvedVariable>;
  list: readonly ResolvedVariable[];
}

function scalar(v: Json | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function valueOf(v: Json | undefined): string | string[] | undefined {
  if (Array.isArray(v)) return v.map((x) => scalar(x) ?? '');
  return scalar(v);
}

/** Custom variable options: `a,b,c` or `key : value` pairs; `\,` escapes a comma. */
function customOptions(query: string): { text: string; value: string }[] {
  const out: { text: string; value: string }[] = [];
  const re = /(?:\\,|[^,])+/g;
  for (const m of query.match(re) ?? []) {
    const item = m.replace(/\\,/g, ',').trim();
    const kv = /^\s*(.+)\s:\s(.+)$/.exec(item);
    if (kv) out.push({ text: kv[1]!.trim(), value: kv[2]!.trim() });
    else out.push({ text: item, value: item });
  }
  return out;
}

interface Option {
  text: string;
  value: string | string[];
  selected?: boolean;
}

function optionsOf(raw: JsonObject, type: string): Option[] {
  const out: Option[] = [];
  if (Array.isArray(raw.options)) {
    for (const o of raw.options) {
      if (!isObject(o)) continue;
      const value = valueOf(o.value);
      if (value === undefined) continue;
      const text = scalar(o.text) ?? (Array.isArray(value) ? value.join(' + ') : value);
      out.push(o.selected === true ? { text, value, selected: true } : { text, value });
    }
  }
  if (out.length === 0 && typeof raw.query === 'string') {
    if (type === 'custom') return customOptions(raw.query);
    if (type === 'interval') {
      return raw.query
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((s) => ({ text: s, value: s }));
    }
  }
  return out;
}

function isAllValue(v: string | string[]): boolean {
  return v === ALL_VARIABLE_VALUE || (Array.isArray(v) && v[0] === ALL_VARIABLE_VALUE);
}

function resolve(raw: JsonObject): ResolvedVariable | undefined {
  const name = scalar(raw.name);
  if (name === undefined || name === '') return undefined;
  const type = scalar(raw.type) ?? 'query';
  const multi = raw.multi === true;
  const includeAll = raw.includeAll === true;
  const options = optionsOf(raw, type);
  const cur = isObject(raw.current) ? raw.current : undefined;

  let current: string | string[] | undefined;
  let text: string | undefined;
  if (type === 'constant' && typeof raw.query === 'string') {
    current = raw.query;
  } else if (cur && cur.value !== undefined && cur.value !== null && !isObject(cur.value)) {
    current = valueOf(cur.value);
    const t = cur.text;
    text = Array.isArray(t) ? t.map((x) => scalar(x) ?? '').join(' + ') : scalar(t);
  }
  // An empty stored selection of a query or custom variable with options is not kept: Grafana's
  // validateVariableSelectionState selects the first option when the current one is not among them.
  const emptySelection =
    current !== undefined &&
    (type === 'query' || type === 'custom') &&
    options.length > 0 &&
    (Array.isArray(current) ? current.length === 0 : current === '') &&
    !options.some((o) => o.value === '');
  if (emptySelection) current = undefined;
  if (current === undefined) {
    const first = options.find((o) => o.selected) ?? options[0];
    if (first) {
      current = first.value;
      text = first.text;
    } else if ((type === 'textbox' || type === 'constant') && typeof raw.query === 'string') {
      current = raw.query;
    } else {
      current = multi ? [] : '';
    }
  }
  const isAll = isAllValue(current);
  if (text === undefined) text = Array.isArray(current) ? current.join(' + ') : current;
  if (isAll) text = ALL_VARIABLE_TEXT;
  const optionValues: string[] = [];
  for (const o of options) {
    if (Array.isArray(o.value)) {
      for (const v of o.value) if (v !== ALL_VARIABLE_VALUE) optionValues.push(v);
    } else if (o.value !== ALL_VARIABLE_VALUE) optionValues.push(o.value);
  }
  const empty = Array.isArray(current) ? current.length === 0 : current === '';
  const allValue = scalar(raw.allValue);
  const customAll = isAll && allValue !== undefined && allValue !== '';
  // All without a custom all value means "every option", and a query variable saved without options
  // has none until Grafana runs its query: the value is as unknown as an empty selection.
  const unresolved =
    type === 'query' && options.length === 0 && (empty || (isAll && !customAll && optionValues.length === 0));
  const rv: ResolvedVariable = {
    name,
    type,
    raw,
    multi,
    includeAll,
    current,
    text,
    isAll,
    optionValues,
    unresolved,
  };
  if (customAll) rv.allValue = allValue;
  return rv;
}

const INDEX_CACHE = new WeakMap<readonly JsonObject[], VariableIndex>();

/** Reads `templating.list` once; memoised on the array, so every query of a dashboard shares it. */
export function variableIndex(variables: readonly JsonObject[]): VariableIndex {
  const cached = INDEX_CACHE.get(variables);
  if (cached) return cached;
  const byName = new Map<string, ResolvedVariable>();
  const list: ResolvedVariable[] = [];
  for (const raw of variables) {
    const rv = isObject(raw) ? resolve(raw) : undefined;
    if (!rv) continue;
    list.push(rv);
    // Grafana's lookup takes the first variable of a name.
    if (!byName.has(rv.name)) byName.set(rv.name, rv);
  }
  const index = { byName, list };
  INDEX_CACHE.set(variables, index);
  return index;
}

/** A repeated panel's variable → the value the dashboard's own variable holds (what Grafana's list says). */
const REPEATED_FROM = new WeakMap<JsonObject, string | string[]>();

/**
 * The variables as a panel repeated by `names` sees them. Grafana clones the panel once per value of
 * the variable (every option when All is selected, whatever the custom all value) and gives each clone
 * that one value, keeping the variable's multi / includeAll for the datasource's formatter (scenes
 * getMultiVariableValues and LocalValueVariable, @ ac1dec6d). The first clone stands for them all: a
 * multi-value variable inside a repeated panel is one string, never a list. A variable without a value
 * to repeat on is left as it is.
 */
export function repeatedVariables(
  variables: readonly JsonObject[],
  names: readonly string[],
): readonly JsonObject[] {
  const index = variableIndex(variables);
  let out: JsonObject[] | undefined;
  for (const name of names) {
    const rv = index.byName.get(name);
    if (!rv || rv.unresolved) continue;
    const values = rv.isAll ? rv.optionValues : Array.isArray(rv.current) ? rv.current : [rv.current];
    const value = values[0];
    if (value === undefined) continue;
    const text = rv.isAll || Array.isArray(rv.current) ? optionText(rv.raw, value) : rv.text;
    out ??= [...variables];
    const at = out.indexOf(rv.raw);
    const clone: JsonObject = { ...rv.raw, current: { text, value } };
    // Grafana's variable list keeps the dashboard's own selection; only the clone's scope has one value.
    REPEATED_FROM.set(clone, REPEATED_FROM.get(rv.raw) ?? rv.current);
    out[at] = clone;
  }
  return out ?? variables;
}

/** The display text of the option with this value (the value itself when no option says). */
function optionText(raw: JsonObject, value: string): string {
  if (Array.isArray(raw.options)) {
    for (const o of raw.options) if (isObject(o) && scalar(o.value) === value) return scalar(o.text) ?? value;
  }
  const cur = isObject(raw.current) ? raw.current : undefined;
  if (cur && Array.isArray(cur.value) && Array.isArray(cur.text)) {
    const i = cur.value.findIndex((v) => scalar(v) === value);
    const t = i >= 0 ? scalar(cur.text[i]) : undefined;
    if (t !== undefined) return t;
  }
  return value;
}

/** An interval variable's value: `$__auto` (and the legacy `$__auto_interval_x`) from the range. */
function intervalValue(rv: ResolvedVariable, ctx: InterpolationContext): string | string[] {
  const cur = rv.current;
  if (typeof cur === 'string' && cur.startsWith(AUTO_VARIABLE_VALUE)) {
    const count = typeof rv.raw.auto_count === 'number' ? rv.raw.auto_count : 30;
    const min = intervalToMs(scalar(rv.raw.auto_min) ?? '10s') ?? 10000;
    return secondsToHms(calculateIntervalMs(ctx.toMs - ctx.fromMs, count, min) / 1000);
  }
  return cur;
}

/** The value the format functions see, or a custom all value that bypasses them. */
export function variableValue(
  rv: ResolvedVariable,
  ctx: InterpolationContext,
  fieldPath?: string,
): { value: VarValue } | { customAll: string } {
  if (rv.isAll) {
    if (rv.allValue !== undefined) return { customAll: rv.allValue };
    return { value: pick(rv.optionValues, fieldPath) };
  }
  const v = rv.type === 'interval' ? intervalValue(rv, ctx) : rv.current;
  return { value: pick(v, fieldPath) };
}

function pick(v: string | string[], fieldPath?: string): VarValue {
  if (fieldPath !== undefined && Array.isArray(v)) {
    const i = parseInt(fieldPath, 10);
    if (!Number.isNaN(i) && i >= 0 && i < v.length) return v[i]!;
  }
  return v;
}

/** `current.value.toString()` as the ClickHouse plugin's $__conditionalAll reads it. */
export function currentString(rv: ResolvedVariable): string {
  return Array.isArray(rv.current) ? rv.current.join(',') : rv.current;
}

// ---------------------------------------------------------------------------------------------
// Formats (scenes formatRegistry)

export interface FormatVariable {
  name: string;
  text: string;
  isAll: boolean;
}

function str(v: VarValue): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

function luceneEscape(value: string): string {
  if (!Number.isNaN(+value)) return value;
  return value.replace(/([!*+\-=<>\s&|()[\]{}^~?:\\/"])/g, '\\$1');
}

export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function encodeStrict(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function encodeUriStrict(s: string): string {
  return encodeURI(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** urlUtil.toUrlParams encoding (AngularJS style). */
function encodeUrlParam(s: string): string {
  return encodeURIComponent(s)
    .replace(/%40/gi, '@')
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/%3B/gi, ';')
    .replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function quoteEach(v: VarValue, open: string, escape: (s: string) => string): string {
  if (Array.isArray(v)) return v.map((x) => open + escape(x) + open).join(',');
  return open + escape(String(v)) + open;
}

function formatDate(value: VarValue, args: string[]): string {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') n = parseInt(value, 10);
  if (Number.isNaN(n)) return 'NaN';
  const arg = args[0] ?? 'iso';
  switch (arg) {
    case 'ms':
      return String(value);
    case 'seconds':
      return String(Math.round(n / 1000));
    case 'iso':
      return new Date(n).toISOString();
    default:
      return formatMoment(n, args.length > 1 ? args.join(':') : arg);
  }
}

type Formatter = (value: VarValue, args: string[], v: FormatVariable) => string;

const FORMATS: Record<string, Formatter> = {
  csv: (v) => str(v),
  raw: (v) => str(v),
  regex: (v) => {
    if (Array.isArray(v)) {
      const escaped = v.map(escapeRegex);
      return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
    }
    return escapeRegex(String(v));
  },
  pipe: (v) => (Array.isArray(v) ? v.join('|') : String(v)),
  distributed: (v, _a, fv) =>
    Array.isArray(v) ? v.map((x, i) => (i === 0 ? x : `${fv.name}=${x}`)).join(',') : String(v),
  glob: (v) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : str(v)),
  json: (v) => (typeof v === 'string' ? v : JSON.stringify(v)),
  lucene: (v) => {
    if (typeof v === 'string') return luceneEscape(v);
    if (Array.isArray(v))
      return v.length === 0 ? '__empty__' : `(${v.map((x) => `"${luceneEscape(x)}"`).join(' OR ')})`;
    return luceneEscape(String(v));
  },
  percentencode: (v) => (Array.isArray(v) ? encodeStrict(`{${v.join(',')}}`) : encodeStrict(String(v))),
  uriencode: (v) => (Array.isArray(v) ? encodeUriStrict(`{${v.join(',')}}`) : encodeUriStrict(String(v))),
  singlequote: (v) => quoteEach(v, "'", (s) => s.replace(/'/g, "\\'")),
  doublequote: (v) => quoteEach(v, '"', (s) => s.replace(/"/g, '\\"')),
  sqlstring: (v) => quoteEach(v, "'", (s) => s.replace(/'|"/g, (m) => (m === "'" ? "''" : '\\"'))),
  join: (v, args) => (Array.isArray(v) ? v.join(args[0] ?? ',') : String(v)),
  date: formatDate,
  text: (_v, _a, fv) => fv.text,
  queryparam: (v, _a, fv) => {
    const key = encodeUrlParam(`var-${fv.name}`);
    if (fv.isAll) return `${key}=${ALL_VARIABLE_VALUE}`;
    const values = Array.isArray(v) ? v : [String(v)];
    return values.map((x) => `${key}=${encodeUrlParam(x)}`).join('&');
  },
  customqueryparam: (v, args, fv) => {
    const name = encodeStrict(args[0] || fv.name);
    const prefix = encodeStrict(args[1] || '');
    const values = Array.isArray(v) ? v : [String(v)];
    return values.map((x) => `${name}=${prefix}${encodeStrict(x)}`).join('&');
  },
  html: (v) => escapeHtml(Array.isArray(v) ? v.join(', ') : String(v)),
};

export const FORMAT_IDS: readonly string[] = Object.keys(FORMATS);

/** Formats a value with a Grafana format spec (`csv`, `date:seconds`, `join: | `...); unknown formats are glob. */
export function formatVariableValue(value: VarValue, spec: string, fv: FormatVariable): string {
  const parts = spec.split(':');
  const id = parts[0]!;
  const args = parts.length > 1 ? parts.slice(1) : [];
  const f = FORMATS[id] ?? FORMATS.glob!;
  return f(value, args, fv);
}

// ---------------------------------------------------------------------------------------------
// Datasource formatters, used when a variable has no explicit format.

/**
 * How a datasource formats an unformatted variable: the ClickHouse plugin's, Altinity's (3.4 and later,
 * by where the variable stands), Altinity's before 3.4, Grafana's glob.
 */
export type DefaultFormatter = 'clickhouse' | 'altinity' | 'altinity-legacy' | 'glob';

interface FormatMeta {
  multi: boolean;
  includeAll: boolean;
  /** Option values, for Altinity's "numbers stay raw only when every option is a number". */
  optionValues: readonly string[];
  /** The Altinity formatter's view of the variable (its JSON multi / includeAll, its list value). */
  altinity?: Omit<AltinityVariable, 'name'>;
}

/** grafana-clickhouse-datasource: arrays → 'v1','v2' (no escaping); everything else unchanged. */
function clickhouseFormat(value: VarValue): string {
  if (Array.isArray(value)) return `'${value.join("','")}'`;
  return String(value);
}

/**
 * The Altinity plugin before 3.4 (interpolateQueryExpr, CONTRACTS.md C.6; legacy Grafana passed the whole
 * variable, options included): a variable neither multi nor includeAll is inserted as it is; otherwise
 * each value is quoted, numbers raw when every option is a number, and several are joined with commas.
 */
function altinityLegacyFormat(value: VarValue, meta: FormatMeta): string {
  if (!meta.multi && !meta.includeAll) return str(value);
  const allNumeric = meta.optionValues.every((o) => o === ALL_VARIABLE_VALUE || isNumeric(o));
  const esc = (v: string): string => {
    if (allNumeric && isNumeric(v)) return v;
    return `'${v.replace(/[\\']/g, '\\$&')}'`;
  };
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return esc(value);
  return value.map(esc).join(',');
}

function isNumeric(s: string): boolean {
  return s.trim() !== '' && !Number.isNaN(Number(s));
}

// ---------------------------------------------------------------------------------------------
// Built-in (global) variables

const BUILTINS = new Set([
  '__from',
  '__to',
  '__interval',
  '__interval_ms',
  '__dashboard',
  '__user',
  '__org',
  '__timezone',
  '__range',
  '__range_s',
  '__range_ms',
  '__url_time_range',
  '__all_variables',
]);

/** Grafana's global variables that interpolation resolves ($__from, ${__user.login}, ...). */
export function isBuiltinVariable(name: string): boolean {
  return BUILTINS.has(name);
}

/** How one datasource's text treats a name that is no dashboard variable and no built-in. */
export interface VariableNameRules {
  /** Bare `$name`s the plugin expands itself (its macros). */
  reserved: ReadonlySet<string>;
  /** Bare `$__name`s are left to the datasource's backend, which expands them or says they are unknown. */
  deferDunder: boolean;
  /**
   * Every `__` name, in any syntax, is left to the datasource: Grafana passes unknown names through,
   * and a datasource dashboard-ci does not interpolate has scoped variables of its own (`${__rate_interval}`).
   */
  anyDunder?: boolean;
}

/** True when the datasource, not a dashboard variable, is what gives `ref` its meaning. */
export function isLeftToDatasource(
  ref: Pick<VariableRef, 'name' | 'syntax'>,
  rules: VariableNameRules,
): boolean {
  if (ref.name.startsWith('__') && (rules.anyDunder === true || (rules.deferDunder && ref.syntax === '$')))
    return true;
  return ref.syntax === '$' && rules.reserved.has(ref.name);
}

interface Resolved {
  name: string;
  /** A query variable without a value: the text around it decides the stand-in. */
  standIn?: boolean;
  /** Value for the format functions. */
  value?: VarValue;
  /** Already final text: custom all value (re-interpolated), or a macro that skips formatting. */
  verbatim?: string;
  text: string;
  isAll: boolean;
  meta: FormatMeta;
}

const SCALAR_META: FormatMeta = { multi: false, includeAll: false, optionValues: [] };

function builtin(
  name: string,
  fieldPath: string | undefined,
  ctx: InterpolationContext,
  index: VariableIndex,
): Resolved | undefined {
  const mk = (value: VarValue): Resolved => ({
    name,
    value,
    text: str(value),
    isAll: false,
    meta: SCALAR_META,
  });
  const rangeMs = ctx.toMs - ctx.fromMs;
  switch (name) {
    case '__from':
      return mk(ctx.fromMs);
    case '__to':
      return mk(ctx.toMs);
    case '__interval':
      return mk(secondsToHms(ctx.intervalMs / 1000));
    case '__interval_ms':
      return mk(ctx.intervalMs);
    case '__range_ms':
      return mk(rangeMs);
    case '__range_s':
      return mk(Math.round(rangeMs / 1000));
    case '__range':
      return mk(`${Math.round(rangeMs / 1000)}s`);
    case '__timezone': {
      const tz = ctx.timezone;
      return mk(!tz || tz === 'browser' || tz.toLowerCase() === 'utc' ? 'UTC' : tz);
    }
    case '__dashboard': {
      if (fieldPath === 'uid') return mk(ctx.dashboard?.uid ?? '');
      return mk(ctx.dashboard?.title ?? '');
    }
    case '__user': {
      const key = (fieldPath ?? 'id') as keyof typeof CI_USER;
      return mk(CI_USER[key] ?? CI_USER.id);
    }
    case '__org': {
      const key = (fieldPath ?? 'id') as keyof typeof CI_ORG;
      return mk(CI_ORG[key] ?? CI_ORG.id);
    }
    case '__url_time_range':
      return {
        name,
        verbatim: `from=${ctx.fromMs}&to=${ctx.toMs}`,
        text: '',
        isAll: false,
        meta: SCALAR_META,
      };
    case '__all_variables': {
      const parts: string[] = [];
      for (const rv of index.list) {
        if (rv.type === 'constant' || rv.raw.skipUrlSync === true) continue;
        const key = encodeUrlParam(`var-${rv.name}`);
        const vals = Array.isArray(rv.current) ? rv.current : [rv.current];
        for (const v of vals) parts.push(`${key}=${encodeUrlParam(v)}`);
      }
      return { name, verbatim: parts.join('&'), text: '', isAll: false, meta: SCALAR_META };
    }
    default:
      return undefined;
  }
}

function lookup(
  name: string,
  fieldPath: string | undefined,
  ctx: InterpolationContext,
  index: VariableIndex,
): Resolved | undefined {
  const rv = index.byName.get(name);
  if (rv?.unresolved) return { name, standIn: true, text: '', isAll: false, meta: SCALAR_META };
  if (rv) {
    const meta: FormatMeta = {
      multi: rv.multi,
      includeAll: rv.includeAll,
      optionValues: rv.optionValues,
      altinity: {
        multi: typeof rv.raw.multi === 'boolean' ? rv.raw.multi : undefined,
        includeAll: typeof rv.raw.includeAll === 'boolean' ? rv.raw.includeAll : undefined,
        current: REPEATED_FROM.get(rv.raw) ?? rv.current,
      },
    };
    const v = variableValue(rv, ctx, fieldPath);
    if ('customAll' in v) return { name, verbatim: v.customAll, text: ALL_VARIABLE_TEXT, isAll: true, meta };
    return { name, value: v.value, text: rv.text, isAll: rv.isAll, meta };
  }
  return builtin(name, fieldPath, ctx, index);
}

// ---------------------------------------------------------------------------------------------
// The interpolation stage

/** Names the rules leave to the datasource stay as they are and are never reported. */
export interface VariableStageOptions extends VariableNameRules {
  /** Formatter for variables without an explicit format (the datasource's own). */
  formatter: DefaultFormatter;
  origin: SqlOrigin;
  /** Report-only: no variable is known (alert queries get no frontend interpolation). */
  noVariables?: boolean;
  /** The `$__searchFilter` value the datasource gives a query variable's own query (none: left as is). */
  searchFilter?: string;
}

/** Grafana's search text of a query variable's picker, a scoped variable of the variable's own query. */
export const SEARCH_FILTER = '__searchFilter';

export interface VariableStageResult {
  text: string;
  map: OffsetMap;
  problems: InterpolationProblem[];
  /** Names of the variables a stand-in replaced or that blocked the query. */
  unresolved?: string[];
}

function render(r: Resolved, format: string | undefined, formatter: DefaultFormatter, query: string): string {
  const fv: FormatVariable = { name: r.name, text: r.text, isAll: r.isAll };
  if (r.verbatim !== undefined) {
    // CustomAllValue: verbatim, except the formats that cannot take it raw.
    if (!r.isAll) return r.verbatim;
    if (format === 'text') return ALL_VARIABLE_TEXT;
    if (format === 'percentencode') return encodeStrict(r.verbatim);
    if (format === 'queryparam') return `${encodeUrlParam(`var-${r.name}`)}=${ALL_VARIABLE_VALUE}`;
    return r.verbatim;
  }
  const value = r.value!;
  if (format !== undefined) return formatVariableValue(value, format, fv);
  if (formatter === 'clickhouse') return clickhouseFormat(value);
  if (formatter === 'altinity-legacy') return altinityLegacyFormat(value, r.meta);
  if (formatter === 'altinity') {
    const a = r.meta.altinity ?? { multi: undefined, includeAll: undefined, current: undefined };
    return altinityVariableText(value, { name: r.name, ...a }, query);
  }
  return formatVariableValue(value, 'glob', fv);
}

/** Keywords after which only a constant number is accepted. */
const NUMBER_KEYWORDS = /\b(LIMIT|OFFSET|TOP)\s*(\d+\s*,\s*)?$/i;

/** SQL keywords after which a name is a table or database, never a value. */
const TABLE_KEYWORDS = /\b(FROM|JOIN|INTO|TABLE|TABLES|DATABASE|DESCRIBE|DESC|EXISTS|USE|IN\s+DATABASE)\s*$/i;

/**
 * True when the reference at [start, end) names a table or database: after FROM / JOIN / TABLE / ..., or
 * joined to a name by a dot (`$db.events`, `db.$table`). No value can stand in for a table that does
 * not exist; anywhere else NULL can (ClickHouse compares NULL with any type and accepts it in IN lists).
 */
export function isIdentifierPosition(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start - 1) === 46 /* . */ || text.charCodeAt(end) === 46) return true;
  const before = text.slice(Math.max(0, start - 40), start);
  // `FROM (` starts a subquery or table function: what follows is not a name.
  return TABLE_KEYWORDS.test(before);
}

/**
 * What stands in for a query variable without a value, by where it stands: inside a quoted string
 * nothing (the quotes stay, a string is what the SQL expects there); after LIMIT / OFFSET / TOP the
 * number 1; elsewhere NULL, which ClickHouse accepts where a value of any type is expected; undefined
 * where the variable names a table or database.
 */
export function variableStandIn(
  text: string,
  start: number,
  end: number,
  region: RegionKind | undefined,
): string | undefined {
  if (region === 'string') return '';
  if (region === 'identifier' || region === 'backtick') return undefined;
  if (isIdentifierPosition(text, start, end)) return undefined;
  // LIMIT / OFFSET / TOP take a constant number (440: "LIMIT expression must be constant with numeric type").
  if (NUMBER_KEYWORDS.test(text.slice(Math.max(0, start - 20), start))) return '1';
  return 'NULL';
}

/**
 * Replaces template variables in `text` as Grafana's frontend does. Unknown names are left unchanged
 * (as Grafana leaves them) and reported; a value that itself holds variables is interpolated once more.
 */
export function interpolateVariables(
  text: string,
  ctx: InterpolationContext,
  opts: VariableStageOptions,
): VariableStageResult {
  const problems: InterpolationProblem[] = [];
  if (!hasVariableSyntax(text)) return { text, map: OffsetMap.identity, problems };
  const index = variableIndex(opts.noVariables ? EMPTY : ctx.variables);
  const rw = new Rewriter(text);
  let regions: ReturnType<typeof regionsOf> | undefined;
  const regionAt = (offset: number): RegionKind | undefined => {
    regions ??= regionsOf(text);
    return regionKindAt(regions, offset);
  };
  const unresolved = new Set<string>();
  replaceIn(text, text, 0, rw, ctx, opts, index, problems, regionAt, 0, undefined, unresolved);
  const { text: out, map } = rw.finish();
  return unresolved.size > 0
    ? { text: out, map, problems, unresolved: [...unresolved] }
    : { text: out, map, problems };
}

const EMPTY: readonly JsonObject[] = [];

function replaceIn(
  /** The whole text being interpolated: the context a datasource's format function reads. */
  query: string,
  text: string,
  base: number,
  rw: Rewriter | undefined,
  ctx: InterpolationContext,
  opts: VariableStageOptions,
  index: VariableIndex,
  problems: InterpolationProblem[],
  regionAt: (offset: number) => RegionKind | undefined,
  depth: number,
  nestedIn?: { name: string; offset: number },
  unresolved?: Set<string>,
): string {
  const parts: string[] = [];
  let last = 0;
  for (const ref of findVariableRefs(text)) {
    const start = ref.offset;
    const end = start + ref.length;
    const match = text.slice(start, end);
    const fieldPath = ref.fieldPath?.startsWith('.') ? ref.fieldPath.slice(1) : ref.fieldPath;
    const found = opts.noVariables
      ? undefined
      : ref.name === SEARCH_FILTER && opts.searchFilter !== undefined && opts.origin === 'variable'
        ? { name: ref.name, value: opts.searchFilter, text: '', isAll: false, meta: SCALAR_META }
        : lookup(ref.name, fieldPath, ctx, index);
    if (!found) {
      if (!isLeftToDatasource(ref, opts)) report(match, start);
      continue;
    }
    let value: string;
    if (found.standIn) {
      unresolved?.add(found.name);
      const region = nestedIn ? undefined : regionAt(base + start);
      const standIn = variableStandIn(text, start, end, region);
      if (standIn === undefined) {
        problems.push({
          offset: nestedIn ? nestedIn.offset : base + start,
          message: `${match} names a table or database here, and the query variable $${found.name} has no value: the query cannot be judged without it`,
          kind: 'unresolved-variable',
          variable: found.name,
          blocking: true,
        });
        continue;
      }
      value = standIn;
    } else value = render(found, ref.format, opts.formatter, query);
    if (depth === 0 && hasVariableSyntax(value)) {
      value = replaceIn(
        query,
        value,
        0,
        undefined,
        ctx,
        opts,
        index,
        problems,
        () => undefined,
        1,
        { name: match, offset: base + start },
        unresolved,
      );
    }
    if (rw) rw.splice(base + start, base + end, value);
    else parts.push(text.slice(last, start), value);
    last = end;
  }
  // The rewriter writes the rest of the text when it finishes.
  if (rw) return '';
  parts.push(text.slice(last));
  return parts.join('');

  function report(match: string, start: number): void {
    const where = nestedIn ? undefined : regionAt(base + start);
    if (where === 'line-comment' || where === 'block-comment') return;
    const offset = nestedIn ? nestedIn.offset : base + start;
    let message: string;
    if (opts.noVariables) {
      message = `cannot expand ${match}: alert queries get no template-variable interpolation (only the datasource's backend macros apply)`;
    } else if (nestedIn) {
      message = `cannot expand ${match} in the value of ${nestedIn.name}: no such variable`;
    } else {
      message = `cannot expand ${match}: no variable, built-in or macro of that name`;
    }
    problems.push({
      offset,
      message,
      kind: 'unknown-variable',
      blocking: where !== 'string',
    });
  }
}
