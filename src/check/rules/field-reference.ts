import type { Finding, JsonPath } from '../../core/types.js';
import { isObject, type Json, type JsonObject } from '../../dashboards/model.js';
import { didYouMean } from '../../lint/suggest.js';
import {
  activeTransformations,
  columnKind,
  grafanaRegex,
  panelFinding,
  rebuiltByPlugin,
  type KnownPanel,
} from '../panel-columns.js';

// field-reference: every place a panel names a field must name one its queries return, else the
// override or transformation silently stops applying. Grafana's byName matcher compares the name with
// the field's name and its display name (packages/grafana-data/src/transformations/matchers/
// nameMatcher.ts); byRegexp tests the display name with stringToJsRegex. Names are followed through
// the transformations in order: organize's renameByName and renameByRegex add the new names, a
// calculateField alias adds its field; a transformation whose output names are not modelled here
// (reduce, groupBy, concatenate, …) ends the checking of what comes after it.

export const RULE = 'field-reference';

/** The field names a step of the panel sees; `open` once they cannot be known. */
interface Names {
  names: Set<string>;
  open: boolean;
}

interface Reference {
  /** The name or pattern as written. */
  name: string;
  pattern?: boolean;
  /** Where it is written, for the message ("override 2", "transformation 1 (organize)"). */
  where: string;
  path: JsonPath;
}

/** A template variable Grafana interpolates first (`$var`, `${var}`, `[[var]]`), not a regex's `$`. */
const hasVariable = (s: string): boolean => /\$\{|\$[A-Za-z_]|\[\[/.test(s);

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: Json | undefined): JsonObject => (isObject(v) ? v : {});
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);

/** A binary operand may be a field name, a number written as text, or (Grafana 11) `{matcher}` / `{fixed}`. */
function operand(v: Json | undefined, path: JsonPath): { name: string; path: JsonPath } | undefined {
  if (typeof v === 'string') return /^-?\d+(?:\.\d+)?$/.test(v.trim()) ? undefined : { name: v, path };
  const m = obj(obj(v).matcher);
  const name = str(m.options);
  return name !== undefined && m.id === 'byName'
    ? { name, path: [...path, 'matcher', 'options'] }
    : undefined;
}

/** What a transformation's options name, and the names it leaves for the next step. */
function transformationRefs(id: string, options: JsonObject, at: JsonPath, where: string): Reference[] {
  const refs: Reference[] = [];
  const add = (name: string | undefined, path: JsonPath, pattern = false) => {
    if (name !== undefined && name !== '' && !hasVariable(name)) refs.push({ name, where, path, pattern });
  };
  const keys = (key: string) => {
    for (const k of Object.keys(obj(options[key]))) add(k, [...at, key, k]);
  };
  switch (id) {
    case 'organize':
      keys('excludeByName');
      keys('indexByName');
      keys('renameByName');
      break;
    case 'groupBy':
      keys('fields');
      break;
    case 'filterFieldsByName':
      for (const part of ['include', 'exclude']) {
        const o = obj(options[part]);
        arr(o.names).forEach((n, i) => add(str(n), [...at, part, 'names', i]));
        add(str(o.pattern), [...at, part, 'pattern'], true);
      }
      break;
    case 'sortBy':
      arr(options.sort).forEach((s, i) => add(str(obj(s).field), [...at, 'sort', i, 'field']));
      break;
    case 'joinByField':
    case 'seriesToColumns':
      add(str(options.byField), [...at, 'byField']);
      break;
    case 'convertFieldType':
      arr(options.conversions).forEach((c, i) =>
        add(str(obj(c).targetField), [...at, 'conversions', i, 'targetField']),
      );
      break;
    case 'filterByValue':
      arr(options.filters).forEach((f, i) => add(str(obj(f).fieldName), [...at, 'filters', i, 'fieldName']));
      break;
    case 'calculateField': {
      const binary = obj(options.binary);
      for (const side of ['left', 'right']) {
        const o = operand(binary[side], [...at, 'binary', side]);
        if (o) add(o.name, o.path);
      }
      arr(obj(options.reduce).include).forEach((n, i) => add(str(n), [...at, 'reduce', 'include', i]));
      add(str(obj(options.unary).fieldName), [...at, 'unary', 'fieldName']);
      break;
    }
  }
  return refs;
}

/** Transformations that keep every field's name. */
const KEEP_NAMES = new Set([
  'merge',
  'joinByField',
  'seriesToColumns',
  'sortBy',
  'limit',
  'filterByValue',
  'filterFieldsByName',
  'filterByRefId',
  'convertFieldType',
  'organize',
  'renameByRegex',
  'calculateField',
]);

/** The names after a transformation (renames add the new name; the old one is kept: never a false warning). */
function afterTransformation(id: string, options: JsonObject, names: Names): void {
  if (!KEEP_NAMES.has(id)) {
    names.open = true;
    return;
  }
  if (id === 'organize') {
    for (const v of Object.values(obj(options.renameByName)))
      if (typeof v === 'string' && v) names.names.add(v);
  } else if (id === 'renameByRegex') {
    const re = str(options.regex) !== undefined ? grafanaRegex(options.regex as string) : undefined;
    const to = str(options.renamePattern);
    if (!re || to === undefined) names.open = true;
    else for (const n of [...names.names]) names.names.add(n.replace(re, to));
  } else if (id === 'calculateField') {
    const alias = str(options.alias);
    // Without an alias the field is named after the calculation ("a + b", "Total"): not modelled.
    if (alias) names.names.add(alias);
    else names.open = true;
  }
}

/** Display names set in the panel (`displayName` in defaults or an override property). */
function displayNames(fieldConfig: JsonObject): { names: string[]; templated: boolean } {
  const out: string[] = [];
  const d = str(obj(fieldConfig.defaults).displayName);
  if (d) out.push(d);
  for (const o of arr(fieldConfig.overrides)) {
    for (const p of arr(obj(o).properties)) {
      const po = obj(p);
      if (po.id === 'displayName' && typeof po.value === 'string' && po.value) out.push(po.value);
    }
  }
  return { names: out, templated: out.some((n) => hasVariable(n)) };
}

/** `${__data.fields.name}`, `${__data.fields["name"]}`: the field names a link template reads. */
function linkFieldNames(url: string): string[] {
  const out: string[] = [];
  for (const m of url.matchAll(/\$\{__data\.fields(?:\.([^}:.[\]]+)|\[\s*(["'])(.*?)\2\s*\])/g)) {
    const name = m[1] ?? m[3];
    if (name !== undefined && name !== '' && !/^\d+$/.test(name) && !hasVariable(name)) out.push(name);
  }
  return out;
}

function linkRefs(links: Json | undefined, path: JsonPath, where: string): Reference[] {
  return arr(links).flatMap((l, i) => {
    const url = str(obj(l).url);
    return url ? linkFieldNames(url).map((name) => ({ name, where, path: [...path, i, 'url'] })) : [];
  });
}

/**
 * The panel is judged only when its field names are the columns as returned: not when a query is in
 * Altinity's time series format (series are named after GROUP BY values) or when a time series format
 * query turns text columns into labels (grafana-clickhouse-datasource's LongToWide: display names
 * then carry label values).
 */
function startingNames(kp: KnownPanel): Names | undefined {
  const names = new Set<string>();
  for (const q of kp.queries) {
    if (rebuiltByPlugin(q)) return undefined;
    const kinds = q.columns.map((c) => columnKind(c.type));
    if (
      q.format !== 'table' &&
      kinds.includes('time') &&
      kinds.some((k) => k === 'string' || k === 'unknown')
    )
      return undefined;
    for (const c of q.columns) names.add(c.name);
  }
  return { names, open: false };
}

export function fieldReference(panels: readonly KnownPanel[]): Finding[] {
  const findings: Finding[] = [];
  for (const kp of panels) {
    const names = startingNames(kp);
    if (!names) continue;
    const raw = kp.panel.raw;
    const fieldConfig = obj(raw.fieldConfig);
    const shown = displayNames(fieldConfig);
    if (shown.templated) continue;
    // In "all values" mode a stat, gauge or pie chart names each value after its row (a text
    // field's value): overrides then name values, not fields.
    const rowNamed = obj(obj(raw.options).reduceOptions).values === true;
    const hasTime = kp.queries.some((q) => q.columns.some((c) => columnKind(c.type) === 'time'));
    const accepts = (n: Names, ref: Reference): boolean => {
      if (n.open) return true;
      if (shown.names.includes(ref.name)) return true;
      // Grafana's matcher fallback (dataplaneFrontendFallback) lets "Time" match the time field.
      if (hasTime && (ref.name === 'Time' || ref.name === 'time')) return true;
      if (!ref.pattern) return n.names.has(ref.name);
      const re = grafanaRegex(ref.name);
      return !re || [...n.names, ...shown.names].some((x) => re.test(x));
    };
    // Missing references by where they are written: one finding per override or transformation.
    const missing = new Map<string, { refs: Reference[]; returned: string[] }>();
    const report = (n: Names, ref: Reference) => {
      if (accepts(n, ref)) return;
      const entry = missing.get(ref.where);
      if (entry) entry.refs.push(ref);
      else missing.set(ref.where, { refs: [ref], returned: [...n.names] });
    };

    const transformations = activeTransformations(kp.panel);
    for (const t of transformations) {
      if (names.open) break;
      const options = obj(t.options);
      const at = [...kp.panel.path, 'transformations', t.index, 'options'];
      for (const ref of transformationRefs(t.id, options, at, `transformation ${t.index + 1} (${t.id})`))
        report(names, ref);
      afterTransformation(t.id, options, names);
    }

    const panelRefs: Reference[] = [];
    const overridesPath = [...kp.panel.path, 'fieldConfig', 'overrides'];
    arr(fieldConfig.overrides).forEach((o, i) => {
      const matcher = obj(obj(o).matcher);
      const where = `override ${i + 1} (${str(matcher.id) ?? '?'})`;
      const mpath = [...overridesPath, i, 'matcher', 'options'];
      const options = matcher.options;
      if (rowNamed && matcher.id !== 'byFrameRefID') return;
      if (matcher.id === 'byName' && typeof options === 'string' && options && !hasVariable(options))
        panelRefs.push({ name: options, where, path: mpath });
      else if (matcher.id === 'byRegexp' && typeof options === 'string' && options && !hasVariable(options))
        panelRefs.push({ name: options, where, path: mpath, pattern: true });
      else if (matcher.id === 'byNames')
        arr(obj(options).names).forEach((n, k) => {
          const name = str(n);
          if (name && !hasVariable(name)) panelRefs.push({ name, where, path: [...mpath, 'names', k] });
        });
      else if (
        matcher.id === 'byFrameRefID' &&
        typeof options === 'string' &&
        options &&
        transformations.length === 0
      )
        checkRefId(kp, options, where, mpath, findings);
      arr(obj(o).properties).forEach((p, k) => {
        if (obj(p).id === 'links')
          panelRefs.push(
            ...linkRefs(
              obj(p).value,
              [...overridesPath, i, 'properties', k, 'value'],
              `a data link of override ${i + 1}`,
            ),
          );
      });
    });
    panelRefs.push(
      ...linkRefs(
        obj(fieldConfig.defaults).links,
        [...kp.panel.path, 'fieldConfig', 'defaults', 'links'],
        'a data link',
      ),
    );
    const options = obj(raw.options);
    const reduceFields = str(obj(options.reduceOptions).fields);
    if (reduceFields && !hasVariable(reduceFields))
      panelRefs.push({
        name: reduceFields,
        pattern: true,
        where: 'reduceOptions.fields',
        path: [...kp.panel.path, 'options', 'reduceOptions', 'fields'],
      });
    if (kp.panel.type === 'table')
      arr(options.sortBy).forEach((s, i) => {
        const name = str(obj(s).displayName);
        if (name && !hasVariable(name))
          panelRefs.push({
            name,
            where: 'the table sort',
            path: [...kp.panel.path, 'options', 'sortBy', i, 'displayName'],
          });
      });
    for (const ref of panelRefs) report(names, ref);
    for (const [where, { refs, returned }] of missing)
      findings.push(missingFinding(kp, where, refs, returned));
  }
  return findings;
}

const MAX_LISTED = 8;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).map((n) => JSON.stringify(n));
  if (names.length > MAX_LISTED) shown.push(`… ${names.length - MAX_LISTED} more`);
  return shown.join(', ');
}

/** One warning for the names one override or transformation writes that the panel does not get. */
function missingFinding(kp: KnownPanel, where: string, refs: Reference[], returned: string[]): Finding {
  const fields = returned.length
    ? returned.slice(0, MAX_LISTED).join(', ') +
      (returned.length > MAX_LISTED ? `, … ${returned.length - MAX_LISTED} more` : '')
    : 'none';
  const patterns = [...new Set(refs.filter((r) => r.pattern).map((r) => r.name))];
  const names = [...new Set(refs.filter((r) => !r.pattern).map((r) => r.name))];
  const parts: string[] = [];
  if (names.length === 1) parts.push(`field ${JSON.stringify(names[0])}`);
  else if (names.length > 1) parts.push(`fields ${listed(names)}`);
  if (patterns.length) parts.push(`the pattern${patterns.length > 1 ? 's' : ''} ${listed(patterns)}`);
  const hint = names.length === 1 ? didYouMean(names[0]!, returned) : undefined;
  const message =
    `${where} names ${parts.join(' and ')}, which ${refs.length > 1 ? 'are' : 'is'} not among the fields the panel gets (${fields}), ` +
    `so ${refs.length > 1 ? 'those parts do' : 'it does'} not apply${hint ? `. Maybe you meant ${JSON.stringify(hint)}` : ''}`;
  return panelFinding(kp, RULE, 'warning', message, refs[0]!.path);
}

/** byFrameRefID names a query of the panel (frames keep their query's refId when nothing transforms them). */
function checkRefId(kp: KnownPanel, refId: string, where: string, path: JsonPath, out: Finding[]): void {
  const refIds = kp.panel.targets.flatMap((t) => (t.refId !== undefined ? [t.refId] : []));
  if (refIds.includes(refId)) return;
  const hint = didYouMean(refId, refIds);
  out.push(
    panelFinding(
      kp,
      RULE,
      'warning',
      `${where} names query ${JSON.stringify(refId)}, which the panel does not have (${refIds.join(', ') || 'none'}), so it does not apply${hint ? `. Maybe you meant ${JSON.stringify(hint)}` : ''}`,
      path,
    ),
  );
}
