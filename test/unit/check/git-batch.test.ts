import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffWorkingTree, readFilesAt, resolveCommit } from '../../../src/check/git-batch.js';
import { git, write } from '../../support/change-repo.js';

let dir: string;
let sha: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dci-git-batch-'));
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, 'a.json', '{"a":1}\n');
  write(dir, 'sub/b.json', 'é\n');
  write(dir, 'HEAD', 'a file named like a revision\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'one');
  sha = git(dir, 'rev-parse', 'HEAD');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readFilesAt (one git cat-file --batch)', () => {
  it('reads every file at the commit, byte-exact; absent paths and folders are undefined', async () => {
    const out = await readFilesAt(dir, sha, ['a.json', 'sub/b.json', 'nope.json', 'sub']);
    expect([...out]).toEqual([
      ['a.json', '{"a":1}\n'],
      ['sub/b.json', 'é\n'],
      ['nope.json', undefined],
      ['sub', undefined],
    ]);
  });

  it('a path with a line break is never sent: it could smuggle a second request', async () => {
    const out = await readFilesAt(dir, sha, [`x\n${sha}:a.json`, 'a.json']);
    expect(out.get(`x\n${sha}:a.json`)).toBeUndefined();
    expect(out.get('a.json')).toBe('{"a":1}\n');
  });
});

describe('resolveCommit', () => {
  it('resolves a ref; something that looks like an option is a revision that does not exist', async () => {
    expect(await resolveCommit(dir, 'main')).toBe(sha);
    await expect(resolveCommit(dir, '--output=/tmp/pwned')).rejects.toThrow(
      '--base --output=/tmp/pwned: not a git revision here',
    );
    await expect(resolveCommit(tmpdir(), 'main')).rejects.toThrow(
      /is not in a git repository|not a git revision/,
    );
  });
});

describe('diffWorkingTree', () => {
  it('finds renames (git mv) and edits against the working tree', async () => {
    git(dir, 'mv', 'a.json', 'renamed.json');
    write(dir, 'sub/b.json', 'changed\n');
    const d = await diffWorkingTree(dir, sha);
    expect([...d.renamed]).toEqual([['renamed.json', 'a.json']]);
    expect([...d.changed].sort()).toEqual(['renamed.json', 'sub/b.json']);
  });
});
