import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedFiles, scopeFromChanges, type Git } from '../../../src/action/changed-files.js';
import type { GitHubApi } from '../../../src/action/github-api.js';
import { defaultConfig } from '../../../src/config/defaults.js';

const git: Git & { calls: string[][] } = {
  calls: [],
  async run(args, cwd) {
    this.calls.push(args);
    const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  },
};

let root: string;
let base: string;
let head: string;
const sh = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).trim();

function write(dir: string, file: string, text: string) {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), text);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dci-changed-'));
  const origin = join(root, 'origin');
  mkdirSync(origin);
  sh(origin, 'init', '-q', '-b', 'main');
  write(origin, 'dashboards/a.json', '{"a":1}');
  write(origin, 'dashboards/b.json', '{"b":1}');
  write(origin, 'alerts/rules.yaml', 'apiVersion: 1\n');
  sh(origin, 'add', '.');
  sh(origin, 'commit', '-q', '-m', 'base');
  // Some history on main, so a depth-1 clone cannot see the merge base.
  for (let i = 0; i < 3; i++) {
    write(origin, `notes/${i}.md`, `${i}`);
    sh(origin, 'add', '.');
    sh(origin, 'commit', '-q', '-m', `note ${i}`);
  }
  base = sh(origin, 'rev-parse', 'HEAD');
  sh(origin, 'checkout', '-q', '-b', 'feature');
  write(origin, 'dashboards/a.json', '{"a":2}');
  sh(origin, 'rm', '-q', 'dashboards/b.json');
  write(origin, 'README.md', 'hi');
  write(origin, 'dashboards/new one.json', '{}');
  sh(origin, 'add', '.');
  sh(origin, 'commit', '-q', '-m', 'head');
  head = sh(origin, 'rev-parse', 'HEAD');
  sh(origin, 'checkout', '-q', 'main');
  sh(root, 'clone', '-q', '--depth=1', '--branch', 'feature', `file://${origin}`, 'work');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pr = () => ({ number: 3, baseSha: base, headSha: head });
const noApi = undefined as GitHubApi | undefined;

describe('changedFiles', () => {
  it('diffs base...head through a shallow checkout, fetching the base, leaving deleted files out', async () => {
    const work = join(root, 'work');
    expect(sh(work, 'rev-parse', '--is-shallow-repository')).toBe('true');
    const r = await changedFiles(git, noApi, work, { owner: 'o', repo: 'r' }, pr());
    expect(r).toEqual({
      source: 'git',
      files: ['README.md', 'dashboards/a.json', 'dashboards/new one.json'],
    });
    expect(git.calls.some((c) => c[0] === 'fetch')).toBe(true);
  });

  it('falls back to the API when git cannot answer', async () => {
    const notRepo = mkdtempSync(join(tmpdir(), 'dci-norepo-'));
    const api = {
      listPullFiles: async () => [
        { filename: 'dashboards/a.json', status: 'modified' },
        { filename: 'dashboards/b.json', status: 'removed' },
      ],
    } as unknown as GitHubApi;
    const r = await changedFiles(git, api, notRepo, { owner: 'o', repo: 'r' }, pr());
    expect(r).toEqual({ source: 'api', files: ['dashboards/a.json'] });
    expect(await changedFiles(git, noApi, notRepo, { owner: 'o', repo: 'r' }, pr())).toBeUndefined();
    rmSync(notRepo, { recursive: true, force: true });
  });
});

describe('scopeFromChanges', () => {
  const config = defaultConfig();

  it('only the changed dashboards and alert rule files', () => {
    expect(
      scopeFromChanges(['README.md', 'dashboards/a.json', 'alerts/rules.yaml', 'docs/x.json'], config, []),
    ).toEqual({
      all: false,
      dashboards: ['dashboards/a.json'],
      alerts: ['alerts/rules.yaml'],
    });
  });

  it('YAML dashboards (gcx, grafanactl) are dashboards too', () => {
    expect(
      scopeFromChanges(['dashboards/a.yaml', 'dashboards/team/b.yml', 'alerts/rules.yaml'], config, []),
    ).toEqual({
      all: false,
      dashboards: ['dashboards/a.yaml', 'dashboards/team/b.yml'],
      alerts: ['alerts/rules.yaml'],
    });
  });

  it('everything when the config, schema, seed, datasources or a library panel change', () => {
    for (const f of [
      'dashboard-ci.yml',
      'clickhouse/schema.sql',
      'clickhouse/seed.sql',
      'datasources/ds.yaml',
      'library-panels/cpu.json',
    ]) {
      const s = scopeFromChanges([f, 'dashboards/a.json'], config, []);
      expect(s).toMatchObject({ all: true, reason: `${f} changed`, dashboards: ['dashboards/a.json'] });
    }
    const custom = { ...config, file: 'ci/dci.yml' };
    expect(scopeFromChanges(['ci/dci.yml'], custom, []).all).toBe(true);
    expect(scopeFromChanges(['dashboard-ci.yml'], custom, []).all).toBe(false);
  });

  it('the paths input narrows the dashboards', () => {
    expect(scopeFromChanges(['dashboards/a.json', 'other/b.json'], config, ['other']).dashboards).toEqual([
      'other/b.json',
    ]);
  });
});
