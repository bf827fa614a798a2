// Template-variable references as Grafana finds them (CONTRACTS.md D): `$var`, `${var}`,
// `${var:format}`, `${var.field}`, `[[var]]`, `[[var:format]]`. `$var` takes the longest \w+ run, so
// `$service_name` never refers to `service`.

export type VariableSyntax = '$' | '${}' | '[[]]';

export interface VariableRef {
  name: string;
  /** 0-based offset of the reference's first character (`$` or `[`) in the text. */
  offset: number;
  length: number;
  syntax: VariableSyntax;
  format?: string;
  /** `.field` path of `${var.field}`. */
  fieldPath?: string;
}

// One regex, compiled once and reused with lastIndex reset: the linter scans every query of every dashboard.
const VARIABLE_RE =
  /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)((?:\.[^:{}[\]]+|\["[^"]*"\]|\['[^']*'\]|\[[^\]"']*\])*)(?::([^}]+))?\}/g;

const NUMERIC = /^\d+$/;

/** Every variable reference in `text`, in order. Purely numeric names (`$1` in a regex replacement) are not variables. */
export function findVariableRefs(text: string): VariableRef[] {
  if (!text.includes('$') && !text.includes('[[')) return [];
  const out: VariableRef[] = [];
  VARIABLE_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = VARIABLE_RE.exec(text)) !== null) {
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

/**
 * Grafana's global variables ($__from, $__interval, ${__user.login}, $__dashboard, ...) and every
 * datasource macro ($__timeFilter, $__conditionalAll, ...) start with two underscores; Grafana leaves
 * unknown ones to the datasource, so any `__` name is a built-in.
 */
export function isBuiltinVariable(name: string): boolean {
  return name.startsWith('__');
}

/** Macros of the Altinity plugin (vertamedia-clickhouse-datasource), expanded by the plugin itself. */
export const ALTINITY_MACROS: ReadonlySet<string> = new Set([
  'table',
  'dateCol',
  'dateTimeCol',
  'from',
  'to',
  'interval',
  'timeFilter',
  'timeFilterMs',
  'timeFilterByColumn',
  'timeFilter64ByColumn',
  'timeSeries',
  'timeSeriesMs',
  'naturalTimeSeries',
  'columns',
  'columnsMs',
  'rate',
  'rateColumns',
  'rateColumnsAggregated',
  'perSecond',
  'perSecondColumns',
  'perSecondColumnsAggregated',
  'delta',
  'deltaColumns',
  'deltaColumnsAggregated',
  'increase',
  'increaseColumns',
  'increaseColumnsAggregated',
  'lttb',
  'lttbMs',
  'unescape',
  'conditionalTest',
]);

/** `$ds`, `${ds}`, `${ds:raw}`, `[[ds]]` as a whole string (a datasource uid or legacy name): the variable name. */
export function wholeVariableRef(text: string): string | undefined {
  const refs = findVariableRefs(text);
  const first = refs[0];
  if (refs.length === 1 && first && first.offset === 0 && first.length === text.length) return first.name;
  return undefined;
}

/** Target fields Grafana interpolates for every datasource (SQL, PromQL/LogQL, Redis key/field/filter, legends). */
export const QUERY_TEXT_FIELDS: readonly string[] = [
  'rawSql',
  'query',
  'expr',
  'keyName',
  'field',
  'filter',
  'legend',
  'legendFormat',
];

/** Extra fields the Redis plugin interpolates (RD applyTemplateVariables). */
export const REDIS_TEXT_FIELDS: readonly string[] = ['value', 'path', 'cypher'];
