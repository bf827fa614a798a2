import { describe, expect, it } from 'vitest';
import { classifyAst as classifyLines, parseAstDump } from '../../../src/clickhouse/ast.js';
import { isPlainSelectText, leadingKeyword } from '../../../src/clickhouse/explain.js';

const classifyAst = (dump: string) => classifyLines(parseAstDump(dump));

// EXPLAIN AST output as ClickHouse 26.7 prints it (measured with chdb 3.4.0).
const SELECT_AST = `SelectWithUnionQuery (children 1)
 ExpressionList (children 1)
  SelectQuery (children 2)
   ExpressionList (children 1)
    Literal UInt64_1
   Set`;

describe('classifyAst', () => {
  it('lets a plain SELECT (with SETTINGS) through', () => {
    expect(classifyAst(SELECT_AST)).toEqual({ kind: 'select' });
  });

  it('refuses INTO OUTFILE and FORMAT, which hang off the top node', () => {
    const outfile = `SelectWithUnionQuery (children 2)
 ExpressionList (children 1)
  SelectQuery (children 1)
   ExpressionList (children 1)
    Literal UInt64_1
 Literal '/tmp/x.txt'`;
    expect(classifyAst(outfile)).toEqual({ kind: 'output-clause', node: 'Literal' });
    const format = outfile.replace(" Literal '/tmp/x.txt'", ' Identifier JSON');
    expect(classifyAst(format)).toEqual({ kind: 'output-clause', node: 'Identifier' });
  });

  it('sees PARALLEL WITH, a second statement without a semicolon', () => {
    const ast = `ParallelWithQuery 2 SelectWithUnionQuery (children 2)
 SelectWithUnionQuery (children 1)
  ExpressionList (children 1)
 DropQuery  t2 (children 1)`;
    expect(classifyAst(ast)).toEqual({ kind: 'parallel' });
  });

  it('names other statements by their node', () => {
    expect(classifyAst('DropQuery  t (children 1)\n Identifier t')).toEqual({
      kind: 'statement',
      node: 'DropQuery',
    });
    expect(classifyAst('SYSTEM query')).toEqual({ kind: 'statement', node: 'SYSTEM' });
  });
});

describe('leadingKeyword', () => {
  it('skips comments and parentheses', () => {
    expect(leadingKeyword('-- a panel\n/* more */ ( drop table t')).toBe('DROP');
    expect(leadingKeyword('# hash comment\ninsert into t values (1)')).toBe('INSERT');
    expect(leadingKeyword('')).toBe('');
  });
});

describe('isPlainSelectText (the fast path that skips EXPLAIN AST)', () => {
  it('takes plain SELECT and WITH queries', () => {
    expect(isPlainSelectText("SELECT formatDateTime(ts, '%F') FROM t WHERE x = 'a'")).toBe(true);
    expect(isPlainSelectText('\n  with s as (select 1) select * from s')).toBe(true);
  });

  it('sends everything else through ClickHouse parser, even when it is harmless', () => {
    for (const sql of [
      'SELECT 1; DROP TABLE t',
      "SELECT ';'",
      'SELECT 1 PARALLEL WITH DROP TABLE t',
      "SELECT 1 INTO OUTFILE '/tmp/x'",
      'SELECT 1 FORMAT JSON',
      "SELECT format('{}', 1)",
      '-- comment first\nSELECT 1',
      '(SELECT 1)',
      'DROP TABLE t',
      'EXPLAIN SELECT 1',
      // Names the sandbox refuses, wherever they stand (a word in a string or a comment too).
      "SELECT file('/etc/passwd')",
      "SELECT * FROM url('http://x', CSV, 'a String')",
      'SELECT 1 -- remote(\n',
      'SELECT * FROM (EXPLAIN PIPELINE SELECT 1)',
      'SELECT File(1)',
      // A quoted identifier with an escape can spell any name.
      "SELECT `\\x66ile`('/etc/passwd')",
    ]) {
      expect(isPlainSelectText(sql), sql).toBe(false);
    }
  });
});
