import { parse, type AnyNode } from '@humanwhocodes/momoa';
import { describe, expect, it } from 'vitest';
import type { JsonPath } from '../../../src/core/types.js';
import { locateJsonPath } from '../../../src/dashboards/source.js';

// locateJsonPath reads positions from the text; momoa's tree is the reference it must agree with, on
// every value of documents chosen for what trips a scanner: escapes, brackets and quotes inside
// strings, nesting, empty containers, numbers and literals at the ends of containers, odd spacing.
const DOCS = [
  '{"a":1,"b":[true,false,null],"c":{"d":"x"}}',
  '{\n  "title": "a \\"quoted\\" {title} [x]",\n  "panels": [\n    { "id": 1, "targets": [ { "rawSql": "SELECT \\\\ 1" } ] },\n    {"id":2,"targets":[]}\n  ]\n}\n',
  '{ "k\\u0065y" : { "n" : -1.5e+3 } , "arr" : [ [ ] , { } , "]" , "}" , 0 ] }',
  '\t\r\n{"x":{"y":{"z":[1,[2,[3,{"w":"\\n"}]]]}},"last":"end"}',
  '[{"a":[]},{"b":{}},"s",12,true]',
];

function paths(node: AnyNode, at: JsonPath, out: { path: JsonPath; node: AnyNode; key?: AnyNode }[]): void {
  if (node.type === 'Object')
    for (const m of node.members) {
      const p = [...at, (m.name as { value: string }).value];
      out.push({ path: p, node: m.value, key: m.name });
      paths(m.value, p, out);
    }
  else if (node.type === 'Array')
    node.elements.forEach((e, i) => {
      const p = [...at, i];
      out.push({ path: p, node: e.value });
      paths(e.value, p, out);
    });
}

describe('locateJsonPath', () => {
  it.each(DOCS.map((d, i) => [i, d]))('agrees with momoa on every value of document %i', (_, text) => {
    const root = parse(text, { mode: 'json' }).body;
    const all: { path: JsonPath; node: AnyNode; key?: AnyNode }[] = [{ path: [], node: root }];
    paths(root, [], all);
    for (const { path, node, key } of all) {
      const got = locateJsonPath(text, path);
      expect(got.node, JSON.stringify(path)).toEqual({ start: node.loc.start.offset, end: node.loc.end.offset });
      if (key) expect(got.key, JSON.stringify(path)).toEqual({ start: key.loc.start.offset, end: key.loc.end.offset });
    }
  });

  it('stops at the deepest existing ancestor, and takes the first of duplicate keys', () => {
    const text = '{"a":{"b":1},"a":{"c":2},"list":[10]}';
    expect(locateJsonPath(text, ['a', 'nope', 'deeper']).node).toEqual({ start: 5, end: 12 });
    expect(locateJsonPath(text, ['list', 3]).node).toEqual({ start: 32, end: 36 });
    expect(locateJsonPath(text, ['list', 'x']).node).toEqual({ start: 32, end: 36 });
    expect(locateJsonPath(text, [0]).node).toEqual({ start: 0, end: text.length });
  });
});
