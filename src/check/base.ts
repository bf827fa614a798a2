import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UsageError } from '../core/types.js';
import type { DashboardModel } from '../dashboards/model.js';
import { parseDashboardFile } from '../dashboards/load.js';
import { prepareQueries, queryKey, toRecord } from './prepare.js';

const exec = promisify(execFile);

export interface BaseCosts {
  /** Interpolated SQL of each base query, keyed like the head's queries. */
  queries: { key: string; sql: string }[];
}

/** The commit checked out in `cwd` (sha and subject), for Grafana's version messages; undefined outside git. */
export async function gitHead(cwd: string): Promise<{ sha: string; subject: string } | undefined> {
  try {
    const { stdout } = await exec('git', ['log', '-1', '--format=%H%n%s'], { cwd });
    const [sha, subject = ''] = stdout.split('\n');
    return sha ? { sha, subject } : undefined;
  } catch {
    return undefined;
  }
}

/** The text of `file` (relative to cwd) at git `ref`, or undefined when it did not exist there. */
export async function gitShow(cwd: string, ref: string, file: string): Promise<string | undefined> {
  try {
    const { stdout } = await exec('git', ['show', `${ref}:./${file}`], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '');
    if (/does not exist|exists on disk, but not in/.test(stderr)) return undefined;
    if (/invalid object name|unknown revision|bad revision|Not a valid object name/i.test(stderr)) {
      throw new UsageError(`--base ${ref}: not a git revision here`);
    }
    if (/not a git repository/i.test(stderr))
      throw new UsageError(`--base ${ref}: ${cwd} is not in a git repository`);
    return undefined;
  }
}

/** Reads each dashboard's base version from git and prepares its queries the same way as the head's. */
export async function readBaseVersions(
  ref: string,
  cwd: string,
  dashboards: readonly DashboardModel[],
  datasourceTypes: Map<string, string>,
  now: Date,
): Promise<BaseCosts> {
  const baseDashboards: DashboardModel[] = [];
  // A file may hold several dashboards (multi-document YAML): read each file once, keep them all.
  for (const file of new Set(dashboards.map((d) => d.file))) {
    const text = await gitShow(cwd, ref, file);
    if (text === undefined) continue;
    baseDashboards.push(...parseDashboardFile(file, text).dashboards);
  }
  const queries = (await prepareQueries(baseDashboards, [], datasourceTypes, now))
    .filter((q) => q.problems.length === 0)
    .map((q) => ({ key: queryKey(toRecord(q)), sql: q.sql }));
  return { queries };
}
