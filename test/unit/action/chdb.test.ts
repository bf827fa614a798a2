import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CHDB_TOOL_NAME,
  ensureChdb,
  chdbPackageDir,
  unsupportedReason,
  type Platform,
} from '../../../src/action/chdb.js';
import { UsageError } from '../../../src/core/types.js';
import { chdbLoaderFromPath } from '../../../src/clickhouse/embedded.js';

const linux: Platform = { platform: 'linux', arch: 'x64', glibc: '2.36', execPath: '/nonexistent/bin/node' };

function edges(cached: string) {
  const calls: { exec: [string, string[]][]; cacheDir: unknown[][] } = { exec: [], cacheDir: [] };
  let code = 0;
  return {
    calls,
    failWith: (c: number) => (code = c),
    toolCache: {
      find: (tool: string, version: string, arch: string) =>
        tool === CHDB_TOOL_NAME && version === '3.4.0' && arch === 'x64' ? cached : '',
      cacheDir: async (dir: string, tool: string, version: string, arch: string) => {
        calls.cacheDir.push([dir, tool, version, arch]);
        return `/cache/${tool}/${version}/${arch}`;
      },
    },
    exec: {
      exec: async (program: string, args: string[]) => {
        calls.exec.push([program, args]);
        return code;
      },
    },
  };
}

describe('ensureChdb', () => {
  it('reuses the tool cache: no install', async () => {
    const e = edges('/cache/dashboard-ci-chdb/3.4.0/x64');
    const dir = await ensureChdb({
      version: '3.4.0',
      ...e,
      platform: linux,
      tempDir: '/tmp/r',
      log: () => {},
    });
    expect(dir).toBe('/cache/dashboard-ci-chdb/3.4.0/x64');
    expect(e.calls.exec).toEqual([]);
  });

  it('installs the pinned version with npm on first use, then caches the directory', async () => {
    const e = edges('');
    const lines: string[] = [];
    const dir = await ensureChdb({
      version: '3.4.0',
      ...e,
      platform: linux,
      tempDir: '/tmp/r',
      log: (l) => lines.push(l),
    });
    expect(dir).toBe('/cache/dashboard-ci-chdb/3.4.0/x64');
    const [program, args] = e.calls.exec[0]!;
    expect(program).toBe('npm');
    expect(args).toEqual(
      expect.arrayContaining(['install', '--no-save', '--ignore-scripts', '--prefix', 'chdb@3.4.0']),
    );
    const prefix = args[args.indexOf('--prefix') + 1]!;
    expect(prefix.startsWith('/tmp/r/')).toBe(true);
    expect(e.calls.cacheDir).toEqual([[prefix, CHDB_TOOL_NAME, '3.4.0', 'x64']]);
    expect(lines.join('\n')).toMatch(/installing it with npm/);
  });

  it('a failed npm install is one clear line that points at the server mode', async () => {
    const e = edges('');
    e.failWith(1);
    const err = await ensureChdb({
      version: '3.4.0',
      ...e,
      platform: linux,
      tempDir: '/tmp/r',
      log: () => {},
    }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/npm install chdb@3\.4\.0 failed \(exit 1\).*clickhouse-url/);
  });

  it('refuses unsupported platforms with a message pointing at clickhouse-url', async () => {
    expect(unsupportedReason(linux)).toBeUndefined();
    expect(unsupportedReason({ ...linux, platform: 'darwin', glibc: undefined })).toBeUndefined();
    expect(unsupportedReason({ ...linux, platform: 'win32' })).toMatch(
      /this runner is win32\/x64: use the server mode.*clickhouse-url/,
    );
    expect(unsupportedReason({ platform: 'linux', arch: 'x64', execPath: '/n' })).toMatch(
      /without glibc \(musl\)/,
    );
    expect(unsupportedReason({ ...linux, arch: 'ia32' })).toMatch(/linux\/ia32/);
    const e = edges('');
    await expect(
      ensureChdb({
        version: '3.4.0',
        ...e,
        platform: { ...linux, platform: 'win32' },
        tempDir: '/t',
        log: () => {},
      }),
    ).rejects.toBeInstanceOf(UsageError);
    expect(e.calls.exec).toEqual([]);
  });
});

describe('chdbPackageDir', () => {
  it('names the package the engine loader requires from a tool-cache install', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dci-chdb-'));
    mkdirSync(join(dir, 'node_modules/chdb'), { recursive: true });
    writeFileSync(
      join(dir, 'node_modules/chdb/package.json'),
      JSON.stringify({ name: 'chdb', main: 'index.js' }),
    );
    writeFileSync(join(dir, 'node_modules/chdb/index.js'), 'module.exports = { fromToolCache: true };');
    await expect(chdbLoaderFromPath(chdbPackageDir(dir))()).resolves.toEqual({ fromToolCache: true });
    rmSync(dir, { recursive: true, force: true });
  });
});
