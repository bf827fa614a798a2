// The Action's cache edge (@actions/cache 6.3.0, for real: its HTTP clients, tar, zstd, the Azure blob
// SDK) against the cache service double, in both protocols @actions/cache speaks: v1 (GHES) and v2
// (github.com). And the engine install: restored from the cache instead of installed, saved after.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engineCacheKey } from '../../src/action/cache.js';
import { CHDB_TOOL_NAME, ensureChdb, type Platform, type ToolCache } from '../../src/action/chdb.js';
import { actionsCacheService } from '../../src/action/edges.js';
import { CacheDouble } from '../support/cache-double.js';

const double = new CacheDouble({
  'rt-main': { ref: 'refs/heads/main' },
  'rt-pr': { ref: 'refs/pull/7/merge' },
  'rt-ro': { ref: 'refs/pull/8/merge', readOnly: true },
});
let root: string;
const saved = { ...process.env };

function runAs(token: string, version: 'v1' | 'v2'): void {
  for (const k of [
    'ACTIONS_CACHE_URL',
    'ACTIONS_RESULTS_URL',
    'ACTIONS_CACHE_SERVICE_V2',
    'ACTIONS_RUNTIME_TOKEN',
  ])
    delete process.env[k];
  Object.assign(process.env, double.env(token, version), {
    GITHUB_WORKSPACE: join(root, 'ws'),
    RUNNER_TEMP: join(root, 'temp'),
    GITHUB_SERVER_URL: 'https://github.com',
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dci-cache-'));
  mkdirSync(join(root, 'ws'));
  mkdirSync(join(root, 'temp'));
  await double.start();
});
afterEach(() => {
  process.env = { ...saved };
});
afterAll(async () => {
  await double.stop();
  rmSync(root, { recursive: true, force: true });
});

function folder(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

describe.each(['v1', 'v2'] as const)('cache service %s', (version) => {
  it('saves, then a later run restores the same files; a miss is undefined', async () => {
    double.clear();
    runAs('rt-main', version);
    const dir = folder(`data-${version}`, { 'a.txt': 'alpha', 'b.bin': 'x'.repeat(300_000) });
    expect(await actionsCacheService.available()).toBe(true);
    expect(await actionsCacheService.save([dir], `k-${version}`)).toBe(true);
    expect(double.list()).toEqual([
      { key: `k-${version}`, scope: 'refs/heads/main', size: expect.any(Number) },
    ]);

    rmSync(dir, { recursive: true, force: true });
    runAs('rt-pr', version);
    expect(await actionsCacheService.restore([dir], `k-${version}`)).toBe(`k-${version}`);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('alpha');
    expect(readFileSync(join(dir, 'b.bin'), 'utf8')).toHaveLength(300_000);
    expect(await actionsCacheService.restore([dir], 'no-such-key')).toBeUndefined();
  });

  it("scopes as GitHub does: a PR's entry is invisible to the default branch; a taken key is not saved twice", async () => {
    double.clear();
    runAs('rt-pr', version);
    const dir = folder(`scoped-${version}`, { 'v.json': '{"poisoned":true}' });
    expect(await actionsCacheService.save([dir], 'verdict')).toBe(true);
    expect(await actionsCacheService.save([dir], 'verdict')).toBe(false);
    runAs('rt-main', version);
    expect(await actionsCacheService.restore([dir], 'verdict')).toBeUndefined();
  });

  it('a read-only run (cache write denied) saves nothing and goes on', async () => {
    runAs('rt-ro', version);
    const dir = folder(`ro-${version}`, { 'x.txt': 'x' });
    expect(await actionsCacheService.save([dir], 'ro')).toBe(false);
  });
});

describe('no cache service (a local run, GHES without Actions cache)', () => {
  it('is unavailable; restore and save are quiet no-ops', async () => {
    for (const k of ['ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL', 'ACTIONS_CACHE_SERVICE_V2'])
      delete process.env[k];
    expect(await actionsCacheService.available()).toBe(false);
  });

  it('a service that does not answer the cache API (a proxy answering 404): restore is a miss, save is false', async () => {
    Object.assign(process.env, {
      ACTIONS_CACHE_URL: `${double.url}no-cache-here/`,
      ACTIONS_RUNTIME_TOKEN: 'rt-main',
      GITHUB_WORKSPACE: join(root, 'ws'),
      RUNNER_TEMP: join(root, 'temp'),
    });
    const dir = folder('down', { 'x.txt': 'x' });
    expect(await actionsCacheService.restore([dir], 'k')).toBeUndefined();
    expect(await actionsCacheService.save([dir], 'k')).toBe(false);
  });
});

describe('the engine install through the Actions cache', () => {
  const linux: Platform = {
    platform: 'linux',
    arch: 'x64',
    glibc: '2.36',
    execPath: '/nonexistent/bin/node',
  };

  /** A tool cache laid out as @actions/tool-cache does: <root>/<tool>/<version>/<arch>{,.complete}. */
  function toolCache(rootDir: string): ToolCache {
    return {
      find: (tool, v, arch) => {
        const d = join(rootDir, tool, v, arch);
        return existsSync(`${d}.complete`) ? d : '';
      },
      cacheDir: async (src, tool, v, arch) => {
        const d = join(rootDir, tool, v, arch);
        mkdirSync(join(d, 'node_modules', 'chdb'), { recursive: true });
        writeFileSync(join(d, 'node_modules', 'chdb', 'package.json'), readFileSync(join(src, 'marker')));
        writeFileSync(`${d}.complete`, '');
        return d;
      },
    };
  }

  it('installs once and saves; a runner with an empty tool cache restores it instead of installing', async () => {
    double.clear();
    runAs('rt-main', 'v2');
    const first = join(root, 'tc-first');
    const installs: string[][] = [];
    const exec = {
      exec: async (_p: string, args: string[]) => {
        installs.push(args);
        const prefix = args[args.indexOf('--prefix') + 1]!;
        mkdirSync(prefix, { recursive: true });
        writeFileSync(join(prefix, 'marker'), '{"name":"chdb"}');
        return 0;
      },
    };
    const lines: string[] = [];
    const opts = (tc: string) => ({
      version: '3.4.0',
      toolCache: toolCache(tc),
      exec,
      platform: linux,
      tempDir: join(root, 'temp'),
      log: (l: string) => lines.push(l),
      actionsCache: { service: actionsCacheService, folder: join(tc, CHDB_TOOL_NAME, '3.4.0') },
    });
    const dir = await ensureChdb(opts(first));
    expect(installs).toHaveLength(1);
    expect(double.list().map((e) => e.key)).toEqual([engineCacheKey('3.4.0', linux)]);
    expect(lines.at(-1)).toContain('saved to the Actions cache (dashboard-ci-chdb-3.4.0-linux-x64)');

    // Another runner: the same tool-cache path (as hosted runners have), empty.
    rmSync(first, { recursive: true, force: true });
    runAs('rt-pr', 'v2');
    lines.length = 0;
    const again = await ensureChdb(opts(first));
    expect(again).toBe(dir);
    expect(installs).toHaveLength(1);
    expect(lines).toEqual([
      `chdb 3.4.0: restored from the Actions cache (dashboard-ci-chdb-3.4.0-linux-x64)`,
    ]);
    expect(readFileSync(join(again, 'node_modules/chdb/package.json'), 'utf8')).toBe('{"name":"chdb"}');
  });
});
