// The base of a change, read from git in as few processes as possible: one `git cat-file --batch`
// for the texts of every file at the base (instead of one `git show` per file), one `git diff` for
// what changed and what was renamed. Paths are relative to the working directory, forward slashes.

import { spawn } from 'node:child_process';
import { UsageError } from '../core/types.js';

export interface GitRun {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs git without a shell; stdin written and closed when given. Never rejects for a non-zero exit. */
export function runGit(cwd: string, args: readonly string[], stdin?: string): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    );
    // A batch request list can be larger than the pipe: errors here surface as the exit code.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin ?? '');
  });
}

/** The commit `ref` names here, or a UsageError saying why not (not a repository, not a revision). */
export async function resolveCommit(cwd: string, ref: string, flag = '--base'): Promise<string> {
  // `--end-of-options` so a ref such as `--output=x` is a revision, never an option.
  const res = await runGit(cwd, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${ref}^{commit}`,
  ]).catch((e: Error) => ({ code: -1, stdout: Buffer.alloc(0), stderr: e.message }));
  if (res.code === 0) return res.stdout.toString('utf8').trim();
  if (/not a git repository/i.test(res.stderr))
    throw new UsageError(`${flag} ${ref}: ${cwd} is not in a git repository`);
  if (res.code === -1) throw new UsageError(`${flag} ${ref}: cannot run git (${res.stderr})`);
  throw new UsageError(`${flag} ${ref}: not a git revision here`);
}

/** A path git's batch protocol can carry: it is one request per line. */
function batchable(path: string): boolean {
  return !/[\n\r\0]/.test(path);
}

/**
 * The texts of `paths` at `commit`, with one `git cat-file --batch`: undefined for a path that did
 * not exist there (or is not a file). Paths are relative to `cwd` (`<commit>:./<path>`).
 */
export async function readFilesAt(
  cwd: string,
  commit: string,
  paths: readonly string[],
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  const asked = [...new Set(paths)].filter((p) => {
    if (batchable(p)) return true;
    out.set(p, undefined);
    return false;
  });
  if (asked.length === 0) return out;
  const res = await runGit(cwd, ['cat-file', '--batch'], asked.map((p) => `${commit}:./${p}\n`).join(''));
  if (res.code !== 0) throw new UsageError(`git cat-file failed at ${commit}: ${res.stderr.trim()}`);
  // Each answer: `<oid> <type> <size>\n<size bytes>\n`, or `<name> missing\n` (also `ambiguous`).
  const buf = res.stdout;
  let at = 0;
  for (const path of asked) {
    const nl = buf.indexOf(0x0a, at);
    if (nl < 0) throw new UsageError(`git cat-file: answer for ${path} cut short`);
    const header = buf.subarray(at, nl).toString('utf8');
    at = nl + 1;
    const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!m) {
      out.set(path, undefined);
      continue;
    }
    const size = Number(m[2]);
    const body = buf.subarray(at, at + size);
    at += size + 1;
    out.set(path, m[1] === 'blob' ? body.toString('utf8') : undefined);
  }
  return out;
}

export interface WorkingTreeDiff {
  /** Paths whose content differs from `commit` (added, modified, renamed to), at their current path. */
  changed: Set<string>;
  /** Current path → path at `commit`, by git's rename detection (-M, 50 % similarity). */
  renamed: Map<string, string>;
  /** Paths at `commit` that are gone. */
  deleted: Set<string>;
}

/**
 * What differs between `commit` and the working tree (tracked files; an untracked file has no base
 * version anyway), with renames: `git diff -M --name-status -z --relative <commit>`.
 */
export async function diffWorkingTree(cwd: string, commit: string): Promise<WorkingTreeDiff> {
  const res = await runGit(cwd, [
    '-c',
    'core.quotePath=false',
    'diff',
    '-M',
    '--name-status',
    '-z',
    '--relative',
    '--no-ext-diff',
    commit,
    '--',
  ]);
  if (res.code !== 0) throw new UsageError(`git diff against ${commit} failed: ${res.stderr.trim()}`);
  const fields = res.stdout.toString('utf8').split('\0');
  const diff: WorkingTreeDiff = { changed: new Set(), renamed: new Map(), deleted: new Set() };
  for (let i = 0; i < fields.length;) {
    const status = fields[i++];
    if (!status) continue;
    if (status.startsWith('R') || status.startsWith('C')) {
      const from = fields[i++]!;
      const to = fields[i++]!;
      diff.changed.add(to);
      if (status.startsWith('R')) diff.renamed.set(to, from);
    } else {
      const path = fields[i++]!;
      if (status === 'D') diff.deleted.add(path);
      else diff.changed.add(path);
    }
  }
  return diff;
}
