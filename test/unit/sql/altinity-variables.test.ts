// The Altinity plugin's context rules, on the examples its own helpers document
// (src/datasource/helpers/index.ts, Altinity/clickhouse-grafana as of 2026, read in base-14/clickhouse-grafana @ ea008971).

import { describe, expect, it } from 'vitest';
import {
  altinityVariableText,
  isConcatenation,
  needsCommaFormat,
  type AltinityVariable,
} from '../../../src/sql/altinity-variables.js';

describe('needsCommaFormat', () => {
  it.each([
    ['WHERE id IN ($var)', true],
    ['WHERE id NOT IN ($var)', true],
    ['WHERE id GLOBAL IN (${var})', true],
    ['WHERE id global not in [ $var ]', true],
    ['SELECT tuple($var)', true],
    ['SELECT arrayIntersect($var, col)', false],
    ['SELECT hasAny($var, tags)', false],
    ["WHERE id IN ('$var')", false],
    ['WHERE id IN ($variable)', false],
  ])('%s → %s', (query, want) => {
    expect(needsCommaFormat(query, 'var')).toBe(want);
  });
});

describe('isConcatenation', () => {
  it.each([
    ['SELECT * FROM $db.$table', 'db', true],
    ['SELECT * FROM $db.$table', 'table', true],
    ['FROM ${schema}.${table}', 'schema', true],
    ["= 'transcription'.$namespace", 'namespace', true],
    ['$container.8090.svc', 'container', true],
    ["WHERE host LIKE '${prefix}%'", 'prefix', true],
    ['WHERE name = $name', 'name', false],
    ['FROM ${prefix}events', 'prefix', false],
  ])('%s (%s) → %s', (query, name, want) => {
    expect(isConcatenation(query, name)).toBe(want);
  });
});

describe('altinityVariableText', () => {
  const v = (over: Partial<AltinityVariable> = {}): AltinityVariable => ({
    name: 'v',
    multi: undefined,
    includeAll: undefined,
    current: undefined,
    ...over,
  });

  it('quotes a single value unless the variable is declared single-valued or the value is a number', () => {
    expect(altinityVariableText('mysql', v(), 'x = $v')).toBe("'mysql'");
    expect(altinityVariableText('mysql', v({ multi: false, includeAll: false }), 'x = $v')).toBe('mysql');
    expect(altinityVariableText('mysql', v({ multi: false }), 'x = $v')).toBe("'mysql'");
    expect(altinityVariableText('42', v(), 'x = $v')).toBe('42');
    expect(altinityVariableText("it's", v(), 'x = $v')).toBe("'it\\'s'");
  });

  it('writes several values as a comma list in IN (...), an array literal elsewhere', () => {
    expect(altinityVariableText(['a', 'b'], v({ multi: true }), 'x IN ($v)')).toBe("'a','b'");
    expect(altinityVariableText(['a', 'b'], v({ multi: true }), 'has($v, x)')).toBe("['a', 'b']");
    expect(altinityVariableText(['1', '2'], v({ multi: true }), 'x IN ($v)')).toBe('1,2');
  });

  it('leaves a single value raw inside a string or a dotted name, and quotes a repeated clone', () => {
    expect(altinityVariableText('web', v(), "x LIKE '%$v%'")).toBe('web');
    expect(altinityVariableText('db1', v(), 'FROM $v.events')).toBe('db1');
    // A repeated panel: the value is one of the list Grafana's variable holds.
    expect(altinityVariableText('a', v({ multi: true, current: ['a', 'b'] }), 'SELECT ($v)')).toBe("'a'");
  });
});
