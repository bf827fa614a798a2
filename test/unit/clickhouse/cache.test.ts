import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CACHE_FORMAT,
  cacheKey,
  chdbPackageVersion,
  defaultCacheRoot,
  linkTree,
  materializeEntry,
  readManifest,
  removeEntry,
  saveEntry,
} from '../../../src/clickhouse/cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dashboard-ci-cache-unit-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A directory shaped like chdb's: relative symlinks into store/, part files, the live lock file. */
function liveDir(): string {
  const live = path.join(dir, 'live');
  mkdirSync(path.join(live, 'store', 'abc', 'abc-1', 'p_1_1_0'), { recursive: true });
  mkdirSync(path.join(live, 'metadata'));
  mkdirSync(path.join(live, 'tmp'));
  writeFileSync(path.join(live, 'store', 'abc', 'abc-1', 'p_1_1_0', 'data.bin'), 'rows');
  writeFileSync(path.join(live, 'store', 'abc', 'abc-1', 'p_1_1_0', 'checksums.txt'), 'sums');
  symlinkSync('../store/abc/abc-1', path.join(live, 'metadata', 'default'));
  writeFileSync(path.join(live, 'status'), 'PID: 1');
  return live;
}

const manifest = { engineVersion: '26.7.2.1', stats: ['["table","default","t","","10","1","2",""]'] };

describe('cacheKey', () => {
  const base = { schema: ['CREATE TABLE t (a UInt8) ENGINE = Memory'], seed: ['INSERT INTO t VALUES (1)'] };
  it('is stable for the same input and changes with each part of it', () => {
    const k = cacheKey({ ...base, chdbVersion: '3.4.0' });
    expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(cacheKey({ ...base, chdbVersion: '3.4.0' })).toBe(k);
    expect(cacheKey({ ...base, chdbVersion: '3.4.1' })).not.toBe(k);
    expect(cacheKey({ ...base, seed: ['INSERT INTO t VALUES (2)'], chdbVersion: '3.4.0' })).not.toBe(k);
    expect(cacheKey({ ...base, schema: [], chdbVersion: '3.4.0' })).not.toBe(k);
    expect(cacheKey({ ...base, chdbVersion: '3.4.0', platform: 'darwin' })).not.toBe(k);
  });
  it('keeps statement boundaries and lists apart', () => {
    expect(cacheKey({ schema: ['a', 'b'], seed: [] })).not.toBe(cacheKey({ schema: ['ab'], seed: [] }));
    expect(cacheKey({ schema: ['a'], seed: [] })).not.toBe(cacheKey({ schema: [], seed: ['a'] }));
  });
  it('reads the chdb package version', () => {
    expect(chdbPackageVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(chdbPackageVersion(path.resolve('node_modules/chdb'))).toBe(chdbPackageVersion());
    expect(chdbPackageVersion(dir)).toBeUndefined();
  });
});

describe('defaultCacheRoot', () => {
  it('uses the nearest node_modules at or above cwd', () => {
    mkdirSync(path.join(dir, 'node_modules'));
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    expect(defaultCacheRoot({ cwd: path.join(dir, 'a', 'b') })).toBe(
      path.join(dir, 'node_modules', '.cache', 'dashboard-ci', 'chdb'),
    );
  });
  it('falls back to $XDG_CACHE_HOME, then ~/.cache', () => {
    const cwd = path.join(dir, 'repo');
    mkdirSync(cwd);
    // (Assumes no node_modules above the temporary folder.)
    expect(defaultCacheRoot({ cwd, env: { XDG_CACHE_HOME: '/x/cache' }, homedir: '/home/u' })).toBe(
      path.join('/x/cache', 'dashboard-ci', 'chdb'),
    );
    expect(defaultCacheRoot({ cwd, env: { XDG_CACHE_HOME: 'relative' }, homedir: '/home/u' })).toBe(
      path.join('/home/u', '.cache', 'dashboard-ci', 'chdb'),
    );
    expect(defaultCacheRoot({ cwd, homedir: '/home/u' })).toBe(
      path.join('/home/u', '.cache', 'dashboard-ci', 'chdb'),
    );
  });
});

describe('saveEntry, readManifest, materializeEntry', () => {
  it('saves a complete entry atomically, without the lock file, and hard-links it back', () => {
    const live = liveDir();
    const root = path.join(dir, 'cache');
    expect(saveEntry(root, 'k1', live, manifest)).toBe(true);
    expect(readdirSync(root)).toEqual(['k1']);
    const m = readManifest(root, 'k1');
    expect(m).toMatchObject({ format: CACHE_FORMAT, key: 'k1', files: 2, ...manifest });
    expect(existsSync(path.join(root, 'k1', 'data', 'status'))).toBe(false);

    const copy = path.join(dir, 'copy');
    expect(materializeEntry(root, 'k1', copy)).toBe(2);
    const part = path.join('store', 'abc', 'abc-1', 'p_1_1_0', 'data.bin');
    expect(readFileSync(path.join(copy, part), 'utf8')).toBe('rows');
    expect(statSync(path.join(copy, part)).ino).toBe(statSync(path.join(root, 'k1', 'data', part)).ino);
    expect(readFileSync(path.join(copy, 'metadata', 'default', 'p_1_1_0', 'checksums.txt'), 'utf8')).toBe(
      'sums',
    );
  });

  it('leaves a concurrent writer’s entry in place and drops its own copy', () => {
    const live = liveDir();
    const root = path.join(dir, 'cache');
    expect(saveEntry(root, 'k1', live, manifest)).toBe(true);
    const nonce = readManifest(root, 'k1')!.nonce;
    expect(saveEntry(root, 'k1', live, manifest)).toBe(false);
    expect(readManifest(root, 'k1')!.nonce).toBe(nonce);
    expect(readdirSync(root)).toEqual(['k1']);
  });

  it('replaces the entry a reader rejected, but not a newer one', () => {
    const live = liveDir();
    const root = path.join(dir, 'cache');
    saveEntry(root, 'k1', live, manifest);
    const rejected = readManifest(root, 'k1')!.nonce;
    expect(saveEntry(root, 'k1', live, manifest, rejected)).toBe(true);
    const newer = readManifest(root, 'k1')!.nonce;
    expect(newer).not.toBe(rejected);
    expect(saveEntry(root, 'k1', live, manifest, rejected)).toBe(false);
    expect(readManifest(root, 'k1')!.nonce).toBe(newer);
    expect(readdirSync(root)).toEqual(['k1']);
  });

  it('never trusts an entry without a complete manifest, and replaces it', () => {
    const live = liveDir();
    const root = path.join(dir, 'cache');
    saveEntry(root, 'k1', live, manifest);
    writeFileSync(path.join(root, 'k1', 'ready.json'), '{"format":1,"key":"k1","engineVe');
    expect(readManifest(root, 'k1')).toBeUndefined();
    rmSync(path.join(root, 'k1', 'ready.json'));
    expect(readManifest(root, 'k1')).toBeUndefined();
    expect(saveEntry(root, 'k1', live, manifest)).toBe(true);
    expect(readManifest(root, 'k1')).toBeDefined();
    expect(readdirSync(root)).toEqual(['k1']);
  });

  it('removes only the entry it rejected (same nonce)', () => {
    const root = path.join(dir, 'cache');
    saveEntry(root, 'k1', liveDir(), manifest);
    removeEntry(root, 'k1', 'another-nonce');
    expect(readManifest(root, 'k1')).toBeDefined();
    removeEntry(root, 'k1', readManifest(root, 'k1')!.nonce);
    expect(existsSync(path.join(root, 'k1'))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it('refuses to save a tree with an absolute symlink (it would point back into the source)', () => {
    const live = liveDir();
    symlinkSync(path.join(live, 'store'), path.join(live, 'metadata', 'abs'));
    expect(() => saveEntry(path.join(dir, 'cache'), 'k1', live, manifest)).toThrow(/absolute symlink/);
    expect(readdirSync(path.join(dir, 'cache'))).toEqual([]);
  });

  it('copies into an empty existing folder', () => {
    const live = liveDir();
    const into = path.join(dir, 'empty');
    mkdirSync(into);
    expect(linkTree(live, into, new Set(['status']))).toBe(2);
    expect(existsSync(path.join(into, 'status'))).toBe(false);
  });
});

describe('linkTree across file systems', () => {
  const shm = '/dev/shm';
  const other = existsSync(shm) && statSync(shm).dev !== statSync(os.tmpdir()).dev;
  it.skipIf(!other)('copies when hard links cannot cross to another file system', () => {
    const live = liveDir();
    const into = mkdtempSync(path.join(shm, 'dashboard-ci-cache-unit-'));
    try {
      expect(linkTree(live, into, new Set(['status']))).toBe(2);
      const part = path.join('store', 'abc', 'abc-1', 'p_1_1_0', 'data.bin');
      expect(readFileSync(path.join(into, part), 'utf8')).toBe('rows');
      expect(statSync(path.join(into, part)).ino).not.toBe(statSync(path.join(live, part)).ino);
    } finally {
      rmSync(into, { recursive: true, force: true });
    }
  });
});
