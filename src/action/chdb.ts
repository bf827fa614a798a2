// The embedded engine for the Action. chdb's native library (543 MB, per platform) cannot go into
// dist/, so the pinned version is installed with npm on first use into the runner's tool cache
// (`$RUNNER_TOOL_CACHE/dashboard-ci-chdb/<version>/<arch>/node_modules/chdb`) and loaded from there
// with createRequire. A self-hosted runner keeps the tool cache across runs; on a hosted one (whose
// tool cache starts empty) the install is saved to and restored from the Actions cache (cache.ts).

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/types.js';
import { engineCacheKey, type CacheService } from './cache.js';

export const CHDB_TOOL_NAME = 'dashboard-ci-chdb';

export interface ToolCache {
  /** Cached directory of tool@version for arch, or '' (tc.find). */
  find(tool: string, version: string, arch: string): string;
  /** Copies dir into the cache and marks it complete (tc.cacheDir). */
  cacheDir(dir: string, tool: string, version: string, arch: string): Promise<string>;
}

export interface Exec {
  /** Runs a program without a shell; resolves to its exit code. */
  exec(program: string, args: string[], opts: { cwd?: string }): Promise<number>;
}

export interface Platform {
  platform: NodeJS.Platform;
  arch: string;
  /** glibc version on Linux, undefined on musl (Alpine) or elsewhere. */
  glibc?: string;
  /** The running node binary: npm is looked up next to it when it is not on PATH. */
  execPath: string;
}

export function currentPlatform(): Platform {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)
    ?.header;
  const p: Platform = { platform: process.platform, arch: process.arch, execPath: process.execPath };
  if (header?.glibcVersionRuntime) p.glibc = header.glibcVersionRuntime;
  return p;
}

const SERVER_MODE_HINT =
  "use the server mode instead: set the Action's clickhouse-url input to a ClickHouse server " +
  '(for example a clickhouse/clickhouse-server service container; see docs/action.md)';

/** Why chdb cannot run here, or undefined when it can (Linux x64/arm64 with glibc, macOS). */
export function unsupportedReason(p: Platform): string | undefined {
  const supported =
    (p.platform === 'linux' && (p.arch === 'x64' || p.arch === 'arm64') && p.glibc !== undefined) ||
    (p.platform === 'darwin' && (p.arch === 'x64' || p.arch === 'arm64'));
  if (supported) return undefined;
  const where =
    p.platform === 'linux' && !p.glibc
      ? `${p.platform}/${p.arch} without glibc (musl)`
      : `${p.platform}/${p.arch}`;
  return `The embedded ClickHouse engine (chdb) runs on Linux x64/arm64 with glibc and on macOS; this runner is ${where}: ${SERVER_MODE_HINT}`;
}

export interface ChdbInstallOptions {
  version: string;
  toolCache: ToolCache;
  exec: Exec;
  platform: Platform;
  /** Scratch directory for the install before it is cached (RUNNER_TEMP). */
  tempDir: string;
  log: (line: string) => void;
  /**
   * The Actions cache, to restore an install another run saved (a hosted runner's tool cache starts
   * empty) and to save a fresh one. `folder` is the tool-cache folder of this version (what is saved).
   */
  actionsCache?: { service: CacheService; folder: string };
}

function npmCommand(p: Platform): { program: string; args: string[] } {
  // The runner's own node (the Action runtime) ships npm beside it; prefer that over PATH.
  const bundled = join(dirname(p.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(bundled)) return { program: p.execPath, args: [bundled] };
  return { program: p.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

/** The tool-cache directory holding node_modules/chdb, installing it on first use. */
export async function ensureChdb(o: ChdbInstallOptions): Promise<string> {
  const reason = unsupportedReason(o.platform);
  if (reason) throw new UsageError(reason);
  const cached = o.toolCache.find(CHDB_TOOL_NAME, o.version, o.platform.arch);
  if (cached) {
    o.log(`chdb ${o.version}: from the tool cache (${cached})`);
    return cached;
  }
  const ac = (await o.actionsCache?.service.available()) ? o.actionsCache : undefined;
  const key = engineCacheKey(o.version, o.platform);
  if (ac) {
    const hit = await ac.service.restore([ac.folder], key);
    const restored = hit ? o.toolCache.find(CHDB_TOOL_NAME, o.version, o.platform.arch) : '';
    if (restored) {
      o.log(`chdb ${o.version}: restored from the Actions cache (${key})`);
      return restored;
    }
  }
  o.log(
    `chdb ${o.version}: not in the tool cache${ac ? ' nor the Actions cache' : ''}; installing it with npm (once per runner)`,
  );
  const dir = await install(o);
  if (ac) {
    const saved = await ac.service.save([ac.folder], key);
    o.log(
      saved
        ? `chdb ${o.version}: saved to the Actions cache (${key}): later runs restore it instead of installing`
        : `chdb ${o.version}: not saved to the Actions cache (see above)`,
    );
  }
  return dir;
}

async function install(o: ChdbInstallOptions): Promise<string> {
  const dir = join(o.tempDir, `dashboard-ci-chdb-${o.version}-${Date.now()}`);
  const npm = npmCommand(o.platform);
  // --ignore-scripts: chdb's install script is a no-op and nothing else should run here.
  const code = await o.exec.exec(
    npm.program,
    [
      ...npm.args,
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefix',
      dir,
      `chdb@${o.version}`,
    ],
    {},
  );
  if (code !== 0) {
    throw new UsageError(`npm install chdb@${o.version} failed (exit ${code}); or ${SERVER_MODE_HINT}`);
  }
  try {
    return await o.toolCache.cacheDir(dir, CHDB_TOOL_NAME, o.version, o.platform.arch);
  } finally {
    // The copy in the cache is what counts; don't hold a second 550 MB in RUNNER_TEMP.
    await rm(dir, { recursive: true, force: true });
  }
}

/** The chdb package folder inside a tool-cache install (what the engine and its pool workers load). */
export function chdbPackageDir(dir: string): string {
  return join(dir, 'node_modules', 'chdb');
}
