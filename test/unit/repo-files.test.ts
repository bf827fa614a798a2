// The files users copy from this repository: workflow snippets and the pre-commit hook definitions.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../src/cli/run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

// Current major versions (each runs on Node 24): actions/checkout v6, actions/cache v5,
// actions/setup-node v6, github/codeql-action v4. A snippet pinning an older major is stale.
const CURRENT: Record<string, number> = {
  'actions/checkout': 6,
  'actions/cache': 5,
  'actions/setup-node': 6,
  'github/codeql-action': 4,
};

function snippetFiles(): string[] {
  const workflows = readdirSync(path.join(ROOT, '.github/workflows')).map((f) => `.github/workflows/${f}`);
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs, ...workflows];
}

describe('workflow snippets', () => {
  it('pin the current major version of every action they use', () => {
    const uses = snippetFiles().flatMap((file) =>
      [...read(file).matchAll(/uses:\s*([\w-]+\/[\w-]+)(?:\/[\w/-]+)?@v(\d+)/g)].map((m) => ({
        file,
        action: m[1]!,
        major: Number(m[2]),
      })),
    );
    expect(uses.length).toBeGreaterThan(5);
    const stale = uses.filter((u) => CURRENT[u.action] !== undefined && u.major !== CURRENT[u.action]);
    expect(stale).toEqual([]);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(read('.pre-commit-hooks.yaml')) as {
    id: string;
    entry: string;
    language: string;
    pass_filenames: boolean;
  }[];

  it('defines a lint-only hook first (no engine) and a full one', () => {
    expect(hooks.map((h) => h.id)).toEqual(['dashboard-ci', 'dashboard-ci-explain']);
    expect(hooks[0]!.entry).toContain('--no-explain');
    expect(hooks.every((h) => h.language === 'node' && h.entry.startsWith('dashboard-ci check'))).toBe(true);
  });

  it('the lint-only entry runs clean on this repository, with nothing on stderr', async () => {
    const argv = hooks[0]!.entry.split(' ').slice(1);
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      cwd: ROOT,
      env: {},
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^3 dashboards, 28 panels, 0 queries: 0 errors, 0 warnings\n$/);
  });
});
