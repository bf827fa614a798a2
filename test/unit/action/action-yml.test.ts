// action.yml, the code that reads the inputs, and docs/action.md say the same thing.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('the Action inputs', () => {
  const declared = Object.keys(
    (parse(read('action.yml')) as { inputs: Record<string, unknown> }).inputs,
  ).sort();
  const code = readdirSync(path.join(ROOT, 'src/action'))
    .map((f) => read(`src/action/${f}`))
    .join('\n');
  const readInCode = [...new Set([...code.matchAll(/getInput\('([a-z-]+)'\)/g)].map((m) => m[1]!))].sort();
  const doc = read('docs/action.md');
  const table = doc.slice(doc.indexOf('## Inputs'), doc.indexOf('## Outputs'));
  const documented = [...table.matchAll(/^\| `([a-z-]+)`(?:, `([a-z-]+)`)? \|/gm)]
    .flatMap((m) => [m[1]!, m[2]])
    .filter((x): x is string => x !== undefined)
    .sort();

  it('every input the code reads is declared in action.yml, and every declared one is read', () => {
    expect(readInCode).toEqual(declared);
  });

  it('every input is in the inputs table of docs/action.md', () => {
    expect(documented).toEqual(declared);
  });
});
