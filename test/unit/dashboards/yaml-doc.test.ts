import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseDashboardFile } from '../../../src/dashboards/load.js';
import { parseYaml } from '../../../src/dashboards/yaml-doc.js';

/** Where `needle` is in the text, 1-based. */
function at(text: string, needle: string, from = 0): { line: number; column: number } {
  const i = text.indexOf(needle, from);
  if (i < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

function doc(text: string) {
  const parsed = parseYaml('d.yaml', text);
  expect(parsed.findings).toEqual([]);
  return parsed.docs[0]!;
}

describe('YAML positions inside strings', () => {
  // Every scalar style a person or a tool writes SQL in; the finding must land on TARGET itself.
  const cases: [string, string][] = [
    ['block literal', 'q: |\n  SELECT 1\n    FROM t\n  WHERE TARGET = 1\n'],
    ['block literal, strip', 'q: |-\n    SELECT 1\n    WHERE TARGET = 1\nother: 2\n'],
    ['block literal, keep, leading blank line', 'q: |+\n\n  SELECT 1\n  WHERE TARGET\n\n'],
    ['block literal, explicit indent', 'q: |2\n     SELECT 1\n   WHERE TARGET\n'],
    ['block folded', 'q: >\n  SELECT 1\n  FROM t\n\n  WHERE x\n    AND TARGET\n'],
    ['plain, two lines', 'q: SELECT 1 FROM t\n  WHERE TARGET = 1\n'],
    ['single-quoted with escapes, folded', "q: 'it''s\n  ''x'' and\n\n  TARGET'\n"],
    ['double-quoted with escapes', 'q: "SELECT \\"a\\"\\n\\tFROM \\u0074 WHERE TARGET"\n'],
    ['double-quoted, escaped line break', 'q: "SELECT 1 FROM t \\\n    WHERE TARGET"\n'],
    ['double-quoted, folded blank lines', 'q: "SELECT 1\n\n  FROM t\n\n  \\  WHERE TARGET"\n'],
  ];
  it.each(cases)('%s', (_name, text) => {
    const d = doc(text);
    const value = (d.value as { q: string }).q;
    const offset = value.indexOf('TARGET');
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(d.locateInString(['q'], offset)).toEqual(at(text, 'TARGET'));
  });

  it('round-trips what the yaml library writes, in every string style, for real multi-line SQL', () => {
    const sql = "SELECT\n    toStartOfMinute(timestamp) AS t,\n  avg(x) AS v  \nFROM events\nWHERE $__timeFilter(timestamp) AND TARGET = 'it''s'";
    for (const defaultStringType of ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const) {
      for (const lineWidth of [0, 40]) {
        const text = YAML.stringify({ spec: { targets: [{ rawSql: sql }] } }, { defaultStringType, lineWidth });
        const d = doc(text);
        const found = d.locateInString(['spec', 'targets', 0, 'rawSql'], sql.indexOf('TARGET'));
        expect(found, `${defaultStringType} ${lineWidth}\n${text}`).toEqual(at(text, 'TARGET'));
      }
    }
  });

  it('locates a block scalar at its first line of text, keys at the key', () => {
    const text = 'spec:\n  rawSql: |-\n    SELECT 1\n';
    const d = doc(text);
    expect(d.locate(['spec', 'rawSql'])).toEqual({ line: 3, column: 5 });
    expect(d.locate(['spec', 'rawSql'], { key: true })).toEqual({ line: 2, column: 3 });
    expect(d.locate(['spec', 'missing', 0])).toEqual({ line: 2, column: 3 });
  });
});

describe('YAML dashboard files', () => {
  it('reads every document of a multi-document file, each at its own lines', () => {
    const text = [
      'apiVersion: dashboard.grafana.app/v1beta1',
      'kind: Dashboard',
      'metadata: { name: one }',
      'spec: { title: One, panels: [] }',
      '---',
      'apiVersion: dashboard.grafana.app/v1beta1',
      'kind: Dashboard',
      'metadata:',
      '  name: two',
      'spec:',
      '  title: Two',
      '  refresh: 5s',
      '',
    ].join('\n');
    const parsed = parseDashboardFile('multi.yaml', text);
    expect(parsed.findings).toEqual([]);
    expect(parsed.dashboards.map((d) => [d.uid, d.format.document])).toEqual([
      ['one', 0],
      ['two', 1],
    ]);
    const two = parsed.dashboards[1]!;
    expect(two.doc.locate(two.uidPath)).toEqual({ line: 9, column: 9 });
    expect(two.doc.locate([...two.root, 'refresh'])).toEqual({ line: 12, column: 12 });
  });

  it('refuses duplicate keys and broken YAML at their line, like Grafana would', () => {
    const parsed = parseDashboardFile('dup.yaml', 'kind: Dashboard\nspec:\n  title: a\n  title: b\n');
    expect(parsed.findings.map((f) => [f.rule, f.line])).toEqual([['yaml-syntax', 4]]);
    expect(parseDashboardFile('bad.yaml', 'spec: [1, 2\n').findings.map((f) => f.rule)).toEqual(['yaml-syntax']);
  });

  it('tells formats by content, not by extension', () => {
    const json = '{ "uid": "x", "title": "From a .yaml file", "panels": [] }';
    expect(parseDashboardFile('written-as.yaml', json).dashboards[0]!.format.syntax).toBe('yaml');
    const yaml = 'uid: y\ntitle: From a .txt file\npanels: []\n';
    expect(parseDashboardFile('named.txt', yaml).dashboards[0]!.uid).toBe('y');
  });
});
