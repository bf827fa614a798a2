import { constants, readdir as fsReaddir, realpathSync, statSync, type Dirent } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { glob } from 'tinyglobby';
import type { Finding } from '../core/types.js';
import { tooLarge } from './limits.js';

// Which files a run reads, and reading them safely. Everything under a folder of a pull request is
// hostile: a FIFO or a link to /dev/stdin must not hang the run, a link must not read the runner's
// files outside the repository, an unreadable sub-folder must cost that folder only.

/** Path relative to cwd with forward slashes, as reports and annotations expect. */
export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file) || path.basename(file);
  return rel.split(path.sep).join('/');
}

/** .gitignore-style patterns and the folder they are relative to (dashboard-ci.yml's, or cwd for --exclude). */
export interface ExcludeSet {
  base: string;
  patterns: readonly string[];
}

/** Excludes built once: `matches(abs, dir)` says whether a file (or, with dir, a folder) is left out. */
export class Excludes {
  private readonly sets: { base: string; ig: Ignore }[];

  constructor(sets: readonly ExcludeSet[]) {
    this.sets = sets
      .filter((s) => s.patterns.length > 0)
      .map((s) => ({ base: path.resolve(s.base), ig: ignore().add([...s.patterns]) }));
  }

  matches(abs: string, dir = false): boolean {
    for (const { base, ig } of this.sets) {
      const rel = path.relative(base, abs);
      // Patterns only reach below their own folder, like a .gitignore.
      if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const posix = rel.split(path.sep).join('/');
      if (ig.ignores(dir ? `${posix}/` : posix)) return true;
    }
    return false;
  }
}

export interface DiscoverOptions {
  cwd: string;
  /** Extensions a folder contributes (a file named explicitly is taken whatever its name). */
  exts: readonly string[];
  /** What the files are, for "no … files found". */
  what: string;
  /** Paths that do not exist (or hold no such file) are skipped silently: the config's defaults. */
  optional?: boolean;
  excludes?: Excludes;
  /** The directory reader (tests make a folder unreadable even as root); default node:fs readdir. */
  readdir?: typeof fsReaddir;
}

export interface FoundFile {
  abs: string;
  /** The folder given that led here (the file itself when named explicitly). */
  root: string;
}

export interface Discovered {
  files: FoundFile[];
  /** A path that does not exist, a folder without such files: one line each (exit 2 at the edge). */
  usageErrors: string[];
  /** Unreadable folders (errors) and skipped entries (info), each at its path. */
  findings: Finding[];
}

function errorCode(err: unknown): string {
  return (err as { code?: string }).code ?? (err as Error).message;
}

export function skipped(file: string, why: string): Finding {
  return { rule: 'file-skipped', severity: 'info', message: `skipped: ${why}`, file, line: 1, column: 1 };
}

export function unreadable(file: string, what: 'file' | 'folder', code: string): Finding {
  return {
    rule: 'unreadable-path',
    severity: 'error',
    message:
      what === 'folder'
        ? `folder cannot be read (${code}): the dashboards in it are not checked`
        : `file cannot be read (${code})`,
    file,
    line: 1,
    column: 1,
  };
}

function kindOf(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean }): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** True when `child` is `parent` or below it (paths already resolved). */
export function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Expands files and folders into the files to read, in the order given (a folder's files sorted by
 * path), de-duplicated by their real path (a link loop or two links to one file count once). Folders are walked with tinyglobby: hidden
 * entries and node_modules are skipped, excluded folders are not even opened.
 */
export async function discoverFiles(paths: readonly string[], opts: DiscoverOptions): Promise<Discovered> {
  const usageErrors: string[] = [];
  const findings: Finding[] = [];
  const candidates: FoundFile[] = [];
  const cwdReal = await realpath(opts.cwd).catch(() => path.resolve(opts.cwd));
  const excludes = opts.excludes;
  const baseReaddir = opts.readdir ?? fsReaddir;
  const lower = opts.exts.map((x) => x.toLowerCase());
  /** Entries already reported as skipped while walking. */
  const noted = new Set<string>();

  for (const p of paths) {
    const abs = path.resolve(opts.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        if (!opts.optional) usageErrors.push(`${p}: no such file or directory`);
      } else {
        findings.push(unreadable(displayPath(opts.cwd, abs), 'file', code));
      }
      continue;
    }
    if (!st.isDirectory()) {
      if (!excludes?.matches(abs)) candidates.push({ abs, root: abs });
      continue;
    }
    if (excludes?.matches(abs, true)) continue;
    const findingsBefore = findings.length;
    const rootReal = await realpath(abs).catch(() => abs);
    // tinyglobby reads folders through this: it records what it cannot read, leaves excluded folders
    // unopened and notes FIFOs and devices (which it would otherwise drop without a word).
    const readdir = ((dir: string, options: unknown, cb: (err: NodeJS.ErrnoException | null, entries: Dirent[]) => void) => {
      const full = path.resolve(dir);
      if (full !== abs && excludes?.matches(full, true)) return cb(null, []);
      if (full !== abs) {
        // A linked folder leading out of the repository (to /, to /proc, to $HOME) is not walked: the
        // walk would read the runner's file system, or never end.
        let real: string;
        try {
          real = realpathSync(full);
        } catch {
          real = full;
        }
        // (The walker hands over the link's target: the line was written when the link was met.)
        if (!inside(real, cwdReal) && !inside(real, rootReal)) return cb(null, []);
      }
      baseReaddir(full, options as { withFileTypes: true }, (err, entries) => {
        if (err) {
          findings.push(unreadable(displayPath(opts.cwd, full), 'folder', errorCode(err)));
          return cb(null, []);
        }
        for (const e of entries) {
          if (e.isFile() || e.isDirectory() || e.name.startsWith('.')) continue;
          const file = path.join(full, e.name);
          if (excludes?.matches(file)) continue;
          const wanted = lower.some((x) => e.name.toLowerCase().endsWith(x));
          let why: string | undefined;
          if (!e.isSymbolicLink()) {
            if (wanted) why = kindOf(e);
          } else {
            // A link the walker cannot follow (to a pipe, a device, nowhere) it would drop without a word;
            // a link to a folder out of the repository (to /, /proc, $HOME) it must not walk at all.
            try {
              const target = statSync(file);
              if (target.isDirectory()) {
                const real = realpathSync(file);
                if (!inside(real, cwdReal) && !inside(real, rootReal))
                  why = 'a link to a folder outside the working directory';
              } else if (wanted && !target.isFile()) why = `a link to ${kindOf(target)}`;
            } catch (err) {
              if (wanted) why = `a link that does not resolve (${errorCode(err)})`;
            }
          }
          if (why !== undefined) {
            noted.add(file);
            findings.push(skipped(displayPath(opts.cwd, file), why));
          }
        }
        cb(null, entries);
      });
    }) as unknown as typeof fsReaddir;
    const found = await glob(
      opts.exts.map((x) => `**/*${x}`),
      {
        cwd: abs,
        dot: false,
        caseSensitiveMatch: false,
        followSymbolicLinks: true,
        ignore: ['**/node_modules/**'],
        fs: { readdir },
      },
    );
    const here = found
      .map((rel) => path.join(abs, rel))
      .filter((file) => !excludes?.matches(file))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const file of here) candidates.push({ abs: file, root: abs });
    if (here.length === 0 && !opts.optional && findings.length === findingsBefore) {
      usageErrors.push(`${p}: no ${opts.what} files (${opts.exts.map((x) => '*' + x).join(', ')}) found`);
    }
  }

  const files: FoundFile[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (noted.has(c.abs)) continue;
    const shown = displayPath(opts.cwd, c.abs);
    let real: string;
    try {
      real = await realpath(c.abs);
    } catch (err) {
      findings.push(skipped(shown, `a link that does not resolve (${errorCode(err)})`));
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    // A file met inside a folder may be a link anywhere: /proc/self/environ, ~/.ssh, another checkout.
    if (c.root !== c.abs) {
      const rootReal = await realpath(c.root).catch(() => c.root);
      if (!inside(real, cwdReal) && !inside(real, rootReal)) {
        findings.push(skipped(shown, 'a link to a file outside the working directory'));
        continue;
      }
    }
    files.push(c);
  }
  return { files, usageErrors, findings };
}

export type ReadOutcome = { text: string } | { finding: Finding };

/**
 * Reads one file without ever blocking on it: opened non-blocking and checked from the open handle
 * (so a FIFO, a device or a file swapped for one after discovery is refused, not waited on), sized
 * before reading, read to at most `maxBytes` (files in /proc report size 0).
 */
export async function readTextFile(abs: string, display: string, maxBytes: number): Promise<ReadOutcome> {
  let fh;
  try {
    fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { finding: unreadable(display, 'file', errorCode(err)) };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { finding: skipped(display, kindOf(st)) };
    if (st.size > maxBytes) return { finding: tooLarge(display, st.size, maxBytes) };
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(Math.min(Math.max(st.size, 64 * 1024), maxBytes + 1));
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
      total += bytesRead;
      if (total > maxBytes) return { finding: tooLarge(display, total, maxBytes) };
    }
    return { text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (err) {
    return { finding: unreadable(display, 'file', errorCode(err)) };
  } finally {
    await fh.close();
  }
}
