import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { DashboardModel } from '../dashboards/model.js';
import { parseDashboardFile } from '../dashboards/load.js';
import { readFilesAt, resolveCommit } from './git-batch.js';
import { prepareQueries, queryKey, toRecord, type PrepareOptions } from './prepare.js';

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

/**
 * Reads each dashboard's base version from git and prepares its queries the same way as the head's
 * (with the same options: the variable runner when the head's variables ran).
 */
export async function readBaseVersions(
  ref: string,
  cwd: string,
  dashboards: readonly DashboardModel[],
  datasourceTypes: Map<string, string>,
  now: Date,
  options: PrepareOptions = {},
): Promise<BaseCosts> {
  const baseDashboards: DashboardModel[] = [];
  // One `git cat-file --batch` for every file, not one `git show` each; a file may hold several
  // dashboards (multi-document YAML): keep them all.
  const files = [...new Set(dashboards.map((d) => d.file))];
  const texts = await readFilesAt(cwd, await resolveCommit(cwd, ref), files);
  for (const file of files) {
    const text = texts.get(file);
    if (text === undefined) continue;
    baseDashboards.push(...parseDashboardFile(file, text).dashboards);
  }
  const queries = (await prepareQueries(baseDashboards, [], datasourceTypes, now, options))
    .filter((q) => q.problems.length === 0)
    .map((q) => ({ key: queryKey(toRecord(q)), sql: q.sql }));
  return { queries };
}
