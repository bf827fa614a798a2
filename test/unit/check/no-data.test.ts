import { describe, expect, it } from 'vitest';
import { statementKey } from '../../../src/check/no-data.js';

describe('statementKey: one run for texts that are one statement', () => {
  it('drops comments and folds blanks outside quotes', () => {
    expect(statementKey('SELECT  a,\n\tb -- note\nFROM t /* bench 1.2 */')).toBe('SELECT a, b FROM t');
    expect(statementKey('SELECT a/**/FROM t')).toBe(statementKey('SELECT a FROM t'));
  });

  it('keeps what is quoted exactly as written', () => {
    expect(statementKey("SELECT 'a  b' FROM t")).not.toBe(statementKey("SELECT 'a b' FROM t"));
    expect(statementKey("SELECT '-- not a comment' FROM t")).toBe("SELECT '-- not a comment' FROM t");
    expect(statementKey('SELECT `x  y` FROM t')).toBe('SELECT `x  y` FROM t');
    expect(statementKey("SELECT 1 WHERE m = 'gpt-4o-mni'")).not.toBe(
      statementKey("SELECT 1 WHERE m = 'gpt-4o-mini'"),
    );
  });
});
