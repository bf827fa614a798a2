import { describe, expect, it } from 'vitest';
import { applyToText } from '../../../src/check/fix.js';
import { SourceDoc } from '../../../src/dashboards/source.js';
import { parseYaml } from '../../../src/dashboards/yaml-doc.js';
import type { Fix } from '../../../src/core/types.js';

function apply(text: string, fix: Fix | undefined): string {
  expect(fix).toBeDefined();
  return applyToText(text, [fix!]).text;
}

describe('fixes in JSON text', () => {
  const text =
    '{\n  "uid":  "a b",\n  "refresh" : "1s",\n  "panels": [ { "id": 1 }, {"id":1} ],\n  "q": "x\\n\\u0041\\"y"\n}\n';
  const doc = SourceDoc.parse('d.json', text);

  it('replaces one value in place, the spacing around it kept', () => {
    expect(apply(text, doc.replaceValue(['refresh'], '5s'))).toBe(text.replace('"1s"', '"5s"'));
    expect(apply(text, doc.replaceValue(['panels', 1, 'id'], 2))).toBe(text.replace('{"id":1}', '{"id":2}'));
    expect(apply(text, doc.replaceValue(['uid'], 'a-"b'))).toBe(text.replace('"a b"', '"a-\\"b"'));
  });

  it('inserts into a string at a decoded offset, past escapes, escaping what it inserts', () => {
    // Decoded "x\nA\"y": offset 4 is before y.
    const out = apply(text, doc.insertInString(['q'], 4, 'Z\n'));
    expect(out).toContain('"q": "x\\n\\u0041\\"Z\\ny"');
    expect((JSON.parse(out) as { q: string }).q).toBe('x\nA"Z\ny');
  });

  it('offers nothing where the path is not a scalar or not there', () => {
    expect(doc.replaceValue(['panels'], 1)).toBeUndefined();
    expect(doc.replaceValue(['nope'], 1)).toBeUndefined();
    expect(doc.insertInString(['refresh'], 9, 'x')).toBeUndefined();
  });
});

describe('fixes in YAML text', () => {
  const one = (text: string) => {
    const parsed = parseYaml('d.yaml', text);
    expect(parsed.findings).toEqual([]);
    return parsed.docs[0]!;
  };

  it('keeps the style of the scalar it replaces', () => {
    const text = "uid: a b # comment\nrefresh: '1s'\nid: 1\n";
    const d = one(text);
    expect(apply(text, d.replaceValue(['uid'], 'a-b'))).toBe("uid: a-b # comment\nrefresh: '1s'\nid: 1\n");
    expect(apply(text, d.replaceValue(['refresh'], '5s'))).toBe("uid: a b # comment\nrefresh: '5s'\nid: 1\n");
    expect(apply(text, d.replaceValue(['id'], 7))).toBe("uid: a b # comment\nrefresh: '1s'\nid: 7\n");
    // A plain scalar that would read back as something else is quoted.
    expect(apply(text, d.replaceValue(['uid'], 'true'))).toBe(
      'uid: "true" # comment\nrefresh: \'1s\'\nid: 1\n',
    );
  });

  it('inserts into a block scalar at its line, and refuses text the style cannot hold as is', () => {
    const text = 'rawSql: |-\n  SELECT 1\n  FROM events\n  GROUP BY x\nnext: 1\n';
    const d = one(text);
    const sql = 'SELECT 1\nFROM events\nGROUP BY x';
    const at = sql.indexOf('GROUP');
    const out = apply(text, d.insertInString(['rawSql'], at, 'WHERE $__timeFilter(ts) '));
    expect(out).toBe(
      'rawSql: |-\n  SELECT 1\n  FROM events\n  WHERE $__timeFilter(ts) GROUP BY x\nnext: 1\n',
    );
    expect(d.insertInString(['rawSql'], at, 'a\nb')).toBeUndefined();
    expect(d.insertInString(['rawSql'], at, "it's")).toBeUndefined();
  });

  it('never edits an anchored scalar (every alias of it would change)', () => {
    const text = 'a: &r 1s\nb: *r\n';
    expect(one(text).replaceValue(['a'], '5s')).toBeUndefined();
  });
});

describe('applyToText', () => {
  it('applies fixes that do not overlap, from the start, and leaves an overlapping one', () => {
    const fixes: Fix[] = [
      { range: [6, 11], text: 'there' },
      { range: [0, 5], text: 'HELLO' },
      { range: [4, 7], text: '!' },
    ];
    const { text, applied } = applyToText('hello world', fixes);
    expect(text).toBe('HELLO there');
    expect(applied).toEqual([fixes[1], fixes[0]]);
  });

  it('takes one of two insertions at one place, and skips a fix that changes nothing', () => {
    const { text, applied } = applyToText('ab', [
      { range: [1, 1], text: 'X' },
      { range: [1, 1], text: 'Y' },
      { range: [0, 1], text: 'a' },
    ]);
    expect(text).toBe('aXb');
    expect(applied).toHaveLength(1);
  });

  it('ignores a range outside the text', () => {
    expect(applyToText('ab', [{ range: [1, 9], text: '' }]).applied).toEqual([]);
  });
});
