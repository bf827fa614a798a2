// The workflow run as the runner describes it (GITHUB_* variables and the event payload), and the
// route taken from it: what a run does is decided here, before anything is logged or any Grafana
// input is read.

import picomatch from 'picomatch';
import { UsageError } from '../core/types.js';
import type { Mode } from './inputs.js';

export interface ActionContext {
  eventName: string;
  payload: Record<string, unknown>;
  owner: string;
  repo: string;
  ref: string;
  sha: string;
  serverUrl: string;
  runId?: string;
  workspace: string;
  runnerTemp: string;
}

export interface PullRequestInfo {
  number: number;
  baseSha: string;
  headSha: string;
  baseRef?: string;
  /** `owner/name` of the head repository: differs from the base for a fork. */
  headRepo?: string;
}

export interface Route {
  check: boolean;
  provision: boolean;
  /** The sticky comment (pull_request only). */
  comment: boolean;
  pr?: PullRequestInfo;
  /** One line for the log: what this run does and why. */
  description: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function required(env: Env, name: string): string {
  const v = env[name];
  if (!v) throw new UsageError(`${name} is not set: dashboard-ci's Action runs inside a GitHub Actions job`);
  return v;
}

export function readContext(env: Env, readText: (path: string) => string): ActionContext {
  const eventName = required(env, 'GITHUB_EVENT_NAME');
  const repository = required(env, 'GITHUB_REPOSITORY');
  const [owner, repo] = repository.split('/');
  if (!owner || !repo)
    throw new UsageError(`GITHUB_REPOSITORY must be owner/name; got ${JSON.stringify(repository)}`);
  let payload: Record<string, unknown> = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath) {
    try {
      payload = obj(JSON.parse(readText(eventPath))) ?? {};
    } catch (err) {
      throw new UsageError(
        `GITHUB_EVENT_PATH ${eventPath}: cannot read the event payload (${(err as Error).message})`,
      );
    }
  }
  const ctx: ActionContext = {
    eventName,
    payload,
    owner,
    repo,
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    serverUrl: (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, ''),
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: env.RUNNER_TEMP || env.GITHUB_WORKSPACE || process.cwd(),
  };
  if (env.GITHUB_RUN_ID) ctx.runId = env.GITHUB_RUN_ID;
  return ctx;
}

export function pullRequestOf(ctx: ActionContext): PullRequestInfo | undefined {
  const pr = obj(ctx.payload.pull_request);
  if (!pr) return undefined;
  const base = obj(pr.base);
  const head = obj(pr.head);
  const number = typeof pr.number === 'number' ? pr.number : Number(ctx.payload.number);
  const baseSha = str(base?.sha);
  const headSha = str(head?.sha);
  if (!Number.isInteger(number) || !baseSha || !headSha) return undefined;
  const info: PullRequestInfo = { number, baseSha, headSha };
  const baseRef = str(base?.ref);
  if (baseRef) info.baseRef = baseRef;
  const headRepo = str(obj(head?.repo)?.full_name);
  if (headRepo) info.headRepo = headRepo;
  return info;
}

export function defaultBranchOf(ctx: ActionContext): string | undefined {
  return str(obj(ctx.payload.repository)?.default_branch);
}

export function isPushToDefaultBranch(ctx: ActionContext): boolean {
  const branch = defaultBranchOf(ctx);
  return ctx.eventName === 'push' && branch !== undefined && ctx.ref === `refs/heads/${branch}`;
}

/**
 * A push to a release ref: a tag or a branch matching one of the globs (`refs/tags/v*`,
 * `refs/heads/release/*`; a bare `v*` is read as a tag, `release/*` as a branch).
 */
export function isPushToReleaseRef(ctx: ActionContext, releaseRefs: readonly string[]): boolean {
  if (ctx.eventName !== 'push' || !ctx.ref || releaseRefs.length === 0) return false;
  const globs = releaseRefs.flatMap((g) =>
    g.startsWith('refs/') ? [g] : [`refs/tags/${g}`, `refs/heads/${g}`],
  );
  return picomatch(globs, { dot: true })(ctx.ref);
}

export interface RouteOptions {
  /** Refs (globs) whose pushes provision as the default branch's do: tags, release branches. */
  releaseRefs?: readonly string[];
}

/**
 * What this run does. mode auto: pull_request → check (and the comment); push to the default
 * branch or to a release ref → check, then provision if the check passes; workflow_dispatch →
 * provision; any other event → check only. Provisioning never runs on any other event, whatever the mode.
 */
export function decideRoute(mode: Mode, ctx: ActionContext, options: RouteOptions = {}): Route {
  const release = isPushToReleaseRef(ctx, options.releaseRefs ?? []);
  const pushDefault = isPushToDefaultBranch(ctx) || release;
  const dispatch = ctx.eventName === 'workflow_dispatch';
  const pr = ctx.eventName === 'pull_request' ? pullRequestOf(ctx) : undefined;
  if (ctx.eventName === 'pull_request' && !pr) {
    throw new UsageError('the pull_request event payload has no pull_request.number/base.sha/head.sha');
  }
  const withPr = (r: Route): Route => (pr ? { ...r, pr } : r);

  if (mode === 'provision') {
    if (!pushDefault && !dispatch) {
      throw new UsageError(
        `mode 'provision' runs only on push to the default branch or a release ref (release-refs), or on workflow_dispatch; this run is ${ctx.eventName}${ctx.ref ? ` on ${ctx.ref}` : ''}`,
      );
    }
    return { check: false, provision: true, comment: false, description: `provision (${ctx.eventName})` };
  }
  if (mode === 'check') {
    return withPr({
      check: true,
      provision: false,
      comment: pr !== undefined,
      description: pr ? `check pull request #${pr.number}` : `check (${ctx.eventName})`,
    });
  }
  if (pr) {
    return withPr({
      check: true,
      provision: false,
      comment: true,
      description: `check pull request #${pr.number}`,
    });
  }
  if (pushDefault) {
    return {
      check: true,
      provision: true,
      comment: false,
      description: `check, then provision if it passes (push to ${release ? ctx.ref : defaultBranchOf(ctx)})`,
    };
  }
  if (dispatch)
    return { check: false, provision: true, comment: false, description: 'provision (workflow_dispatch)' };
  return { check: true, provision: false, comment: false, description: `check (${ctx.eventName})` };
}
