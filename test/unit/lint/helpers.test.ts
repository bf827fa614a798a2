import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/lint/durations.js';
import { classifyCommandLine, splitCommandLine } from '../../../src/lint/redis-commands.js';
import { didYouMean } from '../../../src/lint/suggest.js';
import { findVariableRefs, wholeVariableRef } from '../../../src/lint/variables.js';

describe('findVariableRefs', () => {
  it('finds every Grafana syntax with name, offset, format and field path', () => {
    const text =
      'a=$x b=${y} c=${z:csv} d=${w.text} e=[[v]] f=[[u:raw]] g=${__from:date:seconds} h=$__timeFilter(ts)';
    expect(
      findVariableRefs(text).map((r) => [r.name, r.offset, r.syntax, r.format ?? null, r.fieldPath ?? null]),
    ).toEqual([
      ['x', 2, '$', null, null],
      ['y', 7, '${}', null, null],
      ['z', 14, '${}', 'csv', null],
      ['w', 25, '${}', null, '.text'],
      ['v', 37, '[[]]', null, null],
      ['u', 45, '[[]]', 'raw', null],
      ['__from', 57, '${}', 'date:seconds', null],
      ['__timeFilter', 82, '$', null, null],
    ]);
  });

  it('takes the longest name, skips numeric names and text without references', () => {
    expect(findVariableRefs('$service_name').map((r) => r.name)).toEqual(['service_name']);
    expect(findVariableRefs('replace "$1" and $2x')).toEqual([expect.objectContaining({ name: '2x' })]);
    expect(findVariableRefs("match(x, '^a$') AND y = 'US$'")).toEqual([]);
    expect(findVariableRefs('plain SELECT 1')).toEqual([]);
  });

  it('is safe to call repeatedly (the regex is shared)', () => {
    expect(findVariableRefs('$a $b').length).toBe(2);
    expect(findVariableRefs('$a $b').length).toBe(2);
  });

  it('recognises a whole-string reference (a datasource uid)', () => {
    expect(wholeVariableRef('${ds}')).toBe('ds');
    expect(wholeVariableRef('$ds')).toBe('ds');
    expect(wholeVariableRef('[[ds]]')).toBe('ds');
    expect(wholeVariableRef('ds-$env')).toBeUndefined();
    expect(wholeVariableRef('clickhouse')).toBeUndefined();
  });
});

describe('parseDuration', () => {
  it('parses Grafana durations to milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1M')).toBeGreaterThan(parseDuration('4w')!);
    expect(parseDuration('1.5m')).toBeUndefined();
    expect(parseDuration('m')).toBeUndefined();
    expect(parseDuration('10')).toBeUndefined();
  });
});

describe('Redis command classification', () => {
  it('splits like a shell, quotes grouping', () => {
    expect(splitCommandLine(`HGET "my key" 'field x' plain`)).toEqual(['HGET', 'my key', 'field x', 'plain']);
  });

  it('tells reads, writes and unknowns apart, two-word commands included', () => {
    const kind = (s: string) => classifyCommandLine(s).kind;
    expect(kind('get k')).toBe('read');
    expect(kind('XINFO STREAM s')).toBe('read');
    expect(kind('config get maxmemory')).toBe('read');
    expect(kind('config set maxmemory 1')).toBe('write');
    expect(kind('CONFIG RESETSTAT')).toBe('write');
    expect(kind('SLOWLOG RESET')).toBe('write');
    expect(kind('DEL k')).toBe('write');
    expect(kind('FLUSHDB')).toBe('write');
    expect(kind('EVALSHA abc 0')).toBe('write');
    expect(kind('EVALSHA_RO abc 0')).toBe('read');
    expect(kind('GEORADIUS g 0 0 5 km STOREDIST d')).toBe('write');
    expect(kind('GEORADIUS g 0 0 5 km')).toBe('read');
    expect(kind(`GRAPH.QUERY g "CREATE (n)"`)).toBe('write');
    expect(kind(`GRAPH.QUERY g "MATCH (n) RETURN n"`)).toBe('read');
    expect(kind('MYMODULE.THING')).toBe('unknown');
    expect(kind('CLIENT FROB')).toBe('unknown');
  });
});

describe('didYouMean', () => {
  it('suggests a close candidate only', () => {
    expect(didYouMean('budget', ['budgets', 'paths'])).toBe('budgets');
    expect(didYouMean('usr', ['user', 'model'])).toBe('user');
    expect(didYouMean('xyz', ['user', 'model'])).toBeUndefined();
  });
});
