import { describe, expect, it } from 'vitest';
import {
  firstKeyword,
  hasMultipleStatements,
  isBlank,
  splitStatements,
} from '../../../src/sql/statements.js';

describe('splitStatements', () => {
  it('splits on ; outside strings, identifiers, comments and heredocs, with offsets', () => {
    const text = [
      "CREATE TABLE a (x String DEFAULT ';') ENGINE = Memory;",
      "INSERT INTO a VALUES ('x;y'), ('it\\'s;'), ('it''s;');",
      '-- a comment; not a statement',
      'SELECT `a;b`, "c;d", $$e;f$$ /* ; */ FROM a;',
      '',
    ].join('\n');
    const stmts = splitStatements(text);
    expect(stmts.map((s) => s.sql)).toEqual([
      "CREATE TABLE a (x String DEFAULT ';') ENGINE = Memory",
      "INSERT INTO a VALUES ('x;y'), ('it\\'s;'), ('it''s;')",
      '-- a comment; not a statement\nSELECT `a;b`, "c;d", $$e;f$$ /* ; */ FROM a',
    ]);
    for (const s of stmts) expect(text.slice(s.offset, s.offset + s.sql.length)).toBe(s.sql);
  });

  it.each([
    ['', []],
    ['  ;  ; ', []],
    ['-- only a comment\n/* and another */', []],
    ['SELECT 1', ['SELECT 1']],
    ['SELECT 1;', ['SELECT 1']],
    ['SELECT 1; -- trailing comment', ['SELECT 1']],
    ['SELECT 1; DROP TABLE t', ['SELECT 1', 'DROP TABLE t']],
    ["SELECT ';' ; SELECT 2", ["SELECT ';'", 'SELECT 2']],
    ['SELECT 1 # hash comment; still\n; SELECT 2', ['SELECT 1 # hash comment; still', 'SELECT 2']],
  ])('%j → %j', (text, want) => {
    expect(splitStatements(text).map((s) => s.sql)).toEqual(want);
  });

  it('answers the multi-statement question cheaply', () => {
    expect(hasMultipleStatements('SELECT 1;')).toBe(false);
    expect(hasMultipleStatements("SELECT ';'")).toBe(false);
    expect(hasMultipleStatements('SELECT 1; DROP TABLE t')).toBe(true);
    expect(isBlank(' -- x\n /* y */ ')).toBe(true);
    expect(isBlank(' -- x\n 1')).toBe(false);
  });
});

describe('firstKeyword', () => {
  it.each([
    ['SELECT 1', 'SELECT'],
    ['  -- c\n/* x */ ( (select 1))', 'SELECT'],
    ['with x as (select 1) select x', 'WITH'],
    ['EXPLAIN SELECT 1', 'EXPLAIN'],
    ['desc t', 'DESC'],
    ['show tables', 'SHOW'],
    ['DROP TABLE t', 'DROP'],
    ['insert into t values (1)', 'INSERT'],
    ['', undefined],
    ['123', undefined],
    ['-- only', undefined],
  ])('%j → %s', (sql, want) => {
    expect(firstKeyword(sql)).toBe(want);
  });
});
