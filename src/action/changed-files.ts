// Which files a pull request changes, and what the check must cover because of them. Git first
// (`base...head` through the checkout, fetching the two commits when the checkout is shallow), the
// REST API's PR file list when git cannot answer.

import type { Config } from '../config/types.js';
import type { GitHubApi } from './github-api.js';
import type { PullRequestInfo } from './context.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Git {
  run(args: string[], cwd: string): Promise<GitResult>;
}

export interface ChangedFiles {
  /** Paths relative to the working directory, forward slashes; deleted files left out. */
  files: string[];
  source: 'git' | 'api';
}

async function hasCommit(git: Git, cwd: string, sha: string): Promise<boolean> {
  return (await git.run(['cat-file', '-e', `${sha}^{commit}`], cwd)).code === 0;
}

/** Makes `sha` present locally (actions/checkout fetches one commit by default). */
export async function ensureCommit(git: Git, cwd: string, sha: string, depth = 1): Promise<boolean> {
  if (await hasCommit(git, cwd, sha)) return true;
  await git.run(['fetch', '--no-tags', '--no-recurse-submodules', `--depth=${depth}`, 'origin', sha], cwd);
  return hasCommit(git, cwd, sha);
}

async function mergeBase(git: Git, cwd: string, base: string, head: string): Promise<boolean> {
  return (await git.run(['merge-base', base, head], cwd)).code === 0;
}

function splitZ(out: string): string[] {
  return out.split('\0').filter((s) => s.length > 0);
}

/** `git diff --name-only base...head` (what GitHub shows as the PR's files), or undefined. */
export async function changedFromGit(
  git: Git,
  cwd: string,
  pr: PullRequestInfo,
): Promise<string[] | undefined> {
  const base = await ensureCommit(git, cwd, pr.baseSha);
  const head = await ensureCommit(git, cwd, pr.headSha);
  if (!base || !head) return undefined;
  if (!(await mergeBase(git, cwd, pr.baseSha, pr.headSha))) {
    // Shallow: deepen both sides once, enough for most PRs; otherwise the API answers.
    await git.run(
      ['fetch', '--no-tags', '--no-recurse-submodules', '--depth=200', 'origin', pr.baseSha, pr.headSha],
      cwd,
    );
    if (!(await mergeBase(git, cwd, pr.baseSha, pr.headSha))) return undefined;
  }
  const diff = await git.run(
    ['diff', '--name-only', '-z', '--relative', '--diff-filter=d', `${pr.baseSha}...${pr.headSha}`],
    cwd,
  );
  if (diff.code !== 0) return undefined;
  return splitZ(diff.stdout);
}

export async function changedFiles(
  git: Git,
  api: GitHubApi | undefined,
  cwd: string,
  repo: { owner: string; repo: string },
  pr: PullRequestInfo,
): Promise<ChangedFiles | undefined> {
  const fromGit = await changedFromGit(git, cwd, pr).catch(() => undefined);
  if (fromGit) return { files: fromGit, source: 'git' };
  if (!api) return undefined;
  try {
    const files = await api.listPullFiles(repo.owner, repo.repo, pr.number);
    return { files: files.filter((f) => f.status !== 'removed').map((f) => f.filename), source: 'api' };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

export interface CheckScope {
  /** Check everything (config, schema, seed or datasources changed). */
  all: boolean;
  /** Why `all` (for the log and the comment). */
  reason?: string;
  /** Changed dashboard files (under the dashboard paths). */
  dashboards: string[];
  /** Changed alert rule files (under config.alerts). */
  alerts: string[];
}

function norm(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

function under(file: string, roots: readonly string[]): boolean {
  return roots.some((r) => {
    const root = norm(r);
    return root === '' || root === '.' || file === root || file.startsWith(root + '/');
  });
}

const CONFIG_NAMES = ['dashboard-ci.yml', 'dashboard-ci.yaml'];

/**
 * What to check for a PR's change set: only the changed dashboards and alert rule files, unless
 * something every check depends on changed (dashboard-ci.yml, the schema, the seed, the
 * datasources), then everything.
 */
export function scopeFromChanges(
  changed: readonly string[],
  config: Config,
  inputPaths: readonly string[],
): CheckScope {
  const files = changed.map(norm);
  const dashboardRoots = inputPaths.length > 0 ? inputPaths : config.paths;
  const alerts = files.filter((f) => /\.ya?ml$/.test(f) && under(f, config.alerts));
  // Dashboards are JSON or YAML (gcx, grafanactl resources); the loader tells them apart by content.
  const dashboards = files.filter(
    (f) => /\.(json|ya?ml)$/.test(f) && under(f, dashboardRoots) && !alerts.includes(f),
  );
  const everything = [
    ...(config.file ? [config.file] : CONFIG_NAMES),
    ...config.clickhouse.schema,
    ...config.clickhouse.seed,
    ...config.datasources,
    // A library panel is part of every dashboard that shows it.
    ...config.libraryPanels,
  ];
  const trigger = files.find((f) => under(f, everything));
  if (trigger) return { all: true, reason: `${trigger} changed`, dashboards, alerts };
  return { all: false, dashboards, alerts };
}
