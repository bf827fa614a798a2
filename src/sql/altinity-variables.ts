// How vertamedia-clickhouse-datasource (Altinity) formats a template variable that has no explicit format.
// The plugin hands Grafana a format function built from the whole query text
// (createContextAwareInterpolation → interpolateQueryExprWithContext, interpolateQueryExpr,
// clickhouseEscape, needsCommaFormat, detectConcatenationContext in src/datasource/helpers/index.ts of
// Altinity/clickhouse-grafana, as of 0a7dfa2 / 49bf9c9 (2026), read in its fork base-14/clickhouse-grafana
// @ ea008971): where a variable stands decides its form. Grafana's scenes call that function with
// { name, type, multi: isMulti, includeAll } and no options (@grafana/scenes sceneInterpolator
// formatValue), so `multi` / `includeAll` are the dashboard JSON's own booleans, or undefined when it
// has none (textbox, constant, a query variable saved without them).

export interface AltinityVariable {
  name: string;
  multi: boolean | undefined;
  includeAll: boolean | undefined;
  /**
   * The variable's value as Grafana's variable list holds it (`$__all` when All is selected); undefined
   * for what is no dashboard variable (built-ins, scoped variables). A value that differs from it is a
   * repeated panel's one value (the plugin's isRepeated).
   */
  current: string | string[] | undefined;
}

const NUMBER_ONLY = /^[+-]?\d+(\.\d+)?$/;

/** clickhouseEscape without options (scenes passes none): numbers raw, strings quoted, arrays as [a, b]. */
function escape(value: string | number | string[]): string {
  if (Array.isArray(value)) return `[${value.map(escape).join(', ')}]`;
  if (typeof value === 'number' || NUMBER_ONLY.test(value)) return String(value);
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

/** `IN ($v)`, `NOT IN ($v)`, `GLOBAL IN [$v]`, `tuple($v`: the plugin's needsCommaFormat. */
export function needsCommaFormat(query: string, name: string): boolean {
  const v = `\\$\\{?${name}\\}?`;
  return new RegExp(
    `(?:NOT\\s+)?(?:GLOBAL\\s+)?IN\\s*\\(\\s*${v}\\s*\\)|(?:NOT\\s+)?(?:GLOBAL\\s+)?IN\\s*\\[\\s*${v}\\s*\\]|\\btuple\\s*\\(\\s*${v}`,
    'i',
  ).test(query);
}

/** `$v.x`, `x.$v`, `'q'.$v`, `$v.8090`, or the variable inside a quoted string: detectConcatenationContext. */
export function isConcatenation(query: string, name: string): boolean {
  const v = `\\$\\{?${name}\\}?`;
  return [
    `${v}\\.`,
    `\\.${v}`,
    `'[^']*'\\.${v}`,
    `${v}\\.\\d+`,
    `${v}\\.[a-zA-Z_][a-zA-Z0-9_]*`,
    `'[^']*${v}[^']*'`,
    `"[^"]*${v}[^"]*"`,
  ].some((p) => new RegExp(p).test(query));
}

/**
 * The text the plugin puts in place of `variable` (whose value Grafana resolved to `value`) in `query`,
 * the whole text being interpolated: raw where it joins a name or sits inside a string, a quoted comma
 * list inside IN (...), an array literal elsewhere for several values, and a single value quoted unless
 * the variable is declared single-valued (multi and includeAll both false) or the value is a number.
 */
export function altinityVariableText(
  value: string | number | string[],
  variable: AltinityVariable,
  query: string,
): string {
  const concat = isConcatenation(query, variable.name);
  const comma = needsCommaFormat(query, variable.name);
  if (concat && !comma && !Array.isArray(value)) return String(value);
  if (comma && Array.isArray(value)) return value.map(escape).join(',');
  if (Array.isArray(value)) return escape(value);
  if (comma) return escape(value);
  const repeated =
    variable.current !== undefined && JSON.stringify(value) !== JSON.stringify(variable.current);
  if (repeated) return `'${value}'`;
  if (variable.multi === false && variable.includeAll === false) return String(value);
  return escape(value);
}
