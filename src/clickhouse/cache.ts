// The prepared-data cache of the embedded engine. Applying schema and seed is most of a small check's
// time (the product seed: about 2 s for 1.1M rows), and its result is a function of the statements
// and of the engine: chdb persists MergeTree data in a directory, so the directory the first run
// prepared is saved and later runs (and the pool's other workers) start from a private copy of it.
//
// Layout: <root>/<key>/data (a chdb data directory) and <root>/<key>/ready.json (the manifest, written
// last). An entry is written under <key>.tmp-<pid>-<random> and renamed into place, so a reader never
// sees half of one; a concurrent writer that loses the rename drops its copy.
//
// Copies are hard links where the file system allows (ClickHouse never rewrites a part's files in
// place: merges, mutations and ALTERs write new files and rename them, which is what its own FREEZE
// relies on), else byte copies. Each process opens its own copy: chdb locks a data directory (the
// `status` file) and background work writes into it, so a live directory is never shared.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../core/clock.js';

/**
 * Bumped whenever what a prepared directory holds changes for the same statements: the preparation
 * steps (merges stopped, one statement at a time, the sandbox's rules and grants) or this layout.
 * Engine limits are not part of the key: they are the checking profile's, applied on every open,
 * after the data is loaded, and never shape it. 2: entries prepared before the sandbox (issue 8)
 * were made without its rules and are not opened.
 */
export const CACHE_FORMAT = 2;

const MARKER = 'ready.json';
const DATA = 'data';
/** chdb's lock file of a live data directory: never copied. */
const LOCK_FILE = 'status';
/** Entries kept beyond the newest few are removed when unused for this long. */
const KEEP_ENTRIES = 4;
const STALE_MS = 24 * 3600_000;

export interface CacheManifest {
  format: number;
  key: string;
  /** SELECT version() of the engine that wrote it; a different engine does not trust it. */
  engineVersion: string;
  /** Files under data/, to notice a copy that lost some. */
  files: number;
  /** Sorted rows of STATS_QUERY (parts, rows, marks per table): the copy must show the same. */
  stats: string[];
  /** Distinguishes two writes of one key (a reader removes only the entry it rejected). */
  nonce: string;
}

/** What the cache did for one engine, for diagnostics (the bench prints it; tests assert it). */
export interface CacheReport {
  /**
   * off: no cache; hit: opened a copy of a cached entry; stored: prepared and saved (or found that a
   * concurrent writer had just saved the same entry); unsaved: prepared, but the entry could not be saved.
   */
  status: 'off' | 'hit' | 'stored' | 'unsaved';
  key?: string;
  /** Why an existing entry was not used (corrupt, incomplete, another engine version), or why saving failed. */
  reason?: string;
}

/** The cache key: the statements in order, the engine build, the platform, and CACHE_FORMAT. */
export function cacheKey(input: {
  schema: readonly string[];
  seed: readonly string[];
  chdbVersion?: string | undefined;
  /** clickhouse.clusters: a Distributed table over one of them is prepared as a Merge table. */
  clusters?: readonly string[];
  platform?: string;
  arch?: string;
}): string {
  const h = createHash('sha256');
  h.update(
    JSON.stringify([
      CACHE_FORMAT,
      input.platform ?? process.platform,
      input.arch ?? process.arch,
      input.chdbVersion ?? 'unknown',
      input.schema,
      input.seed,
      // Absent and empty give the key of before, so entries stay valid for runs without clusters.
      ...(input.clusters?.length ? [[...input.clusters].sort()] : []),
    ]),
  );
  return h.digest('hex').slice(0, 32);
}

/** The chdb package version in `chdbPath` (a package folder), or of the chdb this module resolves. */
export function chdbPackageVersion(chdbPath?: string): string | undefined {
  try {
    const dir = chdbPath ?? path.dirname(createRequire(import.meta.url).resolve('chdb'));
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where cache entries go by default: node_modules/.cache/dashboard-ci/chdb of the nearest node_modules
 * at or above `cwd` (the find-cache-dir convention), else $XDG_CACHE_HOME/dashboard-ci/chdb, else
 * ~/.cache/dashboard-ci/chdb. `env` is the edge's to pass: the core reads no environment.
 */
export function defaultCacheRoot(opts: {
  cwd: string;
  env?: Readonly<Record<string, string | undefined>>;
  homedir?: string;
}): string {
  let dir = path.resolve(opts.cwd);
  for (;;) {
    const nm = path.join(dir, 'node_modules');
    if (isDirectory(nm)) return path.join(nm, '.cache', 'dashboard-ci', 'chdb');
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const xdg = opts.env?.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(opts.homedir ?? os.homedir(), '.cache');
  return path.join(base, 'dashboard-ci', 'chdb');
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function entryDir(root: string, key: string): string {
  return path.join(root, key);
}

/** The manifest of a complete entry, or undefined (absent, half-written, unreadable, another format). */
export function readManifest(root: string, key: string): CacheManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(path.join(root, key, MARKER), 'utf8')) as Partial<CacheManifest>;
    const ok =
      m.format === CACHE_FORMAT &&
      m.key === key &&
      typeof m.engineVersion === 'string' &&
      typeof m.files === 'number' &&
      typeof m.nonce === 'string' &&
      Array.isArray(m.stats) &&
      m.stats.every((s) => typeof s === 'string');
    return ok ? (m as CacheManifest) : undefined;
  } catch {
    return undefined;
  }
}

/** A new empty private directory for one engine's data, outside the cache (under `tmpDir`, default os.tmpdir()). */
export function makePrivateDir(tmpDir: string = os.tmpdir()): string {
  return mkdtempSync(path.join(tmpDir, 'dashboard-ci-chdb-'));
}

export function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // Best effort: a leftover temporary directory is not worth failing a check for.
  }
}

/**
 * Recreates the tree `from` under `to` (absent or empty), hard-linking files where the file
 * system allows and copying them otherwise. Symlinks are recreated as they are; chdb's are relative
 * (metadata/db -> ../store/...), and an absolute one would point back into the source, so it is refused.
 * Returns the number of files.
 */
export function linkTree(from: string, to: string, skipTopLevel: ReadonlySet<string> = new Set()): number {
  let link = true;
  let files = 0;
  const walk = (src: string, dst: string, top: boolean): void => {
    // The top folder may exist already (empty, from mkdtemp).
    mkdirSync(dst, { recursive: top });
    for (const e of readdirSync(src, { withFileTypes: true })) {
      if (top && skipTopLevel.has(e.name)) continue;
      const a = path.join(src, e.name);
      const b = path.join(dst, e.name);
      if (e.isDirectory()) walk(a, b, false);
      else if (e.isSymbolicLink()) {
        const target = readlinkSync(a);
        if (path.isAbsolute(target)) throw new Error(`absolute symlink ${path.relative(from, a)}`);
        symlinkSync(target, b);
      } else if (e.isFile()) {
        files++;
        if (link) {
          try {
            linkSync(a, b);
            continue;
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            // Another file system, or one without hard links: copy from now on.
            if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
            link = false;
          }
        }
        copyFileSync(a, b);
      }
    }
  };
  walk(from, to, true);
  return files;
}

/** Materialises the entry's data into `into` (absent or empty); returns the file count. */
export function materializeEntry(root: string, key: string, into: string): number {
  const n = linkTree(path.join(root, key, DATA), into);
  try {
    // The mtime of the marker says when the entry was last used, for eviction.
    const now = systemClock.now();
    utimesSync(path.join(root, key, MARKER), now, now);
  } catch {
    // Read-only cache: still usable.
  }
  return n;
}

/**
 * Saves the live data directory `from` as entry `key` under `root`. An entry already there is replaced
 * when it has no valid manifest or is the one `replaces` names (its nonce: an entry the caller opened
 * and rejected); any other is a concurrent writer's equivalent entry, kept, and the result is false.
 * Throws when it cannot write.
 */
export function saveEntry(
  root: string,
  key: string,
  from: string,
  manifest: Omit<CacheManifest, 'format' | 'key' | 'files' | 'nonce'>,
  replaces?: string,
): boolean {
  mkdirSync(root, { recursive: true });
  const tmp = path.join(root, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(tmp);
    const files = linkTree(from, path.join(tmp, DATA), new Set([LOCK_FILE]));
    const full: CacheManifest = {
      format: CACHE_FORMAT,
      key,
      ...manifest,
      files,
      nonce: randomBytes(8).toString('hex'),
    };
    writeFileSync(path.join(tmp, MARKER), JSON.stringify(full, null, 1));
    try {
      renameSync(tmp, path.join(root, key));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      const there = readManifest(root, key);
      if (there && there.nonce !== replaces) {
        // A concurrent writer won; its entry holds the same data.
        removeDir(tmp);
        return false;
      }
      removeEntry(root, key, there?.nonce);
      renameSync(tmp, path.join(root, key));
    }
  } catch (err) {
    removeDir(tmp);
    throw err;
  }
  evict(root, key);
  return true;
}

/** Removes entry `key` if it is still the one whose manifest had `nonce` (undefined: whatever is there). */
export function removeEntry(root: string, key: string, nonce: string | undefined): void {
  const current = readManifest(root, key);
  if (current && nonce !== undefined && current.nonce !== nonce) return;
  const dir = path.join(root, key);
  if (!existsSync(dir)) return;
  // Renamed first, so no reader starts linking from a directory that is being deleted.
  const doomed = path.join(root, `${key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    renameSync(dir, doomed);
  } catch {
    return;
  }
  removeDir(doomed);
}

/** Drops temporaries of crashed writers and entries beyond the newest few that nobody used for a day. */
function evict(root: string, keep: string): void {
  try {
    const now = systemClock.now().getTime();
    const entries: { name: string; used: number }[] = [];
    for (const name of readdirSync(root)) {
      const p = path.join(root, name);
      if (name.includes('.tmp-')) {
        if (now - statSync(p).mtimeMs > STALE_MS) removeDir(p);
        continue;
      }
      if (name === keep) continue;
      let used = 0;
      try {
        used = statSync(path.join(p, MARKER)).mtimeMs;
      } catch {
        used = statSync(p).mtimeMs;
      }
      entries.push({ name, used });
    }
    entries.sort((a, b) => b.used - a.used);
    for (const e of entries.slice(KEEP_ENTRIES - 1)) {
      if (now - e.used > STALE_MS) removeDir(path.join(root, e.name));
    }
  } catch {
    // Housekeeping only.
  }
}
