import type { Finding, QueryColumn } from '../../core/types.js';
import { isObject, type JsonObject } from '../../dashboards/model.js';
import type { AlertGroupFile, AlertRuleFile } from '../../dashboards/provisioning-files.js';
import {
  activeTransformations,
  columnKind,
  describeColumns,
  panelFinding,
  rebuiltByPlugin,
  type ColumnKind,
  type KnownPanel,
  type ResultFormat,
} from '../panel-columns.js';

// panel-data-shape: does a panel get the kind of fields it draws? Each requirement follows the panel
// plugin's own source (docs/rules/panel-data-shape.md has the table with the sources). Only what is
// sure is said: a column of a type dashboard-ci does not map counts as anything, a panel with a query
// of another datasource or with a transformation that may change the shape is not judged.

export const RULE = 'panel-data-shape';

/** What a panel type needs from the fields of all its frames together. */
interface Needs {
  /** What Grafana says when it is not there. */
  label: string;
  time?: boolean;
  number?: boolean;
  /** A second field of any kind beside the time (a state timeline's states may be text). */
  value?: boolean;
  /** A string or time field for the categories (bar chart's x), or a second number. */
  category?: boolean;
  /** Two numbers: a numeric x and a value (trend). */
  twoNumbers?: boolean;
}

/**
 * Panel types and what they need. Sources (grafana/grafana, public/app/plugins/panel/…):
 * timeseries prepareGraphableFields (timeseries/utils.ts) keeps frames with a time and a number
 * field, else "Data does not have a time field"; state-timeline prepareTimelineFields
 * (state-timeline/utils.ts) needs a time field, values of any type; candlestick prepareCandlestickFields
 * falls back to the time series preparation; trend takes the first number as x and needs a number
 * beside it (trend/TrendPanel.tsx, "No numeric fields found for X axis");
 * gauge, bargauge and piechart take the numeric fields (getFieldDisplayValues with the numeric matcher
 * when reduceOptions.fields is empty); barchart prepareBarChartDisplayValues (barchart/utils.ts) needs a
 * number and a string or time x; histogram's transformer takes numeric fields (histogram.ts).
 */
function needsOf(kp: KnownPanel): Needs | undefined {
  const raw = kp.panel.raw;
  const options = isObject(raw.options) ? raw.options : {};
  const reduceFields = isObject(options.reduceOptions) ? options.reduceOptions.fields : undefined;
  // A reduceOptions.fields pattern can pick text fields, which some of these panels show as text.
  const numericOnly = reduceFields === undefined || reduceFields === '' || reduceFields === null;
  switch (kp.panel.type) {
    case 'timeseries':
      return { label: 'a time series', time: true, number: true };
    case 'graph': {
      // The legacy graph (migrated to timeseries since Grafana 11) needs time only in its time mode.
      const xaxis = isObject(raw.xaxis) ? raw.xaxis : {};
      return xaxis.mode === undefined || xaxis.mode === 'time'
        ? { label: 'a graph', time: true, number: true }
        : undefined;
    }
    case 'state-timeline':
      return { label: 'a state timeline', time: true, value: true };
    case 'candlestick':
      return { label: 'a candlestick', time: true, number: true };
    case 'trend':
      return { label: 'a trend', twoNumbers: true };
    case 'gauge':
      return numericOnly ? { label: 'a gauge', number: true } : undefined;
    case 'bargauge':
      return numericOnly ? { label: 'a bar gauge', number: true } : undefined;
    case 'piechart':
      return numericOnly ? { label: 'a pie chart', number: true } : undefined;
    case 'barchart':
      return { label: 'a bar chart', number: true, category: true };
    case 'histogram':
      return { label: 'a histogram', number: true };
    default:
      return undefined;
  }
}

/**
 * Transformations that keep every field's type and only drop fields by name (organize) or rows:
 * the requirement is checked on the columns of all queries together, as a merge or join would give.
 * Any other transformation may add, convert or reduce fields: the panel is not judged.
 */
const SHAPE_KEEPING = new Set([
  'merge',
  'joinByField',
  'seriesToColumns',
  'concatenate',
  'sortBy',
  'limit',
  'filterByValue',
  'organize',
]);

/** The columns the panel draws from, after organize's exclusions; undefined when that is not sure. */
function drawnColumns(kp: KnownPanel): QueryColumn[] | undefined {
  if (kp.queries.some(rebuiltByPlugin)) return undefined;
  let columns: QueryColumn[] = kp.queries.flatMap((q) => q.columns);
  for (const t of activeTransformations(kp.panel)) {
    if (!SHAPE_KEEPING.has(t.id)) return undefined;
    if (t.id === 'organize' && isObject(t.options) && isObject(t.options.excludeByName)) {
      const excluded = t.options.excludeByName;
      columns = columns.filter((c) => excluded[c.name] !== true);
    }
  }
  return columns;
}

/** What is missing, in words, or undefined when the columns give the panel what it needs. */
function missing(needs: Needs, kinds: ColumnKind[]): string[] {
  const count = (k: ColumnKind) => kinds.filter((x) => x === k).length;
  const unknown = count('unknown');
  const numbers = count('number') + count('boolean');
  const times = count('time');
  const out: string[] = [];
  // A number could be an epoch the panel is told to read as time: with two numbers, say nothing.
  if (needs.time && times + unknown === 0 && numbers < 2)
    out.push('a time column (Date, DateTime, DateTime64)');
  if (needs.number && numbers + unknown === 0) out.push('a number column');
  if (needs.value && kinds.length - times === 0 && times < 2) out.push('a value column beside the time');
  if (needs.category && count('string') + times + unknown === 0 && numbers < 2)
    out.push('a string or time column for the categories');
  if (needs.twoNumbers && numbers + unknown < 2) out.push('two number columns (a numeric x and a value)');
  return out;
}

const TIME_LIKE = /(?:^t$|^ts$|time|date|day|hour|minute|week|month|year|period|bucket|interval)/i;

export function panelDataShape(panels: readonly KnownPanel[]): Finding[] {
  const findings: Finding[] = [];
  for (const kp of panels) {
    const needs = needsOf(kp);
    if (!needs) continue;
    const columns = drawnColumns(kp);
    if (!columns) continue;
    const kinds = columns.map((c) => columnKind(c.type));
    const lacks = missing(needs, kinds);
    if (lacks.length === 0) continue;
    let message = `${needs.label} needs ${lacks.join(' and ')}, and ${kp.queries.length > 1 ? 'its queries return' : 'its query returns'} ${columns.length ? describeColumns(columns) : 'no column'}`;
    if (needs.time && lacks[0]!.startsWith('a time')) {
      const text = columns.find((c, i) => kinds[i] === 'string' && TIME_LIKE.test(c.name));
      message += text
        ? `. ${text.name} is a ${text.type}: a time formatted as text (formatDateTime, toString) is text to Grafana, which says "Data does not have a time field"; return the Date/DateTime itself and let the panel format it`
        : '. Grafana says "Data does not have a time field"';
    }
    findings.push(panelFinding(kp, RULE, 'error', message, typePath(kp)));
  }
  return findings;
}

/** The panel's `type` (what the requirement comes from), else the panel. */
function typePath(kp: KnownPanel) {
  return typeof kp.panel.raw.type === 'string' ? [...kp.panel.path, 'type'] : kp.panel.path;
}

/** A ClickHouse query of an alert rule, with the columns EXPLAIN gave it. */
export interface AlertQueryResult {
  /** The query as the rule holds it (the identity that ties it to its rule). */
  query: object;
  refId?: string;
  datasourceType: string;
  format: ResultFormat | undefined;
  columns: readonly QueryColumn[];
}

/** The refIds an alert rule's expressions read (and its condition), from each expression's model. */
function readByExpressions(rule: AlertRuleFile): Set<string> {
  const read = new Set<string>();
  if (isObject(rule.raw) && typeof rule.raw.condition === 'string') read.add(rule.raw.condition);
  for (const q of rule.queries) {
    if (q.datasourceUid !== '__expr__') continue;
    const model = q.model as JsonObject;
    const expression = typeof model.expression === 'string' ? model.expression : '';
    if (model.type === 'math') for (const m of expression.matchAll(/\$\{?(\w+)\}?/g)) read.add(m[1]!);
    else if (expression) read.add(expression.trim());
    if (Array.isArray(model.conditions))
      for (const c of model.conditions) {
        const params = isObject(c) && isObject(c.query) ? c.query.params : undefined;
        if (Array.isArray(params) && typeof params[0] === 'string') read.add(params[0]);
      }
  }
  return read;
}

/**
 * Alert rules: Grafana's expression engine reads a query's frame as time series when it has a time
 * field, else as a table of exactly one number with text labels (isNumberTable, then "input data must
 * be a wide series but got type not": grafana/grafana pkg/expr/nodes.go). So a query an expression
 * or the condition reads needs a number, and without a time column exactly one number beside text.
 * Returns a message per query that does not fit; a type dashboard-ci does not map says nothing.
 */
export function alertDataShape(
  groups: readonly AlertGroupFile[],
  results: readonly AlertQueryResult[],
): { result: AlertQueryResult; message: string }[] {
  const byQuery = new Map(results.map((r) => [r.query, r]));
  const out: { result: AlertQueryResult; message: string }[] = [];
  for (const group of groups) {
    for (const rule of group.rules) {
      const read = readByExpressions(rule);
      for (const q of rule.queries) {
        const r = byQuery.get(q);
        if (!r || r.refId === undefined || !read.has(r.refId)) continue;
        if (rebuiltByPlugin(r)) continue;
        const kinds = r.columns.map((c) => columnKind(c.type));
        if (kinds.some((k) => k === 'unknown' || k === 'boolean')) continue;
        const numbers = kinds.filter((k) => k === 'number').length;
        const times = kinds.filter((k) => k === 'time').length;
        const others = kinds.length - numbers - times - kinds.filter((k) => k === 'string').length;
        const returns = `it returns ${r.columns.length ? describeColumns(r.columns) : 'no column'}`;
        if (numbers === 0) {
          out.push({
            result: r,
            message: `the alert rule's expressions read this query, and reduce, threshold and math act on numbers: it needs a number column; ${returns}`,
          });
        } else if (times === 0 && (numbers > 1 || others > 0)) {
          const ts = r.format === 'time-series' ? 'in time series format it needs a time column; ' : '';
          out.push({
            result: r,
            message: `${ts}without a time column Grafana's alerting reads a result as one number per row with text labels, and ${returns} (${numbers} number columns${others ? `, ${others} of another type` : ''}): "input data must be a wide series but got type not"`,
          });
        }
      }
    }
  }
  return out;
}
