import { describe, expect, it } from 'vitest';
import { findRefusal, hasSettings, parseAstDump } from '../../../src/clickhouse/ast.js';

// EXPLAIN AST output as ClickHouse 26.7 prints it (measured with chdb 3.4.0).
const TABLE_FUNCTION = `SelectWithUnionQuery (children 1)
 ExpressionList (children 1)
  SelectQuery (children 2)
   ExpressionList (children 1)
    Asterisk
   TablesInSelectQuery (children 1)
    TablesInSelectQueryElement (children 1)
     TableExpression (children 1)
      Function numbers (alias n) (children 1)
       ExpressionList (children 1)
        Literal UInt64_10
   Set`;

describe('parseAstDump', () => {
  it('reads kind, name without alias and children, depth and parent', () => {
    const lines = parseAstDump(TABLE_FUNCTION);
    expect(lines[8]).toEqual({ depth: 6, kind: 'Function', name: 'numbers', parent: 'TableExpression' });
    expect(lines[0]).toMatchObject({ depth: 0, kind: 'SelectWithUnionQuery', parent: undefined });
    expect(hasSettings(lines)).toBe(true);
  });
});

describe('findRefusal', () => {
  it('lets allowed table functions and plain functions through', () => {
    expect(findRefusal(parseAstDump(TABLE_FUNCTION))).toBeUndefined();
  });

  it('refuses a denied table function, and a table function nobody reviewed', () => {
    const url = parseAstDump(TABLE_FUNCTION.replace('Function numbers', 'Function url'));
    expect(findRefusal(url)).toEqual({ what: 'url() (table function)', reason: 'opens network connections' });
    const unknown = parseAstDump(TABLE_FUNCTION.replace('Function numbers', 'Function brandNew'));
    expect(findRefusal(unknown)?.reason).toMatch(/not a table function the sandbox knows/);
    // A seed reads generators only.
    const merge = parseAstDump(TABLE_FUNCTION.replace('Function numbers', 'Function merge'));
    expect(findRefusal(merge)).toBeUndefined();
    expect(findRefusal(merge, { seed: true })?.reason).toMatch(/not a generator/);
  });

  it('refuses a denied function wherever it stands, in any case', () => {
    const dump = TABLE_FUNCTION.replace('    Asterisk', '    Function FILE (children 1)');
    expect(findRefusal(parseAstDump(dump))).toEqual({ what: 'file()', reason: 'reads files of the machine' });
  });

  it('cannot be fooled by a name that prints lines of its own: they only add refusals', () => {
    // `SELECT 1 AS "x\n Function numbers", file('/x')`: the alias holds a newline.
    const dump = `SelectWithUnionQuery (children 1)
 ExpressionList (children 1)
  SelectQuery (children 1)
   ExpressionList (children 2)
    Literal UInt64_1 (alias x
 Function numbers)
    Function file (children 1)
     ExpressionList (children 1)
      Literal '/x'`;
    expect(findRefusal(parseAstDump(dump))?.what).toBe('file()');
  });

  it('refuses a table named by a path', () => {
    const dump = TABLE_FUNCTION.replace(
      'Function numbers (alias n) (children 1)',
      'TableIdentifier /etc/passwd',
    );
    expect(findRefusal(parseAstDump(dump))?.reason).toMatch(/names a file/);
  });
});
